from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    RECEIVED = "received", _("received")
    POSTED = "posted", _("posted")
    REFUSED = "refused", _("refused")
    DROPPED = "dropped", _("dropped")
    BOUNCE = "bounce", _("bounce")


class Reason(models.TextChoices):
    """Why a message was refused (or, for auto-replies, dropped), or what a bounce did; each
    refusal's explanation to the sender is in incoming.refusals."""

    AUTO_REPLY = "auto_reply", _("an automatic reply")
    NO_ADDRESS = "no_address", _("no valid reply address")
    EXPIRED = "expired", _("reply address expired")
    UNKNOWN_MEMBER = "unknown_member", _("no such member")
    UNVERIFIED_SENDER = "unverified_sender", _("not sent from the member's verified address")
    BANNED = "banned", _("member banned")
    SUSPENDED = "suspended", _("member suspended")
    CHARTER = "charter", _("charter not accepted")
    UNREADABLE = "unreadable", _("thread not readable by the member")
    LOCKED = "locked", _("thread locked")
    CANNOT_REPLY = "cannot_reply", _("member may not reply in this thread")
    FIRST_DAY = "first_day", _("first day's limit reached")
    RATE_LIMITED = "rate_limited", _("posting too fast")
    TOO_LONG = "too_long", _("too long")
    TOO_SHORT = "too_short", _("no text")
    # A new thread by email (incoming.new_threads): the first two before the sender is proven.
    UNAUTHENTICATED = "unauthenticated", _("not shown to come from its sender (DKIM)")
    UNKNOWN_SENDER = "unknown_sender", _("not from a member's confirmed address")
    UNKNOWN_CATEGORY = "unknown_category", _("no such category open to the member")
    NOT_WATCHING = "not_watching", _("member not watching the category")
    CANNOT_START = "cannot_start", _("member may not start a thread in this category")
    NO_TITLE = "no_title", _("no subject")
    TITLE_TOO_LONG = "title_too_long", _("subject too long")
    # Bounces of the site's emails (incoming.bounces), never answered.
    HARD_BOUNCE = "hard_bounce", _("a hard bounce, counted against the address")
    REPEATED_BOUNCE = "repeated_bounce", _("a hard bounce of an email already counted")
    SOFT_BOUNCE = "soft_bounce", _("a temporary failure, not counted")
    UNKNOWN_BOUNCE = "unknown_bounce", _("a bounce of no email sent to the member's address")


# The states that say why: a refusal, a drop, what a bounce did.
WITH_A_REASON = [State.REFUSED, State.DROPPED, State.BOUNCE]
BOUNCE_REASONS = [
    Reason.HARD_BOUNCE,
    Reason.REPEATED_BOUNCE,
    Reason.SOFT_BOUNCE,
    Reason.UNKNOWN_BOUNCE,
]


class InboundMessage(models.Model):
    """A message as the mail server handed it over, stored before anything is done with it,
    so that a worker or Redis being down loses nothing (incoming.services.receive)."""

    # The Message-ID, or a digest of the bytes when there is none: a second delivery of the
    # same message is the same row (the constraint below), so it is posted at most once.
    message_id = models.CharField(_("message id"), max_length=998)
    raw = models.BinaryField(_("raw message"))
    # The envelope's, not the headers': "" for the null return path <>.
    sender = models.CharField(_("envelope sender"), max_length=998, blank=True)
    recipients = models.JSONField(_("envelope recipients"), default=list)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.RECEIVED
    )
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, blank=True)
    # What the member is told, word for word (in their language), when the reason needs it:
    # a first day's limit says until when.
    detail = models.TextField(_("detail"), blank=True)
    post = models.ForeignKey(
        "forum.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explained_at = models.DateTimeField(_("explanation sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        constraints = [
            models.UniqueConstraint(fields=["message_id"], name="inbound_message_once"),
            models.CheckConstraint(
                condition=Q(state__in=State.values), name="inbound_message_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=WITH_A_REASON) | Q(reason=""),
                name="inbound_message_reason_only_if_refused",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=WITH_A_REASON) | ~Q(reason=""),
                name="inbound_message_refused_for_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(state=State.BOUNCE, reason__in=BOUNCE_REASONS)
                | (~Q(state=State.BOUNCE) & ~Q(reason__in=BOUNCE_REASONS)),
                name="inbound_message_bounce_for_a_bounce_reason",
            ),
            models.CheckConstraint(
                condition=Q(state=State.POSTED) | Q(post__isnull=True),
                name="inbound_message_post_only_if_posted",
            ),
        ]
        indexes = [
            # The sweep's query: the few messages still waiting.
            models.Index(
                fields=["received_at"],
                condition=Q(state=State.RECEIVED),
                name="inbound_message_waiting",
            ),
        ]

    def __str__(self) -> str:
        return self.message_id
