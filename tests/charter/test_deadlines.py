"""run_deadlines: each charter deadline acts at its time, not before, once, the same if late.

Ballots are encrypted: the end of a discussion prepares one, the run after its key is made
opens it, the close ends its voting, and the run after its trustees decrypt counts it."""

from contextlib import suppress
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from charter import selectors, services
from charter.models import (
    Ballot,
    BallotState,
    CharterVersion,
    Election,
    ProposalState,
    RecordFile,
    Trustee,
    VersionState,
)
from charter.services import elections
from members.models import Member
from notifications.models import Kind, Notification
from tests.builders.charter import ARTICLES, count, open_founding, reword
from tests.builders.elections import decrypt, key_set, make_keys

pytestmark = pytest.mark.django_db

State = ProposalState
SECOND = timedelta(seconds=1)


@pytest.fixture
def seeking(charter_v1, founders, propose):
    """A proposal submitted now, with one co-sponsor of the three it needs."""
    return propose(founders[0], [reword(charter_v1, 2, "Stay on topic.")], sponsors=founders[1:2])


@pytest.fixture
def discussed(charter_v1, founders, propose):
    """A proposal co-sponsored now: its discussion runs for 7 days."""
    return propose(founders[0], [reword(charter_v1, 2, "Stay on topic.")], sponsors=founders[1:])


@pytest.fixture
def ballot(discussed, put_to_ballot) -> Ballot:
    return put_to_ballot(discussed)


def run(at) -> dict[str, int]:
    return services.run_deadlines(now=at)


def state_at(proposal, at) -> str:
    run(at)
    proposal.refresh_from_db()
    return proposal.state


def vote(ballot: Ballot, **choices) -> None:
    for choice, members in choices.items():
        for member in members:
            services.cast_vote(member=member, ballot=ballot, choice=choice, now=ballot.opened_at)


def volunteer(members: list[Member]) -> None:
    Member.objects.filter(pk__in=[m.pk for m in members]).update(trustee_volunteer=True)


def trustees_decrypt(ballot: Ballot, at) -> None:
    """Trustees 1 and 3 give their share of the decryption at `at`; the count is left to the
    next deadline run."""
    election = Election.objects.get(ballot=ballot)
    keys = key_set().keys
    for trustee in elections.current_trustees(election):
        if trustee.position in (1, 3):
            services.decrypt_as_trustee(
                member=trustee.member, trustee=trustee, key=keys[trustee.position - 1], now=at
            )


def events(ballot: Ballot, kind: str) -> int:
    return RecordFile.objects.filter(election__ballot=ballot, event=kind).count()


# Co-sponsors: 14 days


def test_a_proposal_still_seeking_co_sponsors_after_13_days_is_kept(seeking, now):
    assert state_at(seeking, now + timedelta(days=13)) == State.SEEKING
    assert state_at(seeking, now + timedelta(days=14) - SECOND) == State.SEEKING


def test_a_proposal_without_its_co_sponsors_lapses_after_14_days(seeking, now):
    assert seeking.sponsors_due_at == now + timedelta(days=14)
    assert state_at(seeking, now + timedelta(days=14)) == State.LAPSED
    assert seeking.ended_at == now + timedelta(days=14)


def test_a_proposal_that_found_its_co_sponsors_in_time_does_not_lapse(discussed, now):
    assert state_at(discussed, now + timedelta(days=14)) != State.LAPSED


def test_a_lapsed_proposal_lapses_once(seeking, now):
    assert run(now + timedelta(days=14))["lapsed"] == 1
    assert run(now + timedelta(days=15))["lapsed"] == 0


def test_a_co_sponsorship_after_the_14_days_does_not_save_the_proposal(seeking, founders, now):
    late = now + timedelta(days=15)
    services.sponsor_proposal(member=founders[2], proposal=seeking, now=now)
    with suppress(services.InvalidChange, PermissionDenied):
        services.sponsor_proposal(member=founders[3], proposal=seeking, now=late)
    assert state_at(seeking, late) == State.LAPSED


# Discussion: 7 days, then frozen and its ballot prepared in the same run; the voting opens
# at the first run after the trustees made the key, for 7 days


def test_the_text_cannot_be_revised_once_the_discussion_has_ended(
    charter_v1, founders, propose, now
):
    # revise_proposal takes no `now`: the discussion is made to end a day before the real clock.
    author = founders[0]
    eight_days_ago = now - timedelta(days=8)
    proposal = propose(
        author, [reword(charter_v1, 2, "Stay on topic.")], sponsors=founders[1:], at=eight_days_ago
    )
    assert proposal.state == State.DISCUSSION and proposal.discussion_ends_at < timezone.now()
    with suppress(services.InvalidChange, PermissionDenied):
        services.revise_proposal(
            author=author,
            proposal=proposal,
            title="Changed after the debate",
            rationale="Nobody will notice.",
            changes=[reword(charter_v1, 2, "Anything goes.")],
            parameters={},
        )
    proposal.refresh_from_db()
    assert proposal.revision == 1


def test_the_discussion_runs_for_7_days(discussed, now):
    assert discussed.discussion_ends_at == now + timedelta(days=7)
    assert state_at(discussed, now + timedelta(days=7) - SECOND) == State.DISCUSSION


def test_at_the_end_of_the_discussion_the_text_is_frozen_and_its_ballot_prepared(
    discussed, founders, now
):
    volunteer(founders)
    ends = now + timedelta(days=7)
    assert run(ends) == {
        "lapsed": 0,
        "frozen": 1,
        "closed": 0,
        "counted": 0,
        "announced": 0,
        "prepared": 1,
        "replaced": 0,
        "opened": 0,
        "reminded": 0,
        "resealed": 0,
    }
    discussed.refresh_from_db()
    assert discussed.state == State.BALLOT
    assert (discussed.ballot.state, discussed.ballot.opened_at) == (BallotState.SETUP, None)
    drawn = Trustee.objects.filter(election__ballot=discussed.ballot).values_list(
        "member", flat=True
    )
    assert sorted(drawn) == [f.pk for f in founders[1:]]  # never the author


def test_the_voting_opens_at_the_first_run_after_the_key_is_made_for_7_days(
    discussed, founders, now
):
    volunteer(founders)
    ends = now + timedelta(days=7)
    run(ends)
    discussed.refresh_from_db()
    make_keys(discussed.ballot, now=ends + timedelta(hours=1))
    opens = ends + timedelta(hours=2)
    assert run(opens)["opened"] == 1
    assert run(opens + timedelta(hours=1))["opened"] == 0
    discussed.ballot.refresh_from_db()
    assert (discussed.ballot.state, discussed.ballot.opened_at, discussed.ballot.closes_at) == (
        BallotState.OPEN,
        opens,
        opens + timedelta(days=7),
    )


def test_a_ballot_opened_by_a_late_run_still_lasts_7_days(discussed, founders, now):
    volunteer(founders)
    run(discussed.discussion_ends_at)
    discussed.refresh_from_db()
    make_keys(discussed.ballot, now=discussed.discussion_ends_at + timedelta(hours=1))
    late = discussed.discussion_ends_at + timedelta(days=3)
    run(late)
    discussed.ballot.refresh_from_db()
    assert discussed.ballot.opened_at == late
    assert discussed.ballot.closes_at - discussed.ballot.opened_at == timedelta(days=7)


# The close: at the deadline, not before, once; the count: once the trustees decrypted, once


def test_the_ballot_is_still_open_just_before_its_deadline(ballot, founders):
    vote(ballot, yes=founders)
    run(ballot.closes_at - SECOND)
    ballot.refresh_from_db()
    assert ballot.state == BallotState.OPEN and ballot.yes is None


def test_the_ballot_closes_at_its_deadline(ballot, founders):
    vote(ballot, yes=founders)
    assert run(ballot.closes_at)["closed"] == 1
    ballot.refresh_from_db()
    assert (ballot.state, ballot.closed_at) == (BallotState.COUNTING, ballot.closes_at)
    assert ballot.yes is None


def test_a_closed_ballot_is_counted_by_the_first_run_after_its_trustees_decrypt(ballot, founders):
    vote(ballot, yes=founders)
    run(ballot.closes_at)
    assert run(ballot.closes_at + timedelta(hours=1))["counted"] == 0
    trustees_decrypt(ballot, ballot.closes_at + timedelta(hours=2))
    assert run(ballot.closes_at + timedelta(hours=3))["counted"] == 1
    ballot.refresh_from_db()
    assert (ballot.state, ballot.closed_at, ballot.yes) == (BallotState.CLOSED, ballot.closes_at, 4)


def test_the_founding_ballot_closes_14_days_after_it_opens(admin_member, founders, now):
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES, parameters={}
    )
    ballot = open_founding(admin_member, draft, now=now)
    vote(ballot, yes=founders)
    run(now + timedelta(days=14) - SECOND)
    ballot.refresh_from_db()
    assert ballot.state == BallotState.OPEN
    run(now + timedelta(days=14))
    ballot.refresh_from_db()
    assert (ballot.state, ballot.closed_at) == (BallotState.COUNTING, now + timedelta(days=14))
    decrypt(ballot, now=now + timedelta(days=14, hours=1))
    assert selectors.current_version() == draft


@pytest.mark.parametrize("late", [timedelta(), timedelta(days=30)], ids=["on time", "late"])
def test_running_the_deadlines_twice_gives_one_result_and_one_new_version(ballot, founders, late):
    vote(ballot, yes=founders)
    closing = ballot.closes_at + late
    first, second = run(closing), run(closing + timedelta(hours=1))
    assert (first["closed"], second["closed"]) == (1, 0)
    assert events(ballot, "EncryptedTally") == 1
    trustees_decrypt(ballot, closing + timedelta(hours=2))
    third, fourth = run(closing + timedelta(hours=3)), run(closing + timedelta(hours=4))
    assert (third["counted"], fourth["counted"]) == (1, 0)
    assert events(ballot, "Result") == 1
    assert CharterVersion.objects.filter(state=VersionState.RATIFIED).count() == 2
    results = Notification.objects.filter(event_key=services.ballot_event_key(ballot.pk, "result"))
    assert results.count() == Member.objects.filter(is_active=True).count()
    ballot.refresh_from_db()
    assert ballot.closed_at == ballot.closes_at + late


def test_a_result_is_announced_after_the_close_once_by_the_next_deadline_run(ballot, founders):
    """A close does not wait on writing every member's notification; a worker that died
    between the two leaves the announcement to the next run."""
    vote(ballot, yes=founders)
    count(ballot, now=ballot.closes_at)
    assert ballot.state == BallotState.CLOSED
    results = Notification.objects.filter(event_key=services.ballot_event_key(ballot.pk, "result"))
    assert not results.exists()
    assert run(ballot.closes_at + timedelta(minutes=1))["announced"] == 1
    assert results.count() == Member.objects.filter(is_active=True).count()
    assert run(ballot.closes_at + timedelta(minutes=2))["announced"] == 0
    assert results.count() == Member.objects.filter(is_active=True).count()


def test_closing_a_ballot_twice_counts_it_once(ballot, founders):
    vote(ballot, yes=founders)
    assert services.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at) == 1
    assert services.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at) == 0
    assert events(ballot, "EncryptedTally") == 1
    trustees_decrypt(ballot, ballot.closes_at)
    assert services.count_decrypted_ballots(now=ballot.closes_at) == 1
    assert services.count_decrypted_ballots(now=ballot.closes_at) == 0
    assert selectors.current_version().number == 2


@pytest.mark.parametrize(
    "late", [timedelta(), timedelta(hours=1), timedelta(days=30)], ids=["on time", "1 h", "30 d"]
)
def test_votes_cast_before_the_close_count_the_same_whether_it_runs_on_time_or_late(
    ballot, founders, now, late
):
    # Active within the 12 months before the close, though not within the 12 before a late run.
    Member.objects.filter(pk=founders[3].pk).update(
        last_login=ballot.closes_at - timedelta(days=360)
    )
    vote(ballot, yes=founders[:1], no=founders[1:2], abstain=founders[2:3])
    run(ballot.closes_at + late)
    trustees_decrypt(ballot, ballot.closes_at + late)
    run(ballot.closes_at + late + timedelta(hours=1))
    ballot.refresh_from_db()
    counted = (ballot.yes, ballot.no, ballot.abstain, ballot.active_count, ballot.passed)
    assert counted == (1, 1, 1, 4, False)


# The reminder: 48 hours before the close, to those who have not voted, once


def reminders(ballot: Ballot) -> int:
    return Notification.objects.filter(
        kind=Kind.BALLOT_REMINDER, event_key=services.ballot_event_key(ballot.pk, "reminder")
    ).count()


def test_no_reminder_before_the_last_48_hours(ballot):
    run(ballot.closes_at - timedelta(hours=48) - SECOND)
    assert reminders(ballot) == 0


def test_the_reminder_goes_48_hours_before_the_close(ballot, founders):
    vote(ballot, yes=founders[:1])
    assert run(ballot.closes_at - timedelta(hours=48))["reminded"] == 1
    assert reminders(ballot) == 3


def test_the_reminder_goes_once_even_if_the_deadlines_run_twice(ballot):
    reminder_time = ballot.closes_at - timedelta(hours=47)
    run(reminder_time)
    run(reminder_time)
    run(reminder_time + timedelta(hours=40))
    assert reminders(ballot) == 4
    ballot.refresh_from_db()
    assert ballot.reminded_at == reminder_time


def test_a_deadline_run_after_the_close_sends_no_reminder(ballot):
    run(ballot.closes_at + timedelta(days=30))
    assert reminders(ballot) == 0


# Monitoring: a ballot past its deadline and still open is a fault


@override_settings(CHARTER_CLOSE_GRACE_SECONDS=300)
def test_a_ballot_still_open_past_its_deadline_is_reported_as_overdue(ballot):
    assert ballot not in selectors.overdue_ballots(ballot.closes_at + timedelta(seconds=300))
    assert ballot in selectors.overdue_ballots(ballot.closes_at + timedelta(seconds=301))
    run(ballot.closes_at + timedelta(seconds=301))
    assert ballot not in selectors.overdue_ballots(ballot.closes_at + timedelta(days=1))
