"""GIN indexes for full-text search, on PostgreSQL only (SQLite searches without them)."""

from django.db import migrations

INDEXES = {
    "forum_post_search_gin": "forum_post",
    "forum_thread_search_gin": "forum_thread",
}


def create_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {table} USING GIN (search_vector)")


def drop_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("forum", "0002_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
