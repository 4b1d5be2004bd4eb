"""Ballots: the founding ballot and amendment ballots, their rolls and boxes."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from charter.models.proposals import Proposal
from charter.models.versions import CharterVersion
from charter.parameters import FRACTION_NAMES


class BallotState(models.TextChoices):
    # The trustees make the election's key; voting opens when it exists.
    SETUP = "setup", _("Preparing")
    OPEN = "open", _("Open")
    # Voting has ended; the trustees decrypt the encrypted tally.
    COUNTING = "counting", _("Counting")
    CLOSED = "closed", _("Closed")
    VOID = "void", _("Void")


class Box(models.TextChoices):
    # Papers are Belenios ballots, encrypted: nobody reads one, the count is decrypted whole.
    BELENIOS = "belenios", _("Encrypted (Belenios)")
    # Papers hold the choice in clear: only ballots opened before encrypted ballots existed.
    CLEAR = "clear", _("In clear (before encrypted ballots)")


class VoidReason(models.TextChoices):
    # The number of papers in the box differs from the ticks on the roll: papers were put in
    # or taken out other than by a vote (see services.close_ballot).
    BOX_MISMATCH = "box", _("The ballot box did not match the roll")
    # belenios-tool's verification of the public record failed: it was tampered with.
    RECORD = "record", _("The public record did not verify")
    # Fewer trustees than the threshold gave their decryption within `decryption_days`.
    NOT_DECRYPTED = "decryption", _("Too few trustees decrypted the count in time")


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
    state = models.CharField(_("state"), max_length=8, choices=BallotState, default="setup")
    box = models.CharField(_("ballot box"), max_length=8, choices=Box, default="belenios")
    # Both unset while the trustees make the key (SETUP).
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
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
    void_reason = models.CharField(_("why void"), max_length=10, choices=VoidReason, blank=True)
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
                    state__in=["setup", "open"],
                    closed_at__isnull=True,
                    active_count__isnull=True,
                    yes__isnull=True,
                    no__isnull=True,
                    abstain__isnull=True,
                    passed__isnull=True,
                )
                | Q(
                    state="counting",
                    closed_at__isnull=False,
                    yes__isnull=True,
                    no__isnull=True,
                    abstain__isnull=True,
                    passed__isnull=True,
                    result__isnull=True,
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
                condition=Q(state="setup", opened_at__isnull=True, closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opened_at")),
                name="ballot_closes_after_open",
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
    def is_encrypted(self) -> bool:
        return self.box == Box.BELENIOS

    @property
    def is_preparing(self) -> bool:
        return self.state == BallotState.SETUP

    @property
    def is_counting(self) -> bool:
        return self.state == BallotState.COUNTING

    @property
    def is_void(self) -> bool:
        return self.state == BallotState.VOID

    @property
    def why_void(self) -> str:
        """Why the ballot was not counted, in the reader's language; empty unless void."""
        if self.void_reason == VoidReason.BOX_MISMATCH:
            # Two counts: each takes its own singular or plural before the sentence is built.
            papers = ngettext("%(n)s paper", "%(n)s papers", self.papers_found)
            ticked = ngettext(
                "%(n)s member was ticked", "%(n)s members were ticked", self.ticks_found
            )
            return gettext(
                "At the close the ballot box held %(papers)s, but %(ticked)s on the roll as "
                "having voted: papers went into or out of the box other than by a vote. A box "
                "that does not match its roll is not counted."
            ) % {
                "papers": papers % {"n": self.papers_found},
                "ticked": ticked % {"n": self.ticks_found},
            }
        if self.void_reason == VoidReason.RECORD:
            return gettext(
                "At the close, belenios-tool's verification of the ballot's public record "
                "failed: the record was changed other than by a vote. A record that does not "
                "verify is not counted."
            )
        if self.void_reason == VoidReason.NOT_DECRYPTED:
            return gettext(
                "Too few trustees gave their part of the decryption before the deadline: the "
                "count could not be decrypted, and nobody can read it. The question may go to "
                "a new ballot."
            )
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
    """A member on a ballot's roll, frozen at the opening; `voted` records who voted, not how.
    The roll is public once the ballot is closed: a member ticked who did not vote can tell."""

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
    """A ballot paper in a clear box (`Box.CLEAR`, ballots opened before encrypted ones): the
    choice only.

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
