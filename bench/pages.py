"""Page load: requests per second and latency of the pages people read most, against gunicorn.

    make bench-pages       (or .venv/bin/python bench/pages.py --help; needs wrk)

Starts on 127.0.0.1 a private PostgreSQL, Redis (the cache and the broker, as in production;
`--no-redis` leaves it out, and each worker then has a cache of its own) and gunicorn with 2
sync workers serving config.wsgi without DEBUG, static files collected. No Celery worker runs:
the pages only read, and a task one queued would wait in Redis. The community comes from
`manage.py generate_community --preset …` (timed), after which the database is vacuumed and
analysed, as autovacuum soon would. `--keep-data DIR` keeps each preset's PostgreSQL cluster in
DIR/<preset>/, and `--reuse-data DIR` starts from it instead of generating again (the large
preset takes minutes).

The manifest's member and moderator sign in through allauth's login form; their session cookies
then go with every request of theirs. For each page: one request checked (it must answer 200:
a page answering errors is a FAIL, not a figure), the SQL queries of one such request counted
in this process (Django's test Client on the same database and settings, same session, after
one request to warm it), then wrk (8 connections, 2 threads by default) for a warm-up that is
thrown away and a timed run, its figures printed by bench/wrk_report.lua.

Prints the table, the machine and one line per target (`ok` or `FAIL`); writes everything to
var/bench/pages-<preset>-<time>.json (the logs beside it, in a .logs directory). With two
presets (`--growth`), also the growth from one to the other. Exits 1 if a target fails.
"""

import argparse
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import (
    SECRET_KEY,
    KeptPostgresServer,
    collect_static,
    section,
    stop_on_sigterm,
)
from tests import live_stack

ROOT = live_stack.ROOT
# Every preset's PostgreSQL listens on the same socket, so this process's settings fit them all.
ROLE, PORT = live_stack.PostgresServer.ROLE, 5432
WRK_SCRIPT = ROOT / "bench" / "wrk_report.lua"
WRK_INSTALL = "apt-get install wrk   (or: scripts/install-system-packages --bench)"
PRESETS = ("default", "large")
# Written in a preset's kept directory once its community is complete.
COMPLETE = "community.json"
GENERATOR_SIZES = ("members", "categories", "threads", "posts", "hot_posts", "seed")
# As pages_of lists them.
PAGE_KEYS = ("index", "category", "thread-first", "thread-last", "thread-first-member",
    "thread-last-member",
    "search-common", "search-rare", "search-phrase", "search-varied", "notifications",
    "moderation-queue",
    "charter")  # fmt: skip
# Every request but the timed ones, per page: the check, the counted pair, wrk starting.
PAGE_OVERHEAD_SECONDS = 2

# The targets, on the default preset with 2 sync workers and 8 connections.
MEMBER_THREAD_RATE = 90
MEMBER_THREAD_QUERIES = 10
ANONYMOUS_RATE = 150
SEARCH_P95_MS = 50
LAST_PAGE_FACTOR = 1.2
# The query count of the member's thread page must not depend on the page size.
OTHER_PAGE_SIZE = 50


@dataclass
class Page:
    key: str
    title: str
    persona: str  # visitor, member or moderator
    path: str
    # When set, wrk asks each of these in turn (bench/wrk_report.lua), `path` being the first.
    paths: list[str] = field(default_factory=list)


# The varied search asks this many different words, the forum's own, so that the cache of
# search results serves only the few asked twice within a run.
VARIED_WORDS = 4000


def pages_of(manifest: dict, words: list[str]) -> list[Page]:
    hot = manifest["hot_thread"]
    thread = f"/t/{hot['id']}/"
    last = f"{thread}?page={hot['last_page']}"
    search = manifest["search"]
    phrase = search["phrase"] if search["phrase"].startswith('"') else f'"{search["phrase"]}"'
    return [
        Page("index", "index", "visitor", "/"),
        Page("category", "category, page 1", "visitor", f"/c/{manifest['category']['slug']}/"),
        Page("thread-first", "hot thread, first page", "visitor", thread),
        Page("thread-last", "hot thread, last page", "visitor", last),
        Page("thread-first-member", "hot thread, first page", "member", thread),
        # Rendered for the member at every request (no page cache), so this pair, unlike the
        # visitor's, measures what reading a far page of a long thread costs.
        Page("thread-last-member", "hot thread, last page", "member", last),
        Page("search-common", f"search: {search['common']}", "visitor", _search(search["common"])),
        Page("search-rare", f"search: {search['rare']}", "visitor", _search(search["rare"])),
        Page("search-phrase", f"search: {phrase}", "visitor", _search(phrase)),
        Page(
            "search-varied",
            f"search: {len(words):,} words in turn",
            "visitor",
            _search(words[0]),
            [_search(word) for word in words],
        ),
        Page("notifications", "notifications", "member", "/notifications/"),
        Page("moderation-queue", "moderation queue", "moderator", "/moderation/queue/"),
        Page("charter", "charter", "visitor", "/charter/"),
    ]


def _search(words: str) -> str:
    return "/search/?" + urllib.parse.urlencode({"q": words})


def main() -> int:
    args = _arguments()
    if shutil.which("wrk") is None:
        print(f"wrk is missing: as root, run  {WRK_INSTALL}", file=sys.stderr)
        return 2
    presets = args.presets
    for preset in presets:
        missing = args.reuse_data and not (args.reuse_data / preset / COMPLETE).is_file()
        if missing and not args.keep_data:
            print(
                f"no kept data for the {preset} preset in {args.reuse_data}: make it with"
                f" --keep-data {args.reuse_data}",
                file=sys.stderr,
            )
            return 2
    per_preset = len(args.pages) * (args.warm_up + args.seconds + PAGE_OVERHEAD_SECONDS) + 30
    print(
        f"Expected: about {per_preset / 60:.0f} min per preset ({', '.join(presets)}):"
        f" {len(args.pages)} pages,"
        f" each {args.warm_up} s of warm-up and {args.seconds} s timed, plus generating the"
        " community unless its data is reused (default: minutes; large: up to 15 min)",
        flush=True,
    )
    stop_on_sigterm()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    run = BenchRun(args, stamp)
    with run:
        results = {preset: run.preset(preset) for preset in presets}
    failed = any(not check["ok"] for result in results.values() for check in result["checks"])
    if len(results) > 1:
        growth = report_growth(results)
        growth_file = ROOT / "var" / "bench" / f"pages-growth-{stamp}.json"
        growth_file.write_text(json.dumps(growth, indent=2) + "\n")
        print(f"\n(growth in {growth_file.relative_to(ROOT)})")
    print("\nFAILED: a target is not met" if failed else "\nevery target is met")
    return 1 if failed else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--presets",
        "--preset",
        default="default",
        type=lambda text: [p for p in text.split(",") if p],
        help="generator presets to run, comma-separated: default, large (default: default)",
    )
    parser.add_argument("--growth", action="store_true", help="the same as --presets default,large")
    parser.add_argument(
        "--pages",
        default=",".join(PAGE_KEYS),
        type=lambda text: [p for p in text.split(",") if p],
        help=f"pages to measure, comma-separated (default: all of {', '.join(PAGE_KEYS)})",
    )
    parser.add_argument("--seconds", type=int, default=15, help="timed run per page")
    parser.add_argument("--warm-up", type=int, default=3, help="untimed run before it")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--no-redis", action="store_true", help="no Redis: a cache per worker")
    parser.add_argument(
        "--keep-data", type=Path, metavar="DIR", help="keep each preset's data in DIR/<preset>"
    )
    parser.add_argument(
        "--reuse-data", type=Path, metavar="DIR", help="start from DIR/<preset> if it is there"
    )
    sizes = parser.add_argument_group("the community's sizes, passed to generate_community")
    for size in GENERATOR_SIZES:
        sizes.add_argument(f"--{size.replace('_', '-')}", type=int)
    args = parser.parse_args()
    if args.growth:
        args.presets = list(PRESETS)
    unknown = set(args.presets) - set(PRESETS)
    if unknown or not args.presets:
        parser.error(f"--presets: choose among {', '.join(PRESETS)}")
    if set(args.pages) - set(PAGE_KEYS) or not args.pages:
        parser.error(f"--pages: choose among {', '.join(PAGE_KEYS)}")
    args.keep_data = args.keep_data and args.keep_data.resolve()
    args.reuse_data = args.reuse_data and args.reuse_data.resolve()
    return args


class BenchRun:
    """The parts that serve every preset of a run: a temporary directory, the static files,
    Redis, a gunicorn port, and Django in this process (for counting queries), whose settings
    name the same socket and port whichever preset's PostgreSQL is running."""

    def __init__(self, args: argparse.Namespace, stamp: str):
        self.args, self.stamp = args, stamp
        self.redis = None
        self.django_ready = False

    def __enter__(self) -> "BenchRun":
        # Short, under /tmp: PostgreSQL's socket path must fit in about 100 characters.
        self.directory = Path(tempfile.mkdtemp(prefix="palabre-pages."))
        self.directory.chmod(0o711)
        try:
            self.static = self.directory / "static"
            collect_static(self.static)
            if not self.args.no_redis:
                self.redis = live_stack.RedisServer(self.directory)
                self.redis.start()
            self.port = live_stack.free_port()
            self.base_url = f"http://127.0.0.1:{self.port}"
            self.socket = self.directory / "pg"
            self.socket.mkdir()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.redis:
            self.redis.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def site_env(self) -> dict:
        """What gunicorn runs with, as production would: no DEBUG, Redis as the cache and the
        broker (unless --no-redis)."""
        env = {
            "PATH": f"{ROOT / '.venv' / 'bin'}:/usr/bin:/bin",
            "HOME": str(self.directory),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": f"postgres://{ROLE}@:{PORT}/{self.socket}/palabre",
            "EMAIL_URL": "dummymail://",
            "SITE_URL": self.base_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(self.static),
            "LOG_LEVEL": "WARNING",
        }
        if self.redis:
            env["REDIS_URL"] = self.redis.url
        return env

    def preset(self, preset: str) -> dict:
        args = self.args
        results = ROOT / "var" / "bench" / f"pages-{preset}-{self.stamp}"
        logs = results.with_suffix(".logs")
        logs.mkdir(parents=True)
        section(f"{preset} preset")
        if self.redis:  # each preset starts with an empty cache
            redis.Redis.from_url(self.redis.url).flushall()
        load_before = os.getloadavg()
        reused = args.reuse_data and args.reuse_data / preset
        if reused and (reused / COMPLETE).is_file():
            kept = reused
        else:
            reused = None
            kept = args.keep_data / preset if args.keep_data else self.directory / preset
            if (kept / "data").exists():
                raise SystemExit(
                    f"{kept / 'data'} exists: reuse it with --reuse-data, or remove it (a"
                    f" community is complete once {COMPLETE} is beside it)"
                )
            kept.mkdir(parents=True, exist_ok=True)
        postgres = KeptPostgresServer(self.socket, kept / "data")
        web = None
        try:
            if reused:
                postgres.start()
                self._migrate(kept)
                community = json.loads((kept / COMPLETE).read_text())
                print(
                    f"community reused from {kept} (generated {community['generated_at']} in"
                    f" {community['generation_seconds']:.0f} s)"
                )
            else:
                postgres.initdb()
                postgres.start()
                postgres.createdb("palabre")
                self._migrate(kept)
                community = self._generate(preset, kept, logs)
                (kept / COMPLETE).write_text(json.dumps(community, indent=2) + "\n")
            manifest = community["manifest"]
            print("counts: " + ", ".join(f"{k} {v:,}" for k, v in manifest["counts"].items()))
            self._set_django_up()
            web = live_stack.gunicorn(
                self.site_env(), logs / "web.log", self.port, workers=args.web_workers
            )
            web.start()
            live_stack.wait_until(
                lambda: len(_children(web.process.pid)) == args.web_workers,
                timeout=60,
                what="every gunicorn worker",
            )
            sessions = {
                "visitor": None,
                "member": self._sign_in(manifest["member"]),
                "moderator": self._sign_in(manifest["moderator"]),
            }
            rows = [
                self._measure(page, sessions)
                for page in pages_of(manifest, search_words(VARIED_WORDS))
                if page.key in args.pages
            ]
            machine = self._machine(load_before)
        finally:
            self._stop(web, postgres)
            if postgres.log.exists():
                shutil.move(postgres.log, logs / "postgresql.log")
            if not reused and not (args.keep_data and (kept / COMPLETE).is_file()):
                shutil.rmtree(kept, ignore_errors=True)
        result = {
            "bench": "pages",
            "preset": preset,
            "started": self.stamp,
            "community": {
                **community,
                "manifest": _without_passwords(manifest),
                "reused_from": str(reused) if reused else None,
            },
            "run": {
                "web_workers": args.web_workers,
                "connections": args.connections,
                "wrk_threads": args.wrk_threads,
                "warm_up_seconds": args.warm_up,
                "seconds": args.seconds,
                "redis": self.redis is not None,
                "celery_worker": False,
            },
            "machine": machine,
            "pages": rows,
            "checks": checks_of(preset, rows, manifest),
        }
        report_preset(result)
        json_file = results.with_suffix(".json")
        json_file.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\n(figures in {json_file.relative_to(ROOT)}, logs in {logs.relative_to(ROOT)})")
        return result

    def _stop(self, web: live_stack.Service | None, postgres: KeptPostgresServer) -> None:
        try:
            if web:
                web.stop()
            if self.django_ready:
                from django.db import connections

                connections.close_all()
        finally:
            postgres.stop()

    def _migrate(self, kept: Path) -> None:
        """Kept data made by older code gets the newer migrations; one that no longer fits
        (a migration renamed or rewritten since) must be generated again."""
        migrating = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=self._builder_env(),
            capture_output=True,
            text=True,
        )
        if migrating.returncode != 0:
            error = (migrating.stderr.strip().splitlines() or ["?"])[-1]
            raise SystemExit(
                f"migrate failed on the data in {kept}: {error}\n(kept data made by other"
                " migrations must be generated again: remove it, or keep data elsewhere)"
            )

    def _builder_env(self) -> dict:
        """The generator's: DEBUG, as its contract says; no Redis, so tasks run at once and
        mail nobody."""
        env = self.site_env() | {"DEBUG": "true"}
        env.pop("REDIS_URL", None)
        return env

    def _generate(self, preset: str, kept: Path, logs: Path) -> dict:
        manifest_file = kept / "manifest.json"
        command = ["generate_community", "--preset", preset]
        for size in GENERATOR_SIZES:
            value = getattr(self.args, size)
            if value is not None:
                command += [f"--{size.replace('_', '-')}", str(value)]
        print(f"generating: manage.py {' '.join(command)}", flush=True)
        command += ["--manifest", str(manifest_file)]
        started = time.monotonic()
        with (logs / "generate.log").open("w") as log:
            generator = subprocess.Popen(
                [sys.executable, "manage.py", *command],
                cwd=ROOT,
                env=self._builder_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for line in generator.stdout:
                log.write(line)
                print(f"  | {line}", end="", flush=True)
        if generator.wait() != 0:
            raise SystemExit(f"generate_community failed: see {logs / 'generate.log'}")
        generation = time.monotonic() - started
        started = time.monotonic()
        _vacuum_analyze(self.socket)
        vacuum = time.monotonic() - started
        print(f"generated in {generation:.0f} s, then VACUUM ANALYZE in {vacuum:.0f} s")
        return {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "generation_seconds": round(generation, 1),
            "vacuum_analyze_seconds": round(vacuum, 1),
            "generator": command[:-2],
            "manifest": json.loads(manifest_file.read_text()),
        }

    def _set_django_up(self) -> None:
        """This process counts queries with the same settings as gunicorn's."""
        if self.django_ready:
            return
        import django

        os.environ.pop("DEBUG", None)
        os.environ.pop("REDIS_URL", None)
        site = self.site_env()
        del site["PATH"], site["HOME"]  # this process's own, for the tools it runs
        os.environ.update(site)
        django.setup()
        self.django_ready = True

    def _sign_in(self, account: dict) -> str:
        """A session cookie from allauth's login form, posted to gunicorn."""
        browser = live_stack.WebClient(self.base_url, "")
        status, _, _ = browser.post_form(
            "/accounts/login/",
            "/accounts/login/",
            {"login": account["username"], "password": account["password"]},
        )
        if status != 302 or not browser.cookies.get("sessionid"):
            raise SystemExit(f"{account['username']} could not sign in ({status})")
        return browser.cookies["sessionid"]

    def _measure(self, page: Page, sessions: dict) -> dict:
        args = self.args
        session = sessions[page.persona]
        row = {"key": page.key, "page": page.title, "persona": page.persona, "path": page.path}
        print(f"{page.title} ({page.persona}) …", end=" ", flush=True)
        status, size = self._answer(page.path, session)
        row["bytes"] = size
        if status != 200:
            row["error"] = f"answered {status}"
            print(row["error"])
            return row
        try:
            row["queries"] = count_queries(page.path, session)
            if page.key == "thread-first-member":
                row[f"queries_at_{OTHER_PAGE_SIZE}_per_page"] = count_queries(
                    page.path, session, posts_per_page=OTHER_PAGE_SIZE
                )
        except PageError as error:
            row["error"] = str(error)
            print(row["error"])
            return row
        url = self.base_url + page.path
        with tempfile.NamedTemporaryFile("w", suffix=".paths") as paths:
            paths.write("".join(f"{path}\n" for path in page.paths))
            paths.flush()
            varied = paths.name if page.paths else None
            run_wrk(url, session, seconds=args.warm_up, args=args, paths=varied)
            figures = run_wrk(url, session, seconds=args.seconds, args=args, paths=varied)
        row |= figures
        status_after, _ = self._answer(page.path, session)
        problems = []
        if figures["status_errors"]:
            problems.append(f"{figures['status_errors']} answers above 399")
        if figures["socket_errors_total"]:
            problems.append(f"socket errors {figures['socket_errors']}")
        if status_after != 200:
            problems.append(f"answered {status_after} afterwards")
        if problems:
            row["error"] = "; ".join(problems)
        print(row.get("error") or f"{figures['requests_per_second']:.0f}/s", flush=True)
        return row

    def _answer(self, path: str, session: str | None) -> tuple[int, int]:
        """The status and the size of the body of one request through gunicorn."""
        browser = live_stack.WebClient(self.base_url, session or "")
        status, body, _ = browser.request(path)
        return status, len(body.encode())

    def _machine(self, load_before: tuple[float, float, float]) -> dict:
        import django
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgresql = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            shared_buffers = cursor.fetchone()[0]
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
        return {
            "cores": os.cpu_count(),
            "load_average_before": [round(n, 2) for n in load_before],
            "load_average_after": [round(n, 2) for n in os.getloadavg()],
            "python": sys.version.split()[0],
            "django": django.get_version(),
            "gunicorn": importlib.metadata.version("gunicorn"),
            "postgresql": postgresql,
            "postgresql_shared_buffers": shared_buffers,
            "redis": _redis_version() if self.redis else None,
            "wrk": wrk.split(" [")[0].strip(),
        }


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def _redis_version() -> str:
    answer = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    return next((word[2:] for word in answer.split() if word.startswith("v=")), answer.strip())


def _vacuum_analyze(socket: Path) -> None:
    import psycopg

    with psycopg.connect(
        host=str(socket), port=PORT, user=ROLE, dbname="palabre", autocommit=True
    ) as connection:
        connection.execute("VACUUM (ANALYZE)")


def _without_passwords(manifest: dict) -> dict:
    return {
        key: {k: v for k, v in value.items() if k != "password"}
        if key in ("member", "moderator")
        else value
        for key, value in manifest.items()
    }


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


def count_queries(path: str, session: str | None, *, posts_per_page: int | None = None) -> int:
    """The SQL queries of one request for `path` in this process, once a first request has
    warmed what a first visit does once (a member's read mark, a cache)."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if session:
        client.cookies["sessionid"] = session
    with override_settings(**({"POSTS_PER_PAGE": posts_per_page} if posts_per_page else {})):
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
    if response.status_code != 200:
        raise PageError(f"answered {response.status_code} in this process")
    return len(captured)


def run_wrk(
    url: str, session: str | None, *, seconds: int, args: argparse.Namespace, paths: str | None
) -> dict:
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
        [*command, url, *(["--", paths] if paths else [])],
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


def checks_of(preset: str, rows: list[dict], manifest: dict) -> list[dict]:
    """The targets of the pages measured: all of them on the default preset, the last page's
    cost on every one."""
    by_key = {row["key"]: row for row in rows}
    checks = [
        _check(
            "every page answers 200, without errors under load",
            all("error" not in row for row in rows),
            "; ".join(f"{r['page']} ({r['persona']}): {r['error']}" for r in rows if "error" in r)
            or "none",
            "none",
        )
    ]
    if preset == "default":
        if member := by_key.get("thread-first-member"):
            checks.append(_at_least(member, "hot thread page 1 as a member", MEMBER_THREAD_RATE))
            queries = [member.get("queries"), member.get(f"queries_at_{OTHER_PAGE_SIZE}_per_page")]
            checks.append(
                _check(
                    f"hot thread page 1 as a member: at most {MEMBER_THREAD_QUERIES} SQL queries,"
                    f" the same at {OTHER_PAGE_SIZE} posts a page",
                    None not in queries and queries[0] == queries[1] <= MEMBER_THREAD_QUERIES,
                    f"{queries[0]} queries, {queries[1]} at {OTHER_PAGE_SIZE} a page",
                    f"<= {MEMBER_THREAD_QUERIES}, equal",
                )
            )
        for row in _measured(by_key, "index", "category", "thread-first", "thread-last"):
            checks.append(_at_least(row, f"anonymous {row['page']}", ANONYMOUS_RATE))
        posts = manifest["counts"].get("posts", 0)
        searches = ("search-common", "search-rare", "search-phrase", "search-varied")
        for row in _measured(by_key, *searches):
            p95 = row.get("p95_ms")
            checks.append(
                _check(
                    f"{row['page']} over {posts:,} posts: p95 under {SEARCH_P95_MS} ms",
                    "error" not in row and p95 is not None and p95 < SEARCH_P95_MS,
                    _figure(row, "p95_ms", "ms"),
                    f"< {SEARCH_P95_MS} ms",
                )
            )
    for persona, first, last in (
        ("visitor", "thread-first", "thread-last"),
        ("member", "thread-first-member", "thread-last-member"),
    ):
        if first in by_key and last in by_key:
            checks.append(_last_page_check(preset, persona, by_key[first], by_key[last]))
    return checks


def _measured(by_key: dict, *keys: str) -> list[dict]:
    return [by_key[key] for key in keys if key in by_key]


def _last_page_check(preset: str, persona: str, first: dict, last: dict) -> dict:
    requirement = (
        f"{preset}: the hot thread's last page costs at most {LAST_PAGE_FACTOR}x its first,"
        f" as a {persona} (p50, and 1/req/s)"
    )
    if "error" in first or "error" in last:
        return _check(
            requirement, False, "a page answered errors", f"<= {LAST_PAGE_FACTOR}", kind="last page"
        )
    latency = last["p50_ms"] / first["p50_ms"]
    rate = first["requests_per_second"] / last["requests_per_second"]
    return _check(
        requirement,
        latency <= LAST_PAGE_FACTOR and rate <= LAST_PAGE_FACTOR,
        f"p50 {last['p50_ms']:.1f} / {first['p50_ms']:.1f} ms = {latency:.3f}x, req/s"
        f" {first['requests_per_second']:.0f} / {last['requests_per_second']:.0f} = {rate:.3f}x",
        f"<= {LAST_PAGE_FACTOR}x",
        kind="last page",
    )


def _at_least(row: dict, what: str, rate: int) -> dict:
    return _check(
        f"{what}: at least {rate} requests/s",
        "error" not in row and row.get("requests_per_second", 0) >= rate,
        _figure(row, "requests_per_second", "/s"),
        f">= {rate}/s",
    )


def _figure(row: dict, name: str, unit: str) -> str:
    return row["error"] if "error" in row else f"{row[name]:g} {unit}"


def _check(
    requirement: str, ok: bool, figure: str, threshold: str, *, kind: str = "target"
) -> dict:
    return {
        "requirement": requirement,
        "ok": bool(ok),
        "figure": figure,
        "threshold": threshold,
        "kind": kind,
    }


def report_preset(result: dict) -> None:
    run, machine, community = result["run"], result["machine"], result["community"]
    section(
        f"{result['preset']} preset: {run['connections']} connections, {run['wrk_threads']} wrk"
        f" threads, {run['seconds']} s per page after {run['warm_up_seconds']} s of warm-up"
    )
    header = ("page", "persona", "req/s", "p50", "p95", "p99", "max", "queries", "bytes", "non-2xx")
    lines = [header]
    for row in result["pages"]:
        if "error" in row:  # a page answering errors gets no figures (they are in the JSON)
            lines.append((row["page"], row["persona"], f"FAIL: {row['error']}"))
            continue
        lines.append(
            (
                row["page"],
                row["persona"],
                f"{row['requests_per_second']:.0f}",
                *(f"{row[f'{name}_ms']:.1f}" for name in ("p50", "p95", "p99", "max")),
                str(row["queries"]),
                f"{row['bytes']:,}",
                str(row["status_errors"]),
            )
        )
    full = [line for line in lines if len(line) == len(header)]
    widths = [max(len(line[i]) for line in full) for i in range(len(header))]
    widths[0] = max(len(line[0]) for line in lines)
    widths[1] = max(len(line[1]) for line in lines)
    for line in lines:
        cells = [
            cell.ljust(widths[i]) if i < 2 or len(line) < len(header) else cell.rjust(widths[i])
            for i, cell in enumerate(line)
        ]
        print("  ".join(cells).rstrip())
    print("(latencies in ms, from sending a request to the end of its answer, as wrk measures;")
    print(" queries: one warm request counted in-process; bytes: the body of one answer)")
    member = next((r for r in result["pages"] if r["key"] == "thread-first-member"), {})
    if f"queries_at_{OTHER_PAGE_SIZE}_per_page" in member:
        print(
            f"hot thread as a member at {OTHER_PAGE_SIZE} posts a page:"
            f" {member[f'queries_at_{OTHER_PAGE_SIZE}_per_page']} queries"
        )
    section("Machine")
    print(
        f"{machine['cores']} cores; load average (1, 5, 15 min) before "
        + " ".join(f"{n:.2f}" for n in machine["load_average_before"])
        + ", after "
        + " ".join(f"{n:.2f}" for n in machine["load_average_after"])
    )
    print(
        f"Python {machine['python']}, Django {machine['django']}, gunicorn {machine['gunicorn']}"
        f" ({run['web_workers']} sync workers), PostgreSQL {machine['postgresql']}"
        f" (shared_buffers {machine['postgresql_shared_buffers']}), Redis"
        f" {machine['redis'] or 'not used (--no-redis: a cache in each worker)'}, {machine['wrk']}"
    )
    generated = (
        f"reused from {community['reused_from']}, generated"
        if community["reused_from"]
        else "generated"
    )
    print(
        f"community: {generated} in {community['generation_seconds']:.0f} s"
        f" ({' '.join(community['generator'])})"
    )
    section("Targets")
    for check in result["checks"]:
        verdict = "ok  " if check["ok"] else "FAIL"
        print(f"{verdict}  {check['requirement']}: {check['figure']} ({check['threshold']})")


def report_growth(results: dict) -> dict:
    small, large = (results[preset] for preset in PRESETS)
    small_rows = {row["key"]: row for row in small["pages"]}
    section("Growth: large / default")
    counts = [
        f"{name} {small['community']['manifest']['counts'][name]:,} ->"
        f" {large['community']['manifest']['counts'][name]:,}"
        for name in small["community"]["manifest"]["counts"]
        if name in large["community"]["manifest"]["counts"]
    ]
    print("; ".join(counts))
    print(f"{'page':<32}{'persona':<11}{'p50 ratio':>10}{'req/s ratio':>13}")
    ratios = []
    for row in large["pages"]:
        before = small_rows.get(row["key"])
        if not before or "requests" not in row or "requests" not in before:
            ratios.append({"key": row["key"], "page": row["page"], "persona": row["persona"]})
            print(f"{row['page']:<32}{row['persona']:<11}{'-':>10}{'-':>13}")
            continue
        p50 = row["p50_ms"] / before["p50_ms"]
        rate = row["requests_per_second"] / before["requests_per_second"]
        ratios.append(
            {
                "key": row["key"],
                "page": row["page"],
                "persona": row["persona"],
                "p50_ratio": round(p50, 2),
                "requests_per_second_ratio": round(rate, 2),
            }
        )
        print(f"{row['page']:<32}{row['persona']:<11}{p50:>10.2f}{rate:>13.2f}")
    checks = [
        check
        for result in (small, large)
        for check in result["checks"]
        if check["kind"] == "last page"
    ]
    section("Growth targets")
    for check in checks:
        verdict = "ok  " if check["ok"] else "FAIL"
        print(f"{verdict}  {check['requirement']}: {check['figure']}")
    return {"bench": "pages-growth", "ratios": ratios, "checks": checks}


if __name__ == "__main__":
    sys.exit(main())
