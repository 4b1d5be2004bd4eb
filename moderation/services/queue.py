"""The queue: moderators claim an open case, release it, step aside from it when they have a
conflict of interest, or defer it; a claim lapses after the charter's `claim_hours` without a
decision, and the case is back in the queue."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.selectors import parameters_in_force
from members.models import Member
from members.rules import require
from moderation import rules, selectors
from moderation.models import Case, CaseEvent, EventKind
from moderation.rules import ModerationRefused


def claim_case(*, moderator: Member, case: Case, now: datetime | None = None) -> None:
    """Hold the case for `claim_hours`: others may read it, and decide it once the claim
    lapses."""
    now = now or timezone.now()
    with transaction.atomic():
        case = locked_case(case, now)
        if case.claimed_by_id not in (None, moderator.pk):
            raise ModerationRefused(
                _("%(name)s holds this case.") % {"name": case.claimed_by.public_name}
            )
        require(rules.can_claim(moderator, case, selectors.signaller_ids(case), at=now))
        case.claimed_by = moderator
        case.claim_lapses_at = now + timedelta(hours=parameters_in_force()["claim_hours"])
        case.save(update_fields=["claimed_by", "claim_lapses_at"])
        CaseEvent.objects.create(case=case, kind=EventKind.CLAIMED, actor=moderator, at=now)


def release_case(*, moderator: Member, case: Case, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        case = locked_case(case, now)
        require(rules.can_release(moderator, case, at=now))
        release(case, moderator, EventKind.RELEASED, now)


def step_aside(*, moderator: Member, case: Case, now: datetime | None = None) -> None:
    """Record that a moderator with a conflict of interest leaves the case to others."""
    now = now or timezone.now()
    with transaction.atomic():
        case = locked_case(case, now)
        require(rules.can_step_aside(moderator, case, selectors.signaller_ids(case)))
        release(case, moderator, EventKind.STEPPED_ASIDE, now)


def defer_case(*, moderator: Member, case: Case, note: str, now: datetime | None = None) -> None:
    """Leave the case open for later (or for another moderator), affecting nobody's record."""
    now = now or timezone.now()
    with transaction.atomic():
        case = locked_case(case, now)
        require(rules.can_decide(moderator, case, selectors.signaller_ids(case), at=now))
        release(case, moderator, EventKind.DEFERRED, now, note=note.strip())


def locked_case(case: Case, now: datetime) -> Case:
    """The case, locked, its claim let go first if it lapsed by `now`."""
    # Nothing nullable is joined: a lock that waited re-reads the case row but not the joined
    # rows, so a joined claimant could be stale (claimed_by is read afresh when needed).
    case = Case.objects.select_for_update(of=("self",)).select_related("post").get(pk=case.pk)
    if case.claimed_by_id is not None and not rules.is_held(case, at=now):
        _let_lapsed_claim_go(case.pk, case.claimed_by_id, case.claim_lapses_at)
        case.claimed_by, case.claim_lapses_at = None, None
    return case


def release(case: Case, moderator: Member, kind: EventKind, now: datetime, note: str = "") -> None:
    """Record that `moderator` leaves `case`, which they hold no longer if they held it."""
    if case.claimed_by_id == moderator.pk:
        case.claimed_by, case.claim_lapses_at = None, None
        case.save(update_fields=["claimed_by", "claim_lapses_at"])
    CaseEvent.objects.create(case=case, kind=kind, actor=moderator, at=now, note=note)


def lapse_claims(*, now: datetime | None = None) -> int:
    """Put back in the queue every case whose claim lapsed, its history saying so; returns how
    many. The rules already treat a lapsed claim as no claim: this only tidies the record, so
    it may run late, twice or beside a moderator's action (each claim is let go by one
    conditional UPDATE, which a new claim or a decision in the meantime makes match nothing)."""
    now = now or timezone.now()
    lapsed = list(
        Case.objects.filter(claim_lapses_at__lte=now).values_list(
            "pk", "claimed_by_id", "claim_lapses_at"
        )
    )
    return sum(_let_lapsed_claim_go(*claim) for claim in lapsed)


def _let_lapsed_claim_go(case_id: int, holder_id: int, lapses_at: datetime) -> bool:
    """The case's history says the claim lapsed, naming nobody: a moderator may be away for
    many good reasons, and the journal blames no one for it."""
    with transaction.atomic():
        let_go = Case.objects.filter(
            pk=case_id, claimed_by_id=holder_id, claim_lapses_at=lapses_at
        ).update(claimed_by=None, claim_lapses_at=None)
        if let_go:
            CaseEvent.objects.create(case_id=case_id, kind=EventKind.CLAIM_LAPSED, at=lapses_at)
    return bool(let_go)
