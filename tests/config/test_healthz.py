"""/healthz: JSON for monitoring, 200 while every check passes and 503 once one fails; each
check named with its status and a reason nobody could learn a secret from. /health/ sends
there for good.

The charter's deadlines are built through `charter.services` with the clock passed in, so the
overdue states are the ones a stopped beat really leaves behind. The database and Redis are
real: one nobody listens to, and on the production stack (gunicorn, a Celery worker, Redis)
a worker and a Redis stopped in the middle of the test.
"""

import json
import time
import urllib.error
import urllib.request
from datetime import UTC, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from charter import services as charter
from charter.models import Ballot, Box, Proposal, ProposalState
from charter.parameters import defaults
from config.health import probes
from forum.models import Post
from notifications.models import Channel, Delivery, DeliveryState, EmailChoice, Kind, Notification
from tests.builders.charter import found_charter, open_founding, propose, put_to_ballot, reword
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory, elders
from tests.config.database_outage import database_at, wsgi_get
from tests.live_stack import RedisServer, free_port

WITHOUT_REDIS = [
    "database",
    "cache",
    "charter_deadlines",
    "ballot_boxes",
    "ballot_engine",
    "email_deliveries",
    "post_announcements",
]
# One for the database, four for the charter's deadlines, one for its ballot boxes, none for
# the ballot engine, one each for emails and posts.
QUERIES = 8
LATE = timedelta(minutes=10)  # well past every grace the checks allow


def healthz(client):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    return response


def failing(response) -> dict[str, str]:
    assert response.status_code == 503
    assert response.json()["status"] == "failing"
    return {
        name: check["reason"]
        for name, check in response.json()["checks"].items()
        if check["status"] == "failing"
    }


@pytest.fixture
def founders(db):
    return elders()


@pytest.fixture
def charter_v1(admin_member, founders):
    return found_charter(admin=admin_member, voters=founders, now=timezone.now(), box=Box.CLEAR)


@pytest.fixture
def amend(charter_v1, founders):
    """A proposal on article 2 submitted at `at`, and co-sponsored then unless `sponsored` is
    false: its co-sponsors are due 14 days later, its discussion ends 7 days later."""

    def make(*, at, sponsored: bool = True) -> Proposal:
        changes = [reword(charter_v1, 2, "Posts stay on topic.")]
        return propose(founders[0], changes, now=at, sponsors=founders[1:] if sponsored else ())

    return make


@pytest.fixture
def founding_ballot(admin_member):
    """A founding ballot whose close was `overdue` ago."""

    def open_ballot(*, overdue: timedelta) -> Ballot:
        draft = charter.start_provisional_charter()
        charter.edit_provisional_charter(
            admin=admin_member,
            version=draft,
            articles=[charter.ArticleDraft("Respect", "Members address each other with respect.")],
            parameters={},
        )
        opened = timezone.now() - timedelta(days=defaults()["founding_ballot_days"]) - overdue
        return open_founding(admin_member, draft, now=opened)

    return open_ballot


# A healthy site


def test_a_healthy_site_answers_200_without_sign_in(visitor_client, db):
    response = healthz(visitor_client)
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert list(report["checks"]) == WITHOUT_REDIS
    assert {check["status"] for check in report["checks"].values()} == {"ok"}
    assert report["checks"]["database"]["reason"] == "The database answers."


def test_the_old_health_page_sends_here_for_good(visitor_client, db):
    response = visitor_client.get("/health/?format=json")
    assert response.status_code == 301
    assert response["Location"] == "/healthz"


def test_the_old_health_page_checks_nothing_and_tells_nothing(
    visitor_client, db, settings, monkeypatch, django_assert_num_queries
):
    # django-health-check's page, public, named Redis's host and port and a memory address,
    # and pinged the worker at each request.
    settings.REDIS_URL = "redis://:redis-pw-6f1c@10.9.8.7:6390/0"
    monkeypatch.setattr("config.health.probes", lambda: pytest.fail("a check ran"))
    with django_assert_num_queries(0):
        response = visitor_client.get("/health/")
    assert (response.status_code, response.content) == (301, b"")
    told = str(response.headers)
    for secret in ("redis-pw-6f1c", "10.9.8.7", "6390", " at 0x"):
        assert secret not in told


def test_with_redis_it_checks_redis_a_worker_and_the_cache_there(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert {probe.name: probe.needs for probe in probes()} == {
        "database": None,
        "redis": None,
        "worker": "redis",
        "cache": "redis",
        "charter_deadlines": "database",
        "ballot_boxes": "database",
        "ballot_engine": None,
        "email_deliveries": "database",
        "post_announcements": "database",
    }


def test_it_is_never_cached_and_only_read(visitor_client, db):
    assert "no-cache" in healthz(visitor_client)["Cache-Control"]
    assert visitor_client.post("/healthz").status_code == 405


def test_it_answers_in_the_same_few_queries_however_much_is_overdue(
    visitor_client, amend, django_assert_num_queries
):
    with django_assert_num_queries(QUERIES):
        assert healthz(visitor_client).status_code == 200
    for days in (13, 14, 15):
        amend(at=timezone.now() - timedelta(days=days) - LATE, sponsored=False)
        amend(at=timezone.now() - timedelta(days=days / 2) - LATE)
    for _ in range(3):
        overdue_email(minutes=30)
        unannounced_post(minutes=30)
    with django_assert_num_queries(QUERIES):
        assert set(failing(healthz(visitor_client))) == {
            "charter_deadlines",
            "email_deliveries",
            "post_announcements",
        }


# The charter's deadlines, each past its time by more than CHARTER_CLOSE_GRACE_SECONDS


def test_an_open_ballot_past_its_close_is_reported(visitor_client, founding_ballot):
    ballot = founding_ballot(overdue=LATE)
    reason = failing(healthz(visitor_client))["charter_deadlines"]
    assert reason.startswith("1 open ballot is past its close")
    assert f"#{ballot.pk}" in reason
    assert f"{ballot.closes_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" in reason
    assert "neither Celery beat (task charter.tasks.run_deadlines) nor the" in reason
    charter.run_deadlines()
    assert healthz(visitor_client).status_code == 200


def test_a_ballot_just_past_its_close_is_within_the_grace(visitor_client, founding_ballot):
    grace = timedelta(seconds=settings.CHARTER_CLOSE_GRACE_SECONDS)
    ballot = founding_ballot(overdue=grace - timedelta(minutes=1))
    assert ballot.closes_at < timezone.now()
    assert healthz(visitor_client).status_code == 200


def test_a_reminder_not_sent_48_hours_before_the_close_is_reported(visitor_client, amend):
    # Its discussion ended 6 days ago: the 7-day ballot closes in a day, the reminder was due
    # a day ago.
    ballot = put_to_ballot(amend(at=timezone.now() - timedelta(days=13)))
    assert ballot.reminded_at is None
    reason = failing(healthz(visitor_client))["charter_deadlines"]
    assert reason.startswith("1 open ballot has not yet sent its reminder to those who have not")
    assert f"#{ballot.pk}" in reason
    charter.run_deadlines()
    assert healthz(visitor_client).status_code == 200


def test_a_reminder_not_yet_due_is_not_reported(visitor_client, amend):
    put_to_ballot(amend(at=timezone.now() - timedelta(days=10)))  # closes in 4 days
    assert healthz(visitor_client).status_code == 200


def test_a_proposal_past_its_time_to_find_co_sponsors_is_reported(visitor_client, amend):
    proposal = amend(at=timezone.now() - timedelta(days=14) - LATE, sponsored=False)
    reason = failing(healthz(visitor_client))["charter_deadlines"]
    assert reason.startswith("1 proposal is past the end of its time to find co-sponsors")
    assert f"{proposal.sponsors_due_at:%Y-%m-%d %H:%M} UTC" in reason
    charter.run_deadlines()
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.LAPSED
    assert healthz(visitor_client).status_code == 200


def test_a_discussion_past_its_end_is_reported(visitor_client, amend):
    amend(at=timezone.now() - timedelta(days=7) - LATE)
    reason = failing(healthz(visitor_client))["charter_deadlines"]
    assert reason.startswith("1 proposal's discussion is past its end and its text is not frozen")
    charter.run_deadlines()
    assert healthz(visitor_client).status_code == 200


def test_a_discussion_within_the_grace_is_not_reported(visitor_client, amend):
    grace = timedelta(seconds=settings.CHARTER_CLOSE_GRACE_SECONDS)
    proposal = amend(at=timezone.now() - timedelta(days=7) - grace + timedelta(minutes=1))
    assert proposal.discussion_ends_at < timezone.now()
    assert healthz(visitor_client).status_code == 200


def test_a_frozen_proposal_whose_ballot_did_not_open_is_reported(visitor_client, amend):
    proposal = amend(at=timezone.now() - timedelta(days=7) - LATE)
    charter.end_discussions(now=timezone.now())  # frozen; the ballots' step never ran
    reason = failing(healthz(visitor_client))["charter_deadlines"]
    assert reason.startswith("1 frozen proposal waits for its ballot while none is open")
    charter.run_deadlines()
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.BALLOT
    assert healthz(visitor_client).status_code == 200


def test_a_frozen_proposal_waiting_for_a_ballot_on_the_same_article_is_not_reported(
    visitor_client, amend
):
    running = put_to_ballot(amend(at=timezone.now() - timedelta(days=8)))
    waiting = amend(at=timezone.now() - timedelta(days=7) - LATE)
    charter.run_deadlines()
    waiting.refresh_from_db()
    assert (running.state, waiting.state) == ("open", ProposalState.FROZEN)
    assert healthz(visitor_client).status_code == 200


# Notifications: emails and announcements waiting past two sweeps and a lease


def overdue_email(*, minutes: float, state: str = DeliveryState.PENDING) -> Delivery:
    """An email due `minutes` ago, still `state` (a claim held by a worker gone that long)."""
    member = MemberFactory()
    told = Notification.objects.create(
        recipient=member,
        kind=Kind.REPLY,
        event_key=f"post:{member.pk}",
        group_key="thread:1",
        title="Seed swap",
        url="/t/1/",
        email=EmailChoice.IMMEDIATELY,
    )
    due = timezone.now() - timedelta(minutes=minutes)
    return Delivery.objects.create(
        recipient=member,
        channel=Channel.IMMEDIATE,
        notification=told,
        state=state,
        next_attempt_at=due,
        lease_until=due if state == DeliveryState.SENDING else None,
    )


def unannounced_post(*, minutes: float) -> Post:
    post = make_thread().posts.get()
    Post.objects.filter(pk=post.pk).update(
        announced=False, created_at=timezone.now() - timedelta(minutes=minutes)
    )
    return post


def test_an_email_waiting_long_after_it_was_due_is_reported(visitor_client, db):
    delivery = overdue_email(minutes=30)
    reason = failing(healthz(visitor_client))["email_deliveries"]
    assert reason.startswith("1 email due at ")
    assert "is still waiting to be sent" in reason
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENT, sent_at=timezone.now())
    assert healthz(visitor_client).status_code == 200


def test_an_email_held_by_a_worker_gone_long_ago_is_reported(visitor_client, db):
    overdue_email(minutes=30, state=DeliveryState.SENDING)
    assert "email_deliveries" in failing(healthz(visitor_client))


def test_an_email_queued_a_sweep_ago_is_not_reported(visitor_client, db):
    overdue_email(minutes=settings.NOTIFICATIONS_SWEEP_SECONDS / 60)
    assert healthz(visitor_client).status_code == 200


def test_an_email_given_up_after_its_attempts_is_not_reported(visitor_client, db):
    overdue_email(minutes=30, state=DeliveryState.FAILED)
    assert healthz(visitor_client).status_code == 200


def test_a_post_never_announced_to_its_watchers_is_reported(visitor_client, db):
    unannounced_post(minutes=30)
    reason = failing(healthz(visitor_client))["post_announcements"]
    assert reason.startswith("1 post written at ")
    assert "forum.tasks.announce_pending_posts" in reason


def test_a_post_just_written_is_not_reported(visitor_client, db):
    unannounced_post(minutes=1)
    assert healthz(visitor_client).status_code == 200


# What cannot be reached, and what the page never says


def test_a_database_that_cannot_be_reached_is_reported_and_nothing_else_is_tried(
    db, django_db_blocker, tmp_path
):
    place = (
        {"HOST": str(tmp_path), "PORT": "5432"}
        if settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
        else {"NAME": str(tmp_path / "no-such-directory" / "palabre.sqlite3")}
    )
    with django_db_blocker.unblock(), database_at(**place):
        response = wsgi_get("/healthz")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert str(tmp_path) not in response.text
    checks = json.loads(response.text)["checks"]
    assert checks["database"] == {"status": "failing", "reason": "The database does not answer."}
    assert checks["email_deliveries"] == {
        "status": "failing",
        "reason": "Not checked: the database does not answer.",
    }


def test_no_password_host_or_port_appears_when_the_database_and_redis_fail(
    db, django_db_blocker, settings
):
    database_port, redis_port = free_port(), free_port()
    settings.REDIS_URL = f"redis://:redis-pw-6f1c@127.0.0.1:{redis_port}/0"
    postgresql = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "palabre",
        "USER": "palabre",
        "PASSWORD": "database-pw-93ab",
        "HOST": "127.0.0.1",
        "PORT": str(database_port),
        "OPTIONS": {},
    }
    with django_db_blocker.unblock(), database_at(**postgresql):
        response = wsgi_get("/healthz")
    assert response.status_code == 503
    for secret in ("redis-pw-6f1c", "database-pw-93ab", str(database_port), str(redis_port)):
        assert secret not in response.text
    assert "127.0.0.1" not in response.text
    assert " at 0x" not in response.text  # an object's memory address
    assert '"redis": {"status": "failing"' in response.text
    assert '"worker": {"status": "failing", "reason": "Not checked: Redis' in response.text


# On the production stack


def get(url: str) -> tuple[int, dict, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:  # nosec B310: 127.0.0.1
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, json.loads(body), time.monotonic() - started


@pytest.mark.integration
def test_on_the_production_stack_a_stopped_worker_then_redis_are_reported(live_stack):
    url = f"{live_stack.web.base_url}/healthz"
    status, report, _seconds = get(url)
    assert (status, report["status"]) == (200, "ok"), report
    assert list(report["checks"]) == ["database", "redis", "worker", *WITHOUT_REDIS[1:]]

    live_stack.worker.stop()
    status, report, _seconds = get(url)
    assert status == 503
    assert report["checks"]["redis"]["status"] == "ok"
    assert report["checks"]["worker"] == {
        "status": "failing",
        "reason": "No Celery worker answers: emails and the charter's deadlines wait.",
    }

    live_stack.redis.stop()  # the cache and the broker with it
    status, report, seconds = get(url)
    assert status == 503
    assert report["checks"]["database"]["status"] == "ok"
    assert report["checks"]["redis"]["status"] == "failing"
    assert report["checks"]["worker"]["reason"] == "Not checked: Redis does not answer."
    assert str(live_stack.redis.port) not in str(report)
    assert seconds < 5


def test_redis_answering_passes_its_check(visitor_client, db, settings, tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        settings.REDIS_URL = redis.url
        report = visitor_client.get("/healthz").json()
    finally:
        redis.stop()
    assert report["checks"]["redis"]["status"] == "ok"
