"""What an admin does to an account: deactivate it, reactivate it, give or remove a role.

Each is published in the journal with the admin's reason, so none is done silently; the
admin's forms cannot do any of them (members/admin.py). The entry names the account by its
public name, which becomes "Deleted member" when its member deletes it.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import services as members
from members.models import Member, Role
from members.rules import require
from moderation import rules
from moderation.models import JournalEntry, JournalKind
from moderation.rules import ModerationRefused
from moderation.services.journal import append_to_journal, lock_journal


def deactivate_account(
    *, admin: Member, member: Member, rationale: str, now: datetime | None = None
) -> JournalEntry:
    """The account can no longer sign in, and is left off every roll that opens after."""
    return _set_active(admin, member, False, rationale, now)


def reactivate_account(
    *, admin: Member, member: Member, rationale: str, now: datetime | None = None
) -> JournalEntry:
    return _set_active(admin, member, True, rationale, now)


def _set_active(
    admin: Member, member: Member, active: bool, rationale: str, now: datetime | None
) -> JournalEntry:
    rationale = _reason(rationale)
    with transaction.atomic():
        lock_journal()  # first, as every service writing to the journal takes it
        member = _locked(member)
        require(rules.can_change_account(admin, member))
        if member.is_active == active:
            raise ModerationRefused(
                _("This account is already active.")
                if active
                else _("This account is already inactive.")
            )
        members.set_active(member=member, active=active)
        kind = JournalKind.REACTIVATED if active else JournalKind.DEACTIVATED
        return _publish(kind, admin, member, rationale, now)


def change_role(
    *,
    admin: Member,
    member: Member,
    role: Role,
    held: bool,
    rationale: str,
    now: datetime | None = None,
) -> JournalEntry:
    """Give `member` the `role` (`held`), or take it away."""
    rationale = _reason(rationale)
    with transaction.atomic():
        lock_journal()  # first, as every service writing to the journal takes it
        member = _locked(member)
        require(rules.can_change_role(admin, member, role))
        if member.holds(role) == held:
            raise ModerationRefused(_("Nothing to change: the account already stands so."))
        members.set_role(member=member, role=role, held=held)
        kind = JournalKind.ROLE_GRANTED if held else JournalKind.ROLE_REMOVED
        return _publish(kind, admin, member, rationale, now, role=role)


def _locked(member: Member) -> Member:
    return Member.objects.select_for_update().get(pk=member.pk)


def _reason(rationale: str) -> str:
    if not rationale.strip():
        raise ModerationRefused(_("Give your reason: the journal publishes it."))
    return rationale.strip()


def _publish(
    kind: JournalKind,
    admin: Member,
    member: Member,
    rationale: str,
    now: datetime | None,
    role: Role | None = None,
) -> JournalEntry:
    return append_to_journal(
        kind=kind,
        created_at=now or timezone.now(),
        member=member,
        role=role or "",
        moderator=admin,
        rationale=rationale,
    )
