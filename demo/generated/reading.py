"""Reading and watching, counters and the manifest member's notifications: what the services
would have written as the posts came in, written once they are all in."""

import bisect
from collections import Counter

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.text import Truncator

from demo.generated.community import BATCH_SIZE, DAY, HISTORY, Community
from forum import services as forum
from forum.models import Category, Post, ReadMark, Thread, WatchLevel
from notifications.models import EmailChoice, Kind, Notification

# The manifest member last went through the threads they watch this long ago.
LAST_VISIT = 2 * DAY


def mark_reading(community: Community) -> None:
    """Whoever posted in a thread watches it and has read it up to their last post there,
    as replying does: written by the database from the posts themselves (a million rows
    through bulk_create took minutes). The manifest's member also went through the threads
    they watch two days ago (but for the hot thread's last replies), and read part of a few
    others."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO forum_readmark (member_id, thread_id, last_read_number) "
            "SELECT author_id, thread_id, MAX(number) FROM forum_post "
            "GROUP BY author_id, thread_id"
        )
        community.rows["readmark"] += cursor.rowcount
        cursor.execute(
            "INSERT INTO forum_threadsubscription (member_id, thread_id, level) "
            "SELECT DISTINCT author_id, thread_id, %s FROM forum_post",
            [WatchLevel.WATCHING.value],
        )
        community.rows["threadsubscription"] += cursor.rowcount
    community.member_marks = {}
    visited = HISTORY - LAST_VISIT
    for n, thread in enumerate(community.threads):
        if community.member not in thread.authors:
            continue
        own = len(thread.authors) - thread.authors[::-1].index(community.member)
        seen = bisect.bisect_right(thread.times, visited)
        if thread is community.hot:
            seen = min(seen, len(thread.times) - community.hot_unread())
        community.member_marks[n] = max(own, seen)
    member = community.pks[community.member]
    numbers = {community.threads[n].pk: number for n, number in community.member_marks.items()}
    marks = list(ReadMark.objects.filter(member_id=member))
    for mark in marks:
        mark.last_read_number = numbers[mark.thread_id]
    ReadMark.objects.bulk_update(marks, ["last_read_number"], batch_size=BATCH_SIZE // 4)
    others = [n for n in range(len(community.threads)) if n not in community.member_marks]
    read = []
    for n in community.rng.sample(others, min(30, len(others) // 2)):
        thread = community.threads[n]
        number = community.rng.randint(1, len(thread.times))
        read.append(ReadMark(member_id=member, thread_id=thread.pk, last_read_number=number))
    community.insert(ReadMark, read)


def count(community: Community) -> None:
    """The counters `forum.services.recount` rebuilds."""
    last = Post.objects.filter(thread=OuterRef("pk"), number=OuterRef("post_count"))
    Thread.objects.update(last_post=Subquery(last.values("pk")[:1]))
    threads = Counter(thread.category for thread in community.threads)
    for n, category in enumerate(community.categories):
        category.thread_count = threads[n]
        category.post_count = community.category_posts[n]
        category.last_post_id = community.category_last.get(n)
    Category.objects.bulk_update(
        community.categories, ["thread_count", "post_count", "last_post"], batch_size=BATCH_SIZE
    )


def notify_the_member(community: Community) -> None:
    """The latest replies in the threads the manifest's member watches, and mentions of
    them, as `notifications.services.notify` writes them; read up to their read marks."""
    member = community.pks[community.member]
    rows = []
    for pk, kind, n, number, at, author, source in community.news:
        thread = community.threads[n]
        mark = community.member_marks.get(n)
        read = at < HISTORY - 7 * DAY if mark is None else number <= mark
        reply = kind == Kind.REPLY
        event_key = forum.post_event_key(pk)
        rows.append(
            Notification(
                recipient_id=member,
                kind=kind,
                actor_id=community.pks[author],
                event_key=event_key,
                group_key=forum.thread_group_key(thread.pk) if reply else event_key,
                title=thread.title[:200],
                place=community.categories[thread.category].name[:200],
                url=reverse("forum:post", kwargs={"pk": pk}),
                excerpt=Truncator(source).chars(forum.EXCERPT_LENGTH),
                unsubscribe_url=forum.stop_watching_url(member_id=member, thread_id=thread.pk)
                if reply
                else "",
                email=EmailChoice.DIGEST,  # the founders' choice
                created_at=community.at(at),
                read_at=community.at(min(at + community.rng.uniform(600, DAY), HISTORY - 60))
                if read
                else None,
            )
        )
    community.insert(Notification, rows)
