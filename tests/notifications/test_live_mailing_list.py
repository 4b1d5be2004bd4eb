"""Mailing-list mode through the real stack: a reply over HTTP, the worker's task sending it to
each member in the mode once over SMTP (while the sweeps run every second), and an answer to
one of those emails, through the LMTP server, posted in the thread."""

import time
from collections import Counter

import pytest

from forum import services as forum
from forum.models import Post, WatchLevel
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory
from tests.incoming.mail import reply_to, send
from tests.live_stack import wait_until
from tests.notifications.test_delivery_under_faults import reply_over_http

pytestmark = [pytest.mark.integration, pytest.mark.postgresql]


def list_emails(stack) -> list:
    return [(to, message) for to, message in stack.mail.received if message["List-Id"]]


def test_each_member_in_the_mode_gets_a_post_once_and_answers_it(live_stack, lmtp):
    category = CategoryFactory(name="Gardens", slug="gardens")
    thread = make_thread(category=category, title="Seed swap")
    Post.objects.update(announced=True)
    listeners = [MemberFactory(mailing_list_mode=True) for _ in range(3)]
    for listener in listeners:
        forum.watch_category(member=listener, category=category, level=WatchLevel.WATCHING)

    status, _ = reply_over_http(live_stack, MemberFactory(), thread, "Tomatoes!")
    assert status == 302

    expected = Counter(listener.email for listener in listeners)
    wait_until(
        lambda: Counter(to for to, _ in list_emails(live_stack)) == expected,
        timeout=30,
        what="one email to each member in mailing-list mode",
    )
    # Sweeps run every second: give them time to (wrongly) send anything twice.
    time.sleep(3)
    assert Counter(to for to, _ in list_emails(live_stack)) == expected

    first = listeners[0]
    [message] = [message for to, message in list_emails(live_stack) if to == first.email]
    reply_address = message["Reply-To"].addresses[0].addr_spec
    answer = reply_to(thread, first, "Count me in.", message_id="<answer-live@mail.example.org>")
    assert send(lmtp, answer, sender=first.email, to=reply_address) == {}

    wait_until(
        lambda: Post.objects.filter(thread=thread, author=first).exists(),
        timeout=20,
        what="the worker to post the answer",
    )
    assert Post.objects.get(thread=thread, author=first).source == "Count me in."
