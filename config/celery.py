"""The Celery app: Redis as broker and result backend, or in-process without REDIS_URL."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("palabre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def sweep_when_ready(sender, **kwargs) -> None:
    """A restarted worker picks up what was left undone at once, not at the next beat."""
    for name in (
        "notifications.tasks.sweep_deliveries",
        "forum.tasks.announce_pending_posts",
        "charter.tasks.run_deadlines",
    ):
        app.send_task(name)
