"""A moderator's claim on a case lapses after the charter's `claim_hours` without a decision.

Claims held when this runs lapse `claim_hours` (as the charter in force says, 48 at founding)
after they were made, as the case's history records it."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

FOUNDING_CLAIM_HOURS = 48


def date_the_claims_held(apps, schema_editor):
    Case = apps.get_model("moderation", "Case")
    CaseEvent = apps.get_model("moderation", "CaseEvent")
    CharterVersion = apps.get_model("charter", "CharterVersion")
    in_force = CharterVersion.objects.filter(state="ratified").order_by("-number").first()
    hours = (in_force.parameters if in_force else {}).get("claim_hours", FOUNDING_CLAIM_HOURS)
    for case in Case.objects.filter(claimed_by__isnull=False):
        claimed = (
            CaseEvent.objects.filter(case=case, kind="claimed", actor=case.claimed_by_id)
            .order_by("-at", "-pk")
            .values_list("at", flat=True)
            .first()
        )
        case.claim_lapses_at = (claimed or timezone.now()) + timedelta(hours=hours)
        case.save(update_fields=["claim_lapses_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('charter', '0002_ballot_result_announced'),
        ('moderation', '0005_signal_by_new_member'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='claim_lapses_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='claim lapses'),
        ),
        migrations.RunPython(date_the_claims_held, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='caseevent',
            name='kind',
            field=models.CharField(choices=[('opened', 'Opened'), ('reopened', 'Reopened after an edit'), ('signalled', 'Signalled'), ('held', 'Hidden pending review'), ('claimed', 'Claimed'), ('claim_lapsed', 'The claim lapsed'), ('released', 'Released'), ('stepped_aside', 'Stepped aside'), ('deferred', 'Deferred'), ('decided', 'Decided'), ('appealed', 'Appealed'), ('appeal_heard', 'Appeal heard')], max_length=16, verbose_name='event'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('claim_lapses_at__isnull', False)), fields=['claim_lapses_at'], name='case_claims_to_lapse'),
        ),
        migrations.AddConstraint(
            model_name='case',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('claim_lapses_at__isnull', True), ('claimed_by__isnull', True)), models.Q(('claim_lapses_at__isnull', False), ('claimed_by__isnull', False)), _connector='OR'), name='case_claim_lapses'),
        ),
    ]
