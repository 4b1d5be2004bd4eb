"""What a reader does with a thread: reads it, watches or mutes it (or its category), thanks
its posts."""

from django.db import IntegrityError, transaction
from django.db.models import F

from forum import rules
from forum.models import (
    Category,
    CategorySubscription,
    Post,
    ReadMark,
    Thanks,
    Thread,
    ThreadSubscription,
    WatchLevel,
)
from forum.services.announcements import post_event_key
from forum.services.stamps import reading_changed, restamp
from members.models import Member
from notifications import services as notifications


def mark_read(*, member: Member, thread: Thread, posts: list[Post], previous: int | None) -> None:
    """Move the member's read mark forward to the last of `posts`, never backward.

    `previous` is the mark the caller already loaded (None when there is none), so a page
    that shows nothing new costs no write. When it does, the notifications about the posts
    shown are read too: the member has just seen them.
    """
    up_to = posts[-1].number
    if previous is not None and up_to <= previous:
        return
    with transaction.atomic():
        if previous is None:
            ReadMark.objects.bulk_create(
                [ReadMark(member=member, thread=thread, last_read_number=up_to)],
                ignore_conflicts=True,
            )
        else:
            ReadMark.objects.filter(
                member=member, thread=thread, last_read_number__lt=up_to
            ).update(last_read_number=up_to)
        reading_changed(member)
        notifications.mark_events_read(
            member=member, event_keys=[post_event_key(post.pk) for post in posts]
        )


@transaction.atomic
def watch_thread(*, member: Member, thread: Thread, level: WatchLevel) -> None:
    ThreadSubscription.objects.update_or_create(
        member=member, thread=thread, defaults={"level": level}
    )
    reading_changed(member)


@transaction.atomic
def watch_category(*, member: Member, category: Category, level: WatchLevel) -> None:
    CategorySubscription.objects.update_or_create(
        member=member, category=category, defaults={"level": level}
    )
    reading_changed(member)


def stop_watching(*, member: Member, thread: Thread) -> None:
    """From an email (forum.stop_links): the member stops watching (mentions and quotes still
    reach them).

    Only watching becomes normal: an old email's link never undoes a later mute.
    """
    with transaction.atomic():
        if ThreadSubscription.objects.filter(
            member=member, thread=thread, level=WatchLevel.WATCHING
        ).update(level=WatchLevel.NORMAL):
            reading_changed(member)


def thank(*, member: Member, post: Post) -> bool:
    """Thank a post once; returns whether this call added the thanks."""
    rules.require(rules.can_thank(member, post))
    try:
        with transaction.atomic():
            Thanks.objects.create(post=post, member=member)
            Post.objects.filter(pk=post.pk).update(thanks_count=F("thanks_count") + 1)
            restamp(Thread.objects.filter(pk=post.thread_id))
    except IntegrityError:
        return False
    return True


def withdraw_thanks(*, member: Member, post: Post) -> bool:
    with transaction.atomic():
        deleted, _ = Thanks.objects.filter(post=post, member=member).delete()
        if deleted:
            Post.objects.filter(pk=post.pk).update(thanks_count=F("thanks_count") - 1)
            restamp(Thread.objects.filter(pk=post.thread_id))
    return bool(deleted)
