import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from charter.parameters import FRACTION_NAMES, PARAMETERS, not_yet_ratified, with_defaults


class VersionState(models.TextChoices):
    PROVISIONAL = "provisional", _("Provisional draft")
    BALLOT = "ballot", _("In its founding ballot")
    RATIFIED = "ratified", _("Ratified")
    REJECTED = "rejected", _("Rejected by ballot")
    VOID = "void", _("Set aside: its founding ballot was void")


class CharterVersion(models.Model):
    """A charter: ordered articles and the procedural parameters.

    Only a provisional draft changes, and only through `charter.services`; once it goes to
    ballot its text is frozen, and a ratified version is never written again: the database
    refuses it (charter.record), and the record's hash chain would show it.
    """

    state = models.CharField(_("state"), max_length=12, choices=VersionState)
    # Ratified versions are numbered 1, 2, 3…; drafts have no number.
    number = models.PositiveIntegerField(_("version"), null=True, blank=True, unique=True)
    parameters = models.JSONField(_("procedural parameters"), default=dict)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ratified_at = models.DateTimeField(_("ratified"), null=True, blank=True)
    # The record's hash chain (charter.record): written once, as the version is ratified.
    previous_digest = models.CharField(max_length=64, default="", editable=False)
    digest = models.CharField(_("digest"), max_length=64, default="", editable=False)

    class Meta:
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        constraints = [
            models.CheckConstraint(
                condition=Q(state="ratified", number__isnull=False, ratified_at__isnull=False)
                | Q(~Q(state="ratified"), number__isnull=True, ratified_at__isnull=True),
                name="version_numbered_iff_ratified",
            ),
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state__in=["provisional", "ballot"]),
                name="version_one_draft_at_a_time",
            ),
            models.CheckConstraint(
                condition=Q(state="ratified") | Q(digest="", previous_digest=""),
                name="version_in_the_record_once_ratified",
            ),
            models.UniqueConstraint(
                fields=["previous_digest"],
                condition=~Q(previous_digest=""),
                name="version_record_does_not_fork",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return str(_("Charter, version %(number)s") % {"number": self.number})
        return str(_("Provisional charter"))

    def get_absolute_url(self) -> str:
        if self.number:
            return reverse("charter:version", kwargs={"number": self.number})
        return reverse("charter:draft")

    @property
    def is_ratified(self) -> bool:
        return self.state == VersionState.RATIFIED

    @property
    def settings(self) -> dict:
        return with_defaults(self.parameters)

    def parameter_rows(self) -> list[tuple]:
        """(parameter, value, its display, whether the members have yet to ratify it)."""
        values = self.settings
        unratified = not_yet_ratified(self.parameters) if self.is_ratified else set()
        return [
            (p, values[p.key], p.display(values[p.key]), p.key in unratified) for p in PARAMETERS
        ]


class Article(models.Model):
    """One article as worded in one version.

    `identity` is shared by the same article in every version, so a citation of an article
    row keeps the exact words it cited while the article can still be followed across versions.
    """

    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="articles")
    identity = models.UUIDField(default=uuid.uuid4)
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("short title"), max_length=80)
    body = models.TextField(_("text"), max_length=10_000)
    html = models.TextField(editable=False)
    entrenched = models.BooleanField(
        _("entrenched"),
        default=False,
        help_text=_(
            "Entrenched articles (the amendment procedure, the voting rules, the members' "
            "rights) change only with the higher quorum and majority."
        ),
    )

    class Meta:
        ordering = ["version", "number"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="article_number_unique"),
            models.UniqueConstraint(fields=["version", "identity"], name="article_once_a_version"),
            models.CheckConstraint(condition=Q(number__gte=1), name="article_number_positive"),
        ]

    def __str__(self) -> str:
        return str(
            _("Article %(number)s: %(title)s") % {"number": self.number, "title": self.title}
        )


class AcceptanceQuerySet(models.QuerySet):
    def of_a_ratified_version(self) -> "AcceptanceQuerySet":
        """The acceptances that make a voter: of any ratified version, not only the newest.
        Having to accept a new version gates posting, never voting (DESIGN.md)."""
        return self.filter(version__state=VersionState.RATIFIED)


class Acceptance(models.Model):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charter_acceptances"
    )
    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(_("accepted"), auto_now_add=True)

    objects = AcceptanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        constraints = [
            models.UniqueConstraint(fields=["member", "version"], name="acceptance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} accepted {self.version_id}"


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SEEKING = "seeking", _("Seeking co-sponsors")
    DISCUSSION = "discussion", _("In discussion")
    FROZEN = "frozen", _("Frozen, waiting for its ballot")
    BALLOT = "ballot", _("Ballot open")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
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
        return next((b for b in self.ballots.all() if b.state != BallotState.VOID), None)

    @property
    def void_ballots(self) -> list["Ballot"]:
        return [ballot for ballot in self.ballots.all() if ballot.state == BallotState.VOID]


class ChangeAction(models.TextChoices):
    ADD = "add", _("Add")
    CHANGE = "change", _("Change")
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


class BallotState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    VOID = "void", _("Void")


class VoidReason(models.TextChoices):
    # The number of papers in the box differs from the ticks on the roll: papers were put in
    # or taken out other than by a vote (see services.close_ballot).
    BOX_MISMATCH = "box", _("The ballot box did not match the roll")


class Ballot(models.Model):
    """A secret vote on a founding draft (`draft`) or on an amendment (`proposal`).

    The thresholds in force when it opened are copied here, so a result can always be
    checked against the rule it was counted by. The tally stays empty until the close.
    """

    draft = models.ForeignKey(
        CharterVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots"
    )
    # A proposal has one ballot that counts, and may have void ones before it.
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots"
    )
    state = models.CharField(_("state"), max_length=8, choices=BallotState, default="open")
    opened_at = models.DateTimeField(_("opened"))
    closes_at = models.DateTimeField(_("closes"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    # How many papers the box held when last resealed (see services.reseal_ballot_box).
    papers_resealed = models.PositiveIntegerField(default=0)
    entrenched = models.BooleanField(_("entrenched thresholds"), default=False)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (%)"))
    majority = models.CharField(_("majority of yes and no"), max_length=8)
    eligibility_days = models.PositiveSmallIntegerField(_("days of membership to vote"))
    eligible_count = models.PositiveIntegerField(_("eligible voters"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Whether the members were told of the result (services.announce_results, after the close).
    result_announced = models.BooleanField(default=False, editable=False)
    active_count = models.PositiveIntegerField(_("active eligible voters"), null=True, blank=True)
    yes = models.PositiveIntegerField(null=True, blank=True)
    no = models.PositiveIntegerField(null=True, blank=True)
    abstain = models.PositiveIntegerField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    result = models.OneToOneField(
        CharterVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="ratified_by"
    )
    # Why a void ballot was not counted, and for a box that did not match its roll, what the
    # close found in each.
    void_reason = models.CharField(_("why void"), max_length=8, choices=VoidReason, blank=True)
    papers_found = models.PositiveIntegerField(_("papers in the box"), null=True, blank=True)
    ticks_found = models.PositiveIntegerField(_("ticks on the roll"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.CheckConstraint(
                condition=Q(draft__isnull=True) ^ Q(proposal__isnull=True),
                name="ballot_on_a_draft_or_a_proposal",
            ),
            models.CheckConstraint(
                condition=Q(
                    state="open",
                    closed_at__isnull=True,
                    active_count__isnull=True,
                    yes__isnull=True,
                    no__isnull=True,
                    abstain__isnull=True,
                    passed__isnull=True,
                )
                | Q(
                    state="closed",
                    closed_at__isnull=False,
                    active_count__isnull=False,
                    yes__isnull=False,
                    no__isnull=False,
                    abstain__isnull=False,
                    passed__isnull=False,
                )
                | Q(
                    state="void",
                    closed_at__isnull=False,
                    yes__isnull=True,
                    no__isnull=True,
                    abstain__isnull=True,
                    passed__isnull=True,
                    result__isnull=True,
                ),
                name="ballot_tally_only_once_counted",
            ),
            models.CheckConstraint(
                condition=Q(state="void", void_reason__in=VoidReason.values)
                | (~Q(state="void") & Q(void_reason="")),
                name="ballot_void_says_why",
            ),
            models.CheckConstraint(
                condition=~Q(void_reason=VoidReason.BOX_MISMATCH)
                | (
                    Q(papers_found__isnull=False, ticks_found__isnull=False)
                    & ~Q(papers_found=F("ticks_found"))
                ),
                name="ballot_void_box_differs_from_roll",
            ),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=~Q(state="void"),
                name="ballot_one_counted_per_proposal",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opened_at")), name="ballot_closes_after_open"
            ),
        ]
        indexes = [models.Index(fields=["state", "closes_at"], name="ballot_due")]

    def __str__(self) -> str:
        if self.proposal_id:
            return str(_("Ballot on “%(title)s”") % {"title": self.proposal.title})
        return str(_("Founding ballot"))

    def get_absolute_url(self) -> str:
        return reverse("charter:ballot", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state == BallotState.OPEN

    @property
    def is_void(self) -> bool:
        return self.state == BallotState.VOID

    @property
    def why_void(self) -> str:
        """Why the ballot was not counted, in the reader's language; empty unless void."""
        if self.void_reason == VoidReason.BOX_MISMATCH:
            return gettext(
                "At the close the ballot box held %(papers)s papers, but %(ticks)s members were "
                "ticked on the roll as having voted: papers went into or out of the box other "
                "than by a vote. A box that does not match its roll is not counted."
            ) % {"papers": self.papers_found, "ticks": self.ticks_found}
        return ""

    @property
    def majority_label(self) -> str:
        return str(FRACTION_NAMES.get(self.majority, self.majority))

    @property
    def is_founding(self) -> bool:
        return self.draft_id is not None

    @property
    def cast(self) -> int | None:
        if self.yes is None:
            return None
        return self.yes + self.no + self.abstain

    @property
    def quorum_met(self) -> bool | None:
        """Whether the closed ballot reached its quorum; None while it is open."""
        if self.cast is None:
            return None
        return quorum_reached(
            cast=self.cast, active=self.active_count, quorum_percent=self.quorum_percent
        )


def quorum_reached(*, cast: int, active: int, quorum_percent: int) -> bool:
    """Votes cast (yes, no and abstain) against the active eligible voters. With no active
    eligible voter there is no quorum to reach: it is not met."""
    return active > 0 and cast * 100 >= quorum_percent * active


class RollEntry(models.Model):
    """A member on a ballot's roll, frozen at the opening; `voted` records who voted, not how."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    voted = models.BooleanField(_("voted"), default=False)

    class Meta:
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "member"], name="roll_entry_once"),
        ]
        indexes = [models.Index(fields=["member"], name="roll_entry_member")]

    def __str__(self) -> str:
        return f"{self.member_id} on {self.ballot_id}"


class Choice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")


class Vote(models.Model):
    """A ballot paper in the box: the choice only.

    No voter, no time, no sequential key: nothing in a row says who cast it or when.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice)

    class Meta:
        verbose_name = _("ballot paper")
        verbose_name_plural = _("ballot papers")
        constraints = [
            models.CheckConstraint(
                condition=Q(choice__in=["yes", "no", "abstain"]), name="vote_choice_known"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Ballot paper"))
