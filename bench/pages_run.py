"""The parts pages.py runs each preset on, and the run of a preset: its community generated (or
its kept data reused), gunicorn serving it, each page measured, the result reported and kept."""

import argparse
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import redis

from bench.pages_measure import (
    VARIED_WORDS,
    Page,
    PageError,
    count_queries,
    pages_of,
    run_wrk,
    search_words,
)
from bench.pages_report import OTHER_PAGE_SIZE, checks_of, report_preset
from bench.stack import SECRET_KEY, KeptPostgresServer, children, collect_static, section
from tests import live_stack

ROOT = live_stack.ROOT
# Every preset's PostgreSQL listens on the same socket, so this process's settings fit them all.
ROLE, PORT = live_stack.PostgresServer.ROLE, 5432
# Written in a preset's kept directory once its community is complete.
COMPLETE = "community.json"
GENERATOR_SIZES = ("members", "categories", "threads", "posts", "hot_posts", "seed")


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
            self.baseline_port = live_stack.free_port()
            self.baseline_url = f"http://127.0.0.1:{self.baseline_port}"
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
        kept, reused = self._data_of(preset)
        postgres = KeptPostgresServer(self.socket, kept / "data")
        web = baseline = None
        try:
            community = self._community(preset, postgres, kept, reused, logs)
            manifest = community["manifest"]
            print("counts: " + ", ".join(f"{k} {v:,}" for k, v in manifest["counts"].items()))
            self.set_django_up()
            web = self._serve(self.site_env(), self.port, logs / "web.log")
            baseline = self._serve(
                self.site_env() | {"DJANGO_SETTINGS_MODULE": "bench.baseline.settings"},
                self.baseline_port,
                logs / "baseline.log",
            )
            rows = self._measure_pages(manifest)
            machine = self._machine(load_before)
        finally:
            self._stop([web, baseline], postgres)
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
            "run": self._settings(),
            "machine": machine,
            "pages": rows,
            "checks": checks_of(preset, rows, manifest),
        }
        report_preset(result)
        json_file = results.with_suffix(".json")
        json_file.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\n(figures in {json_file.relative_to(ROOT)}, logs in {logs.relative_to(ROOT)})")
        return result

    def _data_of(self, preset: str) -> tuple[Path, Path | None]:
        """Where the preset's PostgreSQL data lies, and whether it is kept data to reuse."""
        args = self.args
        reused = args.reuse_data and args.reuse_data / preset
        if reused and (reused / COMPLETE).is_file():
            return reused, reused
        kept = args.keep_data / preset if args.keep_data else self.directory / preset
        if (kept / "data").exists():
            raise SystemExit(
                f"{kept / 'data'} exists: reuse it with --reuse-data, or remove it (a"
                f" community is complete once {COMPLETE} is beside it)"
            )
        kept.mkdir(parents=True, exist_ok=True)
        return kept, None

    def _community(
        self,
        preset: str,
        postgres: KeptPostgresServer,
        kept: Path,
        reused: Path | None,
        logs: Path,
    ) -> dict:
        """PostgreSQL started on the kept data, migrated; the community generated if new."""
        if reused:
            postgres.start()
            self.migrate(kept)
            community = json.loads((kept / COMPLETE).read_text())
            print(
                f"community reused from {kept} (generated {community['generated_at']} in"
                f" {community['generation_seconds']:.0f} s)"
            )
            return community
        postgres.initdb()
        postgres.start()
        postgres.createdb("palabre")
        self.migrate(kept)
        community = self._generate(preset, kept, logs)
        (kept / COMPLETE).write_text(json.dumps(community, indent=2) + "\n")
        return community

    def _serve(self, env: dict, port: int, log: Path) -> live_stack.Service:
        web = live_stack.gunicorn(env, log, port, workers=self.args.web_workers)
        web.start()
        live_stack.wait_until(
            lambda: len(children(web.process.pid)) == self.args.web_workers,
            timeout=60,
            what="every gunicorn worker",
        )
        return web

    def _measure_pages(self, manifest: dict) -> list[dict]:
        sessions = {
            "visitor": None,
            "member": self._sign_in(manifest["member"]),
            "moderator": self._sign_in(manifest["moderator"]),
        }
        return [
            self._measure(page, sessions)
            for page in pages_of(manifest, search_words(VARIED_WORDS))
            if page.key in self.args.pages
        ]

    def _settings(self) -> dict:
        args = self.args
        return {
            "web_workers": args.web_workers,
            "connections": args.connections,
            "wrk_threads": args.wrk_threads,
            "warm_up_seconds": args.warm_up,
            "seconds": args.seconds,
            "redis": self.redis is not None,
            "celery_worker": False,
        }

    def _stop(self, servers: list[live_stack.Service | None], postgres: KeptPostgresServer) -> None:
        try:
            for server in servers:
                if server:
                    server.stop()
            if self.django_ready:
                from django.db import connections

                connections.close_all()
        finally:
            postgres.stop()

    def migrate(self, kept: Path) -> None:
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

    def set_django_up(self) -> None:
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
        base_url = self.baseline_url if page.server == "baseline" else self.base_url
        status, size = self._answer(base_url, page.path, session)
        row["bytes"] = size
        if status != 200:
            row["error"] = f"answered {status}"
            print(row["error"])
            return row
        try:
            row["queries"] = count_queries(page.path, session, server=page.server)
            if page.key == "thread-first-member":
                row[f"queries_at_{OTHER_PAGE_SIZE}_per_page"] = count_queries(
                    page.path, session, posts_per_page=OTHER_PAGE_SIZE
                )
        except PageError as error:
            row["error"] = str(error)
            print(row["error"])
            return row
        url = base_url + page.path
        with tempfile.NamedTemporaryFile("w", suffix=".paths") as paths:
            paths.write("".join(f"{path}\n" for path in page.paths))
            paths.flush()
            varied = paths.name if page.paths else None
            self._forget_searches(page)
            run_wrk(url, session, seconds=args.warm_up, args=args, paths=varied)
            self._forget_searches(page)
            figures = run_wrk(
                url, session, seconds=args.seconds, args=args, paths=varied, once=bool(varied)
            )
        row |= figures
        status_after, _ = self._answer(base_url, page.path, session)
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

    def _forget_searches(self, page: Page) -> None:
        """Before a run that asks a different word each time: no result kept by an earlier
        run (the warm-up's, the other persona's) may answer it. Without Redis each worker
        keeps its own, which this cannot reach."""
        if page.paths and self.redis:
            kept = redis.Redis.from_url(self.redis.url)
            for key in kept.scan_iter(match="*:forum:search:*", count=1000):
                kept.delete(key)

    def _answer(self, base_url: str, path: str, session: str | None) -> tuple[int, int]:
        """The status and the size of the body of one request through gunicorn."""
        browser = live_stack.WebClient(base_url, session or "")
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
