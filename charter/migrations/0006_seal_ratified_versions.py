"""The ratified versions enter the record: each sealed with its digest, in the order of their
numbers (charter.record). The triggers that freeze them are put back after the migration."""

from django.db import migrations

from charter.record import TRIGGERS, version_content
from core.hash_chain import seal_in_order
from core.triggers import drop_triggers


def seal_ratified_versions(apps, schema_editor) -> None:
    drop_triggers(schema_editor.connection, TRIGGERS.tables)
    versions = apps.get_model("charter", "CharterVersion").objects.filter(state="ratified")
    seal_in_order(versions.order_by("number").prefetch_related("articles"), version_content)


def lift_the_triggers(apps, schema_editor) -> None:
    drop_triggers(schema_editor.connection, TRIGGERS.tables)


class Migration(migrations.Migration):

    dependencies = [
        ('charter', '0005_record_digests'),
    ]

    operations = [migrations.RunPython(seal_ratified_versions, lift_the_triggers)]
