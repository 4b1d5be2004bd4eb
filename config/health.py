"""/healthz, for monitoring: does everything the site promises still work?

JSON always: `{"status": "ok" | "failing", "checks": {name: {"status", "reason"}}}`, with 200
when every check passes and 503 when any fails. No sign-in, no rate limit, never cached.
`probes()` is the one list of checks; /health/, once django-health-check's own page, redirects
here.

The checks run on django-health-check's machinery (its Redis, cache and Celery checks, and each
app's own in its health.py), but what the page says is written here, for anyone to read: a
check whose errors may carry a host, a port, a user or a password (the database's, Redis's, the
cache's, Celery's) is reported in a fixed sentence, never in its error's own words; the log has
those. The database and Redis are checked first; what needs one of them is not tried when it
is down, and says so.
"""

import asyncio
import dataclasses
from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check import Cache, HealthCheck
from health_check.base import HealthCheckResult
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from redis.asyncio import Redis as RedisClient

from charter.health import BallotBoxes, BallotEngine, CharterDeadlines
from forum.health import PostAnnouncements
from notifications.health import EmailDeliveries

DATABASE, REDIS = "database", "redis"


@dataclasses.dataclass
class Database(HealthCheck):
    """A query on the request's own connection (django-health-check's opens another, in
    another thread, for every poll)."""

    async def run(self) -> None:
        try:
            await sync_to_async(_select_one)()
        except DatabaseError as error:
            raise ServiceUnavailable("database error") from error


def _select_one() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


@dataclasses.dataclass(frozen=True)
class Probe:
    name: str
    check: HealthCheck
    passed: str
    # Said instead of the check's own message, which may name a host, a port or a user.
    failed: str | None = None
    needs: str | None = None


def probes() -> list[Probe]:
    """Every check of the site's health, in the order /healthz reports them."""
    return [
        Probe(DATABASE, Database(), _("The database answers."), _("The database does not answer.")),
        *_redis_probes(),
        Probe(
            "cache",
            Cache(),
            _("The cache keeps what it is given."),
            _(
                "The cache does not keep what it is given: pages are built afresh and the "
                "shared rate limits are not enforced."
            ),
            # Without Redis, the cache is each process's own memory.
            needs=REDIS if settings.REDIS_URL else None,
        ),
        Probe(
            "charter_deadlines",
            CharterDeadlines(),
            _("No ballot or other charter deadline is overdue."),
            needs=DATABASE,
        ),
        Probe(
            "ballot_boxes",
            BallotBoxes(),
            _("No ballot found void waits for a new count."),
            needs=DATABASE,
        ),
        Probe(
            "ballot_engine",
            BallotEngine(),
            _("belenios-tool, which runs every ballot, is installed."),
        ),
        Probe(
            "email_deliveries",
            EmailDeliveries(),
            _("No email waits longer than it should."),
            needs=DATABASE,
        ),
        Probe(
            "post_announcements",
            PostAnnouncements(),
            _("Every post is announced to its watchers in time."),
            needs=DATABASE,
        ),
    ]


def _redis_probes() -> list[Probe]:
    """Redis and a worker listening on it, with REDIS_URL: the embedded setup has neither."""
    if not settings.REDIS_URL:
        return []
    return [
        Probe(
            REDIS,
            Redis(
                client_factory=partial(
                    RedisClient.from_url,
                    settings.REDIS_URL,
                    socket_connect_timeout=1,
                    socket_timeout=1,
                )
            ),
            _("Redis answers: it holds the background tasks' queue and the shared cache."),
            _(
                "Redis does not answer: background tasks wait and the shared rate limits "
                "are not enforced."
            ),
        ),
        Probe(
            "worker",
            # One worker answering is enough: no need to wait out the timeout for others.
            Ping(limit=1),
            _("A Celery worker answers."),
            _("No Celery worker answers: emails and the charter's deadlines wait."),
            needs=REDIS,
        ),
    ]


@never_cache
@require_safe
async def healthz(request: HttpRequest) -> JsonResponse:
    planned = probes()
    # The database and Redis first: what needs one of them is not tried while it is down.
    results = await _run([probe for probe in planned if probe.needs is None])
    results |= await _run(
        [probe for probe in planned if probe.needs and results[probe.needs].error is None]
    )
    report = {probe.name: _outcome(probe, results.get(probe.name)) for probe in planned}
    healthy = all(outcome["status"] == "ok" for outcome in report.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": report},
        status=200 if healthy else 503,
    )


async def _run(chosen: list[Probe]) -> dict[str, HealthCheckResult]:
    results = await asyncio.gather(*(probe.check.get_result() for probe in chosen))
    return {probe.name: result for probe, result in zip(chosen, results, strict=True)}


def _outcome(probe: Probe, result: HealthCheckResult | None) -> dict[str, str]:
    if result is None:
        reason = {
            DATABASE: _("Not checked: the database does not answer."),
            REDIS: _("Not checked: Redis does not answer."),
        }[probe.needs]
        return {"status": "failing", "reason": reason}
    if result.error is None:
        return {"status": "ok", "reason": probe.passed}
    if probe.failed is not None:
        return {"status": "failing", "reason": probe.failed}
    if type(result.error) is not ServiceUnavailable:
        # An unexpected exception (django-health-check logged it): its text stays in the log.
        return {"status": "failing", "reason": _("The check failed; the server's log says why.")}
    return {"status": "failing", "reason": result.error.message}
