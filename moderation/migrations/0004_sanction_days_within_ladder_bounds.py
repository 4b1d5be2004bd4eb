"""A suspension may last any number of days a ladder of the charter could hold (1 to 365):
the ladder is the charter's `sanction_ladder`, changed by amendment, not four fixed lengths."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('moderation', '0003_account_entries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='sanction',
            name='sanction_suspension_has_days_and_end',
        ),
        migrations.AddConstraint(
            model_name='sanction',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('days__gte', 1), ('days__lte', 365), ('ends_at__isnull', False), ('kind', 'suspension')), models.Q(models.Q(('kind', 'suspension'), _negated=True), ('days__isnull', True), ('ends_at__isnull', True)), _connector='OR'), name='sanction_suspension_has_days_and_end'),
        ),
    ]
