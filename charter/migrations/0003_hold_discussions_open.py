from django.db import migrations

ENDED = ["passed", "failed", "lapsed", "withdrawn"]


def hold_discussions_open(apps, schema_editor):
    """The discussions of the proposals still live when this release arrives stay open to
    every member who may post, as those opened from now on do."""
    Proposal = apps.get_model("charter", "Proposal")
    Thread = apps.get_model("forum", "Thread")
    live = Proposal.objects.exclude(state__in=ENDED).filter(thread__isnull=False)
    Thread.objects.filter(pk__in=live.values("thread")).update(held_open=True)


class Migration(migrations.Migration):
    dependencies = [
        ("charter", "0002_ballot_result_announced"),
        ("forum", "0007_thread_held_open"),
    ]

    operations = [
        migrations.RunPython(hold_discussions_open, migrations.RunPython.noop),
    ]
