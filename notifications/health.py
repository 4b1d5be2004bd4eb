"""The notifications' check for /healthz: emails that should have gone out long ago."""

import dataclasses
from datetime import UTC, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import ngettext
from health_check import HealthCheck
from health_check.exceptions import ServiceUnavailable

from notifications.models import Delivery, DeliveryState


def overdue_after() -> timedelta:
    """How long queued work may wait before it counts as forgotten: the sweep queues again what
    waited one interval, so two intervals cover a sweep and its task; a lease covers a worker
    slow to send (a large fan-out, a slow mail server)."""
    return timedelta(
        seconds=2 * settings.NOTIFICATIONS_SWEEP_SECONDS
        + settings.NOTIFICATIONS_DELIVERY_LEASE_SECONDS
    )


@dataclasses.dataclass
class EmailDeliveries(HealthCheck):
    """Fails while an email waits, unclaimed, longer than `overdue_after()`: no worker sends,
    or beat does not sweep. Failed deliveries are given up, not waiting: the admin lists them."""

    async def run(self) -> None:
        # Async, so the query runs on the request's own thread and in its language.
        since = timezone.now() - overdue_after()
        waiting = await Delivery.objects.filter(
            Q(state=DeliveryState.PENDING, next_attempt_at__lt=since)
            | Q(state=DeliveryState.SENDING, lease_until__lt=since)
        ).aaggregate(count=Count("pk"), oldest=Min("next_attempt_at"))
        if not waiting["count"]:
            return
        raise ServiceUnavailable(
            ngettext(
                "%(count)d email due at %(deadline)s is still waiting to be sent. Likely "
                "cause: no Celery worker is running, or beat is not running "
                "notifications.tasks.sweep_deliveries.",
                "%(count)d emails are still waiting to be sent, the oldest due at "
                "%(deadline)s. Likely cause: no Celery worker is running, or beat is not "
                "running notifications.tasks.sweep_deliveries.",
                waiting["count"],
            )
            % {
                "count": waiting["count"],
                "deadline": f"{waiting['oldest'].astimezone(UTC):%Y-%m-%d %H:%M} UTC",
            }
        )
