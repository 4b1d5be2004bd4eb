"""The charter's part of the record: its ratified versions, each with its parameters and its
articles, in a hash chain (core.hash_chain), and the triggers that freeze them.

A version is written, then its articles, then sealed (its digest set), in the ratification's
transaction. From then on the database refuses to change or delete the version or any of its
articles, or to add one to it; a draft stays writable until it is ratified.
"""

from django.apps.registry import Apps

from charter.models import CharterVersion, VersionState
from core.hash_chain import Chain, columns
from core.triggers import RecordTriggers, unchanged_but_sealed


def version_content(version: CharterVersion) -> dict:
    """What a version's digest covers: its columns (parameters included) and its articles."""
    articles = sorted(version.articles.all(), key=lambda article: article.number)
    return columns(version) | {"articles": [columns(article) for article in articles]}


RATIFIED_VERSIONS = Chain(
    rows=lambda: CharterVersion.objects.filter(state=VersionState.RATIFIED).order_by("number"),
    order="number",
    content=version_content,
    prefetch=("articles",),
)


def seal(version: CharterVersion) -> None:
    """Put `version`, ratified with all its articles, in the record. Ratifications are
    serialised already: each holds the row of the version in force."""
    RATIFIED_VERSIONS.seal(version)


def head() -> str:
    return RATIFIED_VERSIONS.head()


POSTGRESQL = """
CREATE OR REPLACE FUNCTION charter_ratified_version_is_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.state <> 'ratified' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    -- The ratification seals the version once, changing nothing else.
    IF TG_OP = 'UPDATE' AND OLD.digest = '' AND NEW.digest <> ''
            AND to_jsonb(NEW) - 'digest' - 'previous_digest'
                = to_jsonb(OLD) - 'digest' - 'previous_digest' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'version % of the charter is ratified: it is never changed (%)',
        OLD.number, TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER charter_ratified_version_is_frozen
    BEFORE UPDATE OR DELETE ON charter_charterversion
    FOR EACH ROW EXECUTE FUNCTION charter_ratified_version_is_frozen();

CREATE OR REPLACE FUNCTION charter_ratified_articles_are_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND EXISTS (
        SELECT 1 FROM charter_charterversion WHERE id = OLD.version_id AND state = 'ratified'
    ) THEN
        RAISE EXCEPTION 'the articles of a ratified charter version are never changed (%)',
            TG_OP;
    END IF;
    IF TG_OP <> 'DELETE' AND EXISTS (
        SELECT 1 FROM charter_charterversion WHERE id = NEW.version_id AND digest <> ''
    ) THEN
        RAISE EXCEPTION 'a ratified charter version takes no new article (%)', TG_OP;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER charter_ratified_articles_are_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON charter_article
    FOR EACH ROW EXECUTE FUNCTION charter_ratified_articles_are_frozen();

CREATE OR REPLACE FUNCTION charter_is_never_truncated() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the charter''s versions are never truncated (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER charter_charterversion_never_truncated
    BEFORE TRUNCATE ON charter_charterversion
    FOR EACH STATEMENT EXECUTE FUNCTION charter_is_never_truncated();

CREATE OR REPLACE TRIGGER charter_article_never_truncated
    BEFORE TRUNCATE ON charter_article
    FOR EACH STATEMENT EXECUTE FUNCTION charter_is_never_truncated();
"""


def sqlite_triggers(apps: Apps) -> list[str]:
    """SQLite has no TRUNCATE; the rest as on PostgreSQL, a trigger per statement and table."""
    unchanged = unchanged_but_sealed(
        apps.get_model("charter", "CharterVersion"), sealed_by=("digest", "previous_digest")
    )
    ratified = "(SELECT state FROM charter_charterversion WHERE id = OLD.version_id) = 'ratified'"
    sealed = "(SELECT digest FROM charter_charterversion WHERE id = NEW.version_id) <> ''"
    refuse = "BEGIN SELECT RAISE(ABORT, 'a ratified charter version is never changed'); END"
    return [
        f"CREATE TRIGGER {name} {definition} {refuse}"
        for name, definition in {
            "charter_version_ratified_no_update": (
                "BEFORE UPDATE ON charter_charterversion WHEN OLD.state = 'ratified' AND NOT"
                f" (OLD.digest = '' AND NEW.digest <> '' AND {unchanged})"
            ),
            "charter_version_ratified_no_delete": (
                "BEFORE DELETE ON charter_charterversion WHEN OLD.state = 'ratified'"
            ),
            "charter_article_ratified_no_update": (
                f"BEFORE UPDATE ON charter_article WHEN {ratified} OR {sealed}"
            ),
            "charter_article_ratified_no_delete": (
                f"BEFORE DELETE ON charter_article WHEN {ratified}"
            ),
            "charter_article_sealed_no_insert": (f"BEFORE INSERT ON charter_article WHEN {sealed}"),
        }.items()
    ]


TRIGGERS = RecordTriggers(
    tables=("charter_charterversion", "charter_article"),
    postgresql=POSTGRESQL,
    sqlite=sqlite_triggers,
    needs=("charter", "CharterVersion", "digest"),
)


ELECTION_POSTGRESQL = """
CREATE OR REPLACE FUNCTION charter_election_record_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'an election''s public record is never changed (% on %)', TG_OP,
        TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE TRIGGER charter_recordfile_append_only
    BEFORE UPDATE OR DELETE ON charter_recordfile
    FOR EACH ROW EXECUTE FUNCTION charter_election_record_is_append_only();

CREATE OR REPLACE TRIGGER charter_recordfile_never_truncated
    BEFORE TRUNCATE ON charter_recordfile
    FOR EACH STATEMENT EXECUTE FUNCTION charter_election_record_is_append_only();
"""


def election_sqlite_triggers(apps: Apps) -> list[str]:
    refuse = "BEGIN SELECT RAISE(ABORT, 'an election''s public record is never changed'); END"
    return [
        f"CREATE TRIGGER charter_recordfile_no_{operation.lower()} BEFORE {operation}"
        f" ON charter_recordfile {refuse}"
        for operation in ("UPDATE", "DELETE")
    ]


# The files of every election's public record (charter.belenios): appended, never rewritten.
ELECTION_TRIGGERS = RecordTriggers(
    tables=("charter_recordfile",),
    postgresql=ELECTION_POSTGRESQL,
    sqlite=election_sqlite_triggers,
    needs=("charter", "RecordFile", "credential"),
)
