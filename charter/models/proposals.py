"""Amendment proposals: their changes and co-sponsors."""

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.models.versions import CharterVersion

if TYPE_CHECKING:
    from charter.models.ballots import Ballot


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SEEKING = "seeking", _("Seeking co-sponsors")
    DISCUSSION = "discussion", _("In discussion")
    FROZEN = "frozen", _("Frozen, waiting for its ballot")
    BALLOT = "ballot", _("Ballot open")
    PASSED = "passed", _("Passed")
    FAILED = "failed", pgettext_lazy("proposal state", "Failed")
    LAPSED = "lapsed", _("Lapsed")
    OUTDATED = "outdated", _("Outdated: to rebase")
    WITHDRAWN = "withdrawn", _("Withdrawn")


LIVE_STATES = [
    ProposalState.DRAFT,
    ProposalState.SEEKING,
    ProposalState.DISCUSSION,
    ProposalState.FROZEN,
    ProposalState.OUTDATED,
]


class Proposal(models.Model):
    """An amendment: changes to named articles and parameters of `base`, with a rationale."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="charter_proposals"
    )
    title = models.CharField(_("title"), max_length=120)
    rationale = models.TextField(_("rationale"), max_length=10_000)
    rationale_html = models.TextField(editable=False)
    base = models.ForeignKey(
        CharterVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("amends version"),
    )
    # New parameter values, by key; the others stay as they are.
    parameters = models.JSONField(_("parameter changes"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ProposalState, default=ProposalState.DRAFT
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    thread = models.OneToOneField(
        "forum.Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    sponsors_due_at = models.DateTimeField(_("co-sponsors due"), null=True, blank=True)
    sponsored_at = models.DateTimeField(_("co-sponsored"), null=True, blank=True)
    discussion_ends_at = models.DateTimeField(_("discussion ends"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # Why the proposal is outdated: the version whose ratification overtook it.
    overtaken_by = models.ForeignKey(
        CharterVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("amendment proposal")
        verbose_name_plural = _("amendment proposals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(
                    state__in=[
                        "seeking",
                        "discussion",
                        "frozen",
                        "ballot",
                        "passed",
                        "failed",
                        "lapsed",
                    ]
                )
                | Q(submitted_at__isnull=False),
                name="proposal_submitted_once_published",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["discussion", "frozen", "ballot", "passed", "failed"])
                | Q(sponsored_at__isnull=False),
                name="proposal_sponsored_before_discussion",
            ),
        ]
        indexes = [models.Index(fields=["state"], name="proposal_state")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("charter:proposal", kwargs={"pk": self.pk})

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES

    @property
    def ballot(self) -> "Ballot | None":
        """The proposal's ballot, open or counted; None before it has one. Its void ballots,
        if any, are set aside (`void_ballots`). Reads `ballots` as the selectors prefetch it."""
        from charter.models.ballots import BallotState  # ballots.py imports this module

        return next((b for b in self.ballots.all() if b.state != BallotState.VOID), None)

    @property
    def void_ballots(self) -> list["Ballot"]:
        from charter.models.ballots import BallotState

        return [ballot for ballot in self.ballots.all() if ballot.state == BallotState.VOID]


class ChangeAction(models.TextChoices):
    ADD = "add", _("Add")
    CHANGE = "change", pgettext_lazy("verb: what a proposal does to an article", "Change")
    REMOVE = "remove", _("Remove")


class ProposedChange(models.Model):
    """One article a proposal adds, rewords or removes, named by its identity."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(_("action"), max_length=8, choices=ChangeAction)
    identity = models.UUIDField(default=uuid.uuid4)
    # For a new article: its place among the articles once the others are renumbered.
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("short title"), max_length=80, blank=True)
    body = models.TextField(_("text"), max_length=10_000, blank=True)
    entrenched = models.BooleanField(_("entrenched"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "identity"], name="proposed_change_once_per_article"
            ),
            models.CheckConstraint(
                condition=Q(action="remove") | (~Q(title="") & ~Q(body="")),
                name="proposed_change_has_words",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.identity}"


class Sponsorship(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="sponsorships")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("co-sponsored"), auto_now_add=True)

    class Meta:
        verbose_name = _("co-sponsorship")
        verbose_name_plural = _("co-sponsorships")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="sponsorship_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} co-sponsors {self.proposal_id}"
