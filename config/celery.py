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


def queue_after_commit(task: Task, *args) -> None:
    """Queue `task` once the current transaction commits.

    The work itself is already recorded in the committed rows, so a broker outage is logged
    rather than raised: the caller's request succeeds, and the periodic sweeps queue the
    work again once the broker is back.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except OperationalError as error:
            logger.warning("Could not queue %s%r, the sweep will: %s", task.name, args, error)

    transaction.on_commit(send)


@worker_ready.connect
def sweep_when_ready(sender, **kwargs) -> None:
    """A restarted worker picks up what was left undone at once, not at the next beat."""
    for name in ("notifications.tasks.sweep_deliveries", "forum.tasks.announce_pending_posts"):
        app.send_task(name)
