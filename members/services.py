import secrets
from datetime import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from core import stored_files, uploaded_files
from members import avatars, personal_data, rules, signals
from members.models import ROLE_FIELDS, Member, Role, Theme

# What others see beside a member's posts.
SHOWN_FIELDS = {"username", "display_name", "is_moderator"}


def update_profile(*, member: Member, **changes: str) -> Member:
    with transaction.atomic():
        for field, value in changes.items():
            setattr(member, field, value)
        member.save(update_fields=list(changes))
        if SHOWN_FIELDS & set(changes):
            signals.shown_differently.send(sender=Member, member=member)
    return member


def choose_mailing_list_mode(*, member: Member, on: bool) -> None:
    """Every post of the categories the member watches by email (notifications.lists), or not."""
    Member.objects.filter(pk=member.pk).update(mailing_list_mode=on)
    member.mailing_list_mode = on


def set_avatar(*, member: Member, file: UploadedFile) -> None:
    """Make `file` the member's picture, cropped square at each of the sizes pages show;
    `core.uploaded_files.Refused` says why not."""
    rules.require(rules.can_choose_avatar(member))
    uploaded_files.require_size(file.size or 0, max_bytes=settings.UPLOAD_MAX_BYTES)
    pictures = uploaded_files.square_picture(
        file, sizes=avatars.SIZES, max_pixels=settings.UPLOAD_IMAGE_MAX_PIXELS
    )
    key = secrets.token_hex(6)
    saved = []
    try:
        with transaction.atomic():
            # Two uploads at once take turns: the second replaces the first, whose files are
            # deleted with the others a row no longer names.
            previous = _locked(member)
            for size, content in pictures.items():
                saved.append(stored_files.save(avatars.stored_name(member.pk, key, size), content))
            _show(member, previous, key)
    except BaseException:
        stored_files.delete_now(saved)
        raise


def remove_avatar(*, member: Member) -> None:
    """Back to the initial of the member's name."""
    with transaction.atomic():
        previous = _locked(member)
        if previous.avatar:
            _show(member, previous, "")
        member.avatar = ""


def _locked(member: Member) -> Member:
    return Member.objects.select_for_update().only("pk", "avatar").get(pk=member.pk)


def _show(member: Member, previous: Member, key: str) -> None:
    Member.objects.filter(pk=member.pk).update(avatar=key)
    member.avatar = key
    stored_files.delete_after_commit(avatars.stored_names(previous))
    signals.shown_differently.send(sender=Member, member=member)


def save_from_admin(*, member: Member, changed: list[str]) -> None:
    """An admin's changes to an account, made in the admin site's form."""
    with transaction.atomic():
        member.save()
        if SHOWN_FIELDS & set(changed):
            signals.shown_differently.send(sender=Member, member=member)


def record_verified_address(*, member_id: int, at: datetime | None = None) -> None:
    """The member confirmed an email address (the link or code mailed to it): the first time
    counts, for eligibility to vote."""
    Member.objects.filter(pk=member_id, email_verified_at__isnull=True).update(
        email_verified_at=at or timezone.now()
    )


# However many times a banned account's password is tried, its member hears of it once an hour.
BANNED_SIGN_IN_NOTICE_SECONDS = 3600


def refuse_banned_sign_in(*, member: Member) -> None:
    """Someone gave a banned member's right password, and was answered as if it were wrong."""
    if cache.add(f"members:banned-sign-in:{member.pk}", True, BANNED_SIGN_IN_NOTICE_SECONDS):
        signals.banned_sign_in_refused.send(sender=Member, member=member)


def set_active(*, member: Member, active: bool) -> None:
    """For `moderation.services.accounts`, which journals the change: never on its own."""
    member.is_active = active
    member.save(update_fields=["is_active"])


def set_role(*, member: Member, role: Role, held: bool) -> None:
    """For `moderation.services.accounts`, which journals the change: never on its own."""
    field = ROLE_FIELDS[role]
    setattr(member, field, held)
    member.save(update_fields=[field])
    if field in SHOWN_FIELDS:
        signals.shown_differently.send(sender=Member, member=member)


def choose_language(*, member: Member, language: str) -> Member:
    return update_profile(member=member, language=language)


def set_standing(
    *, member: Member, suspended_until: datetime | None, banned_at: datetime | None
) -> None:
    """Record the sanctions in force on `member`, as moderation computed them."""
    Member.objects.filter(pk=member.pk).update(suspended_until=suspended_until, banned_at=banned_at)
    member.suspended_until, member.banned_at = suspended_until, banned_at


def delete_account(*, member: Member, remove_posts: bool) -> None:
    """Erase the member's personal data in every app, then empty their account.

    The row itself stays, as "Deleted member": the ballot rolls, signals and moderation
    records refer to it, and must still add up. Every session of the member ends with it: the
    password that signed them is gone and the account is inactive.
    """
    rules.require(rules.can_delete_account(member))
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.is_deleted:
            return
        personal_data.erase(member, remove_posts=remove_posts)
        _empty_account(member)


def _empty_account(member: Member) -> None:
    member.username = f"deleted-{member.pk}"  # a hyphen: no one can sign up or be @mentioned so
    member.display_name = member.first_name = member.last_name = ""
    member.email = member.bio = member.language = member.time_zone = ""
    member.theme = Theme.AUTO
    member.set_unusable_password()
    member.is_active = member.is_staff = member.is_superuser = member.is_moderator = False
    member.last_login = member.email_verified_at = None
    stored_files.delete_after_commit(avatars.stored_names(member))
    member.avatar = ""
    member.deleted_at = timezone.now()
    member.save()
    member.groups.clear()
    member.user_permissions.clear()
    EmailAddress.objects.filter(user=member).delete()
    # The admin's history of changes to the account names it by its old username.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Member), object_id=str(member.pk)
    ).update(object_repr=member.username)
