import time

from django.core.management.base import BaseCommand

from forum import services


class Command(BaseCommand):
    help = (
        "Remove the uploads that no post took within UPLOAD_ORPHAN_HOURS, and their files, as "
        "Celery beat does every hour. For a site without a worker, run it from cron every hour, "
        "or keep it running with --every."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=int, help="keep running, every this many seconds")

    def handle(self, *args, every: int | None, **options) -> None:
        while every:
            self._run(quiet_if_idle=True)
            time.sleep(every)
        self._run()

    def _run(self, *, quiet_if_idle: bool = False) -> None:
        """Kept running, it says nothing when nothing was removed: it shares its terminal with
        `make run`'s emails."""
        removed = services.remove_orphans()
        if removed or not quiet_if_idle:
            self.stdout.write(f"Orphan uploads removed: {removed}")
