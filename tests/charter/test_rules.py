"""Who may propose, co-sponsor, vote and write, and how a ballot is counted: DESIGN.md "Charter"."""

from datetime import timedelta
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied

from charter import rules, selectors, services
from charter.services import ballot_passes
from forum import rules as forum_rules
from tests.builders.charter import reword
from tests.builders.forum import make_thread

pytestmark = pytest.mark.django_db

TWO_THIRDS, THREE_QUARTERS = Fraction(2, 3), Fraction(3, 4)


def standard(*, yes: int, no: int = 0, abstain: int = 0, active: int) -> bool:
    return ballot_passes(
        yes=yes, no=no, abstain=abstain, active=active, quorum_percent=25, majority=TWO_THIRDS
    )


def entrenched(*, yes: int, no: int = 0, abstain: int = 0, active: int) -> bool:
    return ballot_passes(
        yes=yes, no=no, abstain=abstain, active=active, quorum_percent=33, majority=THREE_QUARTERS
    )


@pytest.fixture
def voter_factory(elder_factory, charter_v1):
    """Members who joined 60 days ago and accepted version 1, unless told otherwise."""

    def make(*, accepted: bool = True, verified: bool = True, **fields):
        if not verified:
            fields["email_verified_at"] = None
        member = elder_factory(**fields)
        if accepted:
            services.accept_charter(member=member, version=charter_v1)
        return member

    return make


@pytest.fixture
def without_standing(voter_factory, now):
    """A member with one thing missing: too new, suspended, unverified, or not accepted."""

    def make(problem: str):
        return {
            "newcomer": lambda: voter_factory(date_joined=now - timedelta(days=20)),
            "suspended": lambda: voter_factory(suspended_until=now + timedelta(days=3)),
            "unverified": lambda: voter_factory(verified=False),
            "not accepted": lambda: voter_factory(accepted=False),
        }[problem]()

    return make


PROBLEMS = ["newcomer", "suspended", "unverified", "not accepted"]


# Counting: quorum against the active eligible voters, then the majority of yes and no


def test_abstentions_count_toward_the_quorum():
    # 8 of 32 active voters is 25 %: the 6 abstentions make the quorum.
    assert standard(yes=2, no=0, abstain=6, active=32)
    assert not standard(yes=2, no=0, abstain=0, active=32)


def test_abstentions_do_not_count_toward_the_majority():
    assert standard(yes=2, no=1, abstain=20, active=30)
    assert not standard(yes=1, no=1, abstain=20, active=30)


def test_two_thirds_of_yes_and_no_pass_a_standard_amendment():
    assert standard(yes=2, no=1, active=3)


def test_just_under_two_thirds_fails_a_standard_amendment():
    assert not standard(yes=1, no=1, active=3)
    assert not standard(yes=199, no=101, active=300)  # 66.3 %


def test_the_standard_quorum_is_a_quarter_of_the_active_voters():
    assert standard(yes=25, active=100)
    assert not standard(yes=24, active=100)


def test_three_quarters_of_yes_and_no_pass_an_entrenched_amendment():
    assert entrenched(yes=3, no=1, active=4)


def test_two_thirds_is_not_enough_for_an_entrenched_amendment():
    assert not entrenched(yes=2, no=1, active=3)


def test_the_entrenched_quorum_is_a_third_of_the_active_voters():
    assert entrenched(yes=33, active=100)
    assert not entrenched(yes=32, active=100)


def test_an_amendment_nobody_voted_for_does_not_pass():
    assert not standard(yes=0, no=0, abstain=5, active=5)


# Eligibility: verified, a member for the charter's number of days, not suspended, accepted


def test_a_member_of_29_days_cannot_take_part(voter_factory, charter_v1, now):
    member = voter_factory(date_joined=now - timedelta(days=29))
    assert rules.standing_problem(member, charter_v1, at=now)
    assert member not in selectors.eligible_voters(charter_v1, at=now)


def test_a_member_of_30_days_may_take_part(voter_factory, charter_v1, now):
    member = voter_factory(date_joined=now - timedelta(days=30))
    assert rules.standing_problem(member, charter_v1, at=now) is None
    assert member in selectors.eligible_voters(charter_v1, at=now)


def test_a_member_of_31_days_may_take_part(voter_factory, charter_v1, now):
    member = voter_factory(date_joined=now - timedelta(days=31))
    assert rules.standing_problem(member, charter_v1, at=now) is None
    assert member in selectors.eligible_voters(charter_v1, at=now)


def test_the_days_of_membership_are_those_of_the_version_in_force(
    founders, ratify_founding, elder_factory, now
):
    version = ratify_founding(founders, parameters={"eligibility_days": 10})
    eleven_days, nine_days = (elder_factory(date_joined=now - timedelta(days=d)) for d in (11, 9))
    for member in (eleven_days, nine_days):
        services.accept_charter(member=member, version=version)
    assert rules.standing_problem(eleven_days, version, at=now) is None
    assert "10 days" in rules.standing_problem(nine_days, version, at=now)
    assert set(selectors.eligible_voters(version, at=now)) == {*founders, eleven_days}


def test_an_unverified_member_is_not_eligible(voter_factory, charter_v1, now):
    member = voter_factory(verified=False)
    assert "Verify your email" in rules.standing_problem(member, charter_v1, at=now)
    assert member not in selectors.eligible_voters(charter_v1, at=now)


def test_a_suspended_member_is_eligible_again_once_the_suspension_ends(
    voter_factory, charter_v1, now
):
    member = voter_factory(suspended_until=now + timedelta(days=3))
    assert member not in selectors.eligible_voters(charter_v1, at=now)
    assert member in selectors.eligible_voters(charter_v1, at=now + timedelta(days=3))


def test_a_member_who_has_not_accepted_the_version_in_force_is_not_eligible(
    voter_factory, charter_v1, now
):
    member = voter_factory(accepted=False)
    assert "Accept the current version" in rules.standing_problem(member, charter_v1, at=now)
    assert member not in selectors.eligible_voters(charter_v1, at=now)


# Proposing and co-sponsoring need the same standing


@pytest.mark.parametrize("problem", PROBLEMS)
def test_proposing_and_co_sponsoring_need_the_same_standing(
    problem, without_standing, charter_v1, founders, propose
):
    member = without_standing(problem)
    proposal = propose(founders[0], [reword(charter_v1, 1, "Be kind.")])
    assert rules.standing_problem(member, charter_v1) is not None
    assert not rules.can_propose(member, charter_v1)
    assert not rules.can_sponsor(member, proposal, charter_v1)


@pytest.mark.parametrize("problem", PROBLEMS)
def test_a_member_without_standing_can_neither_propose_nor_co_sponsor(
    problem, without_standing, charter_v1, founders, propose
):
    member = without_standing(problem)
    proposal = propose(founders[0], [reword(charter_v1, 1, "Be kind.")])
    with pytest.raises(PermissionDenied):
        propose(member, [reword(charter_v1, 2, "Stay on topic.")])
    with pytest.raises(PermissionDenied):
        services.sponsor_proposal(member=member, proposal=proposal)
    assert not proposal.sponsorships.exists()


def test_a_member_in_good_standing_may_propose_and_co_sponsor(
    voter_factory, charter_v1, founders, propose
):
    member = voter_factory()
    proposal = propose(founders[0], [reword(charter_v1, 1, "Be kind.")])
    assert rules.can_propose(member, charter_v1)
    assert rules.can_sponsor(member, proposal, charter_v1)


def test_nobody_may_propose_before_the_charter_is_ratified(elder_factory):
    assert rules.standing_problem(elder_factory(), None) is not None


def test_the_author_cannot_co_sponsor_their_own_proposal(charter_v1, founders, propose):
    author = founders[0]
    proposal = propose(author, [reword(charter_v1, 1, "Be kind.")])
    assert not rules.can_sponsor(author, proposal, charter_v1)
    with pytest.raises(PermissionDenied):
        services.sponsor_proposal(member=author, proposal=proposal)


def test_a_draft_not_yet_submitted_cannot_be_co_sponsored(charter_v1, founders, propose):
    proposal = propose(founders[0], [reword(charter_v1, 1, "Be kind.")], submit=False)
    assert not rules.can_sponsor(founders[1], proposal, charter_v1)


# Accepting the charter before writing


def test_a_member_who_must_accept_the_charter_cannot_post(voter_factory):
    member = voter_factory(accepted=False, must_accept_charter=True)
    assert not forum_rules.can_reply(member, make_thread())


def test_a_member_may_post_once_they_accept_the_charter(voter_factory, charter_v1):
    member = voter_factory(accepted=False, must_accept_charter=True)
    thread = make_thread()
    services.accept_charter(member=member, version=charter_v1)
    assert forum_rules.can_reply(member, thread)


# Why a member is not on a ballot's roll


@pytest.fixture
def opening(charter_v1, founders, propose):
    """A proposal in discussion, and the moment its ballot will open."""
    proposal = propose(founders[0], [reword(charter_v1, 1, "Be kind.")], sponsors=founders[1:])
    return proposal, proposal.discussion_ends_at + timedelta(seconds=1)


def test_a_member_on_the_roll_may_vote(opening, put_to_ballot, founders):
    proposal, _ = opening
    ballot = put_to_ballot(proposal)
    entry = selectors.roll_entry(ballot, founders[1])
    assert rules.why_cannot_vote(founders[1], ballot, entry) is None


def test_a_member_who_voted_is_told_the_vote_is_final(opening, put_to_ballot, founders):
    proposal, opens = opening
    ballot = put_to_ballot(proposal)
    services.cast_vote(member=founders[1], ballot=ballot, choice="yes", now=opens)
    entry = selectors.roll_entry(ballot, founders[1])
    assert "final" in rules.why_cannot_vote(founders[1], ballot, entry)


def test_a_member_who_joined_after_the_opening_is_told_so(opening, put_to_ballot, voter_factory):
    proposal, opens = opening
    ballot = put_to_ballot(proposal)
    latecomer = voter_factory(date_joined=opens + timedelta(hours=1))
    assert "joined after this ballot opened" in rules.why_cannot_vote(latecomer, ballot, None)


def test_a_member_too_new_at_the_opening_is_told_so(opening, put_to_ballot, voter_factory):
    proposal, opens = opening
    newcomer = voter_factory(date_joined=opens - timedelta(days=20))
    ballot = put_to_ballot(proposal)
    assert "less than 30 days" in rules.why_cannot_vote(newcomer, ballot, None)


def test_a_member_suspended_at_the_opening_is_told_so(opening, put_to_ballot, voter_factory):
    proposal, opens = opening
    suspended = voter_factory(suspended_until=opens + timedelta(days=2))
    ballot = put_to_ballot(proposal)
    assert "suspended" in rules.why_cannot_vote(suspended, ballot, None)


def test_a_member_unverified_at_the_opening_is_told_so(opening, put_to_ballot, voter_factory):
    proposal, _ = opening
    unverified = voter_factory(verified=False)
    ballot = put_to_ballot(proposal)
    assert "not verified" in rules.why_cannot_vote(unverified, ballot, None)


def test_a_member_who_had_not_accepted_at_the_opening_is_told_so(
    opening, put_to_ballot, voter_factory
):
    proposal, _ = opening
    refuser = voter_factory(accepted=False)
    ballot = put_to_ballot(proposal)
    assert "not accepted" in rules.why_cannot_vote(refuser, ballot, None)


def test_a_member_suspended_after_the_opening_is_still_told_the_reason_at_the_opening(
    opening, put_to_ballot, voter_factory
):
    proposal, opens = opening
    refuser = voter_factory(accepted=False)
    ballot = put_to_ballot(proposal)
    refuser.suspended_until = opens + timedelta(days=3)  # a moderator suspends them on day 1
    refuser.save()
    assert "not accepted" in rules.why_cannot_vote(refuser, ballot, None)
