"""Concurrent requests lose no post and create no double thanks (on PostgreSQL, row locks)."""

from functools import partial

import pytest

from forum import services
from forum.models import Post, Thanks
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

WRITERS = 8


def test_simultaneous_replies_are_all_kept_with_distinct_numbers():
    thread = make_thread()
    authors = [MemberFactory() for _ in range(WRITERS)]
    _, errors = run_together(
        [
            partial(services.reply, author=author, thread=thread, source="At the same time")
            for author in authors
        ]
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
    _, errors = run_together([partial(services.thank, member=fan, post=post)] * WRITERS)
    assert errors == []
    post.refresh_from_db()
    assert Thanks.objects.filter(post=post).count() == 1
    assert post.thanks_count == 1
