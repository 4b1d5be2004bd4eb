"""The Celery app: Redis as broker and result backend, or in-process without REDIS_URL."""

import logging
import os

from celery import Celery, Task
from celery.signals import worker_ready
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("palabre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def queue_after_commit(task: Task, *calls: tuple) -> None:
    """Queue `task` once for each tuple of arguments in `calls`, once the transaction commits.

    The work itself is already recorded in the committed rows, so a broker outage is logged
    rather than raised: the caller's request succeeds, the remaining calls are not tried (each
    would wait for the broker in vain), and the periodic sweeps queue the work again once the
    broker is back.
    """

    def send() -> None:
        for sent, args in enumerate(calls):
            try:
                task.delay(*args)
            except OperationalError as error:
                left = len(calls) - sent
                logger.warning("%s: %d calls left for the sweep: %s", task.name, left, error)
                return

    if calls:
        transaction.on_commit(send)


@worker_ready.connect
def sweep_when_ready(sender, **kwargs) -> None:
    """A restarted worker picks up what was left undone at once, not at the next beat."""
    for name in (
        "notifications.tasks.sweep_deliveries",
        "forum.tasks.announce_pending_posts",
        "charter.tasks.run_deadlines",
    ):
        app.send_task(name)
