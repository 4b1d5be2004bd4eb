"""Where one page's time goes: the page requested many times in this process under cProfile.

    .venv/bin/python bench/pages_profile.py --reuse-data var/bench/pages-data [--page KEY]

Starts the kept community of a pages.py run (`--keep-data`) on a private PostgreSQL, and Redis
as the cache, with the production settings pages.py serves (no DEBUG); signs in the manifest's
member or moderator; requests the page (one of pages.py's keys, default the member's hot thread)
`--requests` times through Django's test Client after a few untimed ones (`--rendered`: with
the cache emptied before each, so that the page is rendered every time). Prints the time of a
request, the part spent waiting for PostgreSQL and for the cache, what cProfile charges to the
template engine, the middlewares and the view, and the functions that cost most.

The test Client skips the network and gunicorn: the figures are the application's own. cProfile
slows Python down (about 1.5 to 2 times here), the share of each part is what to read.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages_measure import PAGE_KEYS, VARIED_WORDS, pages_of, search_words
from bench.pages_run import COMPLETE, BenchRun
from bench.stack import KeptPostgresServer, stop_on_sigterm

# What cProfile's cumulative time of these functions says, per request: each part once, whatever
# calls nest under it (an include renders inside its page's Template.render).
PARTS = {
    "the view (queries and rendering included)": "django/core/handlers/base.py:_get_response",
    "templates (every template rendered)": "django/template/backends/django.py:render",
}


def main() -> int:
    args = _arguments()
    data = args.reuse_data / args.preset
    if not (data / COMPLETE).is_file():
        print(f"no kept community in {data}: run bench/pages.py with --keep-data", file=sys.stderr)
        return 2
    stop_on_sigterm()
    args.no_redis = False
    with BenchRun(args, datetime.now(UTC).strftime("%Y%m%d-%H%M%S")) as run:
        postgres = KeptPostgresServer(run.socket, data / "data")
        postgres.start()
        try:
            run.migrate(data)
            run.set_django_up()
            manifest = json.loads((data / COMPLETE).read_text())["manifest"]
            _profile(args, manifest)
        finally:
            from django.db import connections

            connections.close_all()
            postgres.stop()
    return 0


def _profile(args: argparse.Namespace, manifest: dict) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    page = next(p for p in pages_of(manifest, search_words(VARIED_WORDS)) if p.key == args.page)
    client = Client(HTTP_HOST="127.0.0.1")
    if page.persona != "visitor":
        account = manifest[page.persona]
        if not client.login(username=account["username"], password=account["password"]):
            raise SystemExit(f"{account['username']} could not sign in")
    paths = page.paths or [page.path]
    for index in range(5):
        client.get(paths[index % len(paths)])
    sql = _Stopwatch()
    queries_before = _cache_calls()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(sql):
        profiler.enable()
        for index in range(args.requests):
            if args.rendered:
                cache.clear()
            response = client.get(paths[index % len(paths)])
            if response.status_code != 200:
                raise SystemExit(f"{page.path} answered {response.status_code}")
        profiler.disable()
    wall = (time.perf_counter() - started) / args.requests * 1000
    stats = pstats.Stats(profiler)
    kept = "the cache emptied before each" if args.rendered else "after 5 that fill the caches"
    print(f"{page.title} ({page.persona}), {args.requests} requests under cProfile ({kept})")
    print(f"  a request: {wall:.2f} ms in all (profiled)")
    print(f"  waiting for PostgreSQL: {sql.seconds / args.requests * 1000:.2f} ms,"
          f" {sql.count / args.requests:.1f} queries")  # fmt: skip
    cache = _cache_calls() - queries_before
    print(f"  cache commands: {cache / args.requests:.1f}")
    for label, function in PARTS.items():
        print(f"  {label}: {_cumulative(stats, function) / args.requests * 1000:.2f} ms")
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(args.top)
    print("\nfunctions by own time (all requests):")
    print("\n".join(text.getvalue().splitlines()[6:]))
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(args.top * 2)
    print("functions by cumulative time (all requests):")
    print("\n".join(text.getvalue().splitlines()[6:]))


class _Stopwatch:
    """Counts and times every SQL query (execute_wrapper)."""

    def __init__(self):
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def _cache_calls() -> int:
    """Commands the Redis server has run, from its own statistics."""
    import redis

    return redis.Redis.from_url(os.environ["REDIS_URL"]).info("stats")["total_commands_processed"]


def _cumulative(stats: pstats.Stats, function: str) -> float:
    """The cumulative time of the outermost calls of `function` ("path/file.py:name")."""
    path, name = function.split(":")
    return sum(
        cumulative
        for (file, _line, func), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items()
        if file.endswith(path) and func == name
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse-data", type=Path, required=True, metavar="DIR")
    parser.add_argument("--preset", default="default")
    parser.add_argument("--page", default="thread-first-member", choices=PAGE_KEYS)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--rendered",
        action="store_true",
        help="empty the cache before each request: what a page costs when it is rendered",
    )
    args = parser.parse_args()
    args.reuse_data = args.reuse_data.resolve()
    return args


if __name__ == "__main__":
    sys.exit(main())
