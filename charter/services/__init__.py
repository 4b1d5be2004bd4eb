"""Every operation that changes the charter, by subject: `founding` (the provisional draft
and acceptance), `amendments` (proposals and their state machine) and `ballots` (votes, the
close and ratification). Views, tasks and tests use this package's names.
"""

from datetime import datetime

from django.utils import timezone

from charter import rules, selectors
from charter.models import Acceptance, Proposal
from charter.rules import InvalidChange
from charter.services.amendments import (
    TRANSITIONS,
    create_proposal,
    end_discussions,
    lapse_unsponsored_proposals,
    move,
    revise_proposal,
    sponsor_proposal,
    submit_proposal,
    withdraw_proposal,
)
from charter.services.ballots import (
    announce_results,
    ballot_event_key,
    ballot_passes,
    cast_vote,
    close_ballot,
    open_amendment_ballots,
    remind_voters,
    reseal_ballot_box,
    reseal_open_ballot_boxes,
)
from charter.services.founding import (
    ArticleDraft,
    accept_charter,
    edit_provisional_charter,
    open_founding_ballot,
    start_provisional_charter,
)
from members.models import Member

__all__ = [
    "TRANSITIONS",
    "ArticleDraft",
    "InvalidChange",
    "accept_charter",
    "announce_results",
    "ballot_event_key",
    "ballot_passes",
    "cast_vote",
    "close_ballot",
    "create_proposal",
    "edit_provisional_charter",
    "end_discussions",
    "forget_member",
    "lapse_unsponsored_proposals",
    "move",
    "open_amendment_ballots",
    "open_founding_ballot",
    "remind_voters",
    "reseal_ballot_box",
    "reseal_open_ballot_boxes",
    "revise_proposal",
    "run_deadlines",
    "sponsor_proposal",
    "start_provisional_charter",
    "submit_proposal",
    "withdraw_proposal",
]


def run_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    """Everything due by `now`, in the order the rules need (a ballot that closes frees a slot).

    `now` other than the clock's time rehearses a cycle: refused (NotARehearsal) unless the
    database is a rehearsal's."""
    if now is None:
        now = timezone.now()
    elif refusal := rules.why_deadlines_cannot_run_as_of(now):
        raise rules.NotARehearsal(refusal)
    done = {
        "lapsed": lapse_unsponsored_proposals(now=now),
        "frozen": end_discussions(now=now),
        "closed": sum(close_ballot(ballot_id=pk, now=now) for pk in selectors.due_ballots(now)),
        "announced": announce_results(),
    }
    done["opened"] = open_amendment_ballots(now=now)
    done["reminded"] = remind_voters(now=now)
    done["resealed"] = reseal_open_ballot_boxes()
    return done


def forget_member(*, member: Member, remove_posts: bool) -> None:
    """A member deletes their account. Their drafts, never submitted so never seen, go, and
    so do their acceptances, which only decided what they themselves could do. What the
    members relied on stays, as by a deleted member: the published proposals and their
    co-sponsors (a count that carried them to a ballot), and the rolls, whose ticks make the
    turnout. The ballot box has nothing to erase: no paper in it names anyone."""
    Proposal.objects.filter(author=member, submitted_at__isnull=True).delete()
    Acceptance.objects.filter(member=member).delete()
