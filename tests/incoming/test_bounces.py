"""Each email returns to a path of its own (VERP): a hard bounce counts against the member's
address, once per email, and after EMAIL_BOUNCE_LIMIT of them emails to it stop and the bell
says so, once. Soft bounces and forged ones count nothing."""

import pytest
from django.core import mail

from incoming import services
from incoming.models import InboundMessage, Reason, State
from notifications import services as notifications
from notifications.models import BouncingAddress, Delivery, DeliveryState, Kind, Notification
from notifications.return_paths import Record, Sent, return_path
from tests.builders.forum import make_reply
from tests.incoming.mail import bounce

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Hand a bounce over as the mail server would: from the null return path <>."""

    def deliver(raw: bytes, *, to: str, sender: str = "") -> InboundMessage:
        with django_capture_on_commit_callbacks(execute=True):
            inbound = services.receive(raw, sender=sender, recipients=[to])
        inbound.refresh_from_db()
        return inbound

    return deliver


@pytest.fixture
def emailed(thread, other_member, django_capture_on_commit_callbacks):
    """Bruno replies in Alice's thread; the emails it sends (to Alice, who watches it)."""

    def emailed() -> list:
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            make_reply(thread, author=other_member, source="Tomatoes.")
        return mail.outbox[before:]

    return emailed


def bounce_of(email, number: int = 1, **status) -> bytes:
    [recipient] = email.to
    return bounce(
        email.from_email,
        recipient=recipient,
        message_id=f"<bounce-{number}@mx.example.net>",
        **status,
    )


def bounced(member) -> int:
    row = BouncingAddress.objects.filter(member=member, address=member.email).first()
    return row.count if row else 0


def stop_notices(member) -> list[Notification]:
    return list(Notification.objects.filter(recipient=member, kind=Kind.EMAIL_BOUNCING))


def reach_the_limit(emailed, deliver, settings) -> None:
    emails = [emailed()[0] for _ in range(settings.EMAIL_BOUNCE_LIMIT)]
    for number, email in enumerate(emails):
        deliver(bounce_of(email, number), to=email.from_email)


def test_an_email_returns_to_its_own_signed_path_and_is_from_the_site(emailed, member, settings):
    [email] = emailed()
    delivery = Delivery.objects.get(recipient=member)
    assert email.from_email == return_path(Sent(Record.DELIVERY, delivery.pk), address=member.email)
    assert email.from_email.startswith(f"bounce+{delivery.pk}-")
    assert email.from_email.endswith("@replies.testserver")
    assert email.message()["From"] == settings.DEFAULT_FROM_EMAIL


def test_without_a_reply_domain_emails_return_to_the_site(emailed, settings):
    settings.REPLY_DOMAIN = ""
    [email] = emailed()
    assert email.from_email == settings.DEFAULT_FROM_EMAIL
    assert email.message()["From"] == settings.DEFAULT_FROM_EMAIL


def test_a_hard_bounce_counts_against_the_address(emailed, deliver, member):
    [email] = emailed()

    inbound = deliver(bounce_of(email), to=email.from_email)

    assert (inbound.state, inbound.reason) == (State.BOUNCE, Reason.HARD_BOUNCE)
    assert bounced(member) == 1
    assert Delivery.objects.get(recipient=member).bounced_at is not None
    assert mail.outbox == [email]  # a bounce is never answered


@pytest.mark.parametrize(
    ("action", "status"),
    [("delayed", "4.4.1"), ("failed", "4.4.7")],
    ids=["delayed", "given up after temporary failures"],
)
def test_a_soft_bounce_counts_nothing(emailed, deliver, member, action, status):
    [email] = emailed()

    inbound = deliver(bounce_of(email, action=action, status=status), to=email.from_email)

    assert (inbound.state, inbound.reason) == (State.BOUNCE, Reason.SOFT_BOUNCE)
    assert bounced(member) == 0


def test_a_bounce_in_the_older_formats_is_read_too(emailed, deliver, member):
    [email] = emailed()
    qmail = (
        f"From: MAILER-DAEMON@mx.example.net\nTo: {email.from_email}\nSubject: failure notice\n"
        "Message-ID: <qmail-1@mx.example.net>\n\n"
        "Hi. This is the qmail-send program at mx.example.net.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        f"<{member.email}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n"
    ).encode()

    inbound = deliver(qmail, to=email.from_email)

    assert inbound.reason == Reason.HARD_BOUNCE
    assert bounced(member) == 1


def test_a_bounce_delivered_twice_counts_once(emailed, deliver, member):
    [email] = emailed()
    for _ in range(2):
        deliver(bounce_of(email), to=email.from_email)

    assert InboundMessage.objects.count() == 1
    assert bounced(member) == 1


def test_two_bounces_of_one_email_count_once(emailed, deliver, member):
    [email] = emailed()
    deliver(bounce_of(email, 1), to=email.from_email)

    second = deliver(bounce_of(email, 2), to=email.from_email)

    assert second.reason == Reason.REPEATED_BOUNCE
    assert bounced(member) == 1


def delivery_named(path: str) -> int:
    return int(path.split("+")[1].split("-")[0])


@pytest.mark.parametrize(
    "forge",
    [
        lambda path, other: path.replace(path.split("-")[1].split("@")[0], "a" * 26),
        lambda path, other: f"bounce+{delivery_named(path)}@replies.testserver",
        lambda path, other: path.replace(f"+{delivery_named(path)}-", f"+{other.pk}-"),
        lambda path, other: return_path(
            Sent(Record.DELIVERY, delivery_named(path)), address="someone.else@example.org"
        ),
    ],
    ids=["wrong signature", "unsigned", "another email's number", "signed for another address"],
)
def test_a_forged_return_path_counts_nothing_and_is_not_answered(
    emailed, deliver, member, other_member, thread, django_capture_on_commit_callbacks, forge
):
    [email] = emailed()
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(thread, author=member, source="Beans.")  # an email to Bruno
    forged = forge(email.from_email, Delivery.objects.get(recipient=other_member))
    sent = len(mail.outbox)

    inbound = deliver(bounce_of(email), to=forged, sender="mailer@attacker.example")

    assert (inbound.state, inbound.reason) == (State.BOUNCE, Reason.UNKNOWN_BOUNCE)
    assert not BouncingAddress.objects.exists()
    assert len(mail.outbox) == sent


def test_a_bounce_for_an_address_changed_since_counts_nothing(emailed, deliver, member):
    [email] = emailed()
    member.email = "alice.new@example.org"
    member.save()

    inbound = deliver(bounce_of(email), to=email.from_email)

    assert inbound.reason == Reason.UNKNOWN_BOUNCE
    assert not BouncingAddress.objects.exists()


def test_at_the_limit_emails_stop_and_the_bell_rings_once(emailed, deliver, member, settings):
    assert settings.EMAIL_BOUNCE_LIMIT == 3
    emails = [emailed()[0] for _ in range(4)]  # one more went out before the bounces came back
    for number, email in enumerate(emails[:2]):
        deliver(bounce_of(email, number), to=email.from_email)
    assert emailed() != [] and stop_notices(member) == []

    for number, email in enumerate(emails[2:], start=2):
        deliver(bounce_of(email, number), to=email.from_email)

    assert bounced(member) == 4
    assert emailed() == []
    assert Delivery.objects.filter(recipient=member).latest("pk").state == DeliveryState.SKIPPED
    [notice] = stop_notices(member)
    assert notice.summary == "Emails to alice@example.org bounce: check your address"
    assert notice.url == "/accounts/email/"
    assert notice.email == "never" and not Delivery.objects.filter(notification=notice).exists()


def test_an_address_that_works_again_gets_emails_again(emailed, deliver, member, settings):
    reach_the_limit(emailed, deliver, settings)
    [notice] = stop_notices(member)

    notifications.resume_emails(member=member)

    assert len(emailed()) == 1
    assert not BouncingAddress.objects.exists()
    notice.refresh_from_db()
    assert notice.is_read


def test_bouncing_again_after_a_reset_rings_the_bell_again(emailed, deliver, member, settings):
    reach_the_limit(emailed, deliver, settings)
    notifications.resume_emails(member=member)

    emails = [emailed()[0] for _ in range(settings.EMAIL_BOUNCE_LIMIT)]
    for number, email in enumerate(emails, start=10):
        deliver(bounce_of(email, number), to=email.from_email)

    assert emailed() == []
    assert len(stop_notices(member)) == 2


def test_a_new_address_gets_emails(emailed, deliver, member, settings):
    reach_the_limit(emailed, deliver, settings)

    member.email = "alice.new@example.org"
    member.save()

    [email] = emailed()
    assert email.to == ["alice.new@example.org"]
