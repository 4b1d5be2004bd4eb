"""What the benches run under scripts/postgres-for-tests share (fanout.py, ballot_close.py):
a throwaway database checked empty, Celery checked to publish to the bench's own Redis, and
their printed tables. Call `prepare` once Django is set up."""

import sys

import redis


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


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [
        "  ".join(
            str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in [headers, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
