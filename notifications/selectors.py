"""The queries notification pages run, each page in a fixed number of queries."""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Q, QuerySet

from members.models import Member
from notifications import return_paths
from notifications.models import (
    DEFAULT_EMAIL,
    IN_APP_ONLY,
    MODERATOR_KINDS,
    BouncingAddress,
    Delivery,
    EmailChoice,
    Kind,
    ListEmail,
    Notification,
    Preference,
)

# The bell shows "99+" beyond this: counting further would cost more and tell nothing.
BELL_CAP = 99
ENTRIES_PER_PAGE = 30


def unread_count(member: Member) -> int:
    unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
    return unread[: BELL_CAP + 1].count()


@dataclass
class Entry:
    """One line of the list: the latest notification of a group and how many it stands for."""

    latest: Notification
    count: int
    unread: int

    @property
    def others(self) -> int:
        return self.count - 1


def inbox(member: Member, page_number: int | str) -> tuple[list[Entry], Page]:
    """The member's notifications, newest first, one entry per group (e.g. a thread's replies)."""
    groups = (
        Notification.objects.filter(recipient=member)
        .values("group_key")
        .annotate(
            latest_id=Max("pk"),
            count=Count("pk"),
            unread=Count("pk", filter=Q(read_at__isnull=True)),
        )
        .order_by("-latest_id")
    )
    page = Paginator(groups, ENTRIES_PER_PAGE).get_page(page_number)
    rows = list(page.object_list)
    latest = Notification.objects.select_related("actor").in_bulk(
        [row["latest_id"] for row in rows]
    )
    entries = [Entry(latest[row["latest_id"]], row["count"], row["unread"]) for row in rows]
    return entries, page


def entry_of(notification: Notification) -> Entry:
    """The list entry that `notification` heads, counted afresh."""
    counts = Notification.objects.filter(
        recipient_id=notification.recipient_id, group_key=notification.group_key
    ).aggregate(count=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
    return Entry(notification, counts["count"], counts["unread"])


def notification_for(member: Member, pk: int) -> Notification:
    return Notification.objects.select_related("actor").get(recipient=member, pk=pk)


def first_unread_in_group(notification: Notification) -> Notification:
    """Where following an entry leads: its group's oldest unread notification, else itself."""
    oldest = (
        Notification.objects.filter(
            recipient_id=notification.recipient_id,
            group_key=notification.group_key,
            read_at__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    return oldest or notification


def email_choices(member: Member) -> dict[Kind, EmailChoice]:
    chosen = dict(Preference.objects.filter(member=member).values_list("kind", "email"))
    return {kind: EmailChoice(chosen.get(kind, DEFAULT_EMAIL[kind])) for kind in Kind}


def kinds_offered(member: Member) -> list[Kind]:
    """The kinds a member chooses emails for: the moderators' own only to moderators, and
    none of those that are never emailed."""
    return [
        kind
        for kind in Kind
        if (member.is_moderator or kind not in MODERATOR_KINDS) and kind not in IN_APP_ONLY
    ]


def stopped_address(member: Member) -> BouncingAddress | None:
    """The member's address with its bounces, when emails to it stopped for bouncing."""
    if not member.email:
        return None
    return _stopped().filter(member=member, address=member.email).first()


def stopped_members(members: list[Member]) -> set[int]:
    """Those of `members` whose present address emails stopped for bouncing, in one query."""
    stopped = _stopped().filter(member__in=members, address=F("member__email"))
    return set(stopped.values_list("member_id", flat=True))


def _stopped() -> QuerySet[BouncingAddress]:
    return BouncingAddress.objects.filter(count__gte=settings.EMAIL_BOUNCE_LIMIT)


# The record of each kind of email a return path names.
_SENT_RECORDS = {return_paths.Record.DELIVERY: Delivery, return_paths.Record.LIST_EMAIL: ListEmail}


def email_bounced_to(address: str) -> Delivery | ListEmail | None:
    """The email (a delivery, or a list email) whose bounce is addressed to `address`, a
    return path; None when no email of the site had it, or its member's address is no longer
    the one it went to."""
    sent = return_paths.email_named(address)
    if sent is None:
        return None
    model = _SENT_RECORDS[sent.record]
    email = model.objects.select_related("recipient").filter(pk=sent.pk).first()
    if email is None or not email.recipient.email:
        return None
    genuine = return_paths.is_genuine(address, sent=sent, sent_to=email.recipient.email)
    return email if genuine else None


def personal_data_of(member: Member) -> dict:
    """What the member was told and chose. Who caused each notification, and the excerpts
    (which quote their posts), are others' data and left out."""
    return {
        "notifications": list(
            Notification.objects.filter(recipient=member)
            .order_by("created_at", "pk")
            .values("id", "kind", "title", "place", "url", "created_at", "read_at", "email")
        ),
        "email_choices": list(
            Preference.objects.filter(member=member).order_by("kind").values("kind", "email")
        ),
        "bouncing_addresses": list(
            BouncingAddress.objects.filter(member=member)
            .order_by("address")
            .values("address", "count", "last_bounce_at")
        ),
        "emails": list(
            Delivery.objects.filter(recipient=member)
            .order_by("created_at", "pk")
            .values("channel", "state", "created_at", "sent_at", "notification", "day")
        ),
        "mailing_list_mode": member.mailing_list_mode,
        "mailing_list_emails": list(
            ListEmail.objects.filter(recipient=member)
            .order_by("created_at", "pk")
            .values("event_key", "created_at", "sent_at")
        ),
    }
