from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from members.names import one_line


class Kind(models.TextChoices):
    """What a notification is about. The charter and moderation add their kinds here."""

    REPLY = "reply", _("Replies in threads I watch")
    MENTION = "mention", _("Mentions of me")
    QUOTE = "quote", _("Quotes of my posts")
    NEW_THREAD = "new_thread", _("New threads in categories I watch")
    PROPOSAL_SPONSORS = "proposal_sponsors", _("Amendments seeking co-sponsors")
    PROPOSAL_NEWS = "proposal_news", _("News of amendments I proposed or co-sponsored")
    BALLOT_OPEN = "ballot_open", _("Ballots opening")
    BALLOT_REMINDER = "ballot_reminder", _("Reminders to vote, 48 hours before a close")
    BALLOT_RESULT = "ballot_result", _("Ballot results")
    BALLOT_VOID = "ballot_void", _("Ballots found void, and why")
    CHARTER_RATIFIED = "charter_ratified", _("A new charter version to accept")
    POST_HELD = "post_held", _("My posts hidden pending review")
    POST_DECISION = "post_decision", _("Moderators' decisions on my posts")
    SIGNAL_OUTCOME = "signal_outcome", _("Outcomes of my signals")
    APPEAL_OUTCOME = "appeal_outcome", _("Outcomes of my appeals")
    NEW_CASE = "new_case", _("New cases to moderate (moderators)")
    NEW_APPEAL = "new_appeal", _("Appeals to hear (moderators)")
    TRUSTEE_DUTY = "trustee_duty", _("My part as a ballot's trustee: the key, the decryption")
    VOTE_TRACKER = "vote_tracker", _("The tracker of each vote I cast")
    EMAIL_BOUNCING = "email_bouncing", _("Emails to my address that bounce")


# Kinds only moderators receive, so only they are offered a choice about them.
MODERATOR_KINDS = {Kind.NEW_CASE, Kind.NEW_APPEAL}
# Kinds told under the bell only, so no choice is offered: that emails bounce is no news to
# send to the address that bounces them.
IN_APP_ONLY = {Kind.EMAIL_BOUNCING}


class EmailChoice(models.TextChoices):
    IMMEDIATELY = "immediately", _("Email me at once")
    DIGEST = "digest", _("In my daily digest")
    NEVER = "never", _("Never by email")


# What a member gets by email until they choose otherwise; in-app is always on.
DEFAULT_EMAIL = {
    Kind.REPLY: EmailChoice.IMMEDIATELY,
    Kind.MENTION: EmailChoice.IMMEDIATELY,
    Kind.QUOTE: EmailChoice.IMMEDIATELY,
    Kind.NEW_THREAD: EmailChoice.DIGEST,
    Kind.PROPOSAL_SPONSORS: EmailChoice.DIGEST,
    Kind.PROPOSAL_NEWS: EmailChoice.IMMEDIATELY,
    Kind.BALLOT_OPEN: EmailChoice.IMMEDIATELY,
    Kind.BALLOT_REMINDER: EmailChoice.IMMEDIATELY,
    Kind.BALLOT_RESULT: EmailChoice.DIGEST,
    Kind.BALLOT_VOID: EmailChoice.IMMEDIATELY,
    Kind.CHARTER_RATIFIED: EmailChoice.IMMEDIATELY,
    Kind.POST_HELD: EmailChoice.IMMEDIATELY,
    Kind.POST_DECISION: EmailChoice.IMMEDIATELY,
    Kind.SIGNAL_OUTCOME: EmailChoice.DIGEST,
    Kind.APPEAL_OUTCOME: EmailChoice.IMMEDIATELY,
    Kind.NEW_CASE: EmailChoice.DIGEST,
    Kind.NEW_APPEAL: EmailChoice.DIGEST,
    Kind.TRUSTEE_DUTY: EmailChoice.IMMEDIATELY,
    Kind.VOTE_TRACKER: EmailChoice.IMMEDIATELY,
    Kind.EMAIL_BOUNCING: EmailChoice.NEVER,
}


# One line per kind, shown in the list and as an email's subject.
SUMMARIES = {
    Kind.REPLY: _("%(actor)s replied in “%(title)s”"),
    Kind.MENTION: _("%(actor)s mentioned you in “%(title)s”"),
    Kind.QUOTE: _("%(actor)s quoted you in “%(title)s”"),
    Kind.NEW_THREAD: _("%(actor)s started “%(title)s” in %(place)s"),
    Kind.PROPOSAL_SPONSORS: _("%(actor)s proposes an amendment, “%(title)s”: it needs co-sponsors"),
    Kind.PROPOSAL_NEWS: _("News of the amendment “%(title)s”"),
    Kind.BALLOT_OPEN: _("The ballot on “%(title)s” is open"),
    Kind.BALLOT_REMINDER: _("The ballot on “%(title)s” closes in 48 hours and you have not voted"),
    Kind.BALLOT_RESULT: _("The ballot on “%(title)s” is closed: see the result"),
    Kind.BALLOT_VOID: _("The ballot on “%(title)s” was void: it was not counted"),
    Kind.CHARTER_RATIFIED: _(
        "A new version of the charter is ratified (“%(title)s”): read and accept it"
    ),
    Kind.POST_HELD: _(
        "Your post in “%(title)s” is hidden while the moderators review it: you may edit it"
    ),
    Kind.POST_DECISION: _("The moderators decided on your post in “%(title)s”"),
    Kind.SIGNAL_OUTCOME: _("The moderators decided on the post you signalled in “%(title)s”"),
    Kind.APPEAL_OUTCOME: _("Your appeal about your post in “%(title)s” was heard"),
    Kind.NEW_CASE: _("A post in “%(title)s” was signalled to the moderators"),
    Kind.NEW_APPEAL: _("A decision on a post in “%(title)s” is appealed"),
    Kind.TRUSTEE_DUTY: _("As a trustee of the ballot on “%(title)s”, your part is due"),
    Kind.VOTE_TRACKER: _("Your vote on “%(title)s” is in the box: keep its tracker"),
    Kind.EMAIL_BOUNCING: _("Emails to %(title)s bounce: check your address"),
}


# Kinds whose excerpt is part of the news itself, shown under the bell and in every email, not
# only in an email sent at once: a ratification's digest, for the members to keep.
NEWS_IN_THE_EXCERPT = {Kind.CHARTER_RATIFIED, Kind.TRUSTEE_DUTY, Kind.VOTE_TRACKER}


class Preference(models.Model):
    """A member's email choice for one kind; no row means the kind's default."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    email = models.CharField(_("email"), max_length=12, choices=EmailChoice)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["member", "kind"], name="preference_unique_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind}: {self.email}"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The event, e.g. "post:123": a member hears of one event once, whatever the reasons
    # (watching, mentioned, quoted) they had to hear of it.
    event_key = models.CharField(max_length=64)
    # Notifications listed as one entry, e.g. every reply in one thread.
    group_key = models.CharField(max_length=64)
    title = models.CharField(_("title"), max_length=200)
    place = models.CharField(_("where"), max_length=200, blank=True)
    url = models.CharField(_("link"), max_length=300)
    excerpt = models.TextField(_("excerpt"), blank=True)
    # Signed link, specific to the recipient, that stops this kind of email at its source
    # (e.g. stop watching the thread); empty when the kind's own preference is the way to stop.
    unsubscribe_url = models.CharField(max_length=400, blank=True)
    email = models.CharField(_("email"), max_length=12, choices=EmailChoice)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    digest = models.ForeignKey(
        "Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_notifications",
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="notification_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(digest__isnull=True) | Q(email="digest"),
                name="notification_in_a_digest_only_if_chosen",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "group_key", "-id"], name="notification_group"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient"],
                condition=Q(email="digest", digest__isnull=True, read_at__isnull=True),
                name="notification_digest_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def news(self) -> str:
        """What every channel shows under the summary (NEWS_IN_THE_EXCERPT)."""
        return self.excerpt if self.kind in NEWS_IN_THE_EXCERPT else ""

    @property
    def summary(self) -> str:
        """The notification in one line, even about a name or title written before names and
        titles were kept on one line (an email's lines are the summary's)."""
        actor = self.actor.public_name if self.actor else gettext("Someone")
        shown = {"actor": actor, "title": self.title, "place": self.place}
        return SUMMARIES[self.kind] % {part: one_line(text) for part, text in shown.items()}


class Channel(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate email")
    DIGEST = "digest", _("Daily digest")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Nothing to send")
    FAILED = "failed", pgettext_lazy("email delivery state", "Failed")


class Delivery(models.Model):
    """One email to send, exactly once: either one notification, or a member's digest of a day.

    The unique notification (immediate) or (recipient, day) (digest) is the delivery's key: a
    task that runs twice finds the same row, and only the one that claims it sends.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel)
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="delivery"
    )
    day = models.DateField(_("day"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=DeliveryState, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    # While a worker sends, no other may; past this time, the worker is presumed dead.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # When a mail server first said the email could never be delivered: a delivery counts
    # once against its address, however many bounces of it arrive.
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "day"],
                condition=Q(channel="digest"),
                name="delivery_one_digest_a_day",
            ),
            models.CheckConstraint(
                condition=(
                    Q(channel="immediate", notification__isnull=False, day__isnull=True)
                    | Q(channel="digest", notification__isnull=True, day__isnull=False)
                ),
                name="delivery_channel_has_its_key",
            ),
            # A claim (lease) exists exactly while a worker sends.
            models.CheckConstraint(
                condition=Q(state="sending", lease_until__isnull=False)
                | (~Q(state="sending") & Q(lease_until__isnull=True)),
                name="delivery_lease_only_while_sending",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["sent", "skipped"], sent_at__isnull=False)
                | (~Q(state__in=["sent", "skipped"]) & Q(sent_at__isnull=True)),
                name="delivery_sent_at_once_done",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient_id} ({self.state})"


class BouncingAddress(models.Model):
    """An address of a member that emails bounce from for good (hard bounces).

    Past EMAIL_BOUNCE_LIMIT bounces, the member gets no more email at it, until they say it
    works again (notifications.services.resume_emails) or change it: a new address starts
    with no bounce.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bouncing_addresses"
    )
    address = models.EmailField(_("address"), max_length=254)
    # Distinct emails that bounced, not bounce messages (Delivery.bounced_at and
    # ListEmail.bounced_at).
    count = models.PositiveIntegerField(_("hard bounces"), default=0)
    last_bounce_at = models.DateTimeField(_("last bounce"), null=True, blank=True)

    class Meta:
        verbose_name = _("bouncing address")
        verbose_name_plural = _("bouncing addresses")
        constraints = [
            models.UniqueConstraint(fields=["member", "address"], name="bouncing_address_once"),
            models.CheckConstraint(condition=Q(count__gte=0), name="bouncing_address_count_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.address}: {self.count}"


class ListEmail(models.Model):
    """A post sent to a member in mailing-list mode (notifications.lists), recorded before it
    is sent: the unique (recipient, event) is what makes a task run twice send once.

    A worker claims a batch of rows (`claim`, until `claimed_until`) and marks each sent; a row
    whose sending failed keeps its claim until it is due again, and is given up after
    NOTIFICATIONS_MAX_ATTEMPTS (it stays, unsent, as the record of that).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_emails"
    )
    # The post's, as its notifications have it (e.g. "post:123").
    event_key = models.CharField(max_length=64)
    claim = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # As Delivery.bounced_at: the email counts once against its address.
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailing-list email")
        verbose_name_plural = _("mailing-list emails")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="list_email_once_per_post"
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True)
                | Q(claim__isnull=True, claimed_until__isnull=True),
                name="list_email_sent_holds_no_claim",
            ),
        ]
        indexes = [
            models.Index(
                fields=["event_key"], condition=Q(sent_at__isnull=True), name="list_email_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.recipient_id}"
