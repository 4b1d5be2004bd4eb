"""Charter versions, their articles, and members' acceptance of them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from charter.parameters import PARAMETERS, not_yet_ratified, with_defaults


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
