"""A reply by email through the real parts: sent by an SMTP client to the LMTP server that
`manage.py receive_mail --lmtp` runs, queued in Redis, posted by a Celery worker."""

import pytest

from forum.models import Post
from incoming.addresses import reply_address
from incoming.models import InboundMessage, Reason
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
