"""The journal's part of the record: its entries, each with its citations, in a hash chain
(core.hash_chain), and the triggers that keep it append-only; and the check of the whole
record, the charter's chain with the journal's.

An entry is written, then its citations, then sealed (its digest set), in one transaction,
by `moderation.services.journal.append_to_journal` only. From then on the database refuses to
change or delete it or its citations, or to add a citation to it, and nothing empties the
journal's tables.
"""

from dataclasses import dataclass
from datetime import datetime

from django.apps.registry import Apps
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter import record as charter_record
from charter.models import CharterVersion
from core.hash_chain import REWRITTEN, UNLINKED, UNSEALED, Chain, Verification, columns
from core.triggers import RecordTriggers, unchanged_but_sealed
from moderation.models import JournalEntry


def entry_content(entry: JournalEntry) -> dict:
    """What an entry's digest covers: its columns, whatever they are, and the articles cited
    (by id: each id names the words of one version, themselves in the charter's chain)."""
    return columns(entry) | {
        "citations": sorted(citation.article_id for citation in entry.citations.all())
    }


JOURNAL = Chain(
    rows=lambda: JournalEntry.objects.order_by("pk"),
    order="pk",
    content=entry_content,
    prefetch=("citations",),
)


def head() -> str:
    return JOURNAL.head()


# Why a row does not match, as the check page and the command say it.
MISMATCHES = {
    UNSEALED: gettext_lazy("it has no digest: it was not written by the site."),
    UNLINKED: gettext_lazy(
        "it does not follow the digest of the entry before it: an entry was removed, added "
        "or moved before it."
    ),
    REWRITTEN: gettext_lazy(
        "what it holds no longer matches its digest: it was changed after it was written."
    ),
}


@dataclass(frozen=True)
class ChainCheck:
    """One chain of the record as checked: the head it recomputed, or its first mismatch."""

    name: Promise
    verification: Verification

    @property
    def ok(self) -> bool:
        return self.verification.ok

    @property
    def mismatch(self) -> str:
        """The first row that does not match, and how."""
        return _("%(row)s: %(reason)s") % {
            "row": self._mismatched_row(),
            "reason": MISMATCHES[self.verification.mismatch.reason],
        }

    def _mismatched_row(self) -> str:
        """The first row that does not match: what it is, its id and its date."""
        row = self.verification.mismatch.row
        if isinstance(row, CharterVersion):
            return _("charter version %(number)s (id %(id)s, ratified %(date)s)") % {
                "number": row.number,
                "id": row.pk,
                "date": _iso(row.ratified_at),
            }
        return _("journal entry %(id)s (%(date)s)") % {"id": row.pk, "date": _iso(row.created_at)}


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else "?"


def check_record() -> list[ChainCheck]:
    """Recompute both chains of the record from the database, in batches (core.hash_chain)."""
    return [
        ChainCheck(gettext_lazy("Charter"), charter_record.RATIFIED_VERSIONS.verify()),
        ChainCheck(gettext_lazy("Moderation journal"), JOURNAL.verify()),
    ]


POSTGRESQL = """
CREATE OR REPLACE FUNCTION moderation_journal_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the moderation journal is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION moderation_journal_entry_is_sealed_once() RETURNS trigger AS $$
BEGIN
    IF OLD.digest = '' AND NEW.digest <> ''
            AND to_jsonb(NEW) - 'digest' - 'previous_digest'
                = to_jsonb(OLD) - 'digest' - 'previous_digest' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the moderation journal is append-only (UPDATE on %)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION moderation_journal_citation_before_seal() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM moderation_journalentry WHERE id = NEW.entry_id AND digest <> ''
    ) THEN
        RAISE EXCEPTION 'the moderation journal is append-only (INSERT on %)', TG_TABLE_NAME;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER moderation_journalentry_append_only
    BEFORE DELETE ON moderation_journalentry
    FOR EACH ROW EXECUTE FUNCTION moderation_journal_is_append_only();

CREATE OR REPLACE TRIGGER moderation_journalentry_sealed_once
    BEFORE UPDATE ON moderation_journalentry
    FOR EACH ROW EXECUTE FUNCTION moderation_journal_entry_is_sealed_once();

CREATE OR REPLACE TRIGGER moderation_journalcitation_append_only
    BEFORE UPDATE OR DELETE ON moderation_journalcitation
    FOR EACH ROW EXECUTE FUNCTION moderation_journal_is_append_only();

CREATE OR REPLACE TRIGGER moderation_journalcitation_before_seal
    BEFORE INSERT ON moderation_journalcitation
    FOR EACH ROW EXECUTE FUNCTION moderation_journal_citation_before_seal();

CREATE OR REPLACE TRIGGER moderation_journalentry_never_truncated
    BEFORE TRUNCATE ON moderation_journalentry
    FOR EACH STATEMENT EXECUTE FUNCTION moderation_journal_is_append_only();

CREATE OR REPLACE TRIGGER moderation_journalcitation_never_truncated
    BEFORE TRUNCATE ON moderation_journalcitation
    FOR EACH STATEMENT EXECUTE FUNCTION moderation_journal_is_append_only();
"""


def sqlite_triggers(apps: Apps) -> list[str]:
    """SQLite has no TRUNCATE; the rest as on PostgreSQL, a trigger per statement and table."""
    unchanged = unchanged_but_sealed(
        apps.get_model("moderation", "JournalEntry"), sealed_by=("digest", "previous_digest")
    )
    sealed = "(SELECT digest FROM moderation_journalentry WHERE id = NEW.entry_id) <> ''"
    refuse = "BEGIN SELECT RAISE(ABORT, 'the moderation journal is append-only'); END"
    return [
        f"CREATE TRIGGER {name} {definition} {refuse}"
        for name, definition in {
            "moderation_journalentry_no_update": (
                "BEFORE UPDATE ON moderation_journalentry WHEN NOT"
                f" (OLD.digest = '' AND NEW.digest <> '' AND {unchanged})"
            ),
            "moderation_journalentry_no_delete": "BEFORE DELETE ON moderation_journalentry",
            "moderation_journalcitation_no_update": "BEFORE UPDATE ON moderation_journalcitation",
            "moderation_journalcitation_no_delete": "BEFORE DELETE ON moderation_journalcitation",
            "moderation_journalcitation_sealed_no_insert": (
                f"BEFORE INSERT ON moderation_journalcitation WHEN {sealed}"
            ),
        }.items()
    ]


TRIGGERS = RecordTriggers(
    tables=("moderation_journalentry", "moderation_journalcitation"),
    postgresql=POSTGRESQL,
    sqlite=sqlite_triggers,
    needs=("moderation", "JournalEntry", "digest"),
)
