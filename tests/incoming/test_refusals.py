"""A refused email gets one short explanation, and no post; an automatic one gets nothing."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone, translation
from django.utils.formats import date_format

from forum.models import Post
from incoming import services
from incoming.addresses import reply_address
from incoming.models import InboundMessage, Reason, State
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory
from tests.incoming.mail import reply_to

pytestmark = pytest.mark.django_db


def deliver(raw: bytes, *, sender: str, recipients: list[str], capture) -> InboundMessage:
    with capture(execute=True):
        inbound = services.receive(raw, sender=sender, recipients=recipients)
    inbound.refresh_from_db()
    return inbound


def suspended(member, thread):
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save()


def charter_due(member, thread):
    member.must_accept_charter = True
    member.save()


def locked(member, thread):
    thread.locked = True
    thread.save()


def moderators_only(member, thread):
    thread.category.read_restricted = True
    thread.category.save()


def banned(member, thread):
    member.banned_at = timezone.now()
    member.save()


def closed(member, thread):
    member.is_active = False
    member.save()


def unverified(member, thread):
    EmailAddress.objects.filter(user=member).update(verified=False)


@pytest.mark.parametrize(
    ("situation", "reason"),
    [
        (suspended, Reason.SUSPENDED),
        (charter_due, Reason.CHARTER),
        (locked, Reason.LOCKED),
        (moderators_only, Reason.UNREADABLE),
        (banned, Reason.BANNED),
        (closed, Reason.UNKNOWN_MEMBER),
        (unverified, Reason.UNVERIFIED_SENDER),
    ],
)
def test_a_member_who_may_not_reply_is_told_why_once(
    situation, reason, thread, other_member, mailoutbox, django_capture_on_commit_callbacks
):
    situation(other_member, thread)
    address = reply_address(member_id=other_member.pk, thread_id=thread.pk)

    for number in (1, 2):
        raw = reply_to(thread, other_member, message_id=f"<try-{number}@mail.example.org>")
        inbound = deliver(
            raw,
            sender=other_member.email,
            recipients=[address],
            capture=django_capture_on_commit_callbacks,
        )
        assert (inbound.state, inbound.reason) == (State.REFUSED, reason)

    assert not Post.objects.filter(thread=thread, author=other_member).exists()
    [explanation] = mailoutbox  # the second refusal, within the hour, is not explained
    assert explanation.to == [other_member.email]
    assert explanation.extra_headers["Auto-Submitted"] == "auto-replied"
    assert "was not posted" in explanation.body


def test_a_suspended_member_is_told_until_when_in_their_language(
    thread, other_member, mailoutbox, django_capture_on_commit_callbacks
):
    other_member.language = "fr"
    suspended(other_member, thread)
    deliver(
        reply_to(thread, other_member),
        sender=other_member.email,
        recipients=[reply_address(member_id=other_member.pk, thread_id=thread.pk)],
        capture=django_capture_on_commit_callbacks,
    )

    [explanation] = mailoutbox
    with translation.override("fr"):
        until = date_format(timezone.localtime(other_member.suspended_until), "DATETIME_FORMAT")
    assert until in explanation.body
    assert thread.get_absolute_url() in explanation.body


@pytest.mark.parametrize(
    "address",
    [
        lambda member, thread: reply_address(member_id=member.pk, thread_id=thread.pk).replace(
            f"-{thread.pk}-", f"-{thread.pk + 1}-"
        ),
        lambda member, thread: reply_address(member_id=member.pk, thread_id=thread.pk).replace(
            f"-{thread.pk}-", f"-{thread.pk}-1"
        ),
        lambda member, thread: f"reply+{member.pk}-{thread.pk}-20000-{'a' * 26}@replies.testserver",
        lambda member, thread: "someone@testserver",
    ],
    ids=["another thread", "made younger", "forged signature", "not a reply address"],
)
def test_a_forged_or_tampered_address_is_refused(
    address, thread, other_member, mailoutbox, django_capture_on_commit_callbacks
):
    inbound = deliver(
        reply_to(thread, other_member),
        sender=other_member.email,
        recipients=[address(other_member, thread)],
        capture=django_capture_on_commit_callbacks,
    )

    assert (inbound.state, inbound.reason) == (State.REFUSED, Reason.NO_ADDRESS)
    assert not Post.objects.filter(author=other_member).exists()
    [explanation] = mailoutbox
    assert thread.get_absolute_url() not in explanation.body


def test_a_reply_address_forwarded_to_someone_else_does_not_post_as_the_member(
    thread, other_member, mailoutbox, django_capture_on_commit_callbacks
):
    inbound = deliver(
        reply_to(thread, other_member, sender="stranger@elsewhere.example"),
        sender="stranger@elsewhere.example",
        recipients=[reply_address(member_id=other_member.pk, thread_id=thread.pk)],
        capture=django_capture_on_commit_callbacks,
    )

    assert inbound.reason == Reason.UNVERIFIED_SENDER
    [explanation] = mailoutbox
    assert explanation.to == ["stranger@elsewhere.example"]
    assert thread.title not in explanation.body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("x" * 20_001, Reason.TOO_LONG),
        ("\n\nOn Mon, 3 Jun 2024, Alice <a@example.org> wrote:\n> hello\n", Reason.TOO_SHORT),
    ],
    ids=["too long", "nothing but the quote"],
)
def test_a_reply_of_the_wrong_length_is_refused(
    body, reason, thread, other_member, mailoutbox, django_capture_on_commit_callbacks
):
    inbound = deliver(
        reply_to(thread, other_member, body),
        sender=other_member.email,
        recipients=[reply_address(member_id=other_member.pk, thread_id=thread.pk)],
        capture=django_capture_on_commit_callbacks,
    )

    assert inbound.reason == reason
    assert len(mailoutbox) == 1


def test_a_newcomer_past_their_first_day_posts_is_refused(
    thread, mailoutbox, django_capture_on_commit_callbacks
):
    newcomer = MemberFactory(date_joined=timezone.now() - timedelta(hours=2))
    other = make_thread(category=CategoryFactory(), author=newcomer)
    for number in range(9):
        services.forum_services.reply(author=newcomer, thread=other, source=f"Post {number}.")

    inbound = deliver(
        reply_to(thread, newcomer),
        sender=newcomer.email,
        recipients=[reply_address(member_id=newcomer.pk, thread_id=thread.pk)],
        capture=django_capture_on_commit_callbacks,
    )

    assert inbound.reason == Reason.FIRST_DAY
    [explanation] = mailoutbox
    assert "first day" in explanation.body


def test_a_member_posting_too_fast_is_refused(
    settings, thread, other_member, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MEMBER_RATE_LIMITS = {**settings.MEMBER_RATE_LIMITS, "posting": "1/m"}
    address = reply_address(member_id=other_member.pk, thread_id=thread.pk)
    states = [
        deliver(
            reply_to(thread, other_member, f"Answer {n}.", message_id=f"<n{n}@mail.example>"),
            sender=other_member.email,
            recipients=[address],
            capture=django_capture_on_commit_callbacks,
        ).reason
        for n in (1, 2)
    ]

    assert states == ["", Reason.RATE_LIMITED]
    assert len([sent for sent in mailoutbox if sent.to == [other_member.email]]) == 1


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ({"Auto-Submitted": "auto-replied"}, "alice@example.org"),
        ({"Precedence": "bulk"}, "alice@example.org"),
        ({"Precedence": "list"}, "alice@example.org"),
        ({}, ""),
    ],
    ids=["auto-submitted", "bulk", "list", "null return path"],
)
def test_an_automatic_message_is_dropped_silently(
    headers, sender, thread, other_member, mailoutbox, django_capture_on_commit_callbacks
):
    suspended(other_member, thread)  # would be refused, and explained, were it a person's
    inbound = deliver(
        reply_to(thread, other_member, headers=headers),
        sender=sender,
        recipients=[reply_address(member_id=other_member.pk, thread_id=thread.pk)],
        capture=django_capture_on_commit_callbacks,
    )

    assert (inbound.state, inbound.reason) == (State.DROPPED, Reason.AUTO_REPLY)
    assert mailoutbox == []


def test_no_header_can_be_slipped_into_the_explanation(
    thread, other_member, mailoutbox, django_capture_on_commit_callbacks
):
    raw = reply_to(thread, other_member, sender="stranger@elsewhere.example").replace(
        b"Subject: Re:", b"Subject: =?utf-8?q?x=0D=0ABcc=3A_victim=40example.org?= Re:"
    )
    for sender in ("stranger@elsewhere.example\r\nBcc: victim@example.org", "a@b.c, d@e.f"):
        deliver(
            raw,
            sender=sender,
            recipients=[reply_address(member_id=other_member.pk, thread_id=thread.pk)],
            capture=django_capture_on_commit_callbacks,
        )
        InboundMessage.objects.all().delete()
    assert mailoutbox == []  # not one address: nobody to answer

    deliver(
        raw,
        sender="stranger@elsewhere.example",
        recipients=[reply_address(member_id=other_member.pk, thread_id=thread.pk)],
        capture=django_capture_on_commit_callbacks,
    )
    [explanation] = mailoutbox
    sent = explanation.message().as_string()
    assert "victim" not in sent
    assert explanation.recipients() == ["stranger@elsewhere.example"]


def test_an_expired_address_is_refused_with_a_link_to_answer_on_the_site(
    settings, thread, other_member, mailoutbox, django_capture_on_commit_callbacks
):
    given_on = timezone.localdate() - timedelta(days=settings.REPLY_ADDRESS_DAYS + 1)
    inbound = deliver(
        reply_to(thread, other_member),
        sender=other_member.email,
        recipients=[
            reply_address(member_id=other_member.pk, thread_id=thread.pk, given_on=given_on)
        ],
        capture=django_capture_on_commit_callbacks,
    )

    assert (inbound.state, inbound.reason) == (State.REFUSED, Reason.EXPIRED)
    assert not Post.objects.filter(author=other_member).exists()
    [explanation] = mailoutbox
    assert "has expired" in explanation.body
    assert thread.get_absolute_url() in explanation.body


def test_an_address_given_on_its_last_valid_day_still_posts(
    settings, thread, other_member, django_capture_on_commit_callbacks
):
    given_on = timezone.localdate() - timedelta(days=settings.REPLY_ADDRESS_DAYS)
    inbound = deliver(
        reply_to(thread, other_member),
        sender=other_member.email,
        recipients=[
            reply_address(member_id=other_member.pk, thread_id=thread.pk, given_on=given_on)
        ],
        capture=django_capture_on_commit_callbacks,
    )

    assert inbound.state == State.POSTED
