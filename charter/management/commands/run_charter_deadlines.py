import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from charter import services
from charter.rules import NotARehearsal


class Command(BaseCommand):
    help = (
        "Run the charter's deadlines (lapses, discussion ends, ballots opening and closing, "
        "reminders) as Celery beat does. For a site without a worker, run it from cron every "
        "minute, or keep it running with --every. --at or --days-ahead run them as of "
        "another time, to rehearse a cycle: only on a rehearsal database, where every "
        "member's email address is at a domain reserved for tests (the demo's, the "
        "generator's); on any other they refuse and change nothing."
    )

    def add_arguments(self, parser) -> None:
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--at", help="an ISO 8601 date and time, e.g. 2026-12-01T09:00Z")
        when.add_argument("--days-ahead", type=float, help="as of this many days from now")
        when.add_argument("--every", type=int, help="keep running, every this many seconds")

    def handle(self, *args, at: str | None, days_ahead: float | None, every: int | None,
               **options) -> None:  # fmt: skip
        while every:
            self._run(None, quiet_if_idle=True)
            time.sleep(every)
        now = None
        if at:
            now = parse_datetime(at)
            if now is None or timezone.is_naive(now):
                raise CommandError("--at needs a date, a time and a time zone, e.g. …T09:00Z.")
        elif days_ahead is not None:
            now = timezone.now() + timedelta(days=days_ahead)
        self._run(now)

    def _run(self, now, *, quiet_if_idle: bool = False) -> None:
        """Say what the deadlines did. Kept running, it says nothing when nothing was due: a
        line every 30 seconds would bury what shares its terminal (`make run`'s emails)."""
        try:
            done = services.run_deadlines(now=now)
        except NotARehearsal as refusal:
            raise CommandError(str(refusal)) from refusal
        if did := [f"{name}: {count}" for name, count in done.items() if count]:
            self.stdout.write(", ".join(did))
        elif not quiet_if_idle:
            self.stdout.write("Nothing was due.")
