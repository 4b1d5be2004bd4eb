"""Charter fixtures: a ratified charter, members old enough to vote, proposals at each stage.

Everything is built through `charter.services` (tests/builders/charter.py), with the clock
passed in (`now=`), so the states are the real ones and no test waits for time to pass.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from charter import services
from charter.models import Ballot, CharterVersion, Proposal
from tests.builders.charter import ARTICLES, found_charter
from tests.builders.members import MemberFactory


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def elder_factory(db, now):
    """Members who joined 60 days ago: past the 30-day eligibility, verified."""

    def make(**fields):
        fields.setdefault("date_joined", now - timedelta(days=60))
        return MemberFactory(**fields)

    return make


@pytest.fixture
def founders(elder_factory):
    return [elder_factory() for _ in range(4)]


@pytest.fixture
def ratify_founding(admin_member, now):
    def ratify(voters, articles=ARTICLES, parameters=None) -> CharterVersion:
        return found_charter(
            admin=admin_member, voters=voters, now=now, articles=articles, parameters=parameters
        )

    return ratify


@pytest.fixture
def charter_v1(founders, ratify_founding) -> CharterVersion:
    return ratify_founding(founders)


@pytest.fixture
def propose(now):
    """A proposal by `author`, submitted unless `submit=False`, with `sponsors` co-sponsoring."""

    def make(author, changes, *, parameters=None, sponsors=(), submit=True, at=None) -> Proposal:
        at = at or now
        proposal = services.create_proposal(
            author=author,
            title="An amendment",
            rationale="Because it is better.",
            changes=changes,
            parameters=parameters or {},
        )
        if submit:
            services.submit_proposal(author=author, proposal=proposal, now=at)
        for sponsor in sponsors:
            services.sponsor_proposal(member=sponsor, proposal=proposal, now=at)
        proposal.refresh_from_db()
        return proposal

    return make


@pytest.fixture
def put_to_ballot(now):
    """Run the deadlines past the discussion: the proposal's ballot opens. Returns the ballot."""

    def run(proposal: Proposal) -> Ballot:
        services.run_deadlines(now=proposal.discussion_ends_at + timedelta(seconds=1))
        proposal.refresh_from_db()
        return proposal.ballot

    return run
