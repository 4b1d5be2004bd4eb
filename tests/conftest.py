"""Personas and fixtures shared by the whole suite: a visitor, a member, a moderator, an admin."""

import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations
from django.test import Client
from django.utils import translation

from config.file_storage import s3_storage
from tests import triggers
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import PASSWORD, MemberFactory, signed_in


@pytest.fixture(scope="session", autouse=True)
def flush_past_the_record_triggers():
    """Transactional tests empty the database between tests, which the record's triggers
    refuse: their flush lifts them for its own transaction (tests/triggers.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            BaseDatabaseOperations, "execute_sql_flush", triggers.execute_sql_flush_past_triggers
        )
        yield


@pytest.fixture(autouse=True)
def site_language():
    """A test that serves a page in another language leaves the next one in the default."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def without_rate_limits(settings):
    """For a test that hammers a view on purpose (twenty tabs at once): the members' rate
    limits (config/rate_limits.py) would refuse it before the rule it checks."""
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def member(db):
    return MemberFactory(username="alice", display_name="Alice Martin")


@pytest.fixture
def other_member(db):
    return MemberFactory(username="bruno", display_name="Bruno Petit")


@pytest.fixture
def moderator(db):
    return MemberFactory(username="noor", display_name="Noor Haddad", is_moderator=True)


@pytest.fixture
def admin_member(db):
    return MemberFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def visitor_client() -> Client:
    return Client()


@pytest.fixture
def member_client(member) -> Client:
    return signed_in(member)


@pytest.fixture
def other_client(other_member) -> Client:
    return signed_in(other_member)


@pytest.fixture
def moderator_client(moderator) -> Client:
    return signed_in(moderator)


@pytest.fixture
def admin_client(admin_member) -> Client:
    """Signed in as `admin_member` (pytest-django's own admin_client is another account)."""
    return signed_in(admin_member)


@pytest.fixture
def category(db):
    return CategoryFactory(name="Gardens", slug="gardens")


@pytest.fixture
def thread(category, member):
    return make_thread(category=category, author=member, title="Seed swap in spring")


@pytest.fixture
def signer(tmp_path, monkeypatch):
    """Signs mail with DKIM for example.org, the members' mail domain, whose key the site
    finds (the live stack's processes too: they read the same test's records)."""
    from tests.incoming import dkim

    monkeypatch.setenv(dkim.RECORDS, str(dkim.records_file(tmp_path)))
    signer = dkim.Signer(dkim.records_file(tmp_path))
    signer.publish("example.org")
    return signer


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3-compatible server, started once per test process (tests/s3.py)."""
    from tests.s3 import S3Server

    server = S3Server()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_files(s3_server, settings):
    """Members' files kept in the test server's bucket, with the options FILE_STORAGE=s3 gives
    (changing STORAGES makes Django forget the storage it had: default_storage follows)."""
    from tests.s3 import BUCKET, CREDENTIALS

    settings.FILE_STORAGE = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket_name=BUCKET, endpoint_url=s3_server.endpoint_url, **CREDENTIALS
        ),
    }
    yield s3_server
    s3_server.empty()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files as production serves them: collected, compressed, with hashed names."""
    import subprocess
    import sys

    from tests import live_stack

    root = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=live_stack.ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "collectstatic",
            "SITE_URL": "http://x",
            "STATIC_ROOT": str(root),
            "DATABASE_URL": "sqlite://:memory:",
        },
        check=True,
    )
    return root


@pytest.fixture
def live_stack(transactional_db, tmp_path, collected_static):
    """Production's parts on 127.0.0.1, sharing the test database: Redis, a Celery worker with
    beat, gunicorn, and a mail server. Sweeps run every second and a delivery's lease lasts
    four, so that recovery from a fault shows within a test's patience."""
    from tests import live_stack
    from tests.incoming import dkim

    redis_server = live_stack.RedisServer(tmp_path)
    mail = live_stack.MailServer()
    web_port = live_stack.free_port()
    env = {
        "PATH": f"{live_stack.ROOT / '.venv' / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": settings.SECRET_KEY,  # sessions written here must be valid there
        "DATABASE_URL": live_stack.database_url(connection.settings_dict),
        "REDIS_URL": redis_server.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{mail.port}",
        "SITE_URL": f"http://127.0.0.1:{web_port}",
        # Replies by email are addressed as the tests address them.
        "REPLY_DOMAIN": settings.REPLY_DOMAIN,
        # DKIM keys are the test's own (tests/incoming/dkim.py), never looked up in DNS.
        "INCOMING_DKIM_TXT_LOOKUP": settings.INCOMING_DKIM_TXT_LOOKUP,
        dkim.RECORDS: str(dkim.records_file(tmp_path)),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "0",
        "STATIC_ROOT": str(collected_static),
        "NOTIFICATIONS_SWEEP_SECONDS": "1",
        "CHARTER_DEADLINES_SECONDS": "1",
        "NOTIFICATIONS_DELIVERY_LEASE_SECONDS": "4",
    }
    worker = live_stack.celery_worker(env, tmp_path / "worker.log", tmp_path / "beat-schedule")
    web = live_stack.gunicorn(env, tmp_path / "web.log", web_port)
    web.base_url = env["SITE_URL"]
    started = []
    try:
        for part in (redis_server, mail, worker, web):
            part.start()
            started.append(part)
        yield live_stack.LiveStack(redis_server, mail, worker, web)
    finally:
        # The test is over and nothing of theirs needs finishing: the processes are killed
        # rather than stopped (a Celery worker's warm shutdown alone takes seconds).
        for part in reversed(started):
            if isinstance(part, live_stack.Service):
                part.kill()
            else:
                part.stop()


@pytest.fixture
def lmtp(live_stack, tmp_path):
    """The port of `manage.py receive_mail --lmtp`, run as the site runs it, beside the live
    stack's worker."""
    from tests import live_stack as parts

    port = parts.free_port()
    server = parts.Service(
        "receive_mail --lmtp",
        [sys.executable, "manage.py", "receive_mail", "--lmtp", f"127.0.0.1:{port}"],
        live_stack.worker.env,
        tmp_path / "lmtp.log",
        ready="LMTP server listening",
    )
    server.start()
    yield port
    server.stop()


def pytest_addoption(parser):
    parser.addoption(
        "--postgresql-share",
        action="store_true",
        help="only what `make test` runs on PostgreSQL after its SQLite run: the tests that "
        "need PostgreSQL, a browser or the live services, and those whose outcome depends on "
        "the SQL each database answers (marker both_databases)",
    )


# Run by `make test` on PostgreSQL as well as on SQLite (where the others run).
POSTGRESQL_SHARE = ("database", "both_databases", "browser", "integration", "postgresql")


def pytest_collection_modifyitems(config, items):
    if config.getoption("postgresql_share"):
        share = [item for item in items if any(mark in item.keywords for mark in POSTGRESQL_SHARE)]
        config.hook.pytest_deselected(items=[item for item in items if item not in share])
        items[:] = share
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (run the suite through `make test`)")
    for item in items:
        if "postgresql" in item.keywords or "integration" in item.keywords:
            item.add_marker(skip)
