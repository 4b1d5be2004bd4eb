"""The forum's check for /healthz: posts that should have been announced to their watchers."""

import dataclasses
from datetime import UTC

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import ngettext
from health_check import HealthCheck
from health_check.exceptions import ServiceUnavailable

from forum.models import Post
from notifications.health import overdue_after


@dataclasses.dataclass
class PostAnnouncements(HealthCheck):
    """Fails while a post has waited, unannounced to its watchers, as long as an email may
    (`notifications.health.overdue_after`): its task and the sweeps behind it were lost."""

    async def run(self) -> None:
        waiting = await Post.objects.filter(
            announced=False, created_at__lt=timezone.now() - overdue_after()
        ).aaggregate(count=Count("pk"), oldest=Min("created_at"))
        if not waiting["count"]:
            return
        raise ServiceUnavailable(
            ngettext(
                "%(count)d post written at %(written)s is not yet announced to its watchers. "
                "Likely cause: no Celery worker is running, or beat is not running "
                "forum.tasks.announce_pending_posts.",
                "%(count)d posts are not yet announced to their watchers, the oldest written "
                "at %(written)s. Likely cause: no Celery worker is running, or beat is not "
                "running forum.tasks.announce_pending_posts.",
                waiting["count"],
            )
            % {
                "count": waiting["count"],
                "written": f"{waiting['oldest'].astimezone(UTC):%Y-%m-%d %H:%M} UTC",
            }
        )
