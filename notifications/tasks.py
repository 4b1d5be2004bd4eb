"""Celery tasks: each takes ids, calls a service, and is safe to run twice or late."""

from celery import shared_task

from notifications import services


@shared_task(bind=True, max_retries=None)
def deliver_email(self, delivery_id: int) -> None:
    try:
        services.deliver(delivery_id=delivery_id)
    except services.DeliveryFailed as failure:
        if failure.retry_at is not None:
            raise self.retry(eta=failure.retry_at) from failure


@shared_task
def sweep_deliveries() -> None:
    services.queue_due_deliveries()


@shared_task
def send_daily_digests() -> None:
    services.queue_daily_digests()
