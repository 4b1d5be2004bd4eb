"""Every operation that changes forum data, each in one transaction."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from core.queueing import queue_after_commit
from forum import rules, tasks
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
    WatchLevel,
)
from forum.rendering import Rendered, mention_candidates, render_markdown
from members.models import Member
from notifications import services as notifications
from notifications.models import Kind

EXCERPT_LENGTH = 400
STOP_WATCHING_SALT = "forum.stop-watching"


def render_post_source(source: str) -> Rendered:
    """Render with the mentionable members looked up in one query."""
    return render_markdown(source, members=_mentionable(mention_candidates(source)))


def _mentionable(candidates: set[str]) -> dict[str, str]:
    """The active members among lower-cased `candidates`, lower-cased name -> username."""
    if not candidates:
        return {}
    return dict(
        Member.objects.annotate(lower=Lower("username"))
        .filter(lower__in=candidates, is_active=True)
        .values_list("lower", "username")
    )


def create_thread(*, author: Member, category: Category, title: str, source: str) -> Thread:
    rules.require(rules.can_start_thread(author, category))
    with transaction.atomic():
        _require_first_day_allowance(author, starting_thread=True)
        return start_thread_for(author=author, category=category, title=title, source=source)


def start_thread_for(*, author: Member, category: Category, title: str, source: str) -> Thread:
    """Open a thread in `author`'s name as part of another app's process (e.g. the discussion
    of a charter amendment); checking who may cause it is that app's business."""
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(
            category=category, title=title, author=author, last_activity_at=now
        )
        Category.objects.filter(pk=category.pk).update(
            thread_count=F("thread_count") + 1, stamp=uuid.uuid4()
        )
        _append_post(thread=thread, author=author, source=source, now=now)
        thread.refresh_from_db()
    return thread


def reply(*, author: Member, thread: Thread, source: str) -> Post:
    rules.require(rules.can_reply(author, thread))
    with transaction.atomic():
        _require_first_day_allowance(author, starting_thread=False)
        return _append_post(thread=thread, author=author, source=source, now=timezone.now())


def _require_first_day_allowance(member: Member, *, starting_thread: bool) -> None:
    """Refuse a new member's post beyond what their first day allows (rules.first_day_problem).

    Locking the member's row makes their simultaneous posts count one after the other, so
    they cannot slip past the limit together; after the first day, nothing is locked.
    """
    now = timezone.now()
    if not rules.is_first_day(member, now):
        return
    Member.objects.select_for_update(no_key=True).only("pk").get(pk=member.pk)
    if problem := rules.first_day_problem(member, now=now, starting_thread=starting_thread):
        raise rules.PostingRefused(problem)


def _append_post(*, thread: Thread, author: Member, source: str, now) -> Post:
    # The row lock serialises concurrent replies, so numbers never collide and none is lost.
    locked = Thread.objects.select_for_update().only("post_count").get(pk=thread.pk)
    rendered = render_post_source(source)
    post = Post.objects.create(
        thread=thread,
        number=locked.post_count + 1,
        author=author,
        source=source,
        html=rendered.html,
    )
    _index_post(post)
    mentioned, quoted = _record_references(post, rendered)
    _notify_references(post, mentioned=mentioned, quoted=quoted)
    queue_after_commit(tasks.announce_post, (post.pk,))
    Thread.objects.filter(pk=thread.pk).update(
        post_count=F("post_count") + 1, last_post=post, last_activity_at=now, stamp=uuid.uuid4()
    )
    Category.objects.filter(pk=thread.category_id).update(
        post_count=F("post_count") + 1, last_post=post, stamp=uuid.uuid4()
    )
    ReadMark.objects.update_or_create(
        member=author, thread=thread, defaults={"last_read_number": post.number}
    )
    # Replying, the author has read the thread: what they were told of it is read too.
    notifications.mark_events_read(
        member=author, event_keys=_event_keys(Post.objects.filter(thread=thread))
    )
    ThreadSubscription.objects.get_or_create(
        member=author, thread=thread, defaults={"level": WatchLevel.WATCHING}
    )
    return post


def edit_post(*, editor: Member, post: Post, source: str) -> Post:
    rules.require(rules.can_edit_post(editor, post))
    if source == post.source:
        return post
    with transaction.atomic():
        PostRevision.objects.create(post=post, editor=editor, previous_source=post.source)
        rendered = render_post_source(source)
        post.source = source
        post.html = rendered.html
        post.edited_at = timezone.now()
        post.save(update_fields=["source", "html", "edited_at"])
        _index_post(post)
        mentioned, quoted = _record_references(post, rendered)
        _notify_references(post, mentioned=mentioned, quoted=quoted)
        _restamp(Thread.objects.filter(pk=post.thread_id))
    return post


def delete_post(*, member: Member, post: Post) -> Post:
    rules.require(rules.can_delete_post(member, post))
    with transaction.atomic():
        post.state = PostState.DELETED
        post.deleted_by = member
        post.save(update_fields=["state", "deleted_by"])
        _restamp(Thread.objects.filter(pk=post.thread_id))
    return post


def hold_for_review(*, post: Post) -> bool:
    """Hide a visible post until the moderators decide; False if it was not visible (so two
    simultaneous holds hide it once)."""
    return _change_state(post, PostState.PENDING, only_from=[PostState.VISIBLE])


def hide_post(*, post: Post) -> bool:
    return _change_state(post, PostState.HIDDEN, only_from=[PostState.VISIBLE, PostState.PENDING])


def remove_post(*, post: Post, moderator: Member) -> bool:
    return _change_state(
        post,
        PostState.DELETED,
        only_from=[PostState.VISIBLE, PostState.PENDING, PostState.HIDDEN],
        deleted_by=moderator,
    )


def show_post(*, post: Post) -> bool:
    """Make a post visible again: a review that found no breach, or a decision overturned."""
    return _change_state(
        post, PostState.VISIBLE, only_from=[PostState.PENDING, PostState.HIDDEN, PostState.DELETED]
    )


def _change_state(
    post: Post, state: PostState, *, only_from: list[PostState], deleted_by: Member | None = None
) -> bool:
    with transaction.atomic():
        changed = Post.objects.filter(pk=post.pk, state__in=only_from).update(
            state=state, deleted_by=deleted_by
        )
        if changed:
            _restamp(Thread.objects.filter(pk=post.thread_id))
        if changed and state != PostState.VISIBLE:
            notifications.forget_excerpts(event_keys=[_event_key(post)])
    if changed:
        post.state, post.deleted_by = state, deleted_by
    return bool(changed)


def thank(*, member: Member, post: Post) -> bool:
    """Thank a post once; returns whether this call added the thanks."""
    rules.require(rules.can_thank(member, post))
    try:
        with transaction.atomic():
            Thanks.objects.create(post=post, member=member)
            Post.objects.filter(pk=post.pk).update(thanks_count=F("thanks_count") + 1)
            _restamp(Thread.objects.filter(pk=post.thread_id))
    except IntegrityError:
        return False
    return True


def withdraw_thanks(*, member: Member, post: Post) -> bool:
    with transaction.atomic():
        deleted, _ = Thanks.objects.filter(post=post, member=member).delete()
        if deleted:
            Post.objects.filter(pk=post.pk).update(thanks_count=F("thanks_count") - 1)
            _restamp(Thread.objects.filter(pk=post.thread_id))
    return bool(deleted)


def mark_read(*, member: Member, thread: Thread, posts: list[Post], previous: int | None) -> None:
    """Move the member's read mark forward to the last of `posts`, never backward.

    `previous` is the mark the caller already loaded (None when there is none), so a page
    that shows nothing new costs no write. When it does, the notifications about the posts
    shown are read too: the member has just seen them.
    """
    up_to = posts[-1].number
    if previous is not None and up_to <= previous:
        return
    if previous is None:
        ReadMark.objects.bulk_create(
            [ReadMark(member=member, thread=thread, last_read_number=up_to)],
            ignore_conflicts=True,
        )
    else:
        ReadMark.objects.filter(member=member, thread=thread, last_read_number__lt=up_to).update(
            last_read_number=up_to
        )
    notifications.mark_events_read(member=member, event_keys=[_event_key(p) for p in posts])


def watch_thread(*, member: Member, thread: Thread, level: WatchLevel) -> None:
    ThreadSubscription.objects.update_or_create(
        member=member, thread=thread, defaults={"level": level}
    )


def watch_category(*, member: Member, category: Category, level: WatchLevel) -> None:
    CategorySubscription.objects.update_or_create(
        member=member, category=category, defaults={"level": level}
    )


def update_thread(*, thread: Thread, title: str, pinned: bool, locked: bool) -> Thread:
    """Admin-side changes to a thread; the title is re-indexed for search."""
    with transaction.atomic():
        thread.title, thread.pinned, thread.locked = title, pinned, locked
        thread.save(update_fields=["title", "pinned", "locked"])
        _index_thread_title(thread)
        _restamp(Thread.objects.filter(pk=thread.pk))
    return thread


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
        _restamp(Thread.objects.all())


def _count(queryset) -> Coalesce:
    counted = queryset.order_by().annotate(group=Value(1)).values("group").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")[:1]), 0)


def _record_references(post: Post, rendered: Rendered) -> tuple[set[int], set[int]]:
    """Store whom the post mentions and which posts it quotes; returns the new ones of each."""
    mentioned = set(
        Member.objects.filter(username__in=rendered.mentioned_usernames)
        .exclude(pk=post.author_id)
        .values_list("pk", flat=True)
    )
    post.mentions.exclude(member_id__in=mentioned).delete()
    new_mentions = mentioned - set(post.mentions.values_list("member_id", flat=True))
    Mention.objects.bulk_create(
        [Mention(post=post, member_id=pk) for pk in new_mentions], ignore_conflicts=True
    )
    quoted = set(
        Post.objects.filter(pk__in=rendered.quoted_post_ids, thread_id=post.thread_id)
        .exclude(pk=post.pk)
        .values_list("pk", flat=True)
    )
    post.quotes.exclude(quoted_post_id__in=quoted).delete()
    new_quotes = quoted - set(post.quotes.values_list("quoted_post_id", flat=True))
    Quote.objects.bulk_create(
        [Quote(post=post, quoted_post_id=pk) for pk in new_quotes], ignore_conflicts=True
    )
    return new_mentions, new_quotes


# Notifications. A member hears of a post once (mention, then quote, then watching), never of
# their own post, never of a post in a thread they muted or a category they may not read.


def _audience(thread: Thread) -> QuerySet[Member]:
    muted = ThreadSubscription.objects.filter(thread=thread, level=WatchLevel.MUTED)
    members = Member.objects.exclude(pk__in=muted.values("member"))
    if thread.category.read_restricted:
        members = members.filter(is_moderator=True)
    return members


def _event_keys(posts: QuerySet[Post]) -> QuerySet:
    """The notification event keys of `posts`, as a subquery ("post:<id>")."""
    return posts.annotate(
        event_key=Concat(Value("post:"), Cast("pk", CharField()), output_field=CharField())
    ).values("event_key")


def _event_key(post: Post) -> str:
    return f"post:{post.pk}"  # the format _event_keys matches


def _about(post: Post) -> dict:
    return {
        "actor": post.author,
        "event_key": _event_key(post),
        "title": post.thread.title,
        "place": post.thread.category.name,
        "url": post.get_absolute_url(),
        "excerpt": Truncator(post.source).chars(EXCERPT_LENGTH),
    }


def _notify_references(post: Post, *, mentioned: set[int], quoted: set[int]) -> None:
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
        if post.number == 1:
            watching = CategorySubscription.objects.filter(
                category=thread.category, level=WatchLevel.WATCHING
            )
            return notifications.notify(
                kind=Kind.NEW_THREAD,
                recipients=_audience(thread).filter(pk__in=watching.values("member")),
                **_about(post),
            )
        watching = ThreadSubscription.objects.filter(thread=thread, level=WatchLevel.WATCHING)
        return notifications.notify(
            kind=Kind.REPLY,
            recipients=_audience(thread).filter(pk__in=watching.values("member")),
            group_key=f"thread:{thread.pk}",
            unsubscribe_url=lambda member_id: reverse(
                "forum:stop_watching",
                kwargs={"token": stop_watching_token(member_id=member_id, thread_id=thread.pk)},
            ),
            **_about(post),
        )


def announce_pending_posts() -> int:
    """The sweep: queue the announcement of posts whose task was lost (e.g. Redis was down)."""
    late = timezone.now() - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_SECONDS)
    pending = list(
        Post.objects.filter(announced=False, created_at__lte=late).values_list("pk", flat=True)
    )
    queue_after_commit(tasks.announce_post, *[(post_id,) for post_id in pending])
    return len(pending)


def stop_watching_token(*, member_id: int, thread_id: int) -> str:
    """The signed argument of the login-free "stop watching this thread" link in emails."""
    return signing.dumps([member_id, thread_id], salt=STOP_WATCHING_SALT)


def read_stop_watching_token(token: str) -> tuple[Member, Thread]:
    """Raises signing.BadSignature for a forged link, DoesNotExist when its rows are gone."""
    member_id, thread_id = signing.loads(token, salt=STOP_WATCHING_SALT)
    return Member.objects.get(pk=member_id, is_active=True), Thread.objects.get(pk=thread_id)


def stop_watching(*, member: Member, thread: Thread) -> None:
    """From an email: the member stops watching (mentions and quotes still reach them).

    Only watching becomes normal: an old email's link never undoes a later mute.
    """
    ThreadSubscription.objects.filter(
        member=member, thread=thread, level=WatchLevel.WATCHING
    ).update(level=WatchLevel.NORMAL)


def _index_post(post: Post) -> None:
    """A first post is found by its thread's title too (weighted above its text): one
    indexed vector per post keeps a search to one index scan."""
    if connection.vendor != "postgresql":
        return
    words = SearchVector("source", config=settings.SEARCH_CONFIG)
    if post.number == 1:
        title = SearchVector(Value(post.thread.title), config=settings.SEARCH_CONFIG, weight="A")
        words = title + words
    Post.objects.filter(pk=post.pk).update(search_vector=words)


def _index_thread_title(thread: Thread) -> None:
    # A post whose words its author had removed stays out of the index.
    first = Post.objects.filter(thread=thread, number=1, search_vector__isnull=False).first()
    if first is not None:
        first.thread = thread
        _index_post(first)


def thread_changed(*, thread_id: int) -> None:
    """Another app changed what it shows on the thread's posts (e.g. a moderators' note)."""
    _restamp(Thread.objects.filter(pk=thread_id))


def member_shown_differently(*, member: Member) -> None:
    """The member's name or role, shown beside their posts and threads, changed."""
    _restamp(Thread.objects.filter(posts__author=member))


def _restamp(threads: QuerySet[Thread]) -> None:
    """What readers see of `threads` changed: their cached pages, their categories' lists and
    the search results are not served again (forum.page_cache)."""
    thread_ids = threads.values("pk")
    stamp = uuid.uuid4()
    Category.objects.filter(threads__in=thread_ids).update(stamp=stamp)
    Thread.objects.filter(pk__in=thread_ids).update(stamp=stamp)


def forget_member(*, member: Member, remove_posts: bool) -> None:
    """A member deletes their account: their posts stay for the threads' sake, shown as by a
    deleted member, unless they asked for them to be removed; what they read, watched and
    thanked goes."""
    # Their name leaves every page showing it, their thanks leave the counts.
    _restamp(
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


def _remove_words_of(posts: QuerySet[Post], author: Member) -> None:
    """Blank the posts' text and history, leaving the placeholder of a post its author deleted
    (the thread keeps its numbering and the others' replies)."""
    PostRevision.objects.filter(post__in=posts).delete()
    Mention.objects.filter(post__in=posts).delete()
    Quote.objects.filter(post__in=posts).delete()
    post_ids = list(posts.values_list("pk", flat=True))
    for start in range(0, len(post_ids), 500):  # under SQLite's limit of query parameters
        notifications.forget_excerpts(
            event_keys=[f"post:{pk}" for pk in post_ids[start : start + 500]]
        )
    posts.update(state=PostState.DELETED, deleted_by=author, source="", html="", search_vector=None)


def _unlink_mentions_of(member: Member) -> None:
    """Render again the posts that mention the member, without the link to their profile: the
    old name must not lead to whoever takes it next."""
    posts = list(Post.objects.filter(mentions__member=member).only("pk", "source"))
    candidates = set().union(*(mention_candidates(post.source) for post in posts))
    members = _mentionable(candidates)
    members.pop(member.username.lower(), None)
    for post in posts:
        post.html = render_markdown(post.source, members=members).html
    Post.objects.bulk_update(posts, ["html"], batch_size=500)
    Mention.objects.filter(member=member).delete()
