"""What the forum tells its members: the posts that mention or quote them, the new posts in what
they watch, and to those in mailing-list mode every post of the categories they watch. A member
hears of a post once (mention, then quote, then watching), never of their own post, never of a
post in a thread they muted or a category they may not read."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.text import Truncator

from core.queueing import queue_after_commit
from forum import tasks
from forum.models import CategorySubscription, Post, Thread, ThreadSubscription, WatchLevel
from forum.rendering import with_absolute_links
from forum.stop_links import stop_watching_url
from members.models import Member
from notifications import services as notifications
from notifications.lists import Letter
from notifications.models import Kind

EXCERPT_LENGTH = 400
_POST_EVENT_PREFIX = "post:"


def post_event_key(post_id: int) -> str:
    """The `event_key` of every notification about the post."""
    return f"{_POST_EVENT_PREFIX}{post_id}"


def post_of_event(event_key: str) -> int | None:
    """The id of the post an `event_key` is about (see `post_event_key`); None for any other
    event."""
    number = event_key.removeprefix(_POST_EVENT_PREFIX)
    if number == event_key or not number.isascii() or not number.isdigit():
        return None
    return int(number)


def post_event_keys(posts: QuerySet[Post]) -> QuerySet:
    """`post_event_key` of each of `posts`, built by the database (a subquery)."""
    return posts.annotate(
        event_key=Concat(
            Value(_POST_EVENT_PREFIX), Cast("pk", CharField()), output_field=CharField()
        )
    ).values("event_key")


def thread_group_key(thread_id: int) -> str:
    """The `group_key` of the replies to a thread: one entry in the inbox for them all."""
    return f"thread:{thread_id}"


def _audience(thread: Thread) -> QuerySet[Member]:
    muted = ThreadSubscription.objects.filter(thread=thread, level=WatchLevel.MUTED)
    members = Member.objects.exclude(pk__in=muted.values("member"))
    if thread.category.read_restricted and not thread.held_open:
        members = members.filter(is_moderator=True)
    return members


def _about(post: Post) -> dict:
    return {
        "actor": post.author,
        "event_key": post_event_key(post.pk),
        "title": post.thread.title,
        "place": post.thread.category.name,
        "url": post.get_absolute_url(),
        "excerpt": Truncator(post.source).chars(EXCERPT_LENGTH),
    }


def notify_references(post: Post, *, mentioned: set[int], quoted: set[int]) -> None:
    """Tell the `mentioned` members, and the authors of the `quoted` posts, in the caller's
    transaction."""
    if mentioned:
        notifications.notify(
            kind=Kind.MENTION,
            recipients=_audience(post.thread).filter(pk__in=mentioned),
            **_about(post),
        )
    if quoted:
        authors = Post.objects.filter(pk__in=quoted).values("author")
        notifications.notify(
            kind=Kind.QUOTE,
            recipients=_audience(post.thread).filter(pk__in=authors),
            **_about(post),
        )


def announce_post(*, post_id: int) -> int:
    """Tell the watchers of a new post, once: its thread's, or for a new thread its category's.

    Runs in a background task, since a thread may have thousands of watchers. The claim on
    `announced` and the notifications commit together: a task that dies leaves the post
    unannounced for the sweep, and a task that runs twice finds it claimed.
    Returns the number of members notified.
    """
    with transaction.atomic():
        claimed = Post.objects.filter(pk=post_id, announced=False).update(announced=True)
        if not claimed:
            return 0
        post = Post.objects.select_related("thread__category", "author").get(pk=post_id)
        if not post.is_visible:
            return 0
        thread = post.thread
        watching_category = _audience(thread).filter(
            pk__in=CategorySubscription.objects.filter(
                category=thread.category, level=WatchLevel.WATCHING
            ).values("member")
        )
        # First: those it sends the post to are then not emailed about it a second time.
        notifications.mail_to_list(
            event_key=post_event_key(post.pk), recipients=watching_category, actor=post.author
        )
        if post.number == 1:
            return notifications.notify(
                kind=Kind.NEW_THREAD, recipients=watching_category, **_about(post)
            )
        watching = ThreadSubscription.objects.filter(thread=thread, level=WatchLevel.WATCHING)
        return notifications.notify(
            kind=Kind.REPLY,
            recipients=_audience(thread).filter(pk__in=watching.values("member")),
            group_key=thread_group_key(thread.pk),
            unsubscribe_url=lambda member_id: stop_watching_url(
                member_id=member_id, thread_id=thread.pk
            ),
            **_about(post),
        )


def letter_of_post(event_key: str) -> Letter | None:
    """A visible post as mailing-list mode's emails show it (notifications.lists); None for
    any other event, or a post no longer visible."""
    post_id = post_of_event(event_key)
    post = (
        Post.objects.select_related("thread__category", "author").filter(pk=post_id).first()
        if post_id is not None
        else None
    )
    if post is None or not post.is_visible:
        return None
    previous = (
        Post.objects.filter(thread_id=post.thread_id, number=post.number - 1)
        .values_list("pk", flat=True)
        .first()
    )
    return Letter(
        post_id=post.pk,
        previous_post_id=previous,
        author_name=post.author.public_name if post.author else "",
        thread_title=post.thread.title,
        category_name=post.thread.category.name,
        category_slug=post.thread.category.slug,
        text=post.source,
        html=with_absolute_links(post.html),
        url=post.get_absolute_url(),
    )


def announce_pending_posts() -> int:
    """The sweep: queue the announcement of posts whose task was lost (e.g. Redis was down)."""
    late = timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_SECONDS)
    pending = list(
        Post.objects.filter(announced=False, created_at__lte=late).values_list("pk", flat=True)
    )
    queue_after_commit(tasks.announce_post, *[(post_id,) for post_id in pending])
    return len(pending)
