"""Every operation that changes notifications, and the single entry point for other apps: notify."""

import smtplib
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mailers
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from core.queueing import queue_after_commit
from members.models import Member
from notifications import emails, lists, replies, selectors, tasks
from notifications.models import (
    DEFAULT_EMAIL,
    BouncingAddress,
    Channel,
    Delivery,
    DeliveryState,
    EmailChoice,
    Kind,
    ListEmail,
    Notification,
    Preference,
)

BATCH_SIZE = 1_000
DELIVERIES_PER_TASK = 50
# Emails of one post in mailing-list mode composed and sent between two writes of their record.
LIST_EMAILS_PER_BATCH = 50
# The kinds whose email a member in mailing-list mode gets as the post itself: the notification
# stays under the bell, its email is not sent. A mention or a quote is about the member, and
# still comes.
SENT_AS_LIST_EMAIL = {Kind.REPLY, Kind.NEW_THREAD}


def notify(
    *,
    kind: Kind,
    recipients: QuerySet[Member] | Iterable[int],
    actor: Member | None,
    event_key: str,
    title: str,
    url: str,
    group_key: str = "",
    place: str = "",
    excerpt: str = "",
    unsubscribe_url: Callable[[int], str] | None = None,
    email: EmailChoice | None = None,
) -> int:
    """Tell `recipients` about an event, in the caller's transaction; email once it commits.

    Nobody hears of their own action, inactive members hear nothing, and a member hears of
    one event once: a second call for the same `event_key` adds nobody already told. A member
    sent the post in mailing-list mode (`mail_to_list`, called first) gets no second email
    about it (SENT_AS_LIST_EMAIL). The query count does not depend on the number of recipients
    (inserts go in batches).
    `email`, when given, is sent whatever the recipients chose: for what a member who cannot
    sign in (a banned one) must still receive. Returns the number of members newly notified.
    """
    if not isinstance(recipients, QuerySet):
        recipients = Member.objects.filter(pk__in=list(recipients))
    if actor is not None:
        recipients = recipients.exclude(pk=actor.pk)
    chosen = Preference.objects.filter(member=OuterRef("pk"), kind=kind).values("email")[:1]
    listed = ListEmail.objects.filter(recipient=OuterRef("pk"), event_key=event_key)
    audience = (
        recipients.filter(is_active=True)
        .exclude(notifications__event_key=event_key)
        .annotate(chosen=Subquery(chosen), listed=Exists(listed))
        .values_list("pk", "chosen", "listed")
        .distinct()
    )
    rows = [
        Notification(
            recipient_id=member_id,
            kind=kind,
            actor=actor,
            event_key=event_key,
            group_key=group_key or event_key,
            title=title[:200],
            place=place[:200],
            url=url,
            excerpt=excerpt,
            unsubscribe_url=unsubscribe_url(member_id) if unsubscribe_url else "",
            email=EmailChoice.NEVER
            if listed and kind in SENT_AS_LIST_EMAIL
            else email or chosen or DEFAULT_EMAIL[kind],
        )
        for member_id, chosen, listed in audience
    ]
    # Conflicts are ignored, not raised: a concurrent call for the same event (a mention
    # added by an edit while the watchers are told of the post) must not fail the caller.
    Notification.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    if any(row.email == EmailChoice.IMMEDIATELY for row in rows):
        _plan_immediate_emails(event_key)
    return len(rows)


def _plan_immediate_emails(event_key: str) -> None:
    now = timezone.now()
    unplanned = Notification.objects.filter(
        event_key=event_key, email=EmailChoice.IMMEDIATELY, delivery__isnull=True
    ).values_list("pk", "recipient_id")
    Delivery.objects.bulk_create(
        [
            Delivery(
                recipient_id=recipient_id,
                channel=Channel.IMMEDIATE,
                notification_id=notification_id,
                next_attempt_at=now,
            )
            for notification_id, recipient_id in unplanned
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    pending = Delivery.objects.filter(
        notification__event_key=event_key, state=DeliveryState.PENDING, attempts=0
    ).values_list("pk", flat=True)
    _queue_after_commit(list(pending))


def _queue_after_commit(delivery_ids: list[int]) -> None:
    # One message per batch: publishing one per email cost 2.8 s for 5,000 watchers.
    batches = range(0, len(delivery_ids), DELIVERIES_PER_TASK)
    queue_after_commit(
        tasks.deliver_emails,
        *[(delivery_ids[start : start + DELIVERIES_PER_TASK],) for start in batches],
    )


# Mailing-list mode


def mail_to_list(*, event_key: str, recipients: QuerySet[Member], actor: Member | None) -> int:
    """Send a new post as its own email to those of `recipients` in mailing-list mode, once
    the caller's transaction commits; returns how many.

    `recipients` are the members who watch where the post is and may read it; the caller says
    who they are, this says who among them chose the mode and may be written to. The record of
    each email is written now, in the caller's transaction, so that `notify` (called after)
    knows whom not to email a second time, and a lost task leaves rows for the sweep.
    """
    if actor is not None:
        recipients = recipients.exclude(pk=actor.pk)
    listening = (
        recipients.filter(mailing_list_mode=True, is_active=True, banned_at__isnull=True)
        .exclude(email="")
        .values_list("pk", flat=True)
        .distinct()
    )
    rows = [ListEmail(recipient_id=member_id, event_key=event_key) for member_id in listening]
    ListEmail.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    if rows:
        queue_after_commit(tasks.send_list_emails, (event_key,))
    return len(rows)


def send_list_emails(*, event_key: str) -> datetime | None:
    """Send a post's unsent emails in mailing-list mode, batch after batch, each batch in the
    same number of queries whatever its size. Run twice (or by two workers at once), each email
    goes once: a batch is claimed by one UPDATE before it is sent. Returns when to try again
    the emails the mail server refused, if any."""
    letter = lists.letter_of(event_key)
    if letter is None:
        # Hidden or removed since it was announced: nothing of it is sent any more.
        ListEmail.objects.filter(event_key=event_key, sent_at__isnull=True).delete()
        return None
    retry_at = None
    batch = _claim_list_emails(event_key)
    if not batch:
        return None  # all sent already: no need to call the mail server
    # One connection to the mail server for all of them.
    with mailers.default as connection:
        while batch:
            retry_at = _send_list_emails(batch, letter, connection) or retry_at
            batch = _claim_list_emails(event_key)
    return retry_at


def _claim_list_emails(event_key: str) -> list[ListEmail]:
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFICATIONS_DELIVERY_LEASE_SECONDS)
    claim = uuid.uuid4()
    due = (
        Q(event_key=event_key, sent_at__isnull=True)
        & Q(attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS)
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )
    batch = ListEmail.objects.filter(due).order_by("pk").values("pk")[:LIST_EMAILS_PER_BATCH]
    ListEmail.objects.filter(due, pk__in=batch).update(
        claim=claim, claimed_until=now + lease, attempts=F("attempts") + 1
    )
    return list(ListEmail.objects.filter(claim=claim).select_related("recipient"))


def _send_list_emails(batch: list[ListEmail], letter: lists.Letter, connection) -> datetime | None:
    """Send a claimed batch and record what became of each email; returns when to retry the
    ones the mail server refused."""
    # Whoever was banned, left or emptied their address since the post was announced, or
    # whose address emails stopped for bouncing (as emails.compose): their rows go, unsent.
    stopped = selectors.stopped_members([row.recipient for row in batch])
    gone = [
        row.pk for row in batch if not _may_write_to(row.recipient) or row.recipient_id in stopped
    ]
    batch = [row for row in batch if row.pk not in gone]
    members = [row.recipient for row in batch]
    conversation = replies.list_conversation(batch[0].event_key, members) if batch else None
    sent, failed = [], {}
    for row in batch:
        message = lists.compose(row, letter, conversation)
        try:
            connection.send_messages([message])
        except (smtplib.SMTPException, OSError) as error:
            failed[row.pk] = f"{type(error).__name__}: {error}"[:2_000]
        else:
            sent.append(row.pk)
    now = timezone.now()
    ListEmail.objects.filter(pk__in=sent).update(
        sent_at=now, claim=None, claimed_until=None, last_error=""
    )
    if gone:
        ListEmail.objects.filter(pk__in=gone).delete()
    if not failed:
        return None
    # The claim is kept until the retry is due, so that this run does not take them again.
    retry_at = now + timedelta(seconds=60 * 2 ** (min(row.attempts for row in batch) - 1))
    for pk, error in failed.items():
        ListEmail.objects.filter(pk=pk).update(claimed_until=retry_at, last_error=error)
    return retry_at


def _may_write_to(member: Member) -> bool:
    return bool(
        member.is_active and not member.is_banned and member.mailing_list_mode and member.email
    )


def queue_unsent_list_emails(*, now: datetime | None = None) -> int:
    """The sweep's part for mailing-list mode: queue again the posts whose emails a lost task
    (Redis down, a dead worker) left unsent, and those whose retry is due."""
    now = now or timezone.now()
    late = now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_SECONDS)
    unsent = (
        ListEmail.objects.filter(
            sent_at__isnull=True,
            created_at__lte=late,
            attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("event_key", flat=True)
        .distinct()
    )
    event_keys = list(unsent)
    queue_after_commit(tasks.send_list_emails, *[(event_key,) for event_key in event_keys])
    return len(event_keys)


# Reading and choosing


def mark_group_read(*, member: Member, notification: Notification) -> int:
    return _mark_read(
        Notification.objects.filter(recipient=member, group_key=notification.group_key)
    )


def mark_all_read(*, member: Member) -> int:
    return _mark_read(Notification.objects.filter(recipient=member))


def mark_events_read(*, member: Member, event_keys: Iterable[str]) -> int:
    """The member has seen these events where they happened (e.g. the posts of a page)."""
    return _mark_read(Notification.objects.filter(recipient=member, event_key__in=event_keys))


def forget_excerpts(*, event_keys: Iterable[str]) -> int:
    """Blank the quoted text of notifications about events whose content was withdrawn
    (a post hidden or removed by moderation): the bell and emails must not keep showing it."""
    return (
        Notification.objects.filter(event_key__in=list(event_keys))
        .exclude(excerpt="")
        .update(excerpt="")
    )


def _mark_read(notifications: QuerySet[Notification]) -> int:
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())


def choose_emails(*, member: Member, choices: dict[str, str]) -> None:
    with transaction.atomic():
        for kind, email in choices.items():
            Preference.objects.update_or_create(
                member=member, kind=Kind(kind), defaults={"email": EmailChoice(email)}
            )


def stop_emails(*, member: Member, kinds: list[Kind]) -> None:
    """Apply a stop-emails link: its kinds are no longer emailed (they stay in-app)."""
    choose_emails(member=member, choices=dict.fromkeys(kinds, EmailChoice.NEVER))


# Delivery


class DeliveryFailed(Exception):
    """The mail server refused or failed; `retry_at` is None once the attempts are used up."""

    def __init__(self, error: Exception, retry_at: datetime | None):
        super().__init__(str(error))
        self.retry_at = retry_at


def _due(now: datetime) -> Q:
    return Q(state=DeliveryState.PENDING, next_attempt_at__lte=now) | Q(
        state=DeliveryState.SENDING, lease_until__lt=now
    )


def deliver(*, delivery_id: int) -> DeliveryState | None:
    """Send one delivery if it is due and this call claims it; None when another has it.

    The claim is an UPDATE that only one caller can win, committed before sending, so two
    workers (or one task run twice) send one email. A worker that dies while sending leaves
    the claim to expire after NOTIFICATIONS_DELIVERY_LEASE_SECONDS; the sweep then hands the
    delivery to another.
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.NOTIFICATIONS_DELIVERY_LEASE_SECONDS)
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(_due(now))
        .update(state=DeliveryState.SENDING, lease_until=now + lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("recipient", "notification__actor").get(
        pk=delivery_id
    )
    message = emails.compose(delivery)
    if message is None:
        return _finish(delivery, DeliveryState.SKIPPED)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryFailed(error, retry_at=_record_failure(delivery, error, now)) from error
    return _finish_sent(delivery, lease_until=now + lease)


def _finish(delivery: Delivery, state: DeliveryState) -> DeliveryState:
    Delivery.objects.filter(pk=delivery.pk).update(
        state=state, lease_until=None, sent_at=timezone.now(), last_error=""
    )
    return state


def _finish_sent(delivery: Delivery, *, lease_until: datetime) -> DeliveryState:
    """Record that the mail server took the email, trying again while the database is away.

    Until this is written, the claim's lease is all that stops the sweep from sending the email
    again once it ends; a database restart lasts seconds, so keep trying within the lease.
    """
    pause = 0.25
    while True:
        try:
            return _finish(delivery, DeliveryState.SENT)
        except (OperationalError, InterfaceError):
            if timezone.now() + timedelta(seconds=pause) >= lease_until:
                raise
            connection.close()  # the broken connection; the next attempt opens a new one
            time.sleep(pause)
            pause = min(pause * 2, 5)


def _record_failure(delivery: Delivery, error: Exception, now: datetime) -> datetime | None:
    """Put the delivery back for a later attempt; returns when, or None once it has failed."""
    exhausted = delivery.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS
    # Exponential backoff: 1, 2, 4 … minutes, at most an hour apart.
    backoff = min(60 * 2 ** (delivery.attempts - 1), 3_600)
    retry_at = now + timedelta(seconds=backoff)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.FAILED if exhausted else DeliveryState.PENDING,
        lease_until=None,
        next_attempt_at=retry_at,
        last_error=f"{type(error).__name__}: {error}"[:2_000],
    )
    return None if exhausted else retry_at


def queue_due_deliveries(*, now: datetime | None = None) -> int:
    """The sweep: queue every delivery that should have gone and did not.

    That covers messages lost while Redis was down, retries whose message was lost, and
    claims left by a dead worker. A delivery only counts as late one sweep interval after
    it was due, so the sweep does not race the message queued on commit.
    """
    now = now or timezone.now()
    late = now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_SECONDS)
    due = Delivery.objects.filter(
        Q(state=DeliveryState.PENDING, next_attempt_at__lte=late)
        | Q(state=DeliveryState.SENDING, lease_until__lt=now)
    ).values_list("pk", flat=True)
    ids = list(due)
    _queue_after_commit(ids)
    return len(ids)


def retry_deliveries(*, deliveries: QuerySet[Delivery]) -> int:
    """An admin sends failed deliveries again, with a fresh set of attempts."""
    ids = list(deliveries.filter(state=DeliveryState.FAILED).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    _queue_after_commit(ids)
    return len(ids)


# Bounces


def record_hard_bounce(*, email: Delivery | ListEmail) -> bool:
    """A mail server says `email` (a notification email or a list email) can never be
    delivered: count it against the member's address (the one it went to:
    notifications.selectors.email_bounced_to), and when the count reaches EMAIL_BOUNCE_LIMIT,
    tell the member under the bell, once, that their emails stop.

    An email counts once, however many bounces of it arrive; returns False for those after
    the first. Concurrent bounces of two emails queue on the address's row, so exactly one of
    them sees the count reach the limit.
    """
    member = email.recipient
    now = timezone.now()
    with transaction.atomic():
        first = (
            type(email).objects.filter(pk=email.pk, bounced_at__isnull=True).update(bounced_at=now)
        )
        if not first:
            return False
        bouncing = BouncingAddress.objects.select_for_update().get_or_create(
            member=member, address=member.email
        )[0]
        bouncing.count += 1
        bouncing.last_bounce_at = now
        bouncing.save(update_fields=["count", "last_bounce_at"])
        if bouncing.count == settings.EMAIL_BOUNCE_LIMIT:
            notify(
                kind=Kind.EMAIL_BOUNCING,
                recipients=[member.pk],
                actor=None,
                event_key=_bouncing_event(bouncing.pk),
                title=member.email,
                url=reverse("account_email"),
                email=EmailChoice.NEVER,
            )
    return True


def resume_emails(*, member: Member) -> None:
    """The member says their address works again: its bounces are forgotten and emails to it
    resume; the bell's news of them is read. Should it bounce again, the count starts over."""
    with transaction.atomic():
        bouncing = BouncingAddress.objects.filter(member=member)
        events = [_bouncing_event(pk) for pk in bouncing.values_list("pk", flat=True)]
        mark_events_read(member=member, event_keys=events)
        bouncing.delete()


def _bouncing_event(bouncing_pk: int) -> str:
    # A row is deleted when its count resets: a later stop is a new row, and new news.
    return f"email-bouncing:{bouncing_pk}"


def queue_daily_digests(*, now: datetime | None = None) -> int:
    """Start today's digest for each member with unread notifications not yet mailed.

    Safe to run every hour, late, or twice: a member gets at most one digest a day (a
    database constraint), and nothing before NOTIFICATIONS_DIGEST_HOUR in the site's time zone.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.NOTIFICATIONS_DIGEST_HOUR:
        return 0
    day = local.date()
    waiting = Notification.objects.filter(
        email=EmailChoice.DIGEST, digest__isnull=True, read_at__isnull=True
    )
    already = Delivery.objects.filter(channel=Channel.DIGEST, day=day).values("recipient")
    members = waiting.exclude(recipient__in=already).values_list("recipient", flat=True).distinct()
    started = 0
    for member_id in list(members):
        with transaction.atomic():
            delivery, created = Delivery.objects.get_or_create(
                recipient_id=member_id,
                channel=Channel.DIGEST,
                day=day,
                defaults={"next_attempt_at": timezone.now()},
            )
            if created:
                waiting.filter(recipient_id=member_id).update(digest=delivery)
                _queue_after_commit([delivery.pk])
                started += 1
    return started


def forget_member(*, member: Member, remove_posts: bool) -> None:
    """A member deletes their account: what they were told, and their choices, go. (Others'
    notifications of what they did stay; excerpts of removed posts are forgotten by the forum.)"""
    Delivery.objects.filter(recipient=member).delete()
    ListEmail.objects.filter(recipient=member).delete()
    Notification.objects.filter(recipient=member).delete()
    Preference.objects.filter(member=member).delete()
    BouncingAddress.objects.filter(member=member).delete()
