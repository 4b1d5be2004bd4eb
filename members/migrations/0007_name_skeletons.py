"""No two members' names may look alike (members.names): each member's username and shown
name get their confusable skeleton, under unique constraints; display names go on one line.

Members who already have look-alike names keep them: the older account takes the skeleton, the
newer one's stays empty (null) until its member changes that name, when the rule applies. So
the migration never fails on the data it finds, and takes no one's name away."""

from django.db import migrations, models

from members.names import one_line, refuse_invisible, skeleton


def compute_skeletons(apps, schema_editor) -> None:
    Member = apps.get_model("members", "Member")
    taken = {"username_skeleton": set(), "name_skeleton": set()}
    for member in Member.objects.order_by("pk").only("username", "display_name").iterator():
        member.display_name = one_line(member.display_name)
        keys = {
            "username_skeleton": skeleton(member.username),
            "name_skeleton": skeleton(member.display_name or member.username),
        }
        for field, key in keys.items():
            if key not in taken[field]:
                taken[field].add(key)
                setattr(member, field, key)
        member.save(update_fields=["display_name", *keys])


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('members', '0006_member_trustee_volunteer'),
    ]

    operations = [
        migrations.AddField(
            model_name='member',
            name='name_skeleton',
            field=models.TextField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='member',
            name='username_skeleton',
            field=models.TextField(editable=False, null=True),
        ),
        migrations.RunPython(compute_skeletons, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='member',
            name='display_name',
            field=models.CharField(blank=True, max_length=60, validators=[refuse_invisible], verbose_name='display name'),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.UniqueConstraint(fields=('username_skeleton',), name='member_username_unlike_others'),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.UniqueConstraint(fields=('name_skeleton',), name='member_name_unlike_others'),
        ),
    ]
