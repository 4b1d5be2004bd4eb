"""Every operation that changes the charter, by subject: `founding` (the provisional draft
and acceptance), `amendments` (proposals and their state machine) and `ballots` (votes, the
close and ratification). Views, tasks and tests use this package's names.
"""

from datetime import datetime

from django.utils import timezone

from charter import rules, selectors
from charter.models import Acceptance, Proposal, VoterCredential
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
    count_decrypted_ballots,
    open_amendment_ballots,
    open_prepared_ballots,
    remind_voters,
)
from charter.services.clear_box import reseal_ballot_box, reseal_open_ballot_boxes
from charter.services.elections import decrypt_as_trustee, submit_partial_decryption
from charter.services.founding import (
    ArticleDraft,
    accept_charter,
    edit_provisional_charter,
    open_founding_ballot,
    start_provisional_charter,
)
from charter.services.trustees import (
    check_trustee_shares,
    make_trustee_key,
    replace_late_trustees,
    share_trustee_key,
    submit_certificate,
    submit_polynomial,
    submit_verification,
    trustee_step,
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
    "check_trustee_shares",
    "close_ballot",
    "count_decrypted_ballots",
    "create_proposal",
    "decrypt_as_trustee",
    "edit_provisional_charter",
    "end_discussions",
    "forget_member",
    "lapse_unsponsored_proposals",
    "make_trustee_key",
    "move",
    "open_amendment_ballots",
    "open_founding_ballot",
    "open_prepared_ballots",
    "remind_voters",
    "replace_late_trustees",
    "reseal_ballot_box",
    "reseal_open_ballot_boxes",
    "revise_proposal",
    "run_deadlines",
    "share_trustee_key",
    "sponsor_proposal",
    "start_provisional_charter",
    "submit_certificate",
    "submit_partial_decryption",
    "submit_polynomial",
    "submit_proposal",
    "submit_verification",
    "trustee_step",
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
        "counted": count_decrypted_ballots(now=now),
        "announced": announce_results(),
    }
    done["prepared"] = open_amendment_ballots(now=now)
    done["replaced"] = replace_late_trustees(now=now)
    done["opened"] = open_prepared_ballots(now=now)
    done["reminded"] = remind_voters(now=now)
    done["resealed"] = reseal_open_ballot_boxes()
    return done


def forget_member(*, member: Member, remove_posts: bool) -> None:
    """A member deletes their account. Their drafts, never submitted so never seen, go, and
    so do their acceptances, which only decided what they themselves could do. What the
    members relied on stays, as by a deleted member: the published proposals and their
    co-sponsors (a count that carried them to a ballot), and the rolls, whose ticks make the
    turnout. The ballot box has nothing to erase: no paper in it names anyone. Their unused
    voting credentials go: kept, they would let whoever holds the database cast a paper in the
    name of someone no longer here to see their tick on the roll."""
    VoterCredential.objects.filter(entry__member=member).delete()
    Proposal.objects.filter(author=member, submitted_at__isnull=True).delete()
    Acceptance.objects.filter(member=member).delete()
