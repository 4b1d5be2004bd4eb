"""Email delivery through the real stack: gunicorn, Redis, a Celery worker with beat, SMTP.

Members reply over HTTP; the worker tells the watchers and emails them. Faults are real: the
worker is killed with SIGKILL in the middle of an SMTP conversation, Redis is stopped (and
loses everything it held) while a member posts.
"""

from collections import Counter

import pytest

from forum.models import Post, Thread
from forum.services import post_event_key
from notifications.models import Delivery, DeliveryState, Notification
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory
from tests.live_stack import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.postgresql]

WATCHERS = 5


@pytest.fixture
def watched_thread(transactional_db):
    """A thread watched by its author and five members who replied to it."""
    author = MemberFactory(username="author")
    thread = make_thread(category=CategoryFactory(), author=author, title="Seed swap")
    watchers = [MemberFactory(username=f"watcher{n}") for n in range(WATCHERS)]
    for watcher in watchers:
        Thread.objects.get(pk=thread.pk).subscriptions.create(member=watcher, level="watching")
    Post.objects.update(announced=True)
    return thread, [author, *watchers]


def reply_over_http(stack, member, thread, text: str) -> tuple[int, float]:
    client = stack.signed_in(member)
    status, _, seconds = client.post_form(
        f"/t/{thread.pk}/reply/", f"/t/{thread.pk}/reply/", {"source": text}
    )
    return status, seconds


def emails_to(stack) -> Counter:
    return Counter(stack.mail.recipients())


def test_a_reply_sends_exactly_one_email_to_each_watcher(live_stack, watched_thread):
    thread, watchers = watched_thread
    replier = MemberFactory(username="replier")
    status, _ = reply_over_http(live_stack, replier, thread, "First tomatoes are in!")
    assert status == 302
    expected = Counter({member.email: 1 for member in watchers})
    wait_until(lambda: emails_to(live_stack) == expected, timeout=30, what="the six emails")
    # Sweeps run every second: give them time to (wrongly) send anything twice.
    wait_until(lambda: not _pending_or_sending(), timeout=10, what="deliveries to settle")
    assert emails_to(live_stack) == expected
    assert replier.email not in emails_to(live_stack)
    subjects = {message["Subject"] for _, message in live_stack.mail.received}
    assert subjects == {"[Palabre] " + f"{replier.public_name} replied in “Seed swap”"}


def test_a_worker_killed_while_sending_neither_loses_nor_duplicates_an_email(
    live_stack, watched_thread
):
    thread, watchers = watched_thread
    victim = watchers[2]
    live_stack.mail.hold(victim.email)
    status, _ = reply_over_http(live_stack, MemberFactory(), thread, "Kill me softly.")
    assert status == 302
    assert live_stack.mail.holding.wait(timeout=30), "the worker never reached the mail server"
    live_stack.worker.kill()  # SIGKILL, mid-conversation: the email was not accepted
    live_stack.mail.release()
    assert Delivery.objects.get(recipient=victim).state == DeliveryState.SENDING
    live_stack.worker.start()
    expected = Counter({member.email: 1 for member in watchers})
    # The claim left by the dead worker ends after its lease (4 s); the sweep hands it on.
    wait_until(lambda: emails_to(live_stack) == expected, timeout=40, what="every email once")
    wait_until(lambda: not _pending_or_sending(), timeout=10, what="deliveries to settle")
    assert emails_to(live_stack) == expected
    assert Delivery.objects.get(recipient=victim).attempts == 2


def test_posting_while_redis_is_down_succeeds_and_the_emails_go_once_it_is_back(
    live_stack, watched_thread
):
    thread, watchers = watched_thread
    live_stack.redis.stop()
    status, seconds = reply_over_http(live_stack, MemberFactory(), thread, "Redis is down.")
    assert status == 302, "posting must not fail because the broker is down"
    assert seconds < 5
    post = Post.objects.get(source="Redis is down.")
    assert post.announced is False  # its task was never queued
    live_stack.redis.start()  # empty: whatever Redis held is gone
    expected = Counter({member.email: 1 for member in watchers})
    wait_until(lambda: emails_to(live_stack) == expected, timeout=60, what="the pending emails")
    assert Notification.objects.filter(event_key=post_event_key(post.pk)).count() == len(watchers)
    wait_until(lambda: not _pending_or_sending(), timeout=10, what="deliveries to settle")
    assert emails_to(live_stack) == expected


def _pending_or_sending() -> bool:
    return Delivery.objects.exclude(state=DeliveryState.SENT).exists()
