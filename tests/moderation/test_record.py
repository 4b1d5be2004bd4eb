"""The journal's part of the record, and the check of the whole record (DESIGN.md, "The
record"): the database refuses to change, delete or empty the journal; every entry enters the
hash chain; the journal, its feed and the check show the digests; a row rewritten with the
triggers lifted, as a database owner can, is named by `verify_record`."""

import io
from contextlib import contextmanager
from xml.etree import ElementTree

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from charter import record as charter_record
from charter.models import CharterVersion
from core import hash_chain
from core.hash_chain import GENESIS
from forum import services as forum
from moderation import record
from moderation.models import AppealState, JournalCitation, JournalEntry
from moderation.services import hear_appeal
from tests.builders.charter import article
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory
from tests.builders.moderation import appeal, dismiss, signal, uphold
from tests.query_budget import queries_for
from tests.triggers import tampering

# Its outcome depends on the SQL each database answers (the record's triggers, the clear box):
# run on both (make test).
pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def entries(charter, moderator, second_moderator) -> list[JournalEntry]:
    """Three cases settled and one appeal heard, through the services: four entries."""
    thread = make_thread(title="Gardening tips", source="Let us talk about tomatoes.")
    posts = [
        forum.reply(author=MemberFactory(), thread=thread, source=f"Advert {n}.") for n in range(3)
    ]
    upheld = uphold(signal(posts[0]).case, moderator, articles=(2, 3))
    dismiss(signal(posts[1]).case, moderator)
    uphold(signal(posts[2]).case, moderator)
    hear_appeal(
        moderator=second_moderator,
        appeal=appeal(upheld),
        outcome=AppealState.OVERTURNED,
        rationale="On second reading.",
    )
    return list(JournalEntry.objects.order_by("pk"))


@contextmanager
def refused(match: str | None = None):
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        yield


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def stored() -> list[tuple]:
    return list(
        JournalEntry.objects.order_by("pk").values_list("pk", "rationale", "digest", "citations")
    )


def verify_record() -> str:
    out = io.StringIO()
    call_command("verify_record", stdout=out)
    return out.getvalue()


def mismatch() -> str:
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_record", stdout=out)
    return out.getvalue()


# Into the record


def test_every_journal_entry_enters_the_record_after_the_one_before(entries):
    previous = GENESIS
    for entry in entries:
        assert (entry.previous_digest, len(entry.digest)) == (previous, 64)
        assert entry.digest == hash_chain.digest_of(record.entry_content(entry))
        previous = entry.digest
    verification = record.JOURNAL.verify()
    assert (verification.ok, verification.rows, verification.head) == (True, 4, previous)
    assert record.head() == previous


def test_an_entrys_digest_covers_the_articles_it_cites(entries):
    first = entries[0]
    cited = sorted(first.citations.values_list("article_id", flat=True))
    assert len(cited) == 2
    assert record.entry_content(first)["citations"] == cited


def test_verify_record_says_ok_with_the_head_of_each_chain(entries, charter):
    output = verify_record()
    charter_head = CharterVersion.objects.get(pk=charter.pk).digest
    assert output.splitlines() == [
        "ok",
        f"Charter: 1 entries, head {charter_head}",
        f"Moderation journal: 4 entries, head {entries[-1].digest}",
    ]


# Append-only, down to the database


@pytest.mark.parametrize("table", ["moderation_journalentry", "moderation_journalcitation"])
def test_the_database_refuses_to_delete_journal_rows_whatever_the_code(entries, table):
    before = stored()
    with refused():
        sql(f"DELETE FROM {table}")
    with refused():
        # Past the model's own refusal (JournalIsAppendOnly), straight to the database.
        JournalEntry._base_manager.filter(pk=entries[0].pk).delete()
    assert stored() == before


def test_the_database_refuses_to_rewrite_an_entry_or_its_digest(entries):
    before = stored()
    with refused():
        JournalEntry._base_manager.filter(pk=entries[1].pk).update(rationale="Rewritten.")
    with refused():
        sql("UPDATE moderation_journalentry SET digest = %s", [GENESIS])
    assert stored() == before


def test_the_database_refuses_a_new_citation_of_an_entry_in_the_record(entries, charter):
    before = stored()
    with refused():
        JournalCitation.objects.create(entry=entries[1], article=article(charter, 1))
    assert stored() == before


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE moderation_journalcitation",
        "TRUNCATE moderation_journalentry CASCADE",
        "TRUNCATE forum_post CASCADE",
    ],
)
def test_postgresql_refuses_to_truncate_the_journal(entries, statement):
    before = stored()
    # The test's own foreign keys, checked now: with checks pending, PostgreSQL would refuse
    # to truncate anyway, for that reason.
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    with refused(match="append-only"):
        sql(statement)
    assert stored() == before


# Tampering leaves a trace


def test_verify_record_names_a_journal_entry_rewritten_with_the_triggers_lifted(entries):
    rewritten = entries[1]
    with tampering("moderation_journalentry"):
        sql(
            "UPDATE moderation_journalentry SET rationale = 'Nothing happened.' WHERE id = %s",
            [rewritten.pk],
        )
    output = mismatch()
    assert f"Moderation journal: does not match at journal entry {rewritten.pk} (" in output
    assert "changed after it was written" in output
    assert output.startswith("Charter: 1 entries")


def test_verify_record_names_the_entry_after_one_removed(entries):
    removed, next_one = entries[1], entries[2]
    with tampering("moderation_journalentry", "moderation_journalcitation"):
        sql("DELETE FROM moderation_journalcitation WHERE entry_id = %s", [removed.pk])
        sql("DELETE FROM moderation_journalentry WHERE id = %s", [removed.pk])
    output = mismatch()
    assert f"journal entry {next_one.pk} (" in output
    assert "an entry was removed, added or moved before it" in output


def test_verify_record_names_a_charter_version_whose_article_was_rewritten(entries, charter):
    with tampering("charter_article"):
        sql(
            "UPDATE charter_article SET body = 'Anything goes.' WHERE id = %s",
            [article(charter, 2).pk],
        )
    output = mismatch()
    assert f"Charter: does not match at charter version 1 (id {charter.pk}, ratified " in output
    assert f"Moderation journal: 4 entries, head {entries[-1].digest}" in output


def test_verify_record_names_a_journal_entry_written_outside_the_record(entries, moderator):
    """Written straight to the table (no digest), as code other than the journal's could."""
    last = entries[-1]
    outsider = JournalEntry.objects.create(
        kind=last.kind,
        case_id=last.case_id,
        decision_id=last.decision_id,
        appeal_id=last.appeal_id,
        post_id=last.post_id,
        moderator=moderator,
        outcome=last.outcome,
    )
    assert f"journal entry {outsider.pk} (" in mismatch()


# Where members see the digests


def test_the_journal_shows_the_head_of_the_record_and_links_its_feed_and_check(
    entries, visitor_client
):
    page = visitor_client.get("/moderation/journal/").text
    assert entries[-1].digest in page
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/moderation/journal/feed/"' in page
    )
    assert 'href="/moderation/journal/verify/"' in page


def test_the_journal_feed_carries_every_entry_with_its_digest(entries, visitor_client):
    response = visitor_client.get("/moderation/journal/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert entries[-1].digest in feed.find(f"{ATOM}subtitle").text
    shown = feed.findall(f"{ATOM}entry")
    assert len(shown) == len(entries)
    for entry, item in zip(reversed(entries), shown, strict=True):
        assert item.find(f"{ATOM}id").text.endswith(f"/moderation/journal/#entry-{entry.pk}")
        assert entry.digest in item.find(f"{ATOM}summary").text


def test_the_check_page_says_every_entry_matches_and_shows_the_heads(entries, visitor_client):
    page = visitor_client.get("/moderation/journal/verify/").text
    assert "Its 4 entries match their digests." in page
    assert entries[-1].digest in page
    assert charter_record.head() in page


def test_the_check_page_names_the_first_entry_that_does_not_match(entries, visitor_client):
    with tampering("moderation_journalentry"):
        sql(
            "UPDATE moderation_journalentry SET rationale = 'Rewritten.' WHERE id = %s",
            [entries[2].pk],
        )
    page = visitor_client.get("/moderation/journal/verify/").text
    assert "The record does not match its digests from here on:" in page
    assert f"journal entry {entries[2].pk} (" in page


def test_the_check_page_is_rate_limited(entries, visitor_client):
    statuses = [visitor_client.get("/moderation/journal/verify/").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]


@pytest.mark.parametrize(("batch", "expected"), [(2, 2 + 2 + 2 + 1), (3, 2 + 2 + 2)])
def test_the_check_costs_two_queries_a_batch_of_entries(
    entries, visitor_client, monkeypatch, batch, expected
):
    """Each chain is read in batches: the rows, then what they carry (articles, citations).
    The charter's one version is a batch; the journal's four entries are two, and a batch
    that came full asks once more, finding nothing."""
    monkeypatch.setattr(hash_chain, "BATCH_SIZE", batch)
    assert queries_for(visitor_client, "/moderation/journal/verify/", warm=False) == expected


# Existing rows


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_the_rows_already_there_in_the_record(entries, charter):
    """A site upgraded with a charter and a journal: the migration that brings the record
    seals their rows, in order, past the journal's first triggers, then the record's own
    triggers stand."""
    sealed = stored(), CharterVersion.objects.get(pk=charter.pk).digest
    call_command("migrate", "moderation", "0007_record_digests", verbosity=0)
    call_command("migrate", "charter", "0005_record_digests", verbosity=0)
    with tampering("charter_charterversion", "moderation_journalentry"):
        sql("UPDATE charter_charterversion SET digest = '', previous_digest = ''")
        sql("UPDATE moderation_journalentry SET digest = '', previous_digest = ''")
    call_command("migrate", verbosity=0)
    assert (stored(), CharterVersion.objects.get(pk=charter.pk).digest) == sealed
    assert verify_record().startswith("ok\n")
    with refused():
        sql("DELETE FROM moderation_journalentry")


def test_visitors_behind_the_proxy_are_limited_each_by_their_own_address(
    entries, settings, visitor_client
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    url = "/moderation/journal/verify/"
    first = [
        visitor_client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code for _ in range(11)
    ]
    assert first == [200] * 10 + [429]
    assert visitor_client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200
    # A forged address before the one the proxy saw changes nothing.
    forged = visitor_client.get(url, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    assert forged.status_code == 429
