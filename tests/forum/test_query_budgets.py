"""Each page runs a fixed number of SQL queries, whatever the number of items it shows.

Every author has a picture, shown beside their posts and threads: it costs no query."""

import secrets

import pytest

from forum.models import Category
from members.models import Member
from tests.builders.forum import CategoryFactory, make_reply, make_thread
from tests.builders.members import MemberFactory
from tests.query_budget import page_queries, queries_for

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture(autouse=True)
def big_pages(settings):
    settings.POSTS_PER_PAGE = 50
    settings.THREADS_PER_PAGE = 50


def pictured() -> Member:
    """A member with a picture: its key is all a page needs (its files are never asked here)."""
    return MemberFactory(avatar=secrets.token_hex(6))


def thread_with_posts(n: int):
    thread = make_thread(category=Category.objects.first() or CategoryFactory(), author=pictured())
    authors = [pictured() for _ in range(3)]
    for i in range(n - 1):
        make_reply(thread, author=authors[i % 3], source=f"Post @{authors[0].username} {i}")
    return thread


def category_with_threads(n: int) -> Category:
    category = CategoryFactory()
    for _ in range(n):
        make_thread(category=category, author=pictured())
    return category


def index_with_categories(n: int) -> None:
    for _ in range(n):
        make_thread(category=CategoryFactory(), author=pictured())


PERSONAS = ["visitor_client", "member_client"]

# Visitor: the row the page is about (the thread, the category, the categories), then the rest
# of the page comes from the cache (forum.page_cache); the first visitor runs the page's own
# queries too (FIRST_VISITOR). Member: + session and member, + the bell's unread count, then the
# rest from the member's own cache entry (forum.page_cache.member_content) once they have read
# the page; the thread's row comes with their read mark and watch level. What renders a
# member's page (MEMBER_RENDERED), when the cache does not hold it: + what the member's own view
# needs (the people who thanked their posts; their watch level on a category page). A thread
# page also runs what moderation adds to its posts: the decisions in force on them (everyone)
# and which of them the member signalled.
EXPECTED = {
    ("thread", "visitor_client"): 1,
    ("thread", "member_client"): 4,
    ("category", "visitor_client"): 1,
    ("category", "member_client"): 4,
    ("index", "visitor_client"): 1,
    ("index", "member_client"): 4,
}
FIRST_VISITOR = {"thread": 3, "category": 2, "index": 2}
MEMBER_RENDERED = {"thread": 8, "category": 6, "index": 5}


def settled_queries(client, url: str, **options) -> int:
    """The queries of a visit once the page was read: a member's first visit to a thread moves
    their read mark, and the second shows it read (and keeps it)."""
    client.get(url)
    return queries_for(client, url, **options)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_thread_page_costs_the_same_for_5_or_50_posts(request, persona):
    client = request.getfixturevalue(persona)
    small, large = thread_with_posts(5), thread_with_posts(50)
    counts = {settled_queries(client, f"/t/{t.pk}/") for t in (small, large)}
    assert counts == {EXPECTED["thread", persona]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_category_page_costs_the_same_for_5_or_50_threads(request, persona):
    client = request.getfixturevalue(persona)
    small, large = category_with_threads(5), category_with_threads(50)
    counts = {queries_for(client, c.get_absolute_url()) for c in (small, large)}
    assert counts == {EXPECTED["category", persona]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_index_costs_the_same_for_5_or_50_categories(request, persona):
    client = request.getfixturevalue(persona)
    index_with_categories(5)
    with_5 = queries_for(client, "/")
    index_with_categories(45)
    with_50 = queries_for(client, "/")
    assert with_5 == with_50 == EXPECTED["index", persona]


def first_visit_queries(client, url: str) -> int:
    return queries_for(client, url, warm=False, cold_cache=True)


def test_the_first_visitor_of_a_page_costs_the_same_for_5_or_50_items(visitor_client):
    small, large = thread_with_posts(5), thread_with_posts(50)
    assert {first_visit_queries(visitor_client, f"/t/{t.pk}/") for t in (small, large)} == {
        FIRST_VISITOR["thread"]
    }
    small, large = category_with_threads(5), category_with_threads(50)
    assert {first_visit_queries(visitor_client, c.get_absolute_url()) for c in (small, large)} == {
        FIRST_VISITOR["category"]
    }
    assert first_visit_queries(visitor_client, "/") == FIRST_VISITOR["index"]


def test_a_members_page_the_cache_does_not_hold_costs_the_same_for_5_or_50_items(member_client):
    small, large = thread_with_posts(5), thread_with_posts(50)
    counts = {
        settled_queries(member_client, f"/t/{t.pk}/", cold_cache=True) for t in (small, large)
    }
    assert counts == {MEMBER_RENDERED["thread"]}
    small, large = category_with_threads(5), category_with_threads(50)
    counts = {
        queries_for(member_client, c.get_absolute_url(), cold_cache=True) for c in (small, large)
    }
    assert counts == {MEMBER_RENDERED["category"]}
    assert queries_for(member_client, "/", cold_cache=True) == MEMBER_RENDERED["index"]


def test_moving_the_read_mark_forward_costs_three_updates(member_client):
    """One for the read mark, one for the member's reading stamp (their kept pages show it),
    one for the notifications about the posts now seen."""
    thread = thread_with_posts(5)
    settled_queries(member_client, f"/t/{thread.pk}/")
    make_reply(thread)
    captured = page_queries(member_client, f"/t/{thread.pk}/", warm=False)
    # The writes go in one transaction: a savepoint, in the test's own transaction.
    statements = [sql for sql in captured if "SAVEPOINT" not in sql]
    assert len(statements) == MEMBER_RENDERED["thread"] + 3
    updates = [sql for sql in captured if sql.startswith("UPDATE")]
    assert len(updates) == 3
    assert any("forum_readmark" in sql for sql in updates)
    assert any("members_member" in sql for sql in updates)
    assert any("notifications_notification" in sql for sql in updates)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_authors_pictures_are_on_the_pages_whose_budgets_these_are(request, persona):
    client = request.getfixturevalue(persona)
    thread = thread_with_posts(5)
    category = thread.category
    pictures = {
        url: client.get(url).text.count('<img class="avatar"')
        for url in (f"/t/{thread.pk}/", category.get_absolute_url(), "/")
    }
    assert pictures == {f"/t/{thread.pk}/": 5, category.get_absolute_url(): 1, "/": 1}
