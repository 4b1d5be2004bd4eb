"""notify, delivery and digests: each rule of DESIGN.md's "Notifications" in a test."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Member
from notifications import services
from notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    EmailChoice,
    Kind,
    Notification,
)
from notifications.selectors import email_choices
from notifications.stop_links import DIGEST, read_stop_emails_token, stop_emails_token
from tests.builders.members import MemberFactory
from tests.query_budget import recorded_queries

pytestmark = pytest.mark.django_db

# A port nothing listens on: a real connection refused, as when the mail server is down.
UNREACHABLE_SMTP = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
    }
}


def tell(recipients, *, actor=None, kind=Kind.MENTION, event="post:1") -> int:
    return services.notify(
        kind=kind,
        recipients=[each.pk for each in recipients],
        actor=actor,
        event_key=event,
        title="Seed swap",
        url="/p/1/",
    )


def send_all_due() -> list[DeliveryState | None]:
    ids = Delivery.objects.values_list("pk", flat=True)
    return [services.deliver(delivery_id=pk) for pk in ids]


def test_notifications_are_written_in_the_callers_transaction(member):
    with pytest.raises(RuntimeError), transaction.atomic():
        tell([member])
        raise RuntimeError("the event itself failed")
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_nobody_is_notified_of_their_own_action(member, other_member):
    assert tell([member, other_member], actor=member) == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [other_member.pk]


def test_a_member_hears_of_one_event_once(member):
    assert tell([member], kind=Kind.MENTION) == 1
    assert tell([member], kind=Kind.REPLY) == 0
    assert Notification.objects.get().kind == Kind.MENTION


def test_inactive_members_hear_nothing(member):
    Member.objects.filter(pk=member.pk).update(is_active=False)
    assert tell([member]) == 0


def test_the_email_follows_the_members_choice_for_the_kind(member, other_member, moderator):
    services.choose_emails(member=other_member, choices={Kind.MENTION: EmailChoice.DIGEST})
    services.choose_emails(member=moderator, choices={Kind.MENTION: EmailChoice.NEVER})
    tell([member, other_member, moderator], kind=Kind.MENTION)
    emails = dict(Notification.objects.values_list("recipient__username", "email"))
    assert emails == {"alice": "immediately", "bruno": "digest", "noor": "never"}
    assert list(Delivery.objects.values_list("recipient__username", "channel")) == [
        ("alice", Channel.IMMEDIATE)
    ]


def test_the_email_is_queued_only_once_the_transaction_commits(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tell([member])
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()  # tasks run in-process in the tests: this sends
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_a_delivery_run_twice_sends_one_email(member):
    tell([member])
    delivery = Delivery.objects.get()
    assert services.deliver(delivery_id=delivery.pk) == DeliveryState.SENT
    assert services.deliver(delivery_id=delivery.pk) is None
    assert len(mail.outbox) == 1


def test_a_delivery_claimed_by_a_live_worker_is_left_to_it(member):
    tell([member])
    Delivery.objects.update(
        state=DeliveryState.SENDING, lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert send_all_due() == [None]
    assert mail.outbox == []


def test_a_claim_left_by_a_dead_worker_is_taken_over_once_its_lease_ends(member):
    tell([member])
    Delivery.objects.update(
        state=DeliveryState.SENDING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert send_all_due() == [DeliveryState.SENT]
    assert len(mail.outbox) == 1


def test_a_mail_server_error_is_recorded_and_retried_later_with_backoff(member, settings):
    settings.MAILERS = UNREACHABLE_SMTP
    tell([member])
    delivery = Delivery.objects.get()
    before = timezone.now()
    with pytest.raises(services.DeliveryFailed) as failure:
        services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.attempts == 1
    assert "Connection refused" in delivery.last_error or "Errno" in delivery.last_error
    assert failure.value.retry_at == delivery.next_attempt_at
    assert delivery.next_attempt_at >= before + timedelta(seconds=60)
    # Not due yet: running the task again early sends nothing and costs no attempt.
    assert services.deliver(delivery_id=delivery.pk) is None
    # Each failure waits twice as long as the one before.
    Delivery.objects.update(next_attempt_at=timezone.now())
    with pytest.raises(services.DeliveryFailed):
        services.deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= timezone.now() + timedelta(seconds=110)


def test_a_delivery_fails_for_good_after_the_last_attempt(member, settings):
    settings.MAILERS = UNREACHABLE_SMTP
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    tell([member])
    for _ in range(2):
        Delivery.objects.update(next_attempt_at=timezone.now())
        with pytest.raises(services.DeliveryFailed) as failure:
            services.deliver(delivery_id=Delivery.objects.get().pk)
    assert failure.value.retry_at is None
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 2)
    assert delivery.last_error


def test_an_admin_can_send_failed_deliveries_again(member, django_capture_on_commit_callbacks):
    tell([member])
    Delivery.objects.update(state=DeliveryState.FAILED, attempts=8, last_error="550 no")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_deliveries(deliveries=Delivery.objects.all()) == 1
    assert Delivery.objects.get().state == DeliveryState.SENT
    assert len(mail.outbox) == 1


def test_the_sweep_queues_deliveries_whose_message_was_lost(
    member, other_member, django_capture_on_commit_callbacks
):
    tell([member], event="post:1")
    tell([other_member], event="post:2")
    lost = Delivery.objects.get(recipient=member)
    Delivery.objects.filter(pk=lost.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_due_deliveries() == 1
    assert [message.to for message in mail.outbox] == [[member.email]]


def test_nothing_is_emailed_about_a_notification_read_in_the_meantime(member):
    tell([member])
    Notification.objects.update(read_at=timezone.now())
    assert send_all_due() == [DeliveryState.SKIPPED]
    assert mail.outbox == []


def test_nothing_is_emailed_to_a_member_without_an_address(member):
    Member.objects.filter(pk=member.pk).update(email="")
    tell([member])
    assert send_all_due() == [DeliveryState.SKIPPED]


# Daily digest


def at(hour: int, day: int = 21) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour, 5))


def digest_for(member, *events: str) -> None:
    services.choose_emails(member=member, choices={Kind.REPLY: EmailChoice.DIGEST})
    for event in events:
        tell([member], kind=Kind.REPLY, event=event)


def test_the_digest_goes_once_a_day_with_what_is_unread_and_not_yet_mailed(
    member, django_capture_on_commit_callbacks
):
    digest_for(member, "post:1", "post:2", "post:3")
    Notification.objects.filter(event_key="post:3").update(read_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_daily_digests(now=at(8)) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.count("/p/1/") == 2  # two unread of the same link
    digest_for(member, "post:4")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_daily_digests(now=at(9)) == 0  # one a day
        assert services.queue_daily_digests(now=at(8, day=22)) == 1
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(event_key="post:4").get().digest.day == at(8, 22).date()


def test_no_digest_before_the_digest_hour(member, settings):
    settings.NOTIFICATIONS_DIGEST_HOUR = 8
    digest_for(member, "post:1")
    assert services.queue_daily_digests(now=at(7)) == 0
    assert not Delivery.objects.exists()


def test_no_digest_when_everything_was_read(member):
    digest_for(member, "post:1")
    Notification.objects.update(read_at=timezone.now())
    assert services.queue_daily_digests(now=at(8)) == 0


def test_a_digest_whose_notifications_were_read_before_sending_sends_nothing(member):
    digest_for(member, "post:1")
    services.queue_daily_digests(now=at(8))
    Notification.objects.update(read_at=timezone.now())
    assert send_all_due() == [DeliveryState.SKIPPED]
    assert mail.outbox == []


def test_the_database_allows_one_digest_per_member_and_day(member):
    Delivery.objects.create(
        recipient=member, channel=Channel.DIGEST, day=at(8).date(), next_attempt_at=at(8)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            recipient=member, channel=Channel.DIGEST, day=at(8).date(), next_attempt_at=at(8)
        )


def follow_stop_link(member, kind: str) -> None:
    named, kinds = read_stop_emails_token(stop_emails_token(member_id=member.pk, kind=kind))
    services.stop_emails(member=named, kinds=kinds)


def test_stop_emails_links_stop_one_kind_or_the_whole_digest(member):
    follow_stop_link(member, Kind.QUOTE)
    services.choose_emails(member=member, choices={Kind.REPLY: EmailChoice.DIGEST})
    follow_stop_link(member, DIGEST)
    choices = email_choices(member)
    assert choices[Kind.QUOTE] == EmailChoice.NEVER
    assert choices[Kind.REPLY] == EmailChoice.NEVER
    assert choices[Kind.NEW_THREAD] == EmailChoice.NEVER  # was in the digest by default
    assert choices[Kind.MENTION] == EmailChoice.IMMEDIATELY


def test_fan_out_costs_the_same_queries_for_ten_or_a_hundred_recipients():
    few = [MemberFactory() for _ in range(10)]
    many = [MemberFactory() for _ in range(100)]
    counts = []
    for event, recipients in (("post:10", few), ("post:100", many)):
        with recorded_queries() as captured:
            tell(recipients, event=event)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_database_keeps_a_lease_exactly_while_a_delivery_is_sending(member):
    tell([member])
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.update(state=DeliveryState.SENDING, lease_until=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.update(lease_until=timezone.now())


def test_the_database_puts_in_a_digest_only_what_the_member_chose_for_it(member):
    tell([member])  # a mention, emailed at once by default
    digest = Delivery.objects.create(
        recipient=member, channel=Channel.DIGEST, day=at(8).date(), next_attempt_at=at(8)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.update(digest=digest)
