"""Charter fixtures: a ratified charter, members old enough to vote, proposals at each stage.

Everything is built through `charter.services`, with the clock passed in (`now=`), so the
states are the real ones and no test waits for time to pass.
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from charter import selectors, services
from charter.models import Ballot, CharterVersion, Proposal
from charter.texts import Change
from tests.factories import MemberFactory

ARTICLES = [
    services.ArticleDraft("Respect", "Members address each other with respect."),
    services.ArticleDraft("On topic", "Posts stay on the subject of their thread."),
    services.ArticleDraft("No spam", "No advertising, no repeated posts."),
    services.ArticleDraft(
        "Amendments", "This charter changes only by the members' vote.", entrenched=True
    ),
]


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


def found_charter(*, admin, voters, now, articles=ARTICLES, parameters=None) -> CharterVersion:
    """Draft `articles`, put them to a founding ballot 20 days before `now`, all `voters` vote
    yes, close: version 1. Each voter then accepts it, as they would on the accept page."""
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin, version=draft, articles=articles, parameters=parameters or {}
    )
    opened = now - timedelta(days=20)
    ballot = services.open_founding_ballot(admin=admin, version=draft, now=opened)
    for voter in voters:
        services.cast_vote(member=voter, ballot=ballot, choice="yes", now=opened)
    services.close_ballot(ballot_id=ballot.pk, now=now - timedelta(days=1))
    services.announce_results()
    version = selectors.current_version()
    assert version is not None and version.number == 1
    for voter in voters:
        voter.refresh_from_db()
        services.accept_charter(member=voter, version=version)
    return version


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


def article(version: CharterVersion, number: int):
    return version.articles.get(number=number)


def reword(version: CharterVersion, number: int, body: str) -> Change:
    found = article(version, number)
    return Change("change", found.identity, found.title, body, found.entrenched)


def addition(title: str = "Privacy", body: str = "Nobody publishes another's address.") -> Change:
    return Change("add", uuid.uuid4(), title, body)


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
