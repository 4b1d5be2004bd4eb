"""The journal records what admins do to accounts (deactivation, reactivation, a role given
or removed) beside decisions and appeals, each kind checked by the database.

SQLite alters a table by rebuilding it, which drops its triggers: migration 0002's refusal of
updates is put back on the rebuilt table, after the change and after its reversal."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

REBUILT = "moderation_journalentry"


def keep_refusing_updates(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL alters the table in place: its triggers stay.
    first = importlib.import_module("moderation.migrations.0002_journal_append_only")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {REBUILT}_no_update")
    for table, statement in zip(first.TABLES, first.sqlite("UPDATE"), strict=True):
        if table == REBUILT:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('charter', '0002_ballot_result_announced'),
        ('forum', '0006_page_stamps_and_search'),
        ('moderation', '0002_journal_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, keep_refusing_updates),
        migrations.RemoveConstraint(
            model_name='journalentry',
            name='journal_appeal_entries_name_their_appeal',
        ),
        migrations.AddField(
            model_name='journalentry',
            name='member',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='account'),
        ),
        migrations.AddField(
            model_name='journalentry',
            name='role',
            field=models.CharField(blank=True, choices=[('moderator', 'moderator'), ('admin', 'admin'), ('superuser', 'superuser')], max_length=10, verbose_name='role'),
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='moderation.case'),
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='decision',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='moderation.decision'),
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='kind',
            field=models.CharField(choices=[('decision', 'Decision'), ('appeal', 'Appeal'), ('deactivated', 'Account deactivated'), ('reactivated', 'Account reactivated'), ('role_granted', 'Role given'), ('role_removed', 'Role removed')], max_length=16, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='outcome',
            field=models.CharField(blank=True, choices=[('upheld', 'Upheld'), ('dismissed', 'Dismissed'), ('confirmed', 'Decision confirmed'), ('overturned', 'Decision overturned')], max_length=10, verbose_name='outcome'),
        ),
        migrations.AlterField(
            model_name='journalentry',
            name='post',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='forum.post'),
        ),
        migrations.AddConstraint(
            model_name='journalentry',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['decision', 'appeal', 'deactivated', 'reactivated', 'role_granted', 'role_removed'])), name='journal_entry_kind_known'),
        ),
        migrations.AddConstraint(
            model_name='journalentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'decision'), _negated=True), models.Q(('case__isnull', False), ('decision__isnull', False), ('member__isnull', True), ('post__isnull', False), ('role', ''), models.Q(('outcome', ''), _negated=True), ('appeal__isnull', True)), _connector='OR'), name='journal_decision_entries_name_their_case'),
        ),
        migrations.AddConstraint(
            model_name='journalentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'appeal'), _negated=True), models.Q(('case__isnull', False), ('decision__isnull', False), ('member__isnull', True), ('post__isnull', False), ('role', ''), models.Q(('outcome', ''), _negated=True), ('appeal__isnull', False)), _connector='OR'), name='journal_appeal_entries_name_their_appeal'),
        ),
        migrations.AddConstraint(
            model_name='journalentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ['deactivated', 'reactivated']), _negated=True), models.Q(('action', ''), ('appeal__isnull', True), ('case__isnull', True), ('decision__isnull', True), ('member__isnull', False), ('outcome', ''), ('post__isnull', True), ('sanction', ''), ('suspension_days__isnull', True), models.Q(('rationale', ''), _negated=True), ('role', '')), _connector='OR'), name='journal_account_entries_name_the_account'),
        ),
        migrations.AddConstraint(
            model_name='journalentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind__in', ['role_granted', 'role_removed']), _negated=True), models.Q(('action', ''), ('appeal__isnull', True), ('case__isnull', True), ('decision__isnull', True), ('member__isnull', False), ('outcome', ''), ('post__isnull', True), ('sanction', ''), ('suspension_days__isnull', True), models.Q(('rationale', ''), _negated=True), ('role__in', ['moderator', 'admin', 'superuser'])), _connector='OR'), name='journal_role_entries_name_the_account_and_role'),
        ),
        migrations.RunPython(keep_refusing_updates, migrations.RunPython.noop),
    ]
