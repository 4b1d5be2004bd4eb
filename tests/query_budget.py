"""What a page costs in SQL queries, counted the same way by every test that holds a page to its
budget, and the SQL that any block of a test runs."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


@contextmanager
def recorded_queries() -> Iterator[list[str]]:
    """The SQL run inside the block, one statement per entry, complete once the block ends."""
    statements: list[str] = []
    with CaptureQueriesContext(connection) as captured:
        yield statements
    statements.extend(query["sql"] for query in captured)


def page_queries(
    client: Client, url: str, *, warm: bool = True, cold_cache: bool = False, **extra
) -> list[str]:
    """The SQL of one GET of `url`, which must answer 200.

    `warm`: the page is visited once before, since a member's first visit writes (their read
    mark) and the budget is what every visit after it costs. `cold_cache`: the cache is emptied
    just before, so that a page a visitor would be served from the cache is rendered instead.
    `extra` goes with each request (headers, as `Client.get` takes them)."""
    if warm:
        client.get(url, **extra)
    if cold_cache:
        cache.clear()
    with recorded_queries() as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return queries


def queries_for(client: Client, url: str, **options) -> int:
    """How many queries a GET of `url` runs (`options` as `page_queries` takes them)."""
    return len(page_queries(client, url, **options))


def assert_queries(client: Client, url: str, expected: int, **options) -> None:
    """A GET of `url` runs `expected` queries; if not, the failure lists those it ran."""
    queries = page_queries(client, url, **options)
    listed = "\n".join(f"{n}. {sql}" for n, sql in enumerate(queries, start=1))
    assert len(queries) == expected, f"{url}: {len(queries)} queries, not {expected}:\n{listed}"
