"""Signals, cases, decisions, sanctions, appeals and the public journal.

Rows that record what someone did or decided are never rewritten: a decision is overturned by
an appeal, not edited, and the journal is append-only down to the database and chained by
digests (moderation.record). Posts and members they refer to are protected from deletion, so
the record cannot lose its subject.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.parameters import BY_KEY
from members.models import Role
from moderation.sanctions import SanctionKind, Step

# A suspension lasts as long as a step of some ladder the charter could hold: the ladder in
# force changes by amendment, and sanctions given on an older one stay as they were.
SUSPENSION_BOUNDS = BY_KEY["sanction_ladder"].minimum, BY_KEY["sanction_ladder"].maximum


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    SETTLED = "settled", _("Settled")


class Case(models.Model):
    """Every signal on one post, and what the moderators did about them."""

    post = models.OneToOneField(
        "forum.Post", on_delete=models.PROTECT, related_name="moderation_case"
    )
    state = models.CharField(_("state"), max_length=8, choices=CaseState, default=CaseState.OPEN)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, db_index=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claimed_cases",
        verbose_name=_("claimed by"),
    )
    # A claim lapses after the charter's `claim_hours` (as in force when it was made) without a
    # decision: from then on the case is anyone's to claim or decide, and is back in the queue.
    claim_lapses_at = models.DateTimeField(_("claim lapses"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(state=CaseState.OPEN, settled_at__isnull=True)
                | Q(state=CaseState.SETTLED, settled_at__isnull=False, claimed_by__isnull=True),
                name="case_settled_iff_settled_at",
            ),
            models.CheckConstraint(
                condition=Q(claimed_by__isnull=True, claim_lapses_at__isnull=True)
                | Q(claimed_by__isnull=False, claim_lapses_at__isnull=False),
                name="case_claim_lapses",
            ),
        ]
        indexes = [
            models.Index(
                fields=["claim_lapses_at"],
                condition=Q(claim_lapses_at__isnull=False),
                name="case_claims_to_lapse",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Case %(number)s") % {"number": self.pk})

    def get_absolute_url(self) -> str:
        return reverse("moderation:case", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state == CaseState.OPEN


class Outcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")
    OVERTURNED = "overturned", _("Overturned on appeal")


class Signal(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="signals")
    post = models.ForeignKey("forum.Post", on_delete=models.PROTECT, related_name="+")
    signaller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signals"
    )
    created_at = models.DateTimeField(_("signalled"), default=timezone.now)
    articles = models.ManyToManyField("charter.Article", related_name="+", blank=True)
    other = models.BooleanField(_("other"), default=False)
    note = models.TextField(_("note"), max_length=1_000, blank=True)
    # The signaller had been a member for less than the charter's `signal_weight_days` when
    # they signalled: the signal is recorded and shown to moderators, but never counts toward
    # hiding the post (fixed when made, as the charter then in force said).
    by_new_member = models.BooleanField(_("by a new member"), default=False)
    # What the post said when it was signalled: moderators judge that, not a later edit.
    snapshot_source = models.TextField()
    snapshot_html = models.TextField()
    # Set when a decision settles the signal (and again if an appeal overturns it).
    decision = models.ForeignKey(
        "Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="signals"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, blank=True)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        constraints = [
            models.UniqueConstraint(fields=["post", "signaller"], name="signal_once_per_member"),
            models.CheckConstraint(
                condition=Q(other=False) | ~Q(note=""), name="signal_other_needs_a_note"
            ),
            models.CheckConstraint(
                condition=Q(decision__isnull=True, outcome="")
                | Q(decision__isnull=False, outcome__in=Outcome.values),
                name="signal_outcome_iff_decided",
            ),
        ]
        indexes = [
            models.Index(fields=["signaller", "-created_at"], name="signal_signaller_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.signaller_id} → {self.post_id}"


class Action(models.TextChoices):
    KEEP = "keep", _("Keep the post, with a note")
    HIDE = "hide", _("Hide the post")
    DELETE = "delete", _("Delete the post")
    # For a picture beside the post that breaches the charter: the post stays as it is.
    PICTURE = "picture", _("Keep the post, remove its author's picture")


class Decision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderation_decisions"
    )
    created_at = models.DateTimeField(_("decided"), default=timezone.now)
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=[(Outcome.UPHELD, Outcome.UPHELD.label), (Outcome.DISMISSED, _("Dismissed"))],
    )
    action = models.CharField(_("action"), max_length=8, choices=Action, blank=True)
    articles = models.ManyToManyField("charter.Article", related_name="+", blank=True)
    rationale = models.TextField(_("rationale"), max_length=5_000, blank=True)
    # The appeal window of the charter in force when the decision was made.
    appeal_until = models.DateTimeField(_("appeal until"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome=Outcome.DISMISSED, action="", appeal_until__isnull=True)
                | Q(outcome=Outcome.UPHELD, appeal_until__isnull=False)
                & ~Q(action="")
                & ~Q(rationale=""),
                name="decision_upheld_has_action_rationale_and_appeal_window",
            ),
        ]
        indexes = [models.Index(fields=["case", "-created_at"], name="decision_case_latest")]

    def __str__(self) -> str:
        return str(_("Decision %(number)s") % {"number": self.pk})

    def get_absolute_url(self) -> str:
        return reverse("moderation:decision", kwargs={"pk": self.pk})

    @property
    def is_upheld(self) -> bool:
        return self.outcome == Outcome.UPHELD


class Sanction(models.Model):
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="sanction")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sanctions"
    )
    kind = models.CharField(_("sanction"), max_length=10, choices=SanctionKind)
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind=SanctionKind.SUSPENSION,
                    days__gte=SUSPENSION_BOUNDS[0],
                    days__lte=SUSPENSION_BOUNDS[1],
                    ends_at__isnull=False,
                )
                | ~Q(kind=SanctionKind.SUSPENSION) & Q(days__isnull=True, ends_at__isnull=True),
                name="sanction_suspension_has_days_and_end",
            ),
        ]

    def __str__(self) -> str:
        return self.step.label

    @property
    def step(self) -> Step:
        return Step(self.kind, self.days)


class AppealState(models.TextChoices):
    PENDING = "pending", _("Awaiting a hearing")
    CONFIRMED = "confirmed", _("Decision confirmed")
    OVERTURNED = "overturned", _("Decision overturned")


class Appeal(models.Model):
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="appeal")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appeals"
    )
    statement = models.TextField(_("statement"), max_length=5_000)
    created_at = models.DateTimeField(_("appealed"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=AppealState, default=AppealState.PENDING
    )
    heard_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="heard_appeals",
    )
    heard_at = models.DateTimeField(_("heard"), null=True, blank=True)
    rationale = models.TextField(_("rationale"), max_length=5_000, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(
                condition=Q(state=AppealState.PENDING, heard_by__isnull=True, heard_at__isnull=True)
                | ~Q(state=AppealState.PENDING)
                & Q(heard_by__isnull=False, heard_at__isnull=False)
                & ~Q(rationale=""),
                name="appeal_heard_iff_decided_with_rationale",
            ),
            models.CheckConstraint(condition=~Q(statement=""), name="appeal_has_a_statement"),
        ]

    def __str__(self) -> str:
        return str(_("Appeal of decision %(number)s") % {"number": self.decision_id})

    def get_absolute_url(self) -> str:
        return reverse("moderation:appeal", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.state == AppealState.PENDING


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    REOPENED = "reopened", _("Reopened after an edit")
    SIGNALLED = "signalled", _("Signalled")
    HELD = "held", _("Hidden pending review")
    CLAIMED = "claimed", _("Claimed")
    CLAIM_LAPSED = "claim_lapsed", _("The claim lapsed")
    RELEASED = "released", _("Released")
    STEPPED_ASIDE = "stepped_aside", _("Stepped aside")
    DEFERRED = "deferred", _("Deferred")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    APPEAL_HEARD = "appeal_heard", _("Appeal heard")


class CaseEvent(models.Model):
    """A case's history, as moderators read it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), max_length=5_000, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")


class JournalQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise JournalIsAppendOnly

    def delete(self):
        raise JournalIsAppendOnly


class JournalIsAppendOnly(Exception):
    """The journal is a public record: entries are added, never changed or removed."""


class JournalKind(models.TextChoices):
    DECISION = "decision", _("Decision")
    APPEAL = "appeal", _("Appeal")
    # What an admin did to an account (moderation.services.accounts): never silently.
    DEACTIVATED = "deactivated", _("Account deactivated")
    REACTIVATED = "reactivated", _("Account reactivated")
    ROLE_GRANTED = "role_granted", _("Role given")
    ROLE_REMOVED = "role_removed", _("Role removed")


ACCOUNT_KINDS = [JournalKind.DEACTIVATED, JournalKind.REACTIVATED]
ROLE_KINDS = [JournalKind.ROLE_GRANTED, JournalKind.ROLE_REMOVED]

# What each kind of entry names: a decision and its appeal, about a post; or an account.
_ABOUT_A_POST = Q(
    case__isnull=False, decision__isnull=False, post__isnull=False, member__isnull=True, role=""
) & ~Q(outcome="")
_ABOUT_AN_ACCOUNT = Q(
    case__isnull=True,
    decision__isnull=True,
    appeal__isnull=True,
    post__isnull=True,
    member__isnull=False,
    outcome="",
    action="",
    sanction="",
    suspension_days__isnull=True,
) & ~Q(rationale="")


class JournalEntry(models.Model):
    """One public line of the moderation journal, written once.

    It copies what it reports (outcome, action, sanction, rationale) so that it reads the same
    forever; its articles are the version-specific rows cited, whose words never change.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=JournalKind)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey(
        "forum.Post", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who decided: the moderator, or for an account's entry the admin who changed it.
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The account an admin deactivated, reactivated or gave or took a role from; shown by its
    # public name, so "Deleted member" once its member is forgotten.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("account"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        blank=True,
        choices=[
            (Outcome.UPHELD, Outcome.UPHELD.label),
            (Outcome.DISMISSED, Outcome.DISMISSED.label),
            (AppealState.CONFIRMED, AppealState.CONFIRMED.label),
            (AppealState.OVERTURNED, AppealState.OVERTURNED.label),
        ],
    )
    action = models.CharField(_("action"), max_length=8, choices=Action, blank=True)
    sanction = models.CharField(_("sanction"), max_length=10, choices=SanctionKind, blank=True)
    suspension_days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    articles = models.ManyToManyField(
        "charter.Article", through="JournalCitation", related_name="+"
    )
    # The record's hash chain (moderation.record): written once, with the entry.
    previous_digest = models.CharField(max_length=64, default="", editable=False)
    digest = models.CharField(_("digest"), max_length=64, default="", editable=False)

    objects = JournalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=JournalKind.values), name="journal_entry_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(kind=JournalKind.DECISION) | _ABOUT_A_POST & Q(appeal__isnull=True),
                name="journal_decision_entries_name_their_case",
            ),
            models.CheckConstraint(
                condition=~Q(kind=JournalKind.APPEAL) | _ABOUT_A_POST & Q(appeal__isnull=False),
                name="journal_appeal_entries_name_their_appeal",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=ACCOUNT_KINDS) | _ABOUT_AN_ACCOUNT & Q(role=""),
                name="journal_account_entries_name_the_account",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=ROLE_KINDS) | _ABOUT_AN_ACCOUNT & Q(role__in=Role.values),
                name="journal_role_entries_name_the_account_and_role",
            ),
            models.UniqueConstraint(
                fields=["previous_digest"],
                condition=~Q(previous_digest=""),
                name="journal_record_does_not_fork",
            ),
        ]

    def __str__(self) -> str:
        what = self.get_kind_display() if self.is_about_an_account else self.get_outcome_display()
        return f"{self.created_at:%Y-%m-%d} {what}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise JournalIsAppendOnly
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise JournalIsAppendOnly

    @property
    def is_about_an_account(self) -> bool:
        return self.kind in ACCOUNT_KINDS + ROLE_KINDS

    @property
    def sanction_step(self) -> Step | None:
        return Step(self.sanction, self.suspension_days) if self.sanction else None


class JournalCitation(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="citations")
    article = models.ForeignKey("charter.Article", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "article"], name="journal_citation_unique"),
        ]
