"""The queries forum pages run. Each page's query count does not depend on its size."""

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils.html import strip_tags
from django.utils.text import Truncator

from forum import rules
from forum.models import (
    Category,
    CategorySubscription,
    Post,
    PostRevision,
    PostState,
    ReadMark,
    Thanks,
    Thread,
    ThreadSubscription,
    Upload,
)
from members.models import Member
from members.rules import is_moderator

Person = Member | AnonymousUser


@dataclass
class Page:
    number: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def numbers(self) -> list[int]:
        """Page links to show: first, last, and two either side of the current page."""
        shown = {1, self.count} | set(range(self.number - 2, self.number + 3))
        return sorted(n for n in shown if 1 <= n <= self.count)


def page_count(items: int, per_page: int) -> int:
    return max(1, -(-items // per_page))


def page_for_number(number: int) -> int:
    return page_count(number, settings.POSTS_PER_PAGE)


def _unshown_post_fields(prefix: str = "") -> list[str]:
    """A post's fields that lists and pages never show: not worth reading (its text is shown
    from `html`)."""
    return [f"{prefix}source", f"{prefix}search_vector"]


def readable_categories(member: Person) -> QuerySet[Category]:
    categories = Category.objects.all()
    if not is_moderator(member):
        categories = categories.filter(read_restricted=False)
    return categories


def _readable_threads(member: Person, through: str = "") -> Q:
    """The threads `member` may read (rules.can_read_thread), as a filter through `through`."""
    return Q(**{f"{through}category__in": readable_categories(member)}) | Q(
        **{f"{through}held_open": True}
    )


def search_scope(member: Person) -> QuerySet[Category]:
    """The categories whose posts `member` may find: those they may read, and those holding
    a thread held open. Any post in them changes their rows (Category.stamp)."""
    held_open = Thread.objects.filter(held_open=True).values("category_id")
    return Category.objects.filter(Q(pk__in=readable_categories(member)) | Q(pk__in=held_open))


def categories_for_index(member: Person) -> list[Category]:
    return list(
        readable_categories(member)
        .select_related("last_post__thread", "last_post__author")
        .defer(*_unshown_post_fields("last_post__"))
    )


def category_by_slug(slug: str, member: Person) -> Category:
    try:
        return readable_categories(member).get(slug=slug)
    except Category.DoesNotExist:
        raise Http404 from None


def category_watch_level(category: Category, member: Person) -> str | None:
    if not member.is_authenticated:
        return None
    return (
        CategorySubscription.objects.filter(category=category, member=member)
        .values_list("level", flat=True)
        .first()
    )


def _with_reader_state(threads: QuerySet[Thread], member: Person) -> QuerySet[Thread]:
    """Annotate each thread with the member's read mark and watch level (None for visitors)."""
    if not member.is_authenticated:
        return threads
    return threads.annotate(
        last_read_number=Subquery(
            ReadMark.objects.filter(thread=OuterRef("pk"), member=member).values(
                "last_read_number"
            )[:1]
        ),
        watch_level=Subquery(
            ThreadSubscription.objects.filter(thread=OuterRef("pk"), member=member).values("level")[
                :1
            ]
        ),
    )


def _thread_listing(member: Person) -> QuerySet[Thread]:
    return _with_reader_state(
        Thread.objects.select_related("author", "category", "last_post__author").defer(
            *_unshown_post_fields("last_post__"), "last_post__html"
        ),
        member,
    )


def category_page(category: Category, number: int) -> Page:
    """Page `number` of the category's threads; 404 past the last."""
    return _page(number, page_count(category.thread_count, settings.THREADS_PER_PAGE))


def category_threads(category: Category, member: Person, page: Page) -> list[Thread]:
    start = (page.number - 1) * settings.THREADS_PER_PAGE
    threads = (
        _thread_listing(member)
        .filter(category=category)
        .order_by("-pinned", "-last_activity_at", "-pk")[start : start + settings.THREADS_PER_PAGE]
    )
    return list(threads)


def recent_threads(member: Person, *, besides: list[Category], limit: int = 10) -> list[Thread]:
    """The latest active threads other than those the index already shows as the latest of
    each of `besides` (its categories), so that no thread is listed twice on the page."""
    shown = [category.last_post.thread_id for category in besides if category.last_post]
    return list(
        _thread_listing(member)
        .filter(_readable_threads(member))
        .exclude(pk__in=shown)
        .order_by("-last_activity_at", "-pk")[:limit]
    )


def thread_for_reader(pk: int, member: Person) -> Thread:
    try:
        thread = _with_reader_state(Thread.objects.select_related("category"), member).get(pk=pk)
    except Thread.DoesNotExist:
        raise Http404 from None
    if not rules.can_read_thread(member, thread):
        raise Http404
    return thread


def thread_page(thread: Thread, number: int) -> Page:
    """Page `number` of the thread's posts; 404 past the last."""
    return _page(number, page_count(thread.post_count, settings.POSTS_PER_PAGE))


def _page(number: int, pages: int) -> Page:
    if not 1 <= number <= pages:
        raise Http404
    return Page(number, pages)


def thread_posts(thread: Thread, member: Person, page: Page) -> list[Post]:
    """One page of posts, found by number range, with what each post shows."""
    first = (page.number - 1) * settings.POSTS_PER_PAGE + 1
    posts = (
        Post.objects.filter(
            thread=thread, number__gte=first, number__lt=first + settings.POSTS_PER_PAGE
        )
        .select_related("author")
        .defer(*_unshown_post_fields())
        .order_by("number")
    )
    if member.is_authenticated:
        thanked_by_me = Thanks.objects.filter(member=member, post=OuterRef("pk"))
        posts = posts.annotate(
            thanked_by_me=Subquery(thanked_by_me.values("pk")[:1])
        ).prefetch_related(
            Prefetch(
                "thanks",
                queryset=Thanks.objects.filter(post__author=member)
                .select_related("member")
                .order_by("created_at"),
                to_attr="thanks_received",
            )
        )
    posts = list(posts)
    for post in posts:
        post.thread = thread  # spares every post a query for what the page already has
    return posts


def post_for_reader(pk: int, member: Person) -> Post:
    try:
        post = Post.objects.select_related("thread__category", "author").get(pk=pk)
    except Post.DoesNotExist:
        raise Http404 from None
    if not rules.can_read_thread(member, post.thread):
        raise Http404
    return post


def threads_of_posts(post_ids: Iterable[int]) -> dict[int, Thread]:
    """The thread of each post, with its category, by post id; a post gone is left out."""
    threads = (
        Thread.objects.filter(posts__pk__in=list(post_ids))
        .annotate(post_id=F("posts__pk"))
        .select_related("category")
    )
    return {thread.post_id: thread for thread in threads}


def post_revisions(post: Post) -> list[PostRevision]:
    return list(post.revisions.select_related("editor"))


def member_by_username(username: str) -> Member:
    try:
        return Member.objects.get(username__iexact=username, is_active=True)
    except Member.DoesNotExist:
        raise Http404 from None


@dataclass
class MemberActivity:
    post_count: int
    thanks_received: int


def member_activity(member: Member) -> MemberActivity:
    totals = Post.objects.filter(author=member, state=PostState.VISIBLE).aggregate(
        posts=Count("pk"), thanks=Sum("thanks_count")
    )
    return MemberActivity(post_count=totals["posts"], thanks_received=totals["thanks"] or 0)


def member_recent_posts(member: Member, reader: Person, limit: int = 20) -> list[Post]:
    posts = list(
        Post.objects.filter(
            _readable_threads(reader, through="thread__"),
            author=member,
            state=PostState.VISIBLE,
        )
        .select_related("thread")
        .order_by("-created_at")[:limit]
    )
    for post in posts:
        post.excerpt = Truncator(plain_text(post.html)).chars(200)
    return posts


@dataclass
class SearchHit:
    post: Post
    excerpt: str  # already escaped HTML with <mark> around the matches


SEARCH_PAGE_SIZE = 20
SEARCH_CANDIDATES = 1000
# The candidates fill this many pages: a page past them would be empty on PostgreSQL, and any
# page number, however large, would otherwise reach the database as an offset.
SEARCH_PAGES = SEARCH_CANDIDATES // SEARCH_PAGE_SIZE
_MARK_START, _MARK_END = "\x02", "\x03"
# A "-" that is not inside a word, and what follows it.
_NEGATION = re.compile(r'(?<!\w)-+(?=(["\w])?)')


def search_posts(query: str, member: Person, page: int = 1) -> tuple[list[SearchHit], bool]:
    """Visible posts matching `query` (in their text, or their thread's title for first posts).

    Returns one page of hits and whether there is a next page; 404 past SEARCH_PAGES.
    """
    if not 1 <= page <= SEARCH_PAGES:
        raise Http404
    offset = (page - 1) * SEARCH_PAGE_SIZE
    posts = Post.objects.filter(
        _readable_threads(member, through="thread__"), state=PostState.VISIBLE
    )
    if connection.vendor == "postgresql":
        hits = _search_postgresql(posts, query, offset)
        results = [SearchHit(post, _mark(html.unescape(post.headline))) for post in hits]
    else:
        hits = _search_fallback(posts.select_related("thread", "author"), query)[
            offset : offset + SEARCH_PAGE_SIZE + 1
        ]
        results = [SearchHit(post, _excerpt(plain_text(post.html), query)) for post in hits]
    has_next = len(results) > SEARCH_PAGE_SIZE and page < SEARCH_PAGES
    return results[:SEARCH_PAGE_SIZE], has_next


def _search_postgresql(posts: QuerySet[Post], query: str, offset: int) -> list[Post]:
    """The most relevant of the newest SEARCH_CANDIDATES matches (a word found in every other
    post would otherwise have all its posts ranked, however old), from `offset` on, one more
    than a page.

    Two queries: the first ranks the candidates in the scan that finds them and returns ids
    only; the second loads those posts with their thread, author and excerpt. Ranking and
    loading in one query looked every candidate up again, with its thread and its author, to
    keep a page of them.
    """
    search = SearchQuery(
        _websearch_text(query), config=settings.SEARCH_CONFIG, search_type="websearch"
    )
    candidates = (
        posts.filter(search_vector=search)
        .order_by("-created_at")
        .values("pk", "created_at", "search_vector")[:SEARCH_CANDIDATES]
    )
    candidates_sql, candidates_params = candidates.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT candidate.pk FROM ({candidates_sql}) AS candidate"  # nosec B608 - ORM SQL
            " ORDER BY ts_rank(candidate.search_vector,"
            " websearch_to_tsquery(%s::regconfig, %s)) DESC, candidate.created_at DESC"
            " LIMIT %s OFFSET %s",
            [
                *candidates_params,
                settings.SEARCH_CONFIG,
                _websearch_text(query),
                SEARCH_PAGE_SIZE + 1,
                offset,
            ],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    posts_by_id = (
        Post.objects.select_related("thread", "author")
        .annotate(
            # The headline is cut from the rendered HTML, whose tags PostgreSQL's parser skips,
            # so excerpts read as text rather than as Markdown.
            headline=SearchHeadline(
                "html",
                search,
                config=settings.SEARCH_CONFIG,
                start_sel=_MARK_START,
                stop_sel=_MARK_END,
                max_words=40,
                min_words=15,
            ),
        )
        .in_bulk(ids)
    )
    return [posts_by_id[pk] for pk in ids]


def _websearch_text(query: str) -> str:
    """`query` with each run of "-" (websearch's "not") kept as one, and only before a word or
    a quoted phrase: PostgreSQL stacks up every "-" that precedes no word, and 32 of them
    ("-----…", "- - -…") overflow its parser's stack, an error whoever searches."""
    return _NEGATION.sub(lambda dash: "-" if dash.group(1) else " ", query)


def _search_fallback(posts: QuerySet[Post], query: str) -> QuerySet[Post]:
    for term in query.split():
        posts = posts.filter(Q(source__icontains=term) | Q(number=1, thread__title__icontains=term))
    return posts.order_by("-created_at")


def plain_text(rendered_html: str) -> str:
    return html.unescape(strip_tags(rendered_html))


def _mark(headline: str) -> str:
    return html.escape(headline).replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")


def _excerpt(source: str, query: str, width: int = 160) -> str:
    terms = [re.escape(term) for term in query.split() if term]
    if not terms:
        return html.escape(source[:width])
    pattern = re.compile("|".join(terms), re.IGNORECASE)
    match = pattern.search(source)
    start = max(0, match.start() - width // 2) if match else 0
    window = source[start : start + width]
    marked = pattern.sub(lambda m: f"{_MARK_START}{m.group(0)}{_MARK_END}", window)
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(source) else ""
    return prefix + _mark(marked) + suffix


def personal_data_of(member: Member) -> dict:
    """The member's forum data for their download: their own words and choices, nobody else's."""
    posts = Post.objects.filter(author=member).order_by("created_at", "pk")
    return {
        "threads_started": list(
            Thread.objects.filter(author=member)
            .order_by("created_at", "pk")
            .values("id", "title", "created_at", category_name=F("category__name"))
        ),
        "posts": list(
            posts.values(
                "id",
                "number",
                "created_at",
                "edited_at",
                "state",
                "source",
                "thread",
                thread_title=F("thread__title"),
            )
        ),
        # Only the author edits a post, so the earlier texts of their posts are theirs too.
        "revisions": list(
            PostRevision.objects.filter(post__author=member)
            .order_by("post", "created_at", "pk")
            .values("post", "created_at", "previous_source")
        ),
        "thanks_given": list(
            Thanks.objects.filter(member=member)
            .order_by("created_at", "pk")
            .values("post", "created_at")
        ),
        "read_marks": list(
            ReadMark.objects.filter(member=member)
            .order_by("thread")
            .values("thread", "last_read_number")
        ),
        "watched_threads": list(
            ThreadSubscription.objects.filter(member=member)
            .order_by("thread")
            .values("thread", "level")
        ),
        "watched_categories": list(
            CategorySubscription.objects.filter(member=member)
            .order_by("category")
            .values("level", category_name=F("category__name"))
        ),
        # Each upload's bytes are in the archive, under `file` (upload_files_of).
        "uploads": [
            {**upload, "file": _archived_as(upload["token"], upload["name"])}
            for upload in Upload.objects.filter(owner=member)
            .order_by("created_at", "pk")
            .values("token", "name", "kind", "content_type", "size", "created_at", "post")
        ],
    }


def upload_files_of(member: Member) -> list[tuple[str, str]]:
    """The member's uploads, for their download: (name in the archive, name in the storage)."""
    return [
        (_archived_as(token, name), stored_as)
        for token, name, stored_as in Upload.objects.filter(owner=member)
        .order_by("created_at", "pk")
        .values_list("token", "name", "stored_as")
    ]


def _archived_as(token: str, name: str) -> str:
    return f"forum/uploads/{token}-{name}"
