"""The queue: moderators claim an open case, release it, step aside from it when they have a
conflict of interest, or defer it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from members.rules import require
from moderation import rules, selectors
from moderation.models import Case, CaseEvent, EventKind
from moderation.rules import ModerationRefused


def claim_case(*, moderator: Member, case: Case, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        case = locked_case(case)
        if case.claimed_by_id not in (None, moderator.pk):
            raise ModerationRefused(
                _("%(name)s holds this case.") % {"name": case.claimed_by.public_name}
            )
        require(rules.can_claim(moderator, case, selectors.signaller_ids(case)))
        case.claimed_by = moderator
        case.save(update_fields=["claimed_by"])
        CaseEvent.objects.create(case=case, kind=EventKind.CLAIMED, actor=moderator, at=now)


def release_case(*, moderator: Member, case: Case, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        case = locked_case(case)
        require(rules.can_release(moderator, case))
        release(case, moderator, EventKind.RELEASED, now)


def step_aside(*, moderator: Member, case: Case, now: datetime | None = None) -> None:
    """Record that a moderator with a conflict of interest leaves the case to others."""
    now = now or timezone.now()
    with transaction.atomic():
        case = locked_case(case)
        require(rules.can_step_aside(moderator, case, selectors.signaller_ids(case)))
        release(case, moderator, EventKind.STEPPED_ASIDE, now)


def defer_case(*, moderator: Member, case: Case, note: str, now: datetime | None = None) -> None:
    """Leave the case open for later (or for another moderator), affecting nobody's record."""
    now = now or timezone.now()
    with transaction.atomic():
        case = locked_case(case)
        require(rules.can_decide(moderator, case, selectors.signaller_ids(case)))
        release(case, moderator, EventKind.DEFERRED, now, note=note.strip())


def locked_case(case: Case) -> Case:
    # Nothing nullable is joined: a lock that waited re-reads the case row but not the joined
    # rows, so a joined claimant could be stale (claimed_by is read afresh when needed).
    return Case.objects.select_for_update(of=("self",)).select_related("post").get(pk=case.pk)


def release(case: Case, moderator: Member, kind: EventKind, now: datetime, note: str = "") -> None:
    """Record that `moderator` leaves `case`, which they hold no longer if they held it."""
    if case.claimed_by_id == moderator.pk:
        case.claimed_by = None
        case.save(update_fields=["claimed_by"])
    CaseEvent.objects.create(case=case, kind=kind, actor=moderator, at=now, note=note)
