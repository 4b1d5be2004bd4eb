"""Each charter page runs a fixed number of SQL queries, whatever the size of what it shows.

Each test measures a page with a little data, grows the data tenfold, and requires the same
count again (`assert_queries` lists the queries when it differs); the count is then pinned in
EXPECTED, so that a new query on a page is a decision, not an accident.
"""

import pytest
from django.test import Client

from charter import selectors, services
from charter.models import Ballot, CharterVersion, Proposal
from tests.builders.charter import addition, count, reword
from tests.query_budget import assert_queries, queries_for

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

# visitor: no session. member: Alice, who joined today. elder: a founder, on every roll, who
# accepted the charter and may propose, co-sponsor and vote.
PERSONAS = ["visitor_client", "member_client", "elder_client"]

# What a visitor's page costs, then what signing in adds: the session, the member, the bell's
# unread count, and the member's own standing.
# charter: the version in force, the current version, the version shown and its articles, the
#   open ballots (5); + whether the member accepted it (9). version: the same without the
#   version in force (4, 8). history: the versions with their ballots and article counts, the
#   ballots found void (2, 5).
# proposals: the list, their ballots, the current version (3); + the member's drafts and their
#   standing: verified, then accepted for an elder (8, 9).
# proposal: the proposal, its changes, its co-sponsors, its ballots, the current version, the
#   articles of the version it amends (6); + the standing, checked twice, for the button and
#   the reason (11).
# ballot: the ballot with its election, the version amended and its articles, the changes, the
#   votes cast, the election's trustees with their names (6); + the member's entry on the roll
#   (10); closed: + the roll with its members (7, 11).
EXPECTED = {
    ("charter", "visitor_client"): 5,
    ("charter", "member_client"): 9,
    ("charter", "elder_client"): 9,
    ("version", "visitor_client"): 4,
    ("version", "member_client"): 8,
    ("version", "elder_client"): 8,
    ("history", "visitor_client"): 2,
    ("history", "member_client"): 5,
    ("history", "elder_client"): 5,
    ("proposals", "visitor_client"): 3,
    ("proposals", "member_client"): 7,
    ("proposals", "elder_client"): 9,
    ("proposal", "visitor_client"): 6,
    ("proposal", "member_client"): 9,
    ("proposal", "elder_client"): 11,
    ("open ballot", "visitor_client"): 6,
    ("open ballot", "member_client"): 10,
    ("open ballot", "elder_client"): 10,
    ("closed ballot", "visitor_client"): 7,
    ("closed ballot", "member_client"): 11,
    ("closed ballot", "elder_client"): 11,
}


@pytest.fixture
def elder_client(founders) -> Client:
    client = Client()
    client.force_login(founders[0])
    return client


@pytest.fixture
def amend(founders, propose, put_to_ballot):
    """Pass an amendment of the charter in force: the founders propose it, co-sponsor it and
    vote for it, then accept the new version. Returns the new version."""

    def run(changes, parameters=None) -> CharterVersion:
        proposal = propose(founders[0], changes, parameters=parameters, sponsors=founders[1:4])
        ballot = put_to_ballot(proposal)
        for voter in founders:
            services.cast_vote(member=voter, ballot=ballot, choice="yes")
        count(ballot, now=ballot.closes_at)
        version = selectors.current_version()
        for voter in founders:
            services.accept_charter(member=voter, version=version)
        return version

    return run


def articles(n: int) -> list[services.ArticleDraft]:
    return [
        services.ArticleDraft(f"Rule {i}", f"The text of rule {i}, *in Markdown*.", i == n)
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_charter_and_version_pages_cost_the_same_for_3_or_30_articles(
    request, persona, founders, ratify_founding, amend
):
    client = request.getfixturevalue(persona)
    v1 = ratify_founding(founders, articles=articles(3))
    on_charter = queries_for(client, "/charter/")
    on_version = queries_for(client, "/charter/v/1/")
    v2 = amend([addition(f"Added {i}", f"Added rule {i}.") for i in range(27)])
    assert (v1.articles.count(), v2.articles.count()) == (3, 30)
    assert_queries(client, "/charter/", on_charter)
    assert_queries(client, "/charter/v/2/", on_version)
    assert on_charter == EXPECTED["charter", persona]
    assert on_version == EXPECTED["version", persona]


def test_the_history_costs_the_same_for_1_or_5_versions(request, subtests, charter_v1, amend):
    clients = {persona: request.getfixturevalue(persona) for persona in PERSONAS}
    with_1 = {
        persona: queries_for(client, "/charter/history/") for persona, client in clients.items()
    }
    for n in range(4):
        version = selectors.current_version()
        amend([reword(version, 1, f"Members address each other with respect, take {n}.")])
    assert CharterVersion.objects.filter(state="ratified").count() == 5
    for persona, client in clients.items():
        with subtests.test(persona=persona):
            assert_queries(client, "/charter/history/", with_1[persona])
            assert with_1[persona] == EXPECTED["history", persona]


def add_proposals(n: int, *, version: CharterVersion, founders, propose) -> None:
    """`n` proposals by the four founders, a quarter at each stage: draft, seeking co-sponsors,
    in discussion (with its forum thread), withdrawn."""
    start = Proposal.objects.count()
    for i in range(start, start + n):
        author = founders[i % 4]
        change = [reword(version, 1 + i % 3, f"New words, take {i}.")]
        stage = i % 4
        if stage == 0:
            propose(author, change, submit=False)
        elif stage == 1:
            propose(author, change)
        elif stage == 2:
            propose(author, change, sponsors=[f for f in founders if f != author][:3])
        else:
            proposal = propose(author, change)
            services.withdraw_proposal(author=author, proposal=proposal)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_proposals_list_costs_the_same_for_5_or_41_proposals(
    request, persona, charter_v1, founders, propose, put_to_ballot
):
    client = request.getfixturevalue(persona)
    voted = propose(founders[0], [addition()], sponsors=founders[1:4])
    put_to_ballot(voted)  # one proposal in its ballot, in both cases
    add_proposals(4, version=charter_v1, founders=founders, propose=propose)
    with_few = queries_for(client, "/charter/proposals/")
    add_proposals(36, version=charter_v1, founders=founders, propose=propose)
    assert Proposal.objects.count() == 41
    assert_queries(client, "/charter/proposals/", with_few)
    assert with_few == EXPECTED["proposals", persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_proposal_page_costs_the_same_for_1_or_10_co_sponsors(
    request, persona, founders, elder_factory, ratify_founding, propose
):
    client = request.getfixturevalue(persona)
    elders = founders + [elder_factory() for _ in range(8)]
    version = ratify_founding(elders, parameters={"cosponsors": 20})
    changes = [
        reword(version, 2, "Posts stay on the topic of their thread."),
        reword(version, 4, "This charter changes only by a vote of the members."),
        addition(),
    ]
    one = propose(founders[0], changes, sponsors=elders[1:2])
    ten = propose(founders[0], changes, sponsors=elders[1:11])
    assert (one.sponsorships.count(), ten.sponsorships.count()) == (1, 10)
    with_1 = queries_for(client, one.get_absolute_url())
    assert_queries(client, ten.get_absolute_url(), with_1)
    assert with_1 == EXPECTED["proposal", persona]


@pytest.fixture
def ballots_of_5_and_50(founders, elder_factory, ratify_founding, propose, put_to_ballot):
    """Two open ballots: one on a roll of 5, the other on a roll of 50; everyone voted."""
    voters = [*founders, elder_factory()]
    version = ratify_founding(voters)
    small = put_to_ballot(
        propose(founders[0], [reword(version, 1, "Be kind.")], sponsors=voters[1:4])
    )
    for _ in range(45):
        newcomer = elder_factory()
        services.accept_charter(member=newcomer, version=version)
        voters.append(newcomer)
    large = put_to_ballot(
        propose(founders[0], [reword(version, 3, "No ads.")], sponsors=voters[1:4])
    )
    for ballot, roll in ((small, voters[:5]), (large, voters)):
        for voter in roll:
            services.cast_vote(member=voter, ballot=ballot, choice="no")
    assert (small.roll.count(), large.roll.count()) == (5, 50)
    return small, large


def test_an_open_then_closed_ballot_costs_the_same_for_5_or_50_voters(
    request, subtests, ballots_of_5_and_50
):
    """Every persona reads the same two ballots, open then closed: making and counting 55
    encrypted votes takes belenios-tool seconds, the same whoever reads."""
    clients = {persona: request.getfixturevalue(persona) for persona in PERSONAS}
    small, large = ballots_of_5_and_50
    for state in ("open ballot", "closed ballot"):
        if state == "closed ballot":
            for ballot in (small, large):
                count(ballot, now=ballot.closes_at)
            closed = Ballot.objects.filter(pk__in=[small.pk, large.pk])
            assert set(closed.values_list("state", flat=True)) == {"closed"}
        for persona, client in clients.items():
            with subtests.test(state=state, persona=persona):
                with_5 = queries_for(client, small.get_absolute_url())
                assert_queries(client, large.get_absolute_url(), with_5)
                assert with_5 == EXPECTED[state, persona]
