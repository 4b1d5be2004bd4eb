"""Concurrent requests lose no post and create no double thanks (on PostgreSQL, row locks)."""

import threading

import pytest
from django.db import connection

from forum import services
from forum.models import Post, Thanks
from tests.factories import MemberFactory, make_thread

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

WRITERS = 8


def run_together(action, arguments) -> list[Exception]:
    barrier = threading.Barrier(len(arguments))
    errors: list[Exception] = []

    def worker(argument):
        try:
            barrier.wait()
            action(argument)
        except Exception as error:  # collected, so the test reports what went wrong
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(a,)) for a in arguments]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return errors


def test_simultaneous_replies_are_all_kept_with_distinct_numbers():
    thread = make_thread()
    authors = [MemberFactory() for _ in range(WRITERS)]
    errors = run_together(
        lambda author: services.reply(author=author, thread=thread, source="At the same time"),
        authors,
    )
    assert errors == []
    numbers = sorted(Post.objects.filter(thread=thread).values_list("number", flat=True))
    assert numbers == list(range(1, WRITERS + 2))
    thread.refresh_from_db()
    assert thread.post_count == WRITERS + 1
    assert thread.last_post.number == WRITERS + 1


def test_simultaneous_thanks_from_one_member_count_once():
    post = make_thread().posts.get()
    fan = MemberFactory()
    errors = run_together(lambda _: services.thank(member=fan, post=post), range(WRITERS))
    assert errors == []
    post.refresh_from_db()
    assert Thanks.objects.filter(post=post).count() == 1
    assert post.thanks_count == 1
