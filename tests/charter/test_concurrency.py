"""Simultaneous votes, closes and counts of encrypted ballots, on PostgreSQL's row locks: one
paper per member, every paper cast before the close counted and none after it, a close and a
count that each run once. Papers are encrypted, so what a paper holds is known only from the
count the trustees decrypt at the end.

Each thread has its own database connection (closed when the thread ends), and a barrier
releases the threads together.
"""

from collections import Counter
from datetime import timedelta
from itertools import cycle, islice

import pytest
from django.conf import settings
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.utils.crypto import get_random_string

from charter import services
from charter.models import Ballot, BallotState, CharterVersion, RollEntry, VersionState
from charter.parameters import defaults
from charter.services import elections
from members.models import Member
from notifications.models import EmailChoice, Kind, Preference
from tests.builders.charter import ARTICLES, count, open_founding, reword
from tests.builders.elections import decrypt_shares
from tests.builders.members import MemberFactory
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

CHOICES = ["yes", "no", "abstain"]


def founding_ballot(admin: Member, *, opened) -> Ballot:
    """The founding charter put to every verified member, its key made and its voting open as
    of `opened`."""
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(admin=admin, version=draft, articles=ARTICLES, parameters={})
    return open_founding(admin, draft, now=opened)


def quiet_members(count: int) -> list[Member]:
    """Members who chose not to be emailed about ballots: the test is about votes, not mail."""
    members = MemberFactory.create_batch(count)
    kinds = [Kind.BALLOT_OPEN, Kind.BALLOT_RESULT, Kind.CHARTER_RATIFIED]
    Preference.objects.bulk_create(
        Preference(member=member, kind=kind, email=EmailChoice.NEVER)
        for member in members
        for kind in kinds
    )
    return members


def vote(member: Member, ballot: Ballot, choice: str):
    """An action casting `choice`, which returns the choice once it is in the box."""

    def run() -> str:
        services.cast_vote(member=member, ballot=ballot, choice=choice)
        return choice

    return run


def papers(ballot: Ballot) -> int:
    return elections.papers_in_box(ballot.election)


def tally(ballot: Ballot) -> Counter:
    """What the trustees' decryption of the count says each choice had."""
    ballot.refresh_from_db()
    assert ballot.state == BallotState.CLOSED, ballot.state
    return +Counter(dict(zip(CHOICES, (ballot.yes, ballot.no, ballot.abstain), strict=True)))


def ticked(ballot: Ballot) -> int:
    return RollEntry.objects.filter(ballot=ballot, voted=True).count()


def test_twenty_simultaneous_votes_by_one_member_drop_one_paper(admin_member, now):
    voter = MemberFactory()
    ballot = founding_ballot(admin_member, opened=now)
    choices = list(islice(cycle(CHOICES), 20))
    results, errors = run_together([vote(voter, ballot, choice) for choice in choices])
    assert len(results) == 1
    assert papers(ballot) == 1
    assert len(errors) == 19
    assert all(isinstance(error, services.InvalidChange) for error in errors), errors
    assert {str(error) for error in errors} == {"You have voted. A secret vote is final."}
    assert ticked(ballot) == 1
    count(ballot, now=ballot.closes_at)
    assert tally(ballot) == Counter(results)  # the one paper is the one request's choice


@pytest.mark.usefixtures("without_rate_limits")
def test_twenty_simultaneous_vote_requests_by_one_member_drop_one_paper(admin_member, now):
    """The same through the view, as a member double-clicking in twenty tabs would."""
    voter = MemberFactory()
    ballot = founding_ballot(admin_member, opened=now)
    url = f"/charter/ballots/{ballot.pk}/vote/"

    def tab(choice: str):
        client = Client(enforce_csrf_checks=True)
        client.force_login(voter)
        token = get_random_string(32, CSRF_ALLOWED_CHARS)
        client.cookies[settings.CSRF_COOKIE_NAME] = token
        data = {"choice": choice, "final": "on", "csrfmiddlewaretoken": token}
        return lambda: client.post(url, data).status_code

    choices = list(islice(cycle(CHOICES), 20))
    statuses, errors = run_together([tab(choice) for choice in choices])
    assert errors == []
    assert statuses == [302] * 20  # each back to the ballot, one thanked, the others told why
    assert ticked(ballot) == 1
    assert papers(ballot) == 1


def test_sixty_members_voting_at_once_are_all_counted(admin_member, now):
    voters = quiet_members(60)
    opened = now - timedelta(days=defaults()["founding_ballot_days"])
    ballot = founding_ballot(admin_member, opened=opened)
    choices = ["yes"] * 36 + ["no"] * 15 + ["abstain"] * 9
    pairs = list(zip(voters, choices, strict=True))

    def cast_for(batch):
        def run():
            for voter, choice in batch:
                services.cast_vote(member=voter, ballot=ballot, choice=choice, now=opened)

        return run

    # Twenty workers, three voters each, interleaved so that every worker casts every choice.
    _, errors = run_together([cast_for(pairs[n::20]) for n in range(20)])
    assert errors == []
    assert ticked(ballot) == 60
    assert papers(ballot) == 60

    assert services.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at) == 1
    count(ballot, now=ballot.closes_at)
    assert tally(ballot) == {"yes": 36, "no": 15, "abstain": 9}
    assert ballot.eligible_count == 61  # the admin is on the roll too, and did not vote
    assert ballot.passed is True  # 36 of 51 is more than two thirds


def test_a_close_racing_with_votes_counts_each_vote_or_refuses_it(admin_member, now):
    voters = quiet_members(30)
    opened = now - timedelta(days=defaults()["founding_ballot_days"])
    ballot = founding_ballot(admin_member, opened=opened)
    deadline = ballot.closes_at
    choices = dict(zip(voters, cycle(CHOICES), strict=False))
    counted_in: list[Member] = []
    refused: list[services.InvalidChange] = []

    def cast_for(batch):
        def run():
            for voter in batch:
                try:
                    services.cast_vote(
                        member=voter,
                        ballot=ballot,
                        choice=choices[voter],
                        now=deadline - timedelta(seconds=1),
                    )
                except services.InvalidChange as error:
                    refused.append(error)
                else:
                    counted_in.append(voter)

        return run

    def close():
        return services.close_ballot(ballot_id=ballot.pk, now=deadline)

    # Ten vote before the deadline; then five threads keep voting, for four members each,
    # while the close runs: some of their votes come before it, some after.
    cast_for(voters[:10])()
    racing = voters[10:]
    results, errors = run_together([close, *(cast_for(racing[n::5]) for n in range(5))])

    assert errors == []
    assert [r for r in results if r is not None] == [1]  # the close ended the voting, once
    assert {str(error) for error in refused} <= {"This ballot is closed."}
    assert len(counted_in) + len(refused) == len(voters)
    count(ballot, now=deadline)
    counted = Counter(choices[voter] for voter in counted_in)
    assert tally(ballot) == counted
    # Nothing slipped into the box or onto the roll after the close.
    assert papers(ballot) == len(counted_in)
    on_roll = RollEntry.objects.filter(ballot=ballot, voted=True).values_list("member", flat=True)
    assert set(on_roll) == {voter.pk for voter in counted_in}


def test_two_closes_of_the_founding_ballot_at_once_ratify_it_once(admin_member, founders, now):
    opened = now - timedelta(days=defaults()["founding_ballot_days"])
    ballot = founding_ballot(admin_member, opened=opened)
    for voter in founders:
        services.cast_vote(member=voter, ballot=ballot, choice="yes", now=opened)

    def close():
        return services.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at)

    results, errors = run_together([close, close])
    assert errors == []
    assert sorted(results) == [0, 1]
    counted_twice_at_once(ballot)
    ballot.refresh_from_db()
    assert (ballot.yes, ballot.no, ballot.abstain, ballot.passed) == (4, 0, 0, True)
    assert list(CharterVersion.objects.values_list("state", "number")) == [
        (VersionState.RATIFIED, 1)
    ]


def test_two_closes_of_an_amendment_at_once_write_one_version(
    charter_v1, founders, propose, put_to_ballot
):
    proposal = propose(
        founders[0],
        [reword(charter_v1, 2, "Posts stay on topic; moderators may move them.")],
        sponsors=founders[1:],
    )
    ballot = put_to_ballot(proposal)
    for voter in founders:
        services.cast_vote(member=voter, ballot=ballot, choice="yes", now=ballot.opened_at)

    def close():
        return services.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at)

    results, errors = run_together([close, close])
    assert errors == []
    assert sorted(results) == [0, 1]
    counted_twice_at_once(ballot)
    ballot.refresh_from_db()
    assert (ballot.yes, ballot.no, ballot.abstain, ballot.passed) == (4, 0, 0, True)
    ratified = CharterVersion.objects.filter(state=VersionState.RATIFIED)
    assert sorted(ratified.values_list("number", flat=True)) == [1, 2]
    assert ballot.result.number == 2
    assert ballot.result.articles.count() == charter_v1.articles.count()


def counted_twice_at_once(ballot: Ballot) -> None:
    """Two trustees give their shares, then two deadline runs count the ballot at once: one
    counts it, the other finds it counted."""
    ballot.refresh_from_db()
    assert ballot.state == BallotState.COUNTING
    decrypt_shares(ballot, now=ballot.closes_at)

    def count_now():
        return services.count_decrypted_ballots(now=ballot.closes_at)

    results, errors = run_together([count_now, count_now])
    assert errors == []
    assert sorted(results) == [0, 1]
