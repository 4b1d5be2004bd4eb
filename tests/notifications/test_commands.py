from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from notifications import services
from notifications.models import EmailChoice, Kind

pytestmark = pytest.mark.django_db(transaction=True)


def test_send_digests_mails_the_digest_without_a_scheduler(member, settings):
    """The embedded setup has no Celery beat: cron runs the command, tasks run in-process."""
    settings.NOTIFICATIONS_DIGEST_HOUR = 0
    services.choose_emails(member=member, choices={Kind.MENTION: EmailChoice.DIGEST})
    services.notify(
        kind=Kind.MENTION,
        recipients=[member.pk],
        actor=None,
        event_key="post:1",
        title="Seed swap",
        url="/p/1/",
    )
    output = StringIO()
    call_command("send_digests", stdout=output)
    assert "Digests started: 1" in output.getvalue()
    assert [message.to for message in mail.outbox] == [[member.email]]
