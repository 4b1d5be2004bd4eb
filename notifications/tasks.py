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
def send_list_emails(event_key: str) -> None:
    """A post's emails in mailing-list mode; those the mail server refused, again later."""
    retry_at = services.send_list_emails(event_key=event_key)
    if retry_at is not None:
        send_list_emails.apply_async((event_key,), eta=retry_at)


@shared_task
def sweep_deliveries() -> None:
    services.queue_due_deliveries()
    services.queue_unsent_list_emails()


@shared_task
def send_daily_digests() -> None:
    services.queue_daily_digests()
