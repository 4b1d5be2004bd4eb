"""A reply by email through the real parts: sent by an SMTP client to the LMTP server that
`manage.py receive_mail --lmtp` runs, queued in Redis, posted by a Celery worker."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from forum.models import Post
from incoming.addresses import reply_address
from incoming.models import InboundMessage, Reason, State
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory
from tests.incoming.mail import reply_to, send
from tests.live_stack import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


def test_a_reply_sent_twice_is_posted_once_by_the_worker(lmtp, thread, other_member):
    address = reply_address(member_id=other_member.pk, thread_id=thread.pk)
    raw = reply_to(thread, other_member, "Count me in.\n\n-- \nBruno\n")

    for _ in range(2):
        assert send(lmtp, raw, sender=other_member.email, to=address) == {}

    def posted() -> list[Post]:
        return list(Post.objects.filter(thread=thread, author=other_member))

    wait_until(posted, timeout=20, what="the worker to post the reply")
    [post] = posted()
    assert post.source == "Count me in."
    assert InboundMessage.objects.count() == 1


def test_a_refused_reply_is_explained_by_the_worker(live_stack, lmtp, thread, other_member):
    thread.locked = True
    thread.save()
    address = reply_address(member_id=other_member.pk, thread_id=thread.pk)
    send(lmtp, reply_to(thread, other_member), sender=other_member.email, to=address)

    def explained() -> list:
        return [m for a, m in live_stack.mail.received if a == other_member.email]

    wait_until(explained, timeout=20, what="the worker to explain the refusal")
    [message] = explained()
    assert message["Auto-Submitted"] == "auto-replied"
    assert InboundMessage.objects.get().reason == Reason.LOCKED
    assert not Post.objects.filter(author=other_member).exists()


def test_every_refusal_is_explained_once_and_posts_nothing(live_stack, lmtp, thread):
    """Each sender sends its message twice (two Message-IDs): one explanation each, no post."""
    long_ago = timezone.localdate() - timedelta(days=settings.REPLY_ADDRESS_DAYS + 1)
    locked_thread = make_thread(category=thread.category, title="Closed for now")
    locked_thread.locked = True
    locked_thread.save()

    def address(member, *, to=None, given_on=None) -> str:
        return reply_address(member_id=member.pk, thread_id=(to or thread).pk, given_on=given_on)

    cases = [
        # A forged token: another member's number in a member's address.
        ("forged", Reason.NO_ADDRESS, lambda member: address(member).replace(
            f"reply+{member.pk}-", f"reply+{member.pk + 1000}-"
        )),
        # A token for another thread: the thread's number changed in a member's address.
        ("another thread", Reason.NO_ADDRESS, lambda member: address(member).replace(
            f"-{thread.pk}-", f"-{locked_thread.pk}-"
        )),
        ("expired", Reason.EXPIRED, lambda member: address(member, given_on=long_ago)),
        ("suspended", Reason.SUSPENDED, address),
        ("charter", Reason.CHARTER, address),
        ("locked", Reason.LOCKED, lambda member: address(member, to=locked_thread)),
        ("too long", Reason.TOO_LONG, address),
    ]  # fmt: skip
    senders = {}
    for case, reason, address_of in cases:
        member = MemberFactory(
            suspended_until=timezone.now() + timedelta(days=2) if case == "suspended" else None,
            must_accept_charter=case == "charter",
        )
        body = "x" * (settings.POST_MAX_LENGTH + 1) if case == "too long" else "Agreed."
        for attempt in (1, 2):
            message_id = f"<{case.replace(' ', '-')}-{attempt}@mail.example.org>"
            raw = reply_to(thread, member, body, message_id=message_id)
            send(lmtp, raw, sender=member.email, to=address_of(member))
        senders[member.email] = reason

    def explained() -> list[str]:
        return [to for to, _message in live_stack.mail.received if to in senders]

    refused = InboundMessage.objects.filter(state=State.REFUSED)
    wait_until(
        lambda: len(explained()) >= len(senders) and refused.count() >= 2 * len(senders),
        timeout=30,
        what="every message refused and explained",
    )
    assert sorted(explained()) == sorted(senders)  # one each, the second try within the hour
    assert sorted(refused.values_list("reason", flat=True)) == sorted(2 * list(senders.values()))
    assert not Post.objects.filter(author__email__in=senders).exists()


def test_five_megabytes_of_quoted_history_and_html_only_mail_are_posted(lmtp, thread, other_member):
    history = "> An old line of the conversation, quoted again and again.\n" * 90_000
    quoting = (
        f"Short answer.\n\nOn Mon, 3 Jun 2024 at 10:00, Alice <alice@example.org> wrote:\n{history}"
    )
    long_one = reply_to(thread, other_member, quoting, message_id="<long@mail.example.org>")
    assert len(long_one) > 5_000_000
    html_only = reply_to(
        thread,
        other_member,
        "<p>And in <b>bold</b>:</p><ul><li>seeds</li></ul>",
        html=True,
        message_id="<html@mail.example.org>",
    )
    address = reply_address(member_id=other_member.pk, thread_id=thread.pk)

    for raw in (long_one, html_only):
        assert send(lmtp, raw, sender=other_member.email, to=address) == {}

    def posted() -> list[str]:
        return list(
            Post.objects.filter(thread=thread, author=other_member)
            .order_by("pk")
            .values_list("source", flat=True)
        )

    wait_until(lambda: len(posted()) == 2, timeout=60, what="the worker to post both")
    [quoted, html] = sorted(posted(), key=len)
    assert quoted == "Short answer."
    assert "**bold**" in html and "seeds" in html and "<" not in html
