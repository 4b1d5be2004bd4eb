"""A new thread by email through the real parts: a DKIM-signed message sent by an SMTP client
to the LMTP server, queued in Redis, checked and posted by a Celery worker, which finds the
signing key in the test's own records (tests/incoming/dkim.py), not in DNS."""

import pytest

from forum import services as forum
from forum.models import Thread, WatchLevel
from incoming.addresses import new_thread_address
from incoming.models import InboundMessage, Reason
from tests.incoming.mail import new_thread_in, send
from tests.live_stack import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def watcher(other_member, category):
    forum.watch_category(member=other_member, category=category, level=WatchLevel.WATCHING)
    return other_member


def test_a_signed_message_sent_twice_starts_one_thread(lmtp, signer, category, watcher):
    address = new_thread_address(category.slug)
    raw = signer.sign(new_thread_in(category, watcher, body="Who brings what?\n\n-- \nBruno\n"))

    for _ in range(2):
        assert send(lmtp, raw, sender=watcher.email, to=address) == {}

    def started() -> list[Thread]:
        return list(Thread.objects.filter(author=watcher))

    wait_until(started, timeout=20, what="the worker to start the thread")
    [thread] = started()
    assert (thread.category, thread.title) == (category, "Seed swap in March")
    assert thread.posts.get().source == "Who brings what?"
    assert InboundMessage.objects.count() == 1


def test_an_unsigned_message_is_refused_by_the_worker(live_stack, lmtp, category, watcher):
    address = new_thread_address(category.slug)
    send(lmtp, new_thread_in(category, watcher), sender=watcher.email, to=address)

    def explained() -> list:
        return [m for a, m in live_stack.mail.received if a == watcher.email]

    wait_until(explained, timeout=20, what="the worker to explain the refusal")
    assert InboundMessage.objects.get().reason == Reason.UNAUTHENTICATED
    assert not Thread.objects.filter(author=watcher).exists()
