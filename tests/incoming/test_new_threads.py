"""A message to a category's address becomes a new thread there, by a member who watches the
category, from an address they confirmed, signed by its domain (DKIM); anything else is
refused, with one explanation that says nothing until the sender is proven."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from forum import services as forum
from forum.models import Category, Thread, WatchLevel
from forum.rules import PostingRefused
from incoming import services
from incoming.addresses import new_thread_address
from incoming.models import InboundMessage, Reason, State
from notifications import services as notifications
from notifications.models import EmailChoice, Kind
from tests.builders.forum import CategoryFactory
from tests.builders.members import MemberFactory, signed_in
from tests.incoming.mail import new_thread_in

pytestmark = pytest.mark.django_db

UNPROVEN = "confirmed on the site, in a message that its mail provider signed (DKIM)"


@pytest.fixture
def watcher(other_member, category):
    forum.watch_category(member=other_member, category=category, level=WatchLevel.WATCHING)
    return other_member


@pytest.fixture
def deliver(django_capture_on_commit_callbacks, category):
    """Hand a message to a category's address over as the mail server would; the (eager)
    worker runs on commit."""

    def deliver(raw: bytes, *, sender: str, to: str | None = None) -> InboundMessage:
        with django_capture_on_commit_callbacks(execute=True):
            inbound = services.receive(
                raw, sender=sender, recipients=[to or new_thread_address(category.slug)]
            )
        inbound.refresh_from_db()
        return inbound

    return deliver


def threads_by(member) -> list[Thread]:
    return list(Thread.objects.filter(author=member))


def test_a_signed_message_from_a_watcher_becomes_their_thread(deliver, signer, category, watcher):
    inbound = deliver(signer.sign(new_thread_in(category, watcher)), sender=watcher.email)

    [thread] = threads_by(watcher)
    assert (thread.category, thread.title) == (category, "Seed swap in March")
    [post] = thread.posts.all()
    assert (post.author, post.number, post.source) == (watcher, 1, "Who brings what? I have beans.")
    assert (inbound.state, inbound.reason, inbound.post) == (State.POSTED, "", post)


def test_the_same_message_delivered_twice_starts_one_thread(deliver, signer, category, watcher):
    raw = signer.sign(new_thread_in(category, watcher))
    for _ in range(2):
        deliver(raw, sender=watcher.email)

    assert len(threads_by(watcher)) == 1
    assert InboundMessage.objects.count() == 1


def test_a_signature_of_a_parent_domain_is_the_senders(deliver, signer, category):
    # DMARC's relaxed alignment: example.org's key vouches for lists.example.org.
    carla = MemberFactory(username="carla", email="carla@lists.example.org")
    forum.watch_category(member=carla, category=category, level=WatchLevel.WATCHING)
    deliver(signer.sign(new_thread_in(category, carla), domain="example.org"), sender=carla.email)

    assert len(threads_by(carla)) == 1


@pytest.mark.parametrize(
    "body",
    [
        "See below.\n\nOn Mon, 3 Jun 2024 at 10:00, Alice <alice@example.org> wrote:\n"
        "> Who comes on Saturday?\n",
        "See below.\n\n-- \nBruno Petit\nGardener in chief\n",
    ],
    ids=["forwarded", "signature"],
)
def test_what_it_quotes_and_the_signature_are_cut(deliver, signer, category, watcher, body):
    deliver(signer.sign(new_thread_in(category, watcher, body=body)), sender=watcher.email)

    [thread] = threads_by(watcher)
    assert thread.posts.get().source == "See below."


def test_an_html_only_message_becomes_markdown(deliver, signer, category, watcher):
    html = "<p>Bring <b>seeds</b>:</p><ul><li>beans</li><li>peas</li></ul>"
    deliver(
        signer.sign(new_thread_in(category, watcher, body=html, html=True)), sender=watcher.email
    )

    post = threads_by(watcher)[0].posts.get()
    assert "**seeds**" in post.source and "<li>beans</li>" in post.html


# Before the sender is proven: the message may come from anyone.


def unsigned(signer, category, member):
    return new_thread_in(category, member)


def altered_after_signing(signer, category, member):
    return signer.sign(new_thread_in(category, member)).replace(b"beans", b"bombs")


def signed_by_another_domain(signer, category, member):
    signer.publish("elsewhere.example")
    return signer.sign(new_thread_in(category, member), domain="elsewhere.example")


def signed_for_part_of_the_body(signer, category, member):
    # l= signs the first bytes of the body only: what follows could be anyone's.
    raw = signer.sign(new_thread_in(category, member), length=True)
    return raw + b"\nAnd send your password to me.\n"


def signed_to_someone_else(signer, category, member):
    # A member's signed message to anyone, which its recipient sends on to the category.
    return signer.sign(new_thread_in(category, member, to="friend@elsewhere.example"))


def signed_without_its_recipient(signer, category, member):
    # A signature that leaves the To header out vouches for no recipient: To could be changed.
    raw = new_thread_in(category, member)
    return signer.sign(raw, headers=["From", "Subject", "Message-ID", "Date"])


def with_a_second_subject(signer, category, member):
    # Added on top by a relay: the signature covers the one below, the first is read.
    return b"Subject: Buy my pills\n" + signer.sign(new_thread_in(category, member))


def from_an_unconfirmed_address(signer, category, member):
    EmailAddress.objects.filter(user=member).update(verified=False)
    return signer.sign(new_thread_in(category, member))


def from_no_members_address(signer, category, member):
    return signer.sign(new_thread_in(category, member, sender="stranger@example.org"))


@pytest.mark.parametrize(
    ("situation", "reason"),
    [
        (unsigned, Reason.UNAUTHENTICATED),
        (altered_after_signing, Reason.UNAUTHENTICATED),
        (signed_by_another_domain, Reason.UNAUTHENTICATED),
        (signed_for_part_of_the_body, Reason.UNAUTHENTICATED),
        (signed_to_someone_else, Reason.UNAUTHENTICATED),
        (signed_without_its_recipient, Reason.UNAUTHENTICATED),
        (with_a_second_subject, Reason.UNAUTHENTICATED),
        (from_an_unconfirmed_address, Reason.UNKNOWN_SENDER),
        (from_no_members_address, Reason.UNKNOWN_SENDER),
    ],
)
def test_a_sender_not_proven_is_refused_without_a_word_about_the_category(
    situation, reason, deliver, signer, category, watcher, mailoutbox
):
    raw = situation(signer, category, watcher)
    inbound = deliver(raw, sender="someone@mail.example.net")

    assert (inbound.state, inbound.reason) == (State.REFUSED, reason)
    assert Thread.objects.filter(category=category).count() == 0
    [explanation] = mailoutbox
    assert explanation.to == ["someone@mail.example.net"]
    assert UNPROVEN in " ".join(explanation.body.split())
    assert category.name not in explanation.body
    assert category.get_absolute_url() not in explanation.body


# Once the sender is proven to be the member: the browser's rules.


def not_watching(member, category):
    forum.watch_category(member=member, category=category, level=WatchLevel.NORMAL)


def suspended(member, category):
    member.suspended_until = timezone.now() + timedelta(days=3)
    member.save()


def charter_due(member, category):
    member.must_accept_charter = True
    member.save()


def banned(member, category):
    member.banned_at = timezone.now()
    member.save()


def moderators_write(member, category):
    category.write_restricted = True
    category.save()


def moderators_read(member, category):
    category.read_restricted = True
    category.save()


@pytest.mark.parametrize(
    ("situation", "reason"),
    [
        (not_watching, Reason.NOT_WATCHING),
        (suspended, Reason.SUSPENDED),
        (charter_due, Reason.CHARTER),
        (banned, Reason.BANNED),
        (moderators_write, Reason.CANNOT_START),
        (moderators_read, Reason.UNKNOWN_CATEGORY),
    ],
)
def test_a_member_who_may_not_start_a_thread_there_is_told_why_once(
    situation, reason, deliver, signer, category, watcher, mailoutbox
):
    situation(watcher, category)
    for number in (1, 2):
        raw = new_thread_in(category, watcher, message_id=f"<try-{number}@mail.example.org>")
        inbound = deliver(signer.sign(raw), sender=watcher.email)
        assert (inbound.state, inbound.reason) == (State.REFUSED, reason)

    assert threads_by(watcher) == []
    [explanation] = mailoutbox  # the second refusal, within the hour, is not explained
    assert explanation.to == [watcher.email]
    assert explanation.extra_headers["Auto-Submitted"] == "auto-replied"
    assert "was not posted" in explanation.body


def test_a_suspended_member_is_told_until_when(deliver, signer, category, watcher, mailoutbox):
    suspended(watcher, category)
    deliver(signer.sign(new_thread_in(category, watcher)), sender=watcher.email)

    [explanation] = mailoutbox
    assert "You are suspended until" in explanation.body
    assert category.get_absolute_url() in explanation.body


def test_a_message_to_no_category_is_refused(deliver, signer, category, watcher, mailoutbox):
    address = new_thread_address("nowhere")
    inbound = deliver(
        signer.sign(new_thread_in(category, watcher, to=address)), sender=watcher.email, to=address
    )

    assert inbound.reason == Reason.UNKNOWN_CATEGORY
    assert threads_by(watcher) == []
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("subject", "body", "reason"),
    [
        ("", "Who brings what?", Reason.NO_TITLE),
        ("Hi", "Who brings what?", Reason.NO_TITLE),
        ("x" * 151, "Who brings what?", Reason.TITLE_TOO_LONG),
        ("Seed swap", "", Reason.TOO_SHORT),
        ("Seed swap", "x" * 20_001, Reason.TOO_LONG),
    ],
    ids=["no subject", "short subject", "long subject", "no text", "long text"],
)
def test_a_message_the_form_would_refuse_is_refused(
    subject, body, reason, deliver, signer, category, watcher, mailoutbox
):
    raw = new_thread_in(category, watcher, subject=subject, body=body)
    inbound = deliver(signer.sign(raw), sender=watcher.email)

    assert inbound.reason == reason
    assert threads_by(watcher) == []
    assert len(mailoutbox) == 1


def test_a_newcomer_past_their_first_day_threads_is_refused(deliver, signer, category, mailoutbox):
    newcomer = MemberFactory(date_joined=timezone.now() - timedelta(hours=2))
    forum.watch_category(member=newcomer, category=category, level=WatchLevel.WATCHING)
    elsewhere = CategoryFactory()
    with pytest.raises(PostingRefused):
        for number in range(10):
            forum.create_thread(
                author=newcomer, category=elsewhere, title=f"Thread {number}", source="Hello."
            )

    inbound = deliver(signer.sign(new_thread_in(category, newcomer)), sender=newcomer.email)

    assert inbound.reason == Reason.FIRST_DAY
    [explanation] = mailoutbox
    assert "in their first day" in explanation.body


def test_a_member_posting_too_fast_is_refused(settings, deliver, signer, category, watcher):
    settings.MEMBER_RATE_LIMITS = {**settings.MEMBER_RATE_LIMITS, "posting": "1/m"}
    reasons = [
        deliver(
            signer.sign(new_thread_in(category, watcher, message_id=f"<n{n}@mail.example>")),
            sender=watcher.email,
        ).reason
        for n in (1, 2)
    ]

    assert reasons == ["", Reason.RATE_LIMITED]


def test_no_header_can_be_slipped_in_through_the_subject(
    deliver, signer, category, watcher, member, mailoutbox
):
    forum.watch_category(member=member, category=category, level=WatchLevel.WATCHING)
    notifications.choose_emails(member=member, choices={Kind.NEW_THREAD: EmailChoice.IMMEDIATELY})
    raw = new_thread_in(category, watcher, subject="Seeds").replace(
        b"Subject: Seeds", b"Subject: =?utf-8?q?Seeds=0D=0ABcc=3A_victim=40example=2Eorg?="
    )
    deliver(signer.sign(raw), sender=watcher.email)

    [thread] = threads_by(watcher)
    assert thread.title == "Seeds Bcc: victim@example.org"
    [told] = [sent for sent in mailoutbox if sent.to == [member.email]]
    assert told.recipients() == [member.email]
    assert not any(
        line.lower().startswith("bcc") for line in told.message().as_string().splitlines()
    )


def test_a_refusal_does_not_repeat_a_hostile_subject(
    deliver, signer, category, watcher, mailoutbox
):
    subject = "=?utf-8?q?" + "x" * 140 + "=0D=0ABcc=3A_victim=40example=2Eorg?="
    raw = new_thread_in(category, watcher, subject="Seeds").replace(
        b"Subject: Seeds", f"Subject: {subject}".encode()
    )
    inbound = deliver(signer.sign(raw), sender=watcher.email)

    assert inbound.reason == Reason.TITLE_TOO_LONG
    [explanation] = mailoutbox
    assert "victim" not in explanation.message().as_string()


# Where to write: the category's page says it to those who may.

ADDRESS_LINE = "Start a thread by email: write to"


def test_a_watcher_who_may_start_a_thread_is_shown_the_address(category, watcher):
    page = signed_in(watcher).get(category.get_absolute_url()).content.decode()

    assert ADDRESS_LINE in page
    assert f'href="mailto:{new_thread_address(category.slug)}"' in page


@pytest.mark.parametrize(
    "situation",
    [
        lambda settings, member, category: not_watching(member, category),
        lambda settings, member, category: moderators_write(member, category),
        lambda settings, member, category: suspended(member, category),
        lambda settings, member, category: setattr(settings, "REPLY_DOMAIN", ""),
    ],
    ids=["not watching", "moderators only write", "suspended", "no mail in"],
)
def test_the_address_is_not_shown_to_whom_it_would_refuse(situation, settings, category, watcher):
    situation(settings, watcher, category)
    category = Category.objects.get(pk=category.pk)

    page = signed_in(watcher).get(category.get_absolute_url()).content.decode()

    assert ADDRESS_LINE not in page
