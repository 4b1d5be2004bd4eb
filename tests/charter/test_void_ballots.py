"""A box that does not match its roll is not counted: the close compares the papers in the box
with the ticks on the roll, and if they differ the ballot is void. Nothing is ratified; the
ballot page, the proposal, the history and the journal say so and why; the roll is told; the
health check fails until the question is counted by a new ballot; the proposal goes to one.

Papers are put in or taken out as someone with the database's keys would, beside the real
votes: in the clear box (a ballot opened before encrypted ones, `open_in_clear_box`), Vote rows
through the ORM or in SQL; in an encrypted ballot, Belenios papers added to its public record
with no tick on the roll, or taken out of it with the record's triggers lifted."""

import json
import uuid
from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from charter import belenios, selectors, services
from charter.models import (
    Ballot,
    BallotState,
    Box,
    CharterVersion,
    Election,
    Proposal,
    ProposalState,
    RecordFile,
    RollEntry,
    VersionState,
    VoidReason,
    Vote,
    VoterCredential,
)
from charter.services import elections
from notifications.models import Kind, Notification
from tests.builders.charter import ARTICLES, open_founding, open_in_clear_box, reword
from tests.builders.elections import decrypt, give_key
from tests.triggers import tampering

# Its outcome depends on the SQL each database answers (the record's triggers, the clear box):
# run on both (make test).
pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def proposal(charter_v1, founders, propose):
    changes = [reword(charter_v1, 2, "Stay on topic.")]
    return propose(founders[0], changes, sponsors=founders[1:])


@pytest.fixture
def ballot(proposal, put_to_ballot) -> Ballot:
    """The proposal's ballot, encrypted, open."""
    return put_to_ballot(proposal)


@pytest.fixture
def clear_ballot(proposal) -> Ballot:
    """The proposal's ballot opened with the clear box, whose papers are Vote rows: for the
    tests of that box's audit."""
    now = proposal.discussion_ends_at + timedelta(seconds=1)
    services.run_deadlines(now=now)
    proposal.refresh_from_db()
    return open_in_clear_box(proposal.ballot, now=now)


@pytest.fixture(params=["clear box", "encrypted"])
def either(request) -> Ballot:
    """The proposal's ballot, open, with each box."""
    return request.getfixturevalue("clear_ballot" if request.param == "clear box" else "ballot")


def vote(ballot: Ballot, voters, choice: str = "yes") -> None:
    for voter in voters:
        services.cast_vote(member=voter, ballot=ballot, choice=choice, now=ballot.opened_at)


def stuff(ballot: Ballot, members, choice: str = "yes") -> None:
    """A paper for each of `members` dropped in the box, with no vote and no tick: in the
    clear box, a Vote row in SQL; in an encrypted ballot, a Belenios paper made with the
    member's credential and added to the record as a vote adds one."""
    if ballot.is_encrypted:
        _stuff_record(ballot, members, choice)
        return
    prepare = Vote._meta.pk.get_db_prep_value
    with connection.cursor() as cursor:
        for _ in members:
            cursor.execute(
                "INSERT INTO charter_vote (id, ballot_id, choice) VALUES (%s, %s, %s)",
                [prepare(uuid.uuid4(), connection), ballot.pk, choice],
            )


def _stuff_record(ballot: Ballot, members, choice: str) -> None:
    election = Election.objects.get(ballot=ballot)
    setup = elections.record_files(election)[: election.setup_files]
    for member in members:
        credential = VoterCredential.objects.get(entry__ballot=ballot, entry__member=member)
        paper = belenios.paper(
            uuid=election.uuid,
            setup=setup,
            timestamp=election.timestamp,
            credential=credential.private,
            choice=choice,
        )
        elections._add_event(
            election, "Ballot", [paper], credential=json.loads(paper)["credential"]
        )


def close(ballot: Ballot) -> Ballot:
    """The deadline run at the close; an encrypted ballot counting is then decrypted."""
    services.run_deadlines(now=ballot.closes_at)
    ballot.refresh_from_db()
    if ballot.is_counting:
        return decrypt(ballot, now=ballot.closes_at)
    return ballot


@pytest.fixture
def void(either, founders) -> Ballot:
    """One vote and three papers stuffed beside it, closed: void, with each box."""
    vote(either, founders[:1])
    stuff(either, founders[1:])
    return close(either)


def ballot_for(proposal: Proposal, *, now) -> Ballot:
    """The proposal's new ballot, prepared by the run that voided its last; its key given and
    voting open at `now`."""
    proposal.refresh_from_db()
    return give_key(proposal.ballot, now=now)


def healthz_failures(client) -> dict[str, str]:
    report = client.get("/healthz").json()
    return {
        name: check["reason"]
        for name, check in report["checks"].items()
        if check["status"] == "failing"
    }


# The close


def test_a_box_stuffed_beside_the_votes_is_void_and_ratifies_nothing(void):
    assert void.state == BallotState.VOID
    assert void.void_reason == VoidReason.BOX_MISMATCH
    assert (void.papers_found, void.ticks_found) == (4, 1)
    assert (void.yes, void.no, void.abstain, void.passed, void.result) == (None,) * 5
    assert selectors.current_version().number == 1
    assert not CharterVersion.objects.filter(number=2).exists()


def test_a_stuffed_encrypted_box_is_void_though_its_record_verifies(ballot, founders):
    """The stuffed papers are real ones, made with credentials of the roll: only the audit
    against the roll finds them."""
    vote(ballot, founders[:1])
    stuff(ballot, founders[1:])
    election = Election.objects.get(ballot=ballot)
    belenios.verify(
        uuid=election.uuid,
        record=elections.record_files(election),
        timestamp=election.timestamp,
    )
    assert close(ballot).void_reason == VoidReason.BOX_MISMATCH


def test_papers_made_through_the_orm_void_the_ballot_too(clear_ballot, founders):
    """The clear box's audit, whose papers are Vote rows (the encrypted record's below)."""
    vote(clear_ballot, founders[:2], "no")
    Vote.objects.bulk_create([Vote(ballot=clear_ballot, choice="yes") for _ in range(3)])
    assert close(clear_ballot).state == BallotState.VOID


def test_a_box_with_fewer_papers_than_ticks_is_void(clear_ballot, founders):
    """The clear box's audit, whose papers are Vote rows (the encrypted record's below)."""
    vote(clear_ballot, founders[:3])
    Vote.objects.filter(pk=Vote.objects.filter(ballot=clear_ballot).values("pk")[:1]).delete()
    ballot = close(clear_ballot)
    assert ballot.state == BallotState.VOID
    assert (ballot.papers_found, ballot.ticks_found) == (2, 3)


def test_a_paper_cannot_be_taken_out_of_an_encrypted_box(ballot, founders):
    vote(ballot, founders[:3])
    paper = RecordFile.objects.filter(election__ballot=ballot, event="Ballot")
    with pytest.raises(DatabaseError), transaction.atomic():
        paper.first().delete()
    assert paper.count() == 3


def test_a_paper_taken_out_of_an_encrypted_box_with_the_triggers_lifted_voids_it(ballot, founders):
    vote(ballot, founders[:3])
    with tampering("charter_recordfile"):
        RecordFile.objects.filter(election__ballot=ballot, event="Ballot").first().delete()
    ballot = close(ballot)
    assert (ballot.state, ballot.void_reason) == (BallotState.VOID, VoidReason.BOX_MISMATCH)
    assert (ballot.papers_found, ballot.ticks_found) == (2, 3)


def test_ticks_added_to_the_roll_without_papers_void_the_ballot(either, founders):
    vote(either, founders[:1])
    RollEntry.objects.filter(ballot=either, member=founders[1]).update(voted=True)
    assert close(either).state == BallotState.VOID


def test_a_box_matching_its_roll_is_counted(either, founders):
    vote(either, founders)
    ballot = close(either)
    assert ballot.state == BallotState.CLOSED and ballot.passed
    assert (ballot.void_reason, ballot.papers_found, ballot.ticks_found) == ("", None, None)


# What follows a void ballot, in either box


def test_the_proposal_goes_to_a_new_ballot_with_a_new_roll(void, founders, proposal):
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.BALLOT
    assert proposal.ballot.pk != void.pk
    # Prepared by the run that voided the last: an encrypted ballot waiting for its key.
    assert (proposal.ballot.state, proposal.ballot.box) == (BallotState.SETUP, Box.BELENIOS)
    again = ballot_for(proposal, now=void.closed_at + timedelta(hours=1))
    assert not RollEntry.objects.filter(ballot=again, voted=True).exists()
    assert proposal.void_ballots == [void]
    vote(again, founders)
    assert close(again).passed
    assert selectors.current_version().number == 2


def test_the_roll_is_told_the_ballot_was_void_and_why(void, founders):
    told = Notification.objects.filter(kind=Kind.BALLOT_VOID, event_key=f"ballot:{void.pk}:result")
    assert set(told.values_list("recipient", flat=True)) == {f.pk for f in founders}
    assert "held 4 papers, but 1 member was ticked" in told.first().excerpt
    assert not Notification.objects.filter(kind=Kind.CHARTER_RATIFIED).exclude(
        event_key__startswith=f"ballot:{selectors.founding_ballots().get().pk}:"
    )


def test_the_ballot_page_says_it_is_void_and_why(void, client):
    page = client.get(void.get_absolute_url()).content.decode()
    assert "Void: not counted" in page
    assert "the ballot box held 4 papers, but 1 member was ticked on the roll" in page
    assert "Result: passed" not in page and "Result: failed" not in page


def test_the_proposal_the_history_and_the_journal_show_the_void_ballot(void, proposal, client):
    why = "the ballot box held 4 papers, but 1 member was ticked on the roll"
    for url in (proposal.get_absolute_url(), "/charter/history/", "/moderation/journal/"):
        page = client.get(url).content.decode()
        assert void.get_absolute_url() in page, url
        assert why in page, url


def test_the_health_check_reports_a_void_ballot_until_its_question_is_counted(
    void, founders, proposal, client
):
    failures = healthz_failures(client)
    assert set(failures) == {"ballot_boxes"}
    assert f"Ballot #{void.pk} was void at its close" in failures["ballot_boxes"]
    assert "held 4 papers, but 1 member was" in failures["ballot_boxes"]
    again = ballot_for(proposal, now=void.closed_at + timedelta(hours=1))
    vote(again, founders)
    close(again)
    assert healthz_failures(client) == {}


def test_a_void_ballot_whose_proposal_ended_otherwise_is_no_longer_reported(void):
    assert selectors.unresolved_void_ballots().get() == void
    # Withdrawn while it waited for a slot, say: its question will not be counted.
    Proposal.objects.filter(pk=void.proposal_id).update(state=ProposalState.WITHDRAWN)
    assert not selectors.unresolved_void_ballots().exists()


# The founding ballot


@pytest.mark.parametrize("box", ["clear box", "encrypted"])
def test_a_void_founding_ballot_sets_its_draft_aside_and_ratifies_nothing(
    admin_member, founders, now, client, box
):
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES, parameters={}
    )
    opened = now - timedelta(days=20)
    founding = services.open_founding_ballot(admin=admin_member, version=draft, now=opened)
    if box == "clear box":
        open_in_clear_box(founding, now=opened)
    else:
        give_key(founding, now=opened)
    vote(founding, founders[:2])
    stuff(founding, founders[2:])
    services.close_ballot(ballot_id=founding.pk, now=now - timedelta(days=1))
    founding.refresh_from_db()
    draft.refresh_from_db()
    assert founding.state == BallotState.VOID
    assert draft.state == VersionState.VOID
    assert selectors.current_version() is None
    revised = selectors.draft()
    assert revised.state == VersionState.PROVISIONAL and revised.previous_id == draft.pk
    assert revised.articles.count() == len(ARTICLES)
    assert "the ballot box held 4 papers, but 2 members" in healthz_failures(client)["ballot_boxes"]
    assert "Void" in client.get("/charter/draft/").content.decode()
    again = open_founding(admin_member, revised, now=now)
    vote(again, founders)
    close(again)
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
