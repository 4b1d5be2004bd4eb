from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = (
        "Start today's digest emails and send late deliveries: what Celery beat does hourly. "
        "Without REDIS_URL there is no beat, so run this from cron, e.g. every hour."
    )

    def handle(self, *args, **options) -> None:
        digests = services.queue_daily_digests()
        late = services.queue_due_deliveries()
        self.stdout.write(f"Digests started: {digests}; late deliveries queued: {late}.")
