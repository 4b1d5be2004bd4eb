"""The facts that make a voter are written by the site, never by a form: the time a member
first confirmed an email address joins them, and the admin's forms lose their fields.

Members whose address is verified today keep their eligibility: their verification time is
taken to be the day they joined, the earliest it could have been."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Exists, OuterRef


def verified_since_joining(apps, schema_editor) -> None:
    Member = apps.get_model("members", "Member")
    EmailAddress = apps.get_model("account", "EmailAddress")
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    Member.objects.filter(Exists(verified)).update(email_verified_at=models.F("date_joined"))


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_member_deleted_at'),
        ('account', '0009_emailaddress_unique_primary_email'),
    ]

    operations = [
        migrations.AddField(
            model_name='member',
            name='email_verified_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='email verified'),
        ),
        migrations.RunPython(verified_since_joining, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='member',
            name='date_joined',
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='date joined'),
        ),
        migrations.AlterField(
            model_name='member',
            name='is_active',
            field=models.BooleanField(default=True, editable=False, verbose_name='active'),
        ),
        migrations.AlterField(
            model_name='member',
            name='is_moderator',
            field=models.BooleanField(default=False, editable=False, help_text='Moderators triage signals and decide cases.', verbose_name='moderator'),
        ),
        migrations.AlterField(
            model_name='member',
            name='is_staff',
            field=models.BooleanField(default=False, editable=False, verbose_name='staff status'),
        ),
        migrations.AlterField(
            model_name='member',
            name='is_superuser',
            field=models.BooleanField(default=False, editable=False, verbose_name='superuser status'),
        ),
        migrations.AlterField(
            model_name='member',
            name='last_login',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last login'),
        ),
    ]
