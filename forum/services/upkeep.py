"""Keeping the forum in order: the admin's changes to a thread, the counters rebuilt from the
rows, and what a member who leaves takes with them."""

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from forum import rules
from forum.models import (
    Category,
    CategorySubscription,
    Mention,
    Post,
    PostRevision,
    PostState,
    Quote,
    ReadMark,
    Thanks,
    Thread,
    ThreadSubscription,
)
from forum.rendering import mention_candidates, render_markdown
from forum.services.announcements import post_event_key
from forum.services.posting import index_post, mentionable_members
from forum.services.stamps import restamp
from forum.services.uploads import forget_uploads
from members.models import Member
from members.names import one_line
from notifications import services as notifications


def update_thread(*, thread: Thread, title: str, pinned: bool, locked: bool) -> Thread:
    """Admin-side changes to a thread; the title is re-indexed for search."""
    if locked and (refusal := rules.why_cannot_lock(thread)):
        raise rules.Refused(refusal)
    with transaction.atomic():
        thread.title, thread.pinned, thread.locked = one_line(title), pinned, locked
        thread.save(update_fields=["title", "pinned", "locked"])
        _index_thread_title(thread)
        restamp(Thread.objects.filter(pk=thread.pk))
    return thread


def release_thread(*, thread_id: int) -> None:
    """The process that held the thread open is over: its category's restrictions and its
    lock apply to it again."""
    with transaction.atomic():
        if Thread.objects.filter(pk=thread_id, held_open=True).update(held_open=False):
            restamp(Thread.objects.filter(pk=thread_id))


def _index_thread_title(thread: Thread) -> None:
    # A post whose words its author had removed stays out of the index.
    first = Post.objects.filter(thread=thread, number=1, search_vector__isnull=False).first()
    if first is not None:
        first.thread = thread
        index_post(first)


def recount() -> None:
    """Rebuild every denormalised counter from the rows themselves (`manage.py recount_forum`)."""
    latest_in_thread = Post.objects.filter(thread=OuterRef("pk")).order_by("-number")
    latest_in_category = Post.objects.filter(thread__category=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    with transaction.atomic():
        Thread.objects.update(
            post_count=Coalesce(Subquery(latest_in_thread.values("number")[:1]), 0),
            last_post=Subquery(latest_in_thread.values("pk")[:1]),
        )
        Category.objects.update(
            thread_count=_count(Thread.objects.filter(category=OuterRef("pk"))),
            post_count=_count(Post.objects.filter(thread__category=OuterRef("pk"))),
            last_post=Subquery(latest_in_category.values("pk")[:1]),
        )
        Post.objects.update(thanks_count=_count(Thanks.objects.filter(post=OuterRef("pk"))))
        restamp(Thread.objects.all())


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().annotate(group=Value(1)).values("group").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1]), 0)


def forget_member(*, member: Member, remove_posts: bool) -> None:
    """A member deletes their account: their posts stay for the threads' sake, shown as by a
    deleted member, unless they asked for them to be removed; what they read, watched and
    thanked goes."""
    # Their name leaves every page showing it, their thanks leave the counts.
    restamp(
        Thread.objects.filter(
            Q(posts__author=member)
            | Q(posts__thanks__member=member)
            | Q(posts__mentions__member=member)
        )
    )
    if remove_posts:
        _remove_words_of(Post.objects.filter(author=member), member)
    Post.objects.filter(thanks__member=member).update(thanks_count=F("thanks_count") - 1)
    Thanks.objects.filter(member=member).delete()
    ReadMark.objects.filter(member=member).delete()
    ThreadSubscription.objects.filter(member=member).delete()
    CategorySubscription.objects.filter(member=member).delete()
    _unlink_mentions_of(member)
    forget_uploads(member=member, remove_posts=remove_posts)


def _remove_words_of(posts: QuerySet[Post], author: Member) -> None:
    """Blank the posts' text and history, leaving the placeholder of a post its author deleted
    (the thread keeps its numbering and the others' replies)."""
    PostRevision.objects.filter(post__in=posts).delete()
    Mention.objects.filter(post__in=posts).delete()
    Quote.objects.filter(post__in=posts).delete()
    post_ids = list(posts.values_list("pk", flat=True))
    for start in range(0, len(post_ids), 500):  # under SQLite's limit of query parameters
        notifications.forget_excerpts(
            event_keys=[post_event_key(pk) for pk in post_ids[start : start + 500]]
        )
    posts.update(state=PostState.DELETED, deleted_by=author, source="", html="", search_vector=None)


def _unlink_mentions_of(member: Member) -> None:
    """Render again the posts that mention the member, without the link to their profile: the
    old name must not lead to whoever takes it next."""
    posts = list(Post.objects.filter(mentions__member=member).only("pk", "source"))
    candidates = set().union(*(mention_candidates(post.source) for post in posts))
    members = mentionable_members(candidates)
    members.pop(member.username.lower(), None)
    for post in posts:
        post.html = render_markdown(post.source, members=members).html
    Post.objects.bulk_update(posts, ["html"], batch_size=500)
    Mention.objects.filter(member=member).delete()
