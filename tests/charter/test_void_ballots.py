"""A box that does not match its roll is not counted: the close compares the papers in the box
with the ticks on the roll, and if they differ the ballot is void. Nothing is ratified; the
ballot page, the proposal, the history and the journal say so and why; the roll is told; the
health check fails until the question is counted by a new ballot; the proposal goes to one.

Papers are put in or taken out as someone with the database's keys would: through the ORM or
in SQL, beside the real votes."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from charter import selectors, services
from charter.models import (
    Ballot,
    BallotState,
    CharterVersion,
    Proposal,
    ProposalState,
    RollEntry,
    VersionState,
    VoidReason,
    Vote,
)
from notifications.models import Kind, Notification
from tests.builders.charter import ARTICLES, reword

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(charter_v1, founders, propose):
    changes = [reword(charter_v1, 2, "Stay on topic.")]
    return propose(founders[0], changes, sponsors=founders[1:])


@pytest.fixture
def ballot(proposal, put_to_ballot) -> Ballot:
    return put_to_ballot(proposal)


def vote(ballot: Ballot, voters, choice: str = "yes") -> None:
    for voter in voters:
        services.cast_vote(member=voter, ballot=ballot, choice=choice, now=ballot.opened_at)


def stuff(ballot: Ballot, papers: int, choice: str = "yes") -> None:
    """Papers dropped in the box in SQL, with no vote and no tick."""
    prepare = Vote._meta.pk.get_db_prep_value
    with connection.cursor() as cursor:
        for _ in range(papers):
            cursor.execute(
                "INSERT INTO charter_vote (id, ballot_id, choice) VALUES (%s, %s, %s)",
                [prepare(uuid.uuid4(), connection), ballot.pk, choice],
            )


def close(ballot: Ballot) -> Ballot:
    services.run_deadlines(now=ballot.closes_at)
    ballot.refresh_from_db()
    return ballot


def healthz_failures(client) -> dict[str, str]:
    report = client.get("/healthz").json()
    return {
        name: check["reason"]
        for name, check in report["checks"].items()
        if check["status"] == "failing"
    }


# The close


def test_a_box_stuffed_beside_the_votes_is_void_and_ratifies_nothing(ballot, founders, proposal):
    vote(ballot, founders[:1])
    stuff(ballot, 3)
    ballot = close(ballot)
    assert ballot.state == BallotState.VOID
    assert ballot.void_reason == VoidReason.BOX_MISMATCH
    assert (ballot.papers_found, ballot.ticks_found) == (4, 1)
    assert (ballot.yes, ballot.no, ballot.abstain, ballot.passed, ballot.result) == (None,) * 5
    assert selectors.current_version().number == 1
    assert not CharterVersion.objects.filter(number=2).exists()


def test_papers_made_through_the_orm_void_the_ballot_too(ballot, founders):
    vote(ballot, founders[:2], "no")
    Vote.objects.bulk_create([Vote(ballot=ballot, choice="yes") for _ in range(3)])
    assert close(ballot).state == BallotState.VOID


def test_a_box_with_fewer_papers_than_ticks_is_void(ballot, founders):
    vote(ballot, founders[:3])
    Vote.objects.filter(pk=Vote.objects.filter(ballot=ballot).values("pk")[:1]).delete()
    ballot = close(ballot)
    assert ballot.state == BallotState.VOID
    assert (ballot.papers_found, ballot.ticks_found) == (2, 3)


def test_ticks_added_to_the_roll_without_papers_void_the_ballot(ballot, founders):
    vote(ballot, founders[:1])
    RollEntry.objects.filter(ballot=ballot, member=founders[1]).update(voted=True)
    assert close(ballot).state == BallotState.VOID


def test_a_box_matching_its_roll_is_counted(ballot, founders):
    vote(ballot, founders)
    ballot = close(ballot)
    assert ballot.state == BallotState.CLOSED and ballot.passed
    assert (ballot.void_reason, ballot.papers_found, ballot.ticks_found) == ("", None, None)


# What follows a void ballot


def test_the_proposal_goes_to_a_new_ballot_with_a_new_roll(ballot, founders, proposal):
    vote(ballot, founders[:1])
    stuff(ballot, 3)
    void = close(ballot)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.BALLOT
    assert proposal.ballot.pk != void.pk and proposal.ballot.is_open
    assert proposal.ballot.opened_at == void.closed_at
    assert not RollEntry.objects.filter(ballot=proposal.ballot, voted=True).exists()
    assert proposal.void_ballots == [void]
    vote(proposal.ballot, founders)
    assert close(proposal.ballot).passed
    assert selectors.current_version().number == 2


def test_the_roll_is_told_the_ballot_was_void_and_why(ballot, founders):
    vote(ballot, founders[:1])
    stuff(ballot, 3)
    void = close(ballot)
    told = Notification.objects.filter(kind=Kind.BALLOT_VOID, event_key=f"ballot:{void.pk}:result")
    assert set(told.values_list("recipient", flat=True)) == {f.pk for f in founders}
    assert "held 4 papers, but 1 members were ticked" in told.first().excerpt
    assert not Notification.objects.filter(kind=Kind.CHARTER_RATIFIED).exclude(
        event_key__startswith=f"ballot:{selectors.founding_ballots().get().pk}:"
    )


def test_the_ballot_page_says_it_is_void_and_why(ballot, founders, client):
    vote(ballot, founders[:1])
    stuff(ballot, 3)
    void = close(ballot)
    page = client.get(void.get_absolute_url()).content.decode()
    assert "Void: not counted" in page
    assert "the ballot box held 4 papers, but 1 members were ticked on the roll" in page
    assert "Result: passed" not in page and "Result: failed" not in page


def test_the_proposal_the_history_and_the_journal_show_the_void_ballot(
    ballot, founders, proposal, client
):
    vote(ballot, founders[:1])
    stuff(ballot, 3)
    void = close(ballot)
    why = "the ballot box held 4 papers, but 1 members were ticked on the roll"
    for url in (proposal.get_absolute_url(), "/charter/history/", "/moderation/journal/"):
        page = client.get(url).content.decode()
        assert void.get_absolute_url() in page, url
        assert why in page, url


def test_the_health_check_reports_a_void_ballot_until_its_question_is_counted(
    ballot, founders, proposal, client
):
    vote(ballot, founders[:1])
    stuff(ballot, 3)
    void = close(ballot)
    failures = healthz_failures(client)
    assert set(failures) == {"ballot_boxes"}
    assert f"Ballot #{void.pk} was void at its close" in failures["ballot_boxes"]
    assert "held 4 papers, but 1 members" in failures["ballot_boxes"]
    proposal.refresh_from_db()
    vote(proposal.ballot, founders)
    close(proposal.ballot)
    assert healthz_failures(client) == {}


def test_a_void_ballot_whose_proposal_ended_otherwise_is_no_longer_reported(ballot, founders):
    vote(ballot, founders[:1])
    stuff(ballot, 1)
    void = close(ballot)
    assert selectors.unresolved_void_ballots().get() == void
    # Withdrawn while it waited for a slot, say: its question will not be counted.
    Proposal.objects.filter(pk=void.proposal_id).update(state=ProposalState.WITHDRAWN)
    assert not selectors.unresolved_void_ballots().exists()


# The founding ballot


def test_a_void_founding_ballot_sets_its_draft_aside_and_ratifies_nothing(
    admin_member, founders, now, client
):
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES, parameters={}
    )
    founding = services.open_founding_ballot(
        admin=admin_member, version=draft, now=now - timedelta(days=20)
    )
    vote(founding, founders)
    stuff(founding, 2)
    services.close_ballot(ballot_id=founding.pk, now=now - timedelta(days=1))
    founding.refresh_from_db()
    draft.refresh_from_db()
    assert founding.state == BallotState.VOID
    assert draft.state == VersionState.VOID
    assert selectors.current_version() is None
    revised = selectors.draft()
    assert revised.state == VersionState.PROVISIONAL and revised.previous_id == draft.pk
    assert revised.articles.count() == len(ARTICLES)
    assert "the ballot box held 6 papers, but 4 members" in healthz_failures(client)["ballot_boxes"]
    assert "Void" in client.get("/charter/draft/").content.decode()
    again = services.open_founding_ballot(admin=admin_member, version=revised, now=now)
    vote(again, founders)
    services.close_ballot(ballot_id=again.pk, now=again.closes_at)
    assert selectors.current_version().number == 1
    assert healthz_failures(client) == {}


# What the database keeps true


def test_the_database_refuses_a_void_ballot_that_does_not_say_why(ballot):
    closed = {"state": BallotState.VOID, "closed_at": ballot.closes_at}
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.filter(pk=ballot.pk).update(**closed)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.filter(pk=ballot.pk).update(
            **closed, void_reason=VoidReason.BOX_MISMATCH, papers_found=3, ticks_found=3
        )


def test_the_database_refuses_a_second_counted_ballot_on_a_proposal(ballot, proposal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(
            proposal=proposal,
            opened_at=ballot.opened_at,
            closes_at=ballot.closes_at,
            quorum_percent=ballot.quorum_percent,
            majority=ballot.majority,
            eligibility_days=ballot.eligibility_days,
            eligible_count=0,
        )
