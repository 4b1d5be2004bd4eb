"""What the benches run under scripts/postgres-for-tests share (fanout.py, ballot_close.py):
a throwaway database checked empty, a Redis of their own that Celery is checked to publish to,
a Celery worker's command and log, and the machine they ran on. Call `prepare` once Django is
set up; import Django's parts only inside functions, as these run before it is."""

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "celery"  # Celery's default queue: a Redis list of JSON messages under this key.
DELIVER = "notifications.tasks.deliver_emails"  # takes a list of delivery ids
WORKER = ["-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=2"]
WORKER += ["--loglevel=INFO", "--without-gossip", "--without-mingle"]


def require_postgresql(script: str) -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        sys.exit(
            "DATABASE_URL must point at PostgreSQL; run:\n"
            f"  scripts/postgres-for-tests .venv/bin/python bench/{script}"
        )


def add_worker_arguments(parser: argparse.ArgumentParser, *, send_budget: float) -> None:
    """The options of part C, where a real worker runs."""
    parser.add_argument("--no-worker", action="store_true", help="skip part C")
    parser.add_argument(
        "--send-budget",
        type=float,
        default=send_budget,
        help="seconds to watch the emails go (C)",
    )


@contextmanager
def redis_and_workdir() -> Iterator[tuple[str, Path]]:
    """A private Redis's URL and a temporary directory, both gone when the bench ends."""
    from tests.live_stack import RedisServer

    workdir = Path(tempfile.mkdtemp(prefix="palabre-bench-"))
    server = RedisServer(workdir)
    try:
        server.start()
        yield server.url, workdir
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def configure_environment(redis_url: str, **more: str) -> None:
    """Before django.setup(): the test settings, with Redis as broker (so no eager tasks), and
    `more` variables of the bench's own."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ["REDIS_URL"] = redis_url
    # The worker of part C sends its emails nowhere.
    os.environ["EMAIL_URL"] = "dummymail://"
    # The sweeps look for work older than this: an hour keeps them out of the measurements.
    os.environ["NOTIFICATIONS_SWEEP_SECONDS"] = "3600"
    os.environ.update(more)
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def prepare(redis_url: str, *, why: str) -> tuple[redis.Redis, str]:
    """The broker, and PostgreSQL's version, once the database is migrated and found empty.

    `why` says what would not hold if Celery ran the tasks eagerly instead."""
    from django.core.management import call_command
    from django.db import connection

    from config.celery import app
    from members.models import Member

    if app.conf.task_always_eager or app.conf.broker_url != redis_url:
        sys.exit(
            f"Celery is not using the bench's Redis ({why}): task_always_eager="
            f"{app.conf.task_always_eager}, broker_url={app.conf.broker_url}"
        )
    call_command("migrate", verbosity=0)
    if Member.objects.exists():
        sys.exit("The database already has members: run the bench on an empty, throwaway one.")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return redis.Redis.from_url(redis_url), cursor.fetchone()[0]


def machine(pg_version: str, broker: redis.Redis, load_at_start: tuple[float, ...]) -> str:
    """The summary's first lines: what the figures were measured on, and how busy it was."""
    import celery
    import django

    return (
        f"machine: {os.cpu_count()} cores ({platform.machine()}, {platform.system()}), "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {pg_version}, Redis {broker.info('server')['redis_version']}, "
        f"Celery {celery.__version__}\n"
        "load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}, at end: {:.2f} {:.2f} {:.2f}"
        " (other work on the machine skews every figure)".format(*load_at_start, *os.getloadavg())
    )


def queued_tasks(broker: redis.Redis) -> Counter:
    """The task names of the messages waiting in Redis."""
    return Counter(json.loads(raw)["headers"]["task"] for raw in broker.lrange(QUEUE, 0, -1))


def delivery_states(event_key: str) -> dict[str, int]:
    """How many deliveries of the notifications of `event_key` are in each state."""
    from django.db.models import Count

    from notifications.models import Delivery

    return dict(
        Delivery.objects.filter(notification__event_key=event_key)
        .values_list("state")
        .annotate(n=Count("pk"))
    )


def task_runtimes(lines: list[str]) -> dict[str, list[float]]:
    """From the worker's log: "Task <name>[<id>] succeeded in <seconds>s: <result>"."""
    found = re.compile(r"Task ([\w.]+)\[[^\]]+\] succeeded in ([\d.e-]+)s")
    runtimes: dict[str, list[float]] = {}
    for line in lines:
        if match := found.search(line):
            runtimes.setdefault(match[1], []).append(float(match[2]))
    return runtimes
