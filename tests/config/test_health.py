"""/health/: the database, the cache, and the charter's rule that no ballot outlives its close."""

from datetime import UTC, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from charter import services
from charter.models import Ballot
from config.urls import health_checks

CHARTER_CHECK = "CharterDeadlines()"


@pytest.fixture
def founding_ballot(admin_member):
    """A founding ballot whose close was `overdue` ago."""

    def open_ballot(*, overdue: timedelta) -> Ballot:
        draft = services.start_provisional_charter()
        services.edit_provisional_charter(
            admin=admin_member,
            version=draft,
            articles=[services.ArticleDraft("Respect", "Members address each other with respect.")],
            parameters={},
        )
        opened = timezone.now() - timedelta(days=settings.CHARTER_FOUNDING_BALLOT_DAYS) - overdue
        return services.open_founding_ballot(admin=admin_member, version=draft, now=opened)

    return open_ballot


def health(client, **headers):
    return client.get("/health/?format=json", headers=headers)


def test_a_healthy_site_answers_200_without_sign_in(visitor_client, db):
    response = health(visitor_client)
    assert response.status_code == 200
    assert response.json() == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        CHARTER_CHECK: "OK",
    }


def test_the_page_is_html_unless_json_is_asked_for(visitor_client, db):
    response = visitor_client.get("/health/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-cache" in response["Cache-Control"]


def test_an_open_ballot_past_its_close_is_reported(visitor_client, founding_ballot):
    ballot = founding_ballot(overdue=timedelta(minutes=10))
    response = health(visitor_client)
    assert response.status_code == 500
    report = response.json()
    assert report["Database(alias='default')"] == "OK"
    message = report[CHARTER_CHECK]
    assert message.startswith("Unavailable: 1 open ballot is past its close")
    assert f"#{ballot.pk}" in message
    assert f"{ballot.closes_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" in message
    assert "neither Celery beat (task charter.tasks.run_deadlines) nor the" in message


def test_an_overdue_ballot_fails_the_check_whatever_the_format(visitor_client, founding_ballot):
    founding_ballot(overdue=timedelta(minutes=10))
    as_json = visitor_client.get("/health/", headers={"accept": "application/json"})
    assert as_json.status_code == 500
    assert "past its close" in as_json.json()[CHARTER_CHECK]
    assert visitor_client.get("/health/").status_code == 500


def test_the_report_clears_once_the_deadlines_have_run(visitor_client, founding_ballot):
    founding_ballot(overdue=timedelta(minutes=10))
    services.run_deadlines()
    response = health(visitor_client)
    assert response.status_code == 200
    assert response.json()[CHARTER_CHECK] == "OK"


def test_a_ballot_just_past_its_close_is_within_the_grace(visitor_client, founding_ballot):
    grace = timedelta(seconds=settings.CHARTER_CLOSE_GRACE_SECONDS)
    ballot = founding_ballot(overdue=grace - timedelta(minutes=1))
    assert ballot.closes_at < timezone.now()
    assert health(visitor_client).status_code == 200


def test_without_redis_neither_the_broker_nor_a_worker_is_checked(settings):
    settings.REDIS_URL = ""
    assert not any("contrib" in str(check) for check in health_checks())


def test_with_redis_the_broker_and_a_worker_are_checked(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    checked = [check[0] if isinstance(check, tuple) else check for check in health_checks()]
    assert "health_check.contrib.redis.Redis" in checked
    assert "health_check.contrib.celery.Ping" in checked
