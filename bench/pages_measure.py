"""What pages.py measures and how: the pages a generated community is read through, the SQL
queries of one request counted in this process, and wrk's figures for many."""

import argparse
import json
import subprocess
import urllib.parse
from dataclasses import dataclass, field

from tests import live_stack

WRK_SCRIPT = live_stack.ROOT / "bench" / "wrk_report.lua"
# As pages_of lists them.
PAGE_KEYS = ("index", "category", "thread-first", "thread-last", "baseline-first",
    "baseline-last", "thread-first-member", "thread-last-member", "index-member",
    "category-member", "search-varied-member",
    "search-common", "search-rare", "search-phrase", "search-varied", "notifications",
    "moderation-queue",
    "charter")  # fmt: skip


@dataclass
class Page:
    key: str
    title: str
    persona: str  # visitor, member or moderator
    path: str
    # When set, wrk asks each of these in turn (bench/wrk_report.lua), `path` being the first.
    paths: list[str] = field(default_factory=list)
    # "site" (Palabre) or "baseline": the bare-Django page of bench/baseline, served beside it.
    server: str = "site"


# The varied search asks this many different words, the forum's own, so that the cache of
# search results serves only the few asked twice within a run.
VARIED_WORDS = 4000


def pages_of(manifest: dict, words: list[str]) -> list[Page]:
    hot = manifest["hot_thread"]
    thread = f"/t/{hot['id']}/"
    last = f"{thread}?page={hot['last_page']}"
    search = manifest["search"]
    phrase = search["phrase"] if search["phrase"].startswith('"') else f'"{search["phrase"]}"'
    category = f"/c/{manifest['category']['slug']}/"
    varied = [_search(word) for word in words]
    return [
        Page("index", "index", "visitor", "/"),
        Page("category", "category, page 1", "visitor", category),
        Page("thread-first", "hot thread, first page", "visitor", thread),
        Page("thread-last", "hot thread, last page", "visitor", last),
        # The bare-Django page the member's pages are measured against (bench/baseline): the
        # same 20 posts of the hot thread, with the same member's session.
        Page("baseline-first", "BASELINE: bare, page 1", "member", thread, server="baseline"),
        Page("baseline-last", "BASELINE: bare, last page", "member", last, server="baseline"),
        Page("thread-first-member", "hot thread, first page", "member", thread),
        # Rendered for the member at every request (no page cache), so this pair, unlike the
        # visitor's, measures what reading a far page of a long thread costs.
        Page("thread-last-member", "hot thread, last page", "member", last),
        Page("index-member", "index", "member", "/"),
        Page("category-member", "category, page 1", "member", category),
        Page(
            "search-varied-member",
            f"search: {len(words):,} words in turn",
            "member",
            varied[0],
            varied,
        ),
        Page("search-common", f"search: {search['common']}", "visitor", _search(search["common"])),
        Page("search-rare", f"search: {search['rare']}", "visitor", _search(search["rare"])),
        Page("search-phrase", f"search: {phrase}", "visitor", _search(phrase)),
        Page(
            "search-varied",
            f"search: {len(words):,} words in turn",
            "visitor",
            varied[0],
            varied,
        ),
        Page("notifications", "notifications", "member", "/notifications/"),
        Page("moderation-queue", "moderation queue", "moderator", "/moderation/queue/"),
        Page("charter", "charter", "visitor", "/charter/"),
    ]


def _search(words: str) -> str:
    return "/search/?" + urllib.parse.urlencode({"q": words})


class PageError(Exception):
    pass


def search_words(count: int) -> list[str]:
    """The `count` words found in the most posts (longer than three letters), most found first,
    as the posts' search vectors hold them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word FROM ts_stat('SELECT search_vector FROM forum_post')"
            " WHERE length(word) > 3 ORDER BY ndoc DESC, word LIMIT %s",
            [count],
        )
        return [word for (word,) in cursor.fetchall()]


def count_queries(
    path: str, session: str | None, *, posts_per_page: int | None = None, server: str = "site"
) -> int:
    """The SQL queries of one request for `path` in this process, as every visit costs once
    the page was read: a member's first visit moves their read mark (and fills a cache), the
    second shows the page read and keeps it."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if session:
        client.cookies["sessionid"] = session
    overrides = {"POSTS_PER_PAGE": posts_per_page} if posts_per_page else {}
    if server == "baseline":
        from bench.baseline import settings as baseline

        overrides |= {
            name: getattr(baseline, name) for name in ("MIDDLEWARE", "ROOT_URLCONF", "TEMPLATES")
        }
    with override_settings(**overrides):
        client.get(path)
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
    if response.status_code != 200:
        raise PageError(f"answered {response.status_code} in this process")
    return len(captured)


def run_wrk(
    url: str,
    session: str | None,
    *,
    seconds: int,
    args: argparse.Namespace,
    paths: str | None,
    once: bool = False,
) -> dict:
    """wrk's figures for `url`; with `paths`, a file of paths asked in turn (`once`: each at
    most once, the run ending early when they run out)."""
    command = [
        "wrk",
        "--threads", str(args.wrk_threads),
        "--connections", str(args.connections),
        "--duration", f"{seconds}s",
        "--timeout", "10s",
        "--script", str(WRK_SCRIPT),
    ]  # fmt: skip
    if session:
        command += ["--header", f"Cookie: sessionid={session}"]
    finished = subprocess.run(
        [*command, url, *(["--", paths, *(["once"] if once else [])] if paths else [])],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    report = next(
        line.removeprefix("wrk-report ")
        for line in finished.stdout.splitlines()
        if line.startswith("wrk-report ")
    )
    wrk = json.loads(report)
    seconds_measured = wrk["duration_us"] / 1e6
    return {
        "requests": wrk["requests"],
        "seconds": round(seconds_measured, 2),
        "requests_per_second": round(wrk["requests"] / seconds_measured, 1),
        **{f"{name}_ms": round(wrk[f"{name}_us"] / 1000, 1) for name in _LATENCIES},
        "bytes_per_answer": round(wrk["bytes"] / wrk["requests"]) if wrk["requests"] else 0,
        "status_errors": wrk["status_errors"],
        "socket_errors": wrk["socket_errors"],
        "socket_errors_total": sum(wrk["socket_errors"].values()),
    }


_LATENCIES = ("mean", "p50", "p90", "p95", "p99", "max")
