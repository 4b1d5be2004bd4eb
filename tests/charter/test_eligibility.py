"""Who is on a ballot's roll right after a ratification, and a quorum with nobody active:
DESIGN.md "Eligibility to vote" and "Result"."""

from datetime import timedelta

import pytest

from charter import rules, selectors, services
from charter.models import (
    Acceptance,
    BallotState,
    CharterVersion,
    VersionState,
    quorum_reached,
)
from tests.builders.charter import count, reword
from tests.builders.elections import decrypt, give_key
from tests.builders.members import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def same_run(charter_v1, founders, propose, put_to_ballot):
    """The demo's deadline run: a ballot on article 1 closes, and in the same run the ballot on
    article 3, whose discussion ended with it, is prepared; the first is counted and ratifies
    version 2, and at that moment the second's key is made and it opens."""
    first = put_to_ballot(
        propose(founders[0], [reword(charter_v1, 1, "Be kind.")], sponsors=founders[1:4])
    )
    second = propose(
        founders[1],
        [reword(charter_v1, 3, "No adverts.")],
        sponsors=[founders[0], *founders[2:4]],
        at=first.opened_at,
    )
    for voter in founders:
        services.cast_vote(member=voter, ballot=first, choice="yes", now=first.opened_at)
    done = services.run_deadlines(now=first.closes_at)
    assert (done["closed"], done["prepared"]) == (1, 1)
    decrypt(first, now=first.closes_at)
    assert first.passed and selectors.current_version() == first.result
    second.refresh_from_db()
    return give_key(second.ballot, now=first.closes_at)


def test_a_ballot_opened_in_the_run_that_ratifies_a_version_has_the_voters_of_the_day_before(
    same_run, founders
):
    assert set(same_run.roll.values_list("member", flat=True)) == {f.pk for f in founders}
    assert same_run.eligible_count == len(founders)
    voter = founders[2]
    voter.refresh_from_db()
    assert voter.must_accept_charter  # version 2 gates their posting…
    assert rules.why_cannot_vote(voter, same_run, selectors.roll_entry(same_run, voter)) is None
    page = signed_in(voter).get(same_run.get_absolute_url())
    assert 'name="final"' in page.text  # …never their vote
    services.cast_vote(member=voter, ballot=same_run, choice="no")
    assert selectors.votes_cast(same_run) == 1


def test_accepting_an_earlier_ratified_version_makes_a_voter_not_a_proposer(same_run, founders):
    version_2 = selectors.current_version()
    assert rules.why_not_eligible(founders[2], version_2) is None
    assert "Accept the current version" in rules.standing_problem(founders[2], version_2)


def test_an_acceptance_of_a_draft_never_ratified_makes_no_voter(charter_v1, elder_factory, now):
    member = elder_factory()
    rejected = CharterVersion.objects.create(state=VersionState.REJECTED)
    Acceptance.objects.create(member=member, version=rejected)
    assert "Accept the current version" in rules.why_not_eligible(member, charter_v1, at=now)
    assert member not in selectors.eligible_voters(charter_v1, at=now)


def test_with_no_active_eligible_voter_the_quorum_is_not_met():
    assert not quorum_reached(cast=0, active=0, quorum_percent=25)
    assert not services.ballot_passes(
        yes=0, no=0, abstain=0, active=0, quorum_percent=25, majority=1
    )
    assert quorum_reached(cast=1, active=4, quorum_percent=25)
    assert not quorum_reached(cast=1, active=5, quorum_percent=25)


def test_the_ballot_page_never_says_a_quorum_was_met_that_was_not(
    charter_v1, founders, propose, put_to_ballot, member_client
):
    ballot = put_to_ballot(
        propose(founders[0], [reword(charter_v1, 1, "Be kind.")], sponsors=founders[1:4])
    )
    count(ballot, now=ballot.closes_at)  # nobody voted, nobody signed in
    assert (ballot.state, ballot.cast, ballot.active_count) == (BallotState.CLOSED, 0, 0)
    page = member_client.get(ballot.get_absolute_url()).text
    assert "The quorum of 25 % was not met." in page
    assert "The quorum of 25 % was met." not in page
    assert ballot.quorum_met is False and not ballot.passed


def test_the_ballot_page_says_a_quorum_was_met_as_the_count_did(
    charter_v1, founders, propose, put_to_ballot, member_client
):
    ballot = put_to_ballot(
        propose(founders[0], [reword(charter_v1, 1, "Be kind.")], sponsors=founders[1:4])
    )
    services.cast_vote(member=founders[0], ballot=ballot, choice="yes")
    count(ballot, now=ballot.closes_at + timedelta(seconds=1))
    assert (ballot.cast, ballot.active_count, ballot.quorum_met) == (1, 1, True)
    assert "The quorum of 25 % was met." in member_client.get(ballot.get_absolute_url()).text
