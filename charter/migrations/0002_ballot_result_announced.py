"""Results are announced after the close; the ballots closed before were announced then."""

from django.db import migrations, models


def closed_ballots_were_announced(apps, schema_editor) -> None:
    apps.get_model("charter", "Ballot").objects.filter(state="closed").update(
        result_announced=True
    )


class Migration(migrations.Migration):

    dependencies = [
        ('charter', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='ballot',
            name='result_announced',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(closed_ballots_were_announced, migrations.RunPython.noop),
    ]
