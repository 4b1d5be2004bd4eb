"""Celery tasks: each takes ids, calls a service, and is safe to run twice or late."""

from celery import shared_task

from notifications import services


@shared_task
def deliver_emails(delivery_ids: list[int]) -> None:
    """Send a batch; a delivery that fails is retried on its own, at its backoff time."""
    for delivery_id in delivery_ids:
        try:
            services.deliver(delivery_id=delivery_id)
        except services.DeliveryFailed as failure:
            if failure.retry_at is not None:
                deliver_emails.apply_async(([delivery_id],), eta=failure.retry_at)


@shared_task
def sweep_deliveries() -> None:
    services.queue_due_deliveries()


@shared_task
def send_daily_digests() -> None:
    services.queue_daily_digests()
