"""Rehearsing a cycle (`run_charter_deadlines --days-ahead N` or `--at`) moves the charter's
clock, so it runs only on a rehearsal database: one where every member's address is at a
domain reserved for tests, as the demo's, the generator's and these tests' are. On a database
with anyone at a real address, the options refuse with a clear error and change nothing."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from charter import services
from charter.models import Ballot, BallotState, ProposalState
from charter.rules import NotARehearsal
from tests.builders.charter import reword
from tests.builders.members import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ballot(charter_v1, founders, propose, put_to_ballot) -> Ballot:
    changes = [reword(charter_v1, 2, "Stay on topic.")]
    proposal = propose(founders[0], changes, sponsors=founders[1:])
    return put_to_ballot(proposal)


@pytest.fixture
def seeking(charter_v1, founders, propose):
    return propose(founders[0], [reword(charter_v1, 3, "No spam at all.")], sponsors=founders[1:2])


@pytest.fixture
def live_site(db):
    """A member who signed up with a real address: the database may be a live site."""
    return MemberFactory(username="camille", email="camille@posteo.net")


def unchanged(ballot: Ballot, seeking) -> bool:
    ballot.refresh_from_db()
    seeking.refresh_from_db()
    return ballot.state == BallotState.OPEN and seeking.state == ProposalState.SEEKING


def test_the_deadlines_run_ahead_only_on_a_rehearsal_database(ballot, seeking, live_site):
    with pytest.raises(CommandError, match=r"only on a rehearsal database.*such as camille"):
        call_command("run_charter_deadlines", days_ahead=8)
    assert unchanged(ballot, seeking)


def test_the_deadlines_run_at_another_time_only_on_a_rehearsal_database(ballot, seeking, live_site):
    later = (ballot.closes_at + timedelta(days=30)).isoformat()
    with pytest.raises(CommandError, match="rehearsal database"):
        call_command("run_charter_deadlines", at=later)
    assert unchanged(ballot, seeking)


def test_a_time_in_the_past_is_refused_on_a_live_site_too(ballot, seeking, live_site, now):
    """A past time would open the waiting ballots already past their close."""
    with pytest.raises(CommandError, match="rehearsal database"):
        call_command("run_charter_deadlines", at=(now - timedelta(days=30)).isoformat())
    assert unchanged(ballot, seeking)


def test_a_real_address_among_a_members_addresses_makes_a_live_site(ballot, seeking, founders):
    EmailAddress.objects.create(user=founders[2], email="someone@laposte.net", verified=True)
    with pytest.raises(CommandError, match="rehearsal database"):
        call_command("run_charter_deadlines", days_ahead=8)
    assert unchanged(ballot, seeking)


def test_the_service_refuses_another_time_whoever_calls_it(ballot, seeking, live_site):
    with pytest.raises(NotARehearsal):
        services.run_deadlines(now=ballot.closes_at)
    assert unchanged(ballot, seeking)


def test_a_live_site_runs_its_deadlines_on_time(ballot, seeking, live_site):
    call_command("run_charter_deadlines")
    services.run_deadlines()
    assert unchanged(ballot, seeking)


def test_a_rehearsal_database_runs_a_cycle_ahead(ballot, seeking):
    call_command("run_charter_deadlines", days_ahead=15)
    ballot.refresh_from_db()
    seeking.refresh_from_db()
    assert ballot.state == BallotState.COUNTING  # its voting ended; the trustees decrypt next
    assert seeking.state == ProposalState.LAPSED
