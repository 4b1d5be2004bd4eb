"""The charter's part of the record (DESIGN.md, "The record"): below the services, the database
refuses to change a ratified version, its articles or its parameters; every ratification puts
the new version in the hash chain, whose digest the charter page and the notice show."""

from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from charter import record, services
from charter.models import Article, CharterVersion, VersionState
from core.hash_chain import GENESIS
from notifications import services as notifications
from notifications.models import EmailChoice, Kind, Notification
from tests.builders.charter import ARTICLES, article, ratify_amendment, reword
from tests.builders.members import signed_in

# Its outcome depends on the SQL each database answers (the record's triggers, the clear box):
# run on both (make test).
pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@contextmanager
def refused(match: str | None = None):
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        yield


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def stored(version: CharterVersion) -> tuple:
    version = CharterVersion.objects.get(pk=version.pk)
    articles = list(version.articles.values_list("number", "title", "body"))
    return version.state, version.number, version.parameters, version.digest, articles


def reword_by_save(version):
    found = article(version, 2)
    found.body = "Anything goes."
    found.save()


def reword_by_update(version):
    Article.objects.filter(version=version, number=2).update(body="Anything goes.")


def reword_by_sql(version):
    sql("UPDATE charter_article SET body = 'Anything goes.' WHERE version_id = %s", [version.pk])


@pytest.mark.parametrize("reword", [reword_by_save, reword_by_update, reword_by_sql])
def test_the_database_refuses_to_reword_a_ratified_article(charter_v1, reword):
    before = stored(charter_v1)
    with refused():
        reword(charter_v1)
    assert stored(charter_v1) == before


def lower_by_save(version):
    version.parameters = version.parameters | {"quorum_standard": 1}
    version.save()


def lower_by_update(version):
    CharterVersion.objects.filter(pk=version.pk).update(parameters={"quorum_standard": 1})


def lower_by_sql(version):
    sql(
        "UPDATE charter_charterversion SET parameters = %s WHERE id = %s",
        ['{"quorum_standard": 1}', version.pk],
    )


def unratify_by_sql(version):
    sql("UPDATE charter_charterversion SET state = 'rejected' WHERE id = %s", [version.pk])


def reseal_by_update(version):
    CharterVersion.objects.filter(pk=version.pk).update(digest="0" * 64)


@pytest.mark.parametrize(
    "change", [lower_by_save, lower_by_update, lower_by_sql, unratify_by_sql, reseal_by_update]
)
def test_the_database_refuses_to_change_a_ratified_version_or_its_parameters(charter_v1, change):
    before = stored(charter_v1)
    with refused():
        change(charter_v1)
    assert stored(charter_v1) == before


def delete_articles_by_orm(version):
    Article.objects.filter(version=version).delete()


def delete_articles_by_sql(version):
    sql("DELETE FROM charter_article WHERE version_id = %s", [version.pk])


def delete_version_by_sql(version):
    sql("DELETE FROM charter_charterversion WHERE id = %s", [version.pk])


@pytest.mark.parametrize(
    "delete", [delete_articles_by_orm, delete_articles_by_sql, delete_version_by_sql]
)
def test_the_database_refuses_to_delete_a_ratified_version_or_its_articles(charter_v1, delete):
    before = stored(charter_v1)
    with refused():
        delete(charter_v1)
    assert stored(charter_v1) == before


def test_the_database_refuses_a_new_article_in_a_ratified_version(charter_v1):
    before = stored(charter_v1)
    with refused():
        Article.objects.create(version=charter_v1, number=9, title="Extra", body="Added later.")
    with refused():
        sql(
            "INSERT INTO charter_article (version_id, identity, number, title, body, html,"
            " entrenched) VALUES (%s, %s, 9, 'Extra', 'Added later.', '', false)",
            [charter_v1.pk, "0b9d8bd5-7c7c-4d6e-9d8e-6d4c4d1f8a11"],
        )
    assert stored(charter_v1) == before


def test_a_draft_stays_writable_until_it_is_ratified(admin_member):
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES, parameters={}
    )
    services.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES[:2], parameters={"cosponsors": 5}
    )
    draft.refresh_from_db()
    assert (draft.state, draft.articles.count(), draft.parameters["cosponsors"]) == (
        VersionState.PROVISIONAL,
        2,
        5,
    )
    assert draft.digest == ""


@pytest.mark.postgresql
@pytest.mark.parametrize("table", ["charter_charterversion", "charter_article"])
def test_postgresql_refuses_to_truncate_the_charter(charter_v1, table):
    before = stored(charter_v1)
    # The test's own foreign keys, checked now: with checks pending, PostgreSQL would refuse
    # to truncate anyway, for that reason.
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    with refused(match="never truncated"):
        sql(f"TRUNCATE {table} CASCADE")
    assert stored(charter_v1) == before


def test_every_ratification_puts_its_version_in_the_record(charter_v1):
    v1 = CharterVersion.objects.get(pk=charter_v1.pk)
    assert v1.previous_digest == GENESIS
    v2 = ratify_amendment(v1, [reword(v1, 2, "Posts stay on topic.")])
    assert (v2.previous_digest, len(v2.digest)) == (v1.digest, 64)
    verification = record.RATIFIED_VERSIONS.verify()
    assert (verification.ok, verification.rows, verification.head) == (True, 2, v2.digest)
    assert record.head() == v2.digest


def test_the_charter_page_shows_the_digest_of_the_version_in_force(charter_v1, client):
    v2 = ratify_amendment(charter_v1, [reword(charter_v1, 2, "Posts stay on topic.")])
    assert v2.digest in client.get("/charter/").text
    assert CharterVersion.objects.get(pk=charter_v1.pk).digest in client.get("/charter/v/1/").text


def test_the_ratification_notice_carries_the_new_versions_digest(
    founders, ratify_founding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = ratify_founding(founders)
    notice = Notification.objects.get(recipient=founders[0], kind=Kind.CHARTER_RATIFIED)
    assert version.digest in notice.excerpt
    [email] = [
        message
        for message in mail.outbox
        if message.to == [founders[0].email] and message.subject.endswith(notice.summary)
    ]
    assert version.digest in email.body
    assert version.digest in signed_in(founders[0]).get("/notifications/").text


def test_a_ratification_notice_in_the_daily_digest_carries_the_digest_too(
    founders, ratify_founding, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATIONS_DIGEST_HOUR = 0
    keeper = founders[0]
    notifications.choose_emails(member=keeper, choices={Kind.CHARTER_RATIFIED: EmailChoice.DIGEST})
    version = ratify_founding(founders)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.queue_daily_digests(now=timezone.now())
    [digest] = [message for message in mail.outbox if message.to == [keeper.email]]
    assert version.digest in digest.body
    assert version.digest in digest.alternatives[0].content
