import uuid
import zoneinfo
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.names import refuse_invisible, skeleton
from members.validators import username_validators

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Theme(models.TextChoices):
    AUTO = "auto", _("Follow my device")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class Role(models.TextChoices):
    """What an account may do beyond a member's part, each a flag of the account."""

    MODERATOR = "moderator", _("moderator")
    ADMIN = "admin", _("admin")
    SUPERUSER = "superuser", _("superuser")


ROLE_FIELDS = {
    Role.MODERATOR: "is_moderator",
    Role.ADMIN: "is_staff",
    Role.SUPERUSER: "is_superuser",
}


class Member(AbstractUser):
    username = models.CharField(
        _("username"),
        max_length=30,
        unique=True,
        validators=username_validators,
        error_messages={"unique": _("A member with that username already exists.")},
    )
    display_name = models.CharField(
        _("display name"), max_length=60, blank=True, validators=[refuse_invisible]
    )
    # What the username and the name shown beside posts (the display name, else the username)
    # look like (members.names): no two members' may match. Null only for the newer of two
    # members who already had look-alike names when the rule came (migration 0007).
    username_skeleton = models.TextField(null=True, editable=False)
    name_skeleton = models.TextField(null=True, editable=False)
    bio = models.TextField(_("about me"), max_length=1_000, blank=True)
    # The key of the member's current picture, in its files' names and addresses
    # (members.avatars); empty: the initial of their name is shown instead. Changed only by
    # members.services, which keeps the files and the key together.
    avatar = models.CharField(_("picture"), max_length=16, blank=True, editable=False)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to follow your browser."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, blank=True
    )
    theme = models.CharField(_("theme"), max_length=8, choices=Theme, default=Theme.AUTO)
    # The facts that make a voter, and the roles: written by the site itself (sign-up, email
    # confirmation, sign-in) or by the services that journal each change, never by a form.
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now, editable=False)
    last_login = models.DateTimeField(_("last login"), blank=True, null=True, editable=False)
    # When the member first confirmed an email address (members.adapter): a member's own act,
    # unlike allauth's `verified` flag, which its admin could tick.
    email_verified_at = models.DateTimeField(
        _("email verified"), null=True, blank=True, editable=False
    )
    is_active = models.BooleanField(_("active"), default=True, editable=False)
    is_moderator = models.BooleanField(
        _("moderator"),
        default=False,
        editable=False,
        help_text=_("Moderators triage signals and decide cases."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False, editable=False)
    is_superuser = models.BooleanField(_("superuser status"), default=False, editable=False)
    # Standing. Set by the charter when a version is ratified (and for every new member), cleared
    # when the member accepts it: until then the member may read but not write.
    must_accept_charter = models.BooleanField(_("must accept the charter"), default=True)
    # The member's own choice, in their settings (never the admin's): ballots draw their
    # trustees by lot among the members who volunteer.
    trustee_volunteer = models.BooleanField(
        _("I volunteer as a ballot trustee"),
        default=False,
        help_text=_(
            "Each ballot draws its trustees by lot among volunteers. A trustee makes a key in "
            "the days before the ballot opens and, after the close, uses it to decrypt the "
            "count. Nobody can decrypt it without enough trustees."
        ),
    )
    # The member's own choice, on the page of email choices (notifications): every post of the
    # categories they watch, each as its own email, as a mailing list sends them.
    mailing_list_mode = models.BooleanField(_("mailing-list mode"), default=False)
    # Set by moderation from the sanctions in force: a suspended member may read (and appeal)
    # but not write; a banned member may not sign in.
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    banned_at = models.DateTimeField(_("banned since"), null=True, blank=True)
    # Set when the member deleted their account: the row stays, emptied of everything personal,
    # because the records others rely on (the ballot rolls, signals, moderation history) name it.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    # Changed with the member's read marks and watches, in the same transaction: the member's
    # own pages kept in the cache (forum.page_cache) are keyed by their row, so they show what
    # the member has read and watches on the next page they open.
    reading_stamp = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("username"), name="member_username_ci_unique"
            ),
            models.UniqueConstraint(
                fields=["username_skeleton"], name="member_username_unlike_others"
            ),
            models.UniqueConstraint(fields=["name_skeleton"], name="member_name_unlike_others"),
            # A deleted account stays emptied: no one signs in to it, mails it or runs the site.
            models.CheckConstraint(
                condition=models.Q(deleted_at__isnull=True)
                | models.Q(is_active=False, is_staff=False, is_superuser=False, email=""),
                name="member_deleted_is_empty",
            ),
        ]

    # The username and the shown name as last read or saved (None: not read), so that save()
    # knows which skeleton to follow.
    _names_as_loaded: tuple[str | None, str | None] = (None, None)

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        member = super().from_db(db, field_names, values, **kwargs)
        member._names_as_loaded = member._names_in_memory()
        return member

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or {"username", "display_name"} & set(fields):
            self._names_as_loaded = self._names_in_memory()

    def _names_in_memory(self) -> tuple[str | None, str | None]:
        # Read from the instance's dict: a deferred field is not fetched for this.
        username, display_name = self.__dict__.get("username"), self.__dict__.get("display_name")
        return username, None if display_name is None else display_name or username

    def save(self, *args, **kwargs) -> None:
        # The skeletons follow the names whatever changes them (sign-up, the profile, the
        # admin, createsuperuser, a deletion). A name left as it was keeps its skeleton, so
        # that an account whose look-alike name predates the rule still saves.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"username", "display_name"} & set(update_fields):
            was_username, was_shown = self._names_as_loaded
            changed = set()
            if self.username != was_username:
                self.username_skeleton = skeleton(self.username)
                changed.add("username_skeleton")
            if (self.display_name or self.username) != was_shown:
                self.name_skeleton = skeleton(self.display_name or self.username)
                changed.add("name_skeleton")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, *changed}
        super().save(*args, **kwargs)
        self._names_as_loaded = self._names_in_memory()

    def __str__(self) -> str:
        return self.username

    @property
    def public_name(self) -> str:
        if self.deleted_at is not None:
            return gettext("Deleted member")
        return self.display_name or self.username

    def holds(self, role: Role) -> bool:
        return getattr(self, ROLE_FIELDS[role])

    def was_verified_by(self, at: datetime) -> bool:
        return self.email_verified_at is not None and self.email_verified_at <= at

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()

    @property
    def is_banned(self) -> bool:
        return self.banned_at is not None
