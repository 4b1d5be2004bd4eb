"""Production's parts on 127.0.0.1 for the load and fault benches, and the locust run.

PostgreSQL (a private cluster on a unix socket), Redis, a Celery worker with beat, gunicorn and
a mail server that records what it accepts: the parts the integration tests use
(tests/live_stack.py), started in a temporary directory and all stopped and removed when the
bench ends, fails or is interrupted (Ctrl-C, SIGTERM). Their logs, the community, the
client's ledger and the report are kept in var/bench/<bench>-<time>/.

This process itself runs Django against the same database (with tasks run in-process and
emails sent nowhere) to build the community before the services start, and to count what
the database holds afterwards.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from tests import live_stack

ROOT = live_stack.ROOT

SECRET_KEY = "bench-only-not-a-secret"  # nosec B105: a throwaway site on 127.0.0.1


class BenchStack:
    """`with BenchStack(...) as stack:` starts PostgreSQL and sets Django up in this process;
    `stack.serve()` then starts the other parts; leaving the block stops everything."""

    def __init__(self, name: str, *, web_workers: int, sweep_seconds: int, lease_seconds: int):
        self.name, self.web_workers = name, web_workers
        self.sweep_seconds, self.lease_seconds = sweep_seconds, lease_seconds
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        self.results = ROOT / "var" / "bench" / f"{name}-{stamp}"
        self.redis = self.mail = self.worker = self.web = None
        self.started: list = []

    def __enter__(self) -> "BenchStack":
        signal.signal(signal.SIGTERM, _interrupt)
        # Short, under /tmp: PostgreSQL's socket path must fit in about 100 characters. The
        # server user (postgres, when this runs as root) must be able to reach its directory.
        self.directory = Path(tempfile.mkdtemp(prefix="palabre-bench."))
        self.directory.chmod(0o711)
        self.results.mkdir(parents=True)
        try:
            (self.directory / "pg").mkdir()
            self.postgres = live_stack.PostgresServer(self.directory / "pg")
            self.postgres.initdb()
            self.postgres.start()
            self.started.append(self.postgres)
            self.postgres.createdb("palabre")
            self._set_django_up()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def _set_django_up(self) -> None:
        import django
        from django.core.management import call_command

        os.environ.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            SECRET_KEY=SECRET_KEY,
            DATABASE_URL=self.postgres.url("palabre"),
            EMAIL_URL="dummymail://",
            SITE_URL="http://127.0.0.1",
            LOG_LEVEL="WARNING",
        )
        # Building the community runs its tasks here, at once, and mails nobody.
        os.environ.pop("REDIS_URL", None)
        django.setup()
        call_command("migrate", verbosity=0)

    def serve(self, *, warm_up: list[str]) -> None:
        """Redis, the mail server, the worker with beat and gunicorn, in that order; then every
        gunicorn worker serves the `warm_up` pages once, so that no figure counts its start."""
        static = self.directory / "static"
        collect_static(static)
        self.redis = live_stack.RedisServer(self.directory)
        self.mail = live_stack.MailServer()
        port = live_stack.free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        env = {
            "PATH": f"{ROOT / '.venv' / 'bin'}:/usr/bin:/bin",
            "HOME": str(self.directory),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": SECRET_KEY,  # the sessions written here must be valid there
            "DATABASE_URL": self.postgres.url("palabre"),
            "REDIS_URL": self.redis.url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.mail.port}",
            "SITE_URL": self.base_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(static),
            "NOTIFICATIONS_SWEEP_SECONDS": str(self.sweep_seconds),
            "NOTIFICATIONS_DELIVERY_LEASE_SECONDS": str(self.lease_seconds),
        }
        self.worker = live_stack.celery_worker(
            env, self.directory / "worker.log", self.directory / "beat-schedule"
        )
        self.web = live_stack.gunicorn(
            env, self.directory / "web.log", port, workers=self.web_workers
        )
        for part in (self.redis, self.mail, self.worker, self.web):
            part.start()
            self.started.append(part)
        live_stack.wait_until(
            lambda: len(self.web_worker_pids()) == self.web_workers,
            timeout=60,
            what="every gunicorn worker",
        )
        with ThreadPoolExecutor(max_workers=2 * self.web_workers) as pool:
            statuses = Counter(pool.map(self.answers, warm_up * 2 * self.web_workers))
        if set(statuses) != {200}:
            raise RuntimeError(f"the site does not answer its pages: {statuses}")

    def web_worker_pids(self) -> list[int]:
        """The gunicorn master's children: its workers."""
        return children(self.web.process.pid)

    def answers(self, path: str = "/", timeout: float = 30) -> int:
        """The status of an anonymous GET, 0 if no answer."""
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=timeout) as response:  # nosec B310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0

    def health(self) -> str:
        """What /healthz says, for the report."""
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=30) as answer:  # nosec B310
                return f"{answer.status} {answer.read().decode()}"
        except urllib.error.HTTPError as error:
            return f"{error.code} {error.read().decode()}"

    def run_locust(self, community: dict, *, users: int, seconds: int, think: str, run: str):
        """The locustfile's users against gunicorn for `seconds`; returns its ledger."""
        community_file = self.results / "community.json"
        community_file.write_text(json.dumps(community))
        ledger_file = self.results / "ledger.json"
        env = os.environ | {
            "BENCH_COMMUNITY": str(community_file),
            "BENCH_LEDGER": str(ledger_file),
            "BENCH_RUN": run,
            "BENCH_THINK": think,
            "BENCH_SECONDS": str(seconds),
        }
        command = [
            str(ROOT / ".venv" / "bin" / "locust"),
            "--locustfile", str(ROOT / "bench" / "locustfile.py"),
            "--headless", "--only-summary", "--loglevel", "WARNING",
            "--users", str(users), "--spawn-rate", str(users),
            # The locustfile ends the run once the users have finished the tasks in hand after
            # `seconds`; this is only a safety net.
            "--run-time", f"{seconds + 120}s",
            "--host", self.base_url,
        ]  # fmt: skip
        with (self.results / "locust.log").open("wb") as log:
            locust = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
            try:
                locust.wait(timeout=seconds + 180)
            finally:
                if locust.poll() is None:
                    locust.terminate()
                    locust.wait(timeout=30)
        if not ledger_file.exists():
            raise RuntimeError(f"locust wrote no ledger; see {self.results / 'locust.log'}")
        return json.loads(ledger_file.read_text())

    def __exit__(self, *exc) -> None:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        for part in reversed(self.started):
            try:
                part.stop()
            except Exception as error:  # keep stopping the others
                print(f"could not stop {type(part).__name__}: {error}", file=sys.stderr)
        for log, kept in [
            (self.directory / "web.log", "web.log"),
            (self.directory / "worker.log", "worker.log"),
            (self.directory / "pg" / "server.log", "postgresql.log"),
        ]:
            if log.exists():
                shutil.copyfile(log, self.results / kept)
        shutil.rmtree(self.directory, ignore_errors=True)


def children(pid: int) -> list[int]:
    """The processes `pid` started, as Linux lists them."""
    listed = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in listed.read_text().split()] if listed.exists() else []


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """SIGTERM ends a bench as Ctrl-C does, through its cleanup."""
    signal.signal(signal.SIGTERM, _interrupt)


def collect_static(static: Path) -> None:
    """The static files into `static`, as production serves them: collected, compressed, with
    hashed names."""
    collecting = {
        "SECRET_KEY": "collectstatic",
        "SITE_URL": "http://x",
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=collecting | {"STATIC_ROOT": str(static), "DATABASE_URL": "sqlite://:memory:"},
        check=True,
    )


class KeptPostgresServer(live_stack.PostgresServer):
    """A private PostgreSQL whose data directory outlives the bench (`data`, anywhere), so that
    a community that takes minutes to generate serves several runs. Its socket and log are in
    `directory`, a short temporary one: the socket is given at each start, so the cluster does
    not care where the run that made it had its own."""

    def __init__(self, directory: Path, data: Path):
        super().__init__(directory)
        self.data = data
        if self._as_server_user:
            shutil.chown(data.parent, "postgres")

    def start(self) -> None:
        self._pg_ctl("start", f"--log={self.log}", f"--options=-k {self.directory}")


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def wait_for(condition, *, timeout: float, step: float = 0.1) -> float | None:
    """Seconds until `condition()` holds, or None if it did not within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    return None
