"""A ballot run as a Belenios election: its trustees, the voters' credentials and its public
record (charter.belenios does the cryptography)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from charter.models.ballots import Ballot, RollEntry


class Election(models.Model):
    """The Belenios side of an encrypted ballot, from the trustees' key to the result."""

    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, related_name="election")
    uuid = models.CharField(max_length=32, unique=True)
    # The charter's numbers when the ballot was set up, kept with it.
    trustee_count = models.PositiveSmallIntegerField(_("trustees"))
    threshold = models.PositiveSmallIntegerField(_("trustees needed to decrypt"))
    setup_hours = models.PositiveSmallIntegerField(_("hours for each step of the key"))
    decryption_days = models.PositiveSmallIntegerField(_("days to decrypt"))
    # Every draw of trustees, for anyone to redo: when, its seed, the volunteers it drew from
    # (member ids) and whom it drew. A volunteer's place is the SHA-256 of "seed:id", lowest
    # first.
    draws = models.JSONField(default=list, blank=True)
    # The trustees' shared public key (belenios-tool's threshold parameters): set, the ballot
    # may open.
    public_key = models.TextField(blank=True)
    # The record's archive header, and the last event of its hash chain.
    timestamp = models.BigIntegerField(null=True, blank=True)
    head = models.CharField(max_length=64, blank=True)
    height = models.IntegerField(default=-1)
    # How many of the record's first files are the election itself (what a paper is made with).
    setup_files = models.PositiveSmallIntegerField(default=0)
    # The count must be decrypted by then, or the ballot is void.
    decrypt_by = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=1, threshold__lte=F("trustee_count")),
                name="election_threshold_within_trustees",
            ),
        ]

    def __str__(self) -> str:
        return self.uuid

    @property
    def is_ready(self) -> bool:
        return bool(self.public_key)

    @property
    def archive_name(self) -> str:
        return f"{self.uuid}.bel"


class Trustee(models.Model):
    """A member drawn by lot to hold a share of an election's decryption key.

    What the site keeps is public or useless alone: their certificate, polynomial and checks,
    and their decryption key, which is encrypted for their private key. The private key itself
    is theirs, in a file the site handed them (or that they made offline) and never stored.
    """

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="trustees")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Their number in the election (belenios-tool's trustee id, from 1), kept by a replacement.
    position = models.PositiveSmallIntegerField()
    seed = models.CharField(_("seed of the draw"), max_length=64)
    drawn_at = models.DateTimeField(_("drawn"))
    # The current step is due by then; late, they are replaced by a new draw.
    due_at = models.DateTimeField(_("due"))
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    certificate = models.TextField(blank=True)
    polynomial = models.TextField(blank=True)
    vinput = models.TextField(blank=True)
    voutput = models.TextField(blank=True)
    decryption_key = models.TextField(blank=True)
    decrypted_at = models.DateTimeField(_("decrypted"), null=True, blank=True)

    class Meta:
        ordering = ["position", "drawn_at"]
        verbose_name = _("trustee")
        verbose_name_plural = _("trustees")
        constraints = [
            models.UniqueConstraint(fields=["election", "member"], name="trustee_drawn_once"),
            models.UniqueConstraint(
                fields=["election", "position"],
                condition=Q(replaced_at__isnull=True),
                name="trustee_one_per_position",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} #{self.position} of {self.election_id}"

    @property
    def is_current(self) -> bool:
        return self.replaced_at is None


class VoterCredential(models.Model):
    """A voter's private credential, which signs their paper: made at the opening, deleted as
    the vote is cast (or at the close). Once used it is gone, so nobody, the operator
    included, can sign a second paper in a voter's name."""

    entry = models.OneToOneField(RollEntry, on_delete=models.CASCADE, related_name="credential")
    private = models.CharField(max_length=19)

    class Meta:
        verbose_name = _("voter's credential")
        verbose_name_plural = _("voters' credentials")

    def __str__(self) -> str:
        return f"credential of {self.entry_id}"


class RecordFile(models.Model):
    """One file of an election's public record (the Belenios archive), in order. Written once:
    the database refuses to change or delete one (charter.record)."""

    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="files")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=80)
    content = models.TextField()
    # For an event, its type (Setup, Ballot, EndBallots…); empty for data.
    event = models.CharField(max_length=24, blank=True)
    # For a paper, the public credential that signed it: one paper per credential.
    credential = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["election", "position"]
        verbose_name = _("record file")
        verbose_name_plural = _("record files")
        constraints = [
            models.UniqueConstraint(fields=["election", "position"], name="record_file_position"),
            models.UniqueConstraint(
                fields=["election", "credential"],
                condition=Q(credential__isnull=False),
                name="record_one_paper_per_credential",
            ),
        ]
        indexes = [
            models.Index(
                fields=["election", "event"], condition=~Q(event=""), name="record_file_event"
            )
        ]

    def __str__(self) -> str:
        return self.name
