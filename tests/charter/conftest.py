"""Charter fixtures: a ratified charter, members old enough to vote, proposals at each stage.

Everything is built through `charter.services` (tests/builders/charter.py), with the clock
passed in (`now=`), so the states are the real ones and no test waits for time to pass.
"""

from functools import partial

import pytest
from django.utils import timezone

from charter.models import Box, CharterVersion, Proposal
from tests.builders import charter as builder
from tests.builders.members import elder


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def elder_factory(db, now):
    """Members who joined 60 days before the test's `now`: past the 30-day eligibility."""
    return partial(elder, now=now)


@pytest.fixture
def founders(elder_factory):
    return [elder_factory() for _ in range(4)]


@pytest.fixture
def ratify_founding(admin_member, now):
    """Version 1 ratified by a founding ballot of the clear box (`found_charter`): the tests
    here test what comes after the founding; the encrypted founding ballot has its own tests
    (test_election_cycle, and the founding tests of test_services and test_deadlines)."""

    def ratify(voters, articles=builder.ARTICLES, parameters=None) -> CharterVersion:
        return builder.found_charter(
            admin=admin_member,
            voters=voters,
            now=now,
            articles=articles,
            parameters=parameters,
            box=Box.CLEAR,
        )

    return ratify


@pytest.fixture
def charter_v1(founders, ratify_founding) -> CharterVersion:
    return ratify_founding(founders)


@pytest.fixture
def propose(now):
    """A proposal by `author`, submitted unless `submit=False`, with `sponsors` co-sponsoring,
    at `at` (the test's `now` unless given)."""

    def make(author, changes, *, at=None, **options) -> Proposal:
        return builder.propose(author, changes, now=at or now, **options)

    return make


@pytest.fixture
def put_to_ballot():
    """Run the deadlines past the discussion: the proposal's ballot opens. Returns the ballot."""
    return builder.put_to_ballot
