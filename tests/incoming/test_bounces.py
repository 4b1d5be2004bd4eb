"""Each email returns to a path of its own (VERP): a hard bounce counts against the member's
address, once per email, and after EMAIL_BOUNCE_LIMIT of them emails to it stop and the bell
says so, once. Soft bounces and forged ones count nothing."""

import pytest
from django.core import mail

from forum import services as forum
from forum.models import WatchLevel
from incoming import services
from incoming.models import InboundMessage, Reason, State
from notifications import services as notifications
from notifications.models import (
    BouncingAddress,
    Delivery,
    DeliveryState,
    Kind,
    ListEmail,
    Notification,
)
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


# Mailing-list mode: each post as its own email, returning to a path of its own


@pytest.fixture
def listed(member, category, emailed):
    """Alice turns mailing-list mode on for the category: each reply of Bruno's then comes to
    her as a list email (and not a second time as a notification email). Returns the email
    and its record."""
    member.mailing_list_mode = True
    member.save()
    forum.watch_category(member=member, category=category, level=WatchLevel.WATCHING)

    def listed() -> tuple:
        [email] = emailed()
        assert email.extra_headers["List-Id"]
        return email, ListEmail.objects.filter(recipient=member).latest("pk")

    return listed


def test_a_list_email_returns_to_its_own_signed_path_and_is_from_its_author(listed, member):
    email, list_email = listed()

    assert email.from_email == return_path(
        Sent(Record.LIST_EMAIL, list_email.pk), address=member.email
    )
    assert email.from_email.startswith(f"bounce+l{list_email.pk}-")
    assert email.from_email.endswith("@replies.testserver")
    assert email.message()["From"].addresses[0].display_name == "Bruno Petit"


def test_a_hard_bounce_of_a_list_email_counts_once_even_delivered_twice(listed, deliver, member):
    email, list_email = listed()

    first, again = (deliver(bounce_of(email), to=email.from_email) for _ in range(2))
    second = deliver(bounce_of(email, 2), to=email.from_email)

    assert first == again and (first.state, first.reason) == (State.BOUNCE, Reason.HARD_BOUNCE)
    assert second.reason == Reason.REPEATED_BOUNCE
    assert bounced(member) == 1
    list_email.refresh_from_db()
    assert list_email.bounced_at is not None
    assert mail.outbox == [email]  # a bounce is never answered


def list_email_named(path: str) -> int:
    return int(path.split("-")[0].removeprefix("bounce+l"))


@pytest.mark.parametrize(
    "forge",
    [
        lambda path, other, to: path.replace(path.split("-")[1].split("@")[0], "a" * 26),
        lambda path, other, to: f"bounce+l{list_email_named(path)}@replies.testserver",
        lambda path, other, to: path.replace(f"+l{list_email_named(path)}-", f"+l{other.pk}-"),
        lambda path, other, to: return_path(
            Sent(Record.DELIVERY, list_email_named(path)), address=to
        ).replace("bounce+", "bounce+l"),
        lambda path, other, to: return_path(
            Sent(Record.LIST_EMAIL, list_email_named(path)), address="someone.else@example.org"
        ),
    ],
    ids=[
        "wrong signature",
        "unsigned",
        "another list email's number",
        "the signature of the delivery of its number",
        "signed for another address",
    ],
)
def test_a_forged_list_email_return_path_counts_nothing(
    listed,
    deliver,
    member,
    other_member,
    category,
    thread,
    django_capture_on_commit_callbacks,
    forge,
):
    email, _ = listed()
    other_member.mailing_list_mode = True
    other_member.save()
    forum.watch_category(member=other_member, category=category, level=WatchLevel.WATCHING)
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(thread, author=member, source="Beans.")  # a list email to Bruno
    other = ListEmail.objects.get(recipient=other_member)
    forged = forge(email.from_email, other, member.email)
    assert forged != email.from_email

    inbound = deliver(bounce_of(email), to=forged, sender="mailer@attacker.example")

    assert (inbound.state, inbound.reason) == (State.BOUNCE, Reason.UNKNOWN_BOUNCE)
    assert not BouncingAddress.objects.exists()
    assert not ListEmail.objects.filter(bounced_at__isnull=False).exists()


def test_list_emails_and_notification_emails_bounce_against_one_address(
    listed, emailed, deliver, member, settings
):
    assert settings.EMAIL_BOUNCE_LIMIT == 3
    emails = [listed()[0] for _ in range(2)]
    member.mailing_list_mode = False
    member.save()
    emails += emailed()  # a notification email
    for number, email in enumerate(emails):
        deliver(bounce_of(email, number), to=email.from_email)

    assert bounced(member) == 3
    assert len(stop_notices(member)) == 1


def test_after_the_limit_no_list_email_goes_to_the_address(
    listed, emailed, deliver, member, settings
):
    emails = [listed()[0] for _ in range(settings.EMAIL_BOUNCE_LIMIT)]
    for number, email in enumerate(emails):
        deliver(bounce_of(email, number), to=email.from_email)
    assert len(stop_notices(member)) == 1

    assert emailed() == []
    # Settled unsent: the next post's email to Alice is not kept, as for a member who left.
    assert ListEmail.objects.filter(recipient=member).count() == settings.EMAIL_BOUNCE_LIMIT

    notifications.resume_emails(member=member)
    assert listed()[0].to == [member.email]
