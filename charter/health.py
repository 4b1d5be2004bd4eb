"""The charter's check for /health/: a ballot still open well past its close is a fault."""

import dataclasses
from datetime import UTC

from django.utils.translation import ngettext
from health_check import HealthCheck
from health_check.exceptions import ServiceUnavailable

from charter import selectors


@dataclasses.dataclass
class CharterDeadlines(HealthCheck):
    """Fails while `selectors.overdue_ballots()` finds any: nothing is running the deadlines."""

    async def run(self) -> None:
        # Async, so the query runs on the request's own thread and in its language.
        overdue = [
            (pk, closes_at)
            async for pk, closes_at in selectors.overdue_ballots()
            .order_by("closes_at", "pk")
            .values_list("pk", "closes_at")
        ]
        if not overdue:
            return
        oldest = overdue[0][1].astimezone(UTC)
        raise ServiceUnavailable(
            ngettext(
                "%(count)d open ballot is past its close (ballot %(ballots)s, due at "
                "%(deadline)s). Likely cause: neither Celery beat (task "
                "charter.tasks.run_deadlines) nor the run_charter_deadlines command is running.",
                "%(count)d open ballots are past their close (ballots %(ballots)s, the oldest "
                "due at %(deadline)s). Likely cause: neither Celery beat (task "
                "charter.tasks.run_deadlines) nor the run_charter_deadlines command is running.",
                len(overdue),
            )
            % {
                "count": len(overdue),
                "ballots": ", ".join(f"#{pk}" for pk, _ in overdue),
                "deadline": f"{oldest:%Y-%m-%d %H:%M} UTC",
            }
        )
