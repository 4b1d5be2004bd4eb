"""The journal's entries enter the record: each sealed with its digest, in the order they were
written (moderation.record). Migration 0002's triggers, which refused any update, give way to
those put back after the migration, which let an entry be sealed once."""

import importlib

from django.db import migrations

from core.hash_chain import seal_in_order
from core.triggers import drop_triggers
from moderation.record import TRIGGERS, entry_content


def seal_journal_entries(apps, schema_editor) -> None:
    drop_triggers(schema_editor.connection, TRIGGERS.tables)
    entries = apps.get_model("moderation", "JournalEntry").objects.order_by("pk")
    seal_in_order(entries.prefetch_related("citations"), entry_content)


def back_to_the_first_triggers(apps, schema_editor) -> None:
    drop_triggers(schema_editor.connection, TRIGGERS.tables)
    if schema_editor.connection.vendor == "postgresql":
        # 0002 creates it again; the record's triggers had taken it over.
        schema_editor.execute("DROP FUNCTION IF EXISTS moderation_journal_is_append_only()")
    first = importlib.import_module("moderation.migrations.0002_journal_append_only")
    first.create(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('moderation', '0007_record_digests'),
    ]

    operations = [migrations.RunPython(seal_journal_entries, back_to_the_first_triggers)]
