"""A signal made by a member of less than the charter's `signal_weight_days` is marked so: it is
recorded and shown to moderators but never counts toward hiding the post. Signals made before
this migration keep counting as they did."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('moderation', '0004_sanction_days_within_ladder_bounds'),
    ]

    operations = [
        migrations.AddField(
            model_name='signal',
            name='by_new_member',
            field=models.BooleanField(default=False, verbose_name='by a new member'),
        ),
    ]
