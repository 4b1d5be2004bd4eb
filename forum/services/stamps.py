"""The stamps of threads and categories: a new stamp is how the forum's cached pages, lists and
search results learn that what they show changed (forum.page_cache)."""

import uuid

from django.db.models import QuerySet

from forum.models import Category, Thread
from members.models import Member


def restamp(threads: QuerySet[Thread]) -> None:
    """What readers see of `threads` changed: their cached pages, their categories' lists and
    the search results are not served again."""
    thread_ids = threads.values("pk")
    stamp = uuid.uuid4()
    Category.objects.filter(threads__in=thread_ids).update(stamp=stamp)
    Thread.objects.filter(pk__in=thread_ids).update(stamp=stamp)


def thread_changed(*, thread_id: int) -> None:
    """Another app changed what it shows on the thread's posts (e.g. a moderators' note)."""
    restamp(Thread.objects.filter(pk=thread_id))


def member_shown_differently(*, member: Member) -> None:
    """The member's name, picture or role, shown beside their posts and threads, changed."""
    restamp(Thread.objects.filter(posts__author=member))


def reading_changed(member: Member) -> None:
    """The member's read marks or watches changed: their own cached pages (the index, a
    category's threads, a thread) are not served to them again."""
    member.reading_stamp = uuid.uuid4()
    Member.objects.filter(pk=member.pk).update(reading_stamp=member.reading_stamp)
