"""The journal is append-only in the database itself: rows of the journal and of its
citations may be inserted, never updated (nor, on PostgreSQL, deleted), whatever the code.

TRUNCATE, which needs the table owner's rights, stays possible: tests empty the tables with it
between runs. On SQLite, where tests empty tables with DELETE, only updates are refused by the
database; the model refuses both everywhere."""

from django.db import migrations

TABLES = ["moderation_journalentry", "moderation_journalcitation"]

POSTGRESQL = """
CREATE FUNCTION moderation_journal_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the moderation journal is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION moderation_journal_is_append_only();
"""
    for table in TABLES
)

POSTGRESQL_REVERSE = "".join(
    f"DROP TRIGGER {table}_append_only ON {table};\n" for table in TABLES
) + "DROP FUNCTION moderation_journal_is_append_only();"


def sqlite(operation: str) -> list[str]:
    return [
        f"""
CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table}
BEGIN
    SELECT RAISE(ABORT, 'the moderation journal is append-only');
END;
"""
        for table in TABLES
    ]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)
    else:
        for statement in sqlite("UPDATE"):
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE, params=None)
    else:
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER {table}_no_update")


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
