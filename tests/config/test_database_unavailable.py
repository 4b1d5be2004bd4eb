"""While the database cannot be reached, pages answer 503 with a page of their own, not a 500
or a traceback; they say when to come back, the error is logged, and the site recovers by
itself once the database is back.

Requests go through Django's WSGI handler, as gunicorn calls it, so the connection is checked
and closed at the start and end of each request as in production (the test Client skips that).
The database is real: a server socket nobody listens on, a file that cannot be opened, or, on
PostgreSQL, a throwaway server stopped and started again.
"""

import json
import logging
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from django.db import DatabaseError, OperationalError, connection, connections

from config.middleware import RETRY_AFTER_SECONDS
from config.settings import mailer_from_url
from notifications import services as notifications
from notifications.models import Channel, Delivery, DeliveryState, EmailChoice, Kind, Notification
from tests.builders.members import MemberFactory
from tests.config.database_outage import database_at, wsgi_get
from tests.live_stack import MailServer, PostgresServer

# Each runs as the database of the run fails: a PostgreSQL server or an SQLite file.
pytestmark = pytest.mark.database

UNAVAILABLE = "The forum is briefly unavailable"


@pytest.fixture
def unreachable_database(django_db_blocker, tmp_path):
    """A PostgreSQL socket directory where no server listens, or an SQLite file that cannot be
    opened: connecting fails the way it does when the server is down."""
    if connections["default"].vendor == "postgresql":
        place = {"HOST": str(tmp_path), "PORT": "5432"}
    else:
        place = {"NAME": str(tmp_path / "no-such-directory" / "palabre.sqlite3")}
    with django_db_blocker.unblock(), database_at(**place):
        yield


def test_a_page_answers_503_with_its_own_page(unreachable_database):
    response = wsgi_get("/")
    assert response.status_code == 503
    assert UNAVAILABLE in response.text
    assert "Traceback" not in response.text
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response.headers["Cache-Control"]


def test_the_page_keeps_the_security_headers(unreachable_database):
    headers = wsgi_get("/charter/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_member_whose_session_cannot_be_read_gets_the_same_page(unreachable_database):
    """The session is read by the middlewares that ask who the member is, before any view."""
    response = wsgi_get("/t/1/", cookie="sessionid=a-session-the-database-cannot-look-up")
    assert response.status_code == 503
    assert UNAVAILABLE in response.text


def test_the_page_speaks_the_readers_language(unreachable_database):
    response = wsgi_get("/", accept_language="fr")
    assert response.status_code == 503
    assert '<html lang="fr">' in response.text


def test_the_error_is_logged(unreachable_database, caplog):
    with caplog.at_level(logging.ERROR, logger="config.middleware"):
        wsgi_get("/moderation/journal/")
    [record] = [r for r in caplog.records if r.name == "config.middleware"]
    assert record.getMessage() == "Database unavailable, answered 503: GET /moderation/journal/"
    assert isinstance(record.exc_info[1], OperationalError)


def test_the_health_check_reports_the_database_unavailable(unreachable_database):
    """/healthz answers its own 503, in JSON, rather than the site's page."""
    response = wsgi_get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.text)["checks"]["database"]["status"] == "failing"


@pytest.fixture
def throwaway_postgresql(db, django_db_blocker):
    """A PostgreSQL server of this test's own, holding the test database's tables (empty)."""
    test_database = connections["default"].settings_dict
    # A unix socket path must stay short: not under pytest's deep temporary directories.
    with tempfile.TemporaryDirectory(prefix="palabre-pg.") as directory:
        server = PostgresServer(Path(directory))
        server.initdb()
        server.start()
        try:
            source = [
                f"--host={test_database['HOST']}",
                f"--port={test_database['PORT']}",
                f"--username={test_database['USER']}",
            ]
            schema = subprocess.run(
                [
                    server.bin / "pg_dump",
                    "--schema-only",
                    "--no-owner",
                    *source,
                    test_database["NAME"],
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            target = [f"--host={directory}", f"--port={server.port}", f"--username={server.ROLE}"]
            subprocess.run(
                [server.bin / "psql", "--quiet", "--set=ON_ERROR_STOP=1", *target, "postgres"],
                input=schema,
                check=True,
                capture_output=True,
                text=True,
            )
            with django_db_blocker.unblock(), database_at(**server.settings()):
                yield server
        finally:
            server.stop(mode="immediate")


@pytest.mark.postgresql
def test_pages_answer_503_while_postgresql_is_down_and_recover_once_it_is_back(
    throwaway_postgresql,
):
    assert wsgi_get("/").status_code == 200  # and the connection is kept for the next request
    throwaway_postgresql.stop(mode="fast")
    down = wsgi_get("/")
    assert down.status_code == 503
    assert UNAVAILABLE in down.text
    assert wsgi_get("/healthz").status_code == 503
    throwaway_postgresql.start()
    assert wsgi_get("/").status_code == 200
    assert wsgi_get("/healthz").status_code == 200


@pytest.mark.postgresql
def test_an_email_accepted_as_the_database_goes_down_is_recorded_sent_once_it_is_back(
    throwaway_postgresql, settings
):
    settings.NOTIFICATIONS_DELIVERY_LEASE_SECONDS = 30
    mail = MailServer()
    mail.start()
    settings.MAILERS = {"default": mailer_from_url(f"smtp://127.0.0.1:{mail.port}")}
    member = MemberFactory()
    told = Notification.objects.create(
        recipient=member,
        kind=Kind.REPLY,
        event_key="post:1",
        group_key="thread:1",
        title="Seed swap",
        url="/t/1/",
        email=EmailChoice.IMMEDIATELY,
    )
    delivery = Delivery.objects.create(
        recipient=member,
        channel=Channel.IMMEDIATE,
        notification=told,
        next_attempt_at=told.created_at,
    )
    mail.hold(member.email, accept=True)
    found_gone = threading.Event()
    worker = threading.Thread(target=_deliver, args=(delivery.pk, found_gone))
    try:
        worker.start()
        assert mail.holding.wait(timeout=30), "the email never reached the mail server"
        throwaway_postgresql.stop(mode="fast")
        mail.release()  # the mail server accepts the email: the database is gone
        assert found_gone.wait(timeout=30), "the worker never found the database gone"
        throwaway_postgresql.start()
        worker.join(timeout=30)
    finally:
        mail.stop()
    connections["default"].close()  # this thread's connection died with the server
    delivery.refresh_from_db()
    # Recorded sent, the claim released: no sweep will hand it on once the lease ends.
    assert (delivery.state, delivery.lease_until) == (DeliveryState.SENT, None)
    assert mail.recipients() == [member.email]


def _deliver(delivery_id: int, found_gone: threading.Event) -> None:
    """A worker, on its own connection, as the database goes away while it sends: `found_gone`
    is set when a query of its fails, as it records the email sent."""

    def noting_failures(execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except DatabaseError:
            found_gone.set()
            raise

    try:
        with connection.execute_wrapper(noting_failures):
            notifications.deliver(delivery_id=delivery_id)
    finally:
        connections.close_all()
