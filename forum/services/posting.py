"""Writing in the forum: a new thread, a reply, an edit, and what a post's text brings with it
(its rendering, its search entry, whom it mentions and which posts it quotes)."""

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone, translation

from core.queueing import queue_after_commit
from forum import rules, tasks
from forum.models import (
    Category,
    Mention,
    Post,
    PostRevision,
    Quote,
    ReadMark,
    Thread,
    ThreadSubscription,
    WatchLevel,
)
from forum.rendering import Rendered, mention_candidates, render_markdown
from forum.services.announcements import notify_references, post_event_keys
from forum.services.stamps import restamp
from forum.services.uploads import attach_uploads
from members.models import Member
from members.names import one_line
from notifications import services as notifications


def render_post_source(source: str) -> Rendered:
    """Render with the mentionable members looked up in one query."""
    return render_markdown(source, members=mentionable_members(mention_candidates(source)))


def mentionable_members(candidates: set[str]) -> dict[str, str]:
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


def start_thread_for(
    *,
    author: Member,
    category: Category,
    title: str,
    source: str,
    held_open: bool = False,
    language: str = "",
) -> Thread:
    """Open a thread in `author`'s name as part of another app's process (e.g. the discussion
    of a charter amendment); checking who may cause it is that app's business. `held_open`
    keeps it open to every member who may post until that app calls `release_thread`;
    `language` is that of the text the app wrote, if not the author's (`writing_language`).
    The title is kept on one line, as lists and emails show it."""
    now = timezone.now()
    language = language or writing_language(author)
    with transaction.atomic():
        thread = Thread.objects.create(
            category=category,
            title=one_line(title),
            author=author,
            last_activity_at=now,
            held_open=held_open,
            language=language,
        )
        Category.objects.filter(pk=category.pk).update(
            thread_count=F("thread_count") + 1, stamp=uuid.uuid4()
        )
        _append_post(thread=thread, author=author, source=source, now=now, language=language)
        thread.refresh_from_db()
    return thread


def reply(*, author: Member, thread: Thread, source: str, language: str = "") -> Post:
    """`language` is that of a text another app wrote in `author`'s name, if not theirs."""
    rules.require(rules.can_reply(author, thread))
    with transaction.atomic():
        _require_first_day_allowance(author, starting_thread=False)
        return _append_post(
            thread=thread,
            author=author,
            source=source,
            now=timezone.now(),
            language=language or writing_language(author),
        )


def writing_language(author: Member) -> str:
    """The language a member's post is taken to be written in: the one they chose for the site,
    else the one they are reading it in (their browser's). A guess, not asked: members of a
    bilingual forum write in their own language, and without `lang` a screen reader reads
    French with an English voice; one who writes in the other language is marked wrongly."""
    return author.language or translation.get_language() or ""


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


def _append_post(
    *, thread: Thread, author: Member, source: str, now: datetime, language: str
) -> Post:
    # The row lock serialises concurrent replies, so numbers never collide and none is lost.
    locked = Thread.objects.select_for_update().only("post_count").get(pk=thread.pk)
    rendered = render_post_source(source)
    post = Post.objects.create(
        thread=thread,
        number=locked.post_count + 1,
        author=author,
        source=source,
        html=rendered.html,
        language=language,
    )
    index_post(post)
    attach_uploads(post)
    mentioned, quoted = _record_references(post, rendered)
    notify_references(post, mentioned=mentioned, quoted=quoted)
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
        member=author, event_keys=post_event_keys(Post.objects.filter(thread=thread))
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
        index_post(post)
        attach_uploads(post)
        mentioned, quoted = _record_references(post, rendered)
        notify_references(post, mentioned=mentioned, quoted=quoted)
        restamp(Thread.objects.filter(pk=post.thread_id))
    return post


def index_post(post: Post) -> None:
    """A first post is found by its thread's title too (weighted above its text): one
    indexed vector per post keeps a search to one index scan."""
    if connection.vendor != "postgresql":
        return
    words = SearchVector("source", config=settings.SEARCH_CONFIG)
    if post.number == 1:
        title = SearchVector(Value(post.thread.title), config=settings.SEARCH_CONFIG, weight="A")
        words = title + words
    Post.objects.filter(pk=post.pk).update(search_vector=words)


def _record_references(post: Post, rendered: Rendered) -> tuple[set[int], set[int]]:
    """Store whom the post mentions and which posts it quotes; returns the new ones of each."""
    mentioned = Member.objects.filter(username__in=rendered.mentioned_usernames).exclude(
        pk=post.author_id
    )
    quoted = Post.objects.filter(pk__in=rendered.quoted_post_ids, thread_id=post.thread_id).exclude(
        pk=post.pk
    )
    new_mentions = _replace_references(post, Mention, "member_id", mentioned)
    new_quotes = _replace_references(post, Quote, "quoted_post_id", quoted)
    return new_mentions, new_quotes


def _replace_references(
    post: Post, reference: type[Mention] | type[Quote], field: str, targets: QuerySet
) -> set[int]:
    """Make the post's rows of `reference` name exactly `targets` in `field`; returns the ids
    of the targets it did not name before."""
    wanted = set(targets.values_list("pk", flat=True))
    references = reference.objects.filter(post=post)
    references.exclude(**{f"{field}__in": wanted}).delete()
    added = wanted - set(references.values_list(field, flat=True))
    reference.objects.bulk_create(
        [reference(post=post, **{field: pk}) for pk in added], ignore_conflicts=True
    )
    return added
