"""In production nobody closes or counts a ballot by hand: Celery beat, in the real worker,
runs the charter's deadlines, closes a ballot once it is due and counts it once its trustees
have decrypted the tally.

The stack is the real one (Redis, a Celery worker with beat, gunicorn, SMTP) on the test
database; the test only writes a founding ballot past its deadline, has two trustees decrypt
once it is closed, and watches the database.
"""

from datetime import timedelta

import pytest
from django.db import transaction

from charter import services
from charter.models import Ballot, BallotState, CharterVersion, VersionState
from tests.builders.charter import ARTICLES, open_founding
from tests.builders.elections import decrypt_shares
from tests.live_stack import Service, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]

BEAT_SENT = "Scheduler: Sending due task charter-deadlines"
RAN_DEADLINES = "Task charter.tasks.run_deadlines["
SUCCEEDED = "succeeded in"


def log_since(service: Service, offset: int) -> str:
    with service.log.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def deadline_runs(service: Service, offset: int = 0) -> tuple[int, int]:
    """How many runs of the deadlines beat sent, and how many ended, as the worker logged."""
    lines = log_since(service, offset).splitlines()
    sent = sum(BEAT_SENT in line for line in lines)
    ended = sum(RAN_DEADLINES in line and SUCCEEDED in line for line in lines)
    return sent, ended


def test_beat_closes_a_ballot_past_its_deadline_and_counts_it_once_decrypted(
    live_stack, admin_member, founders, now
):
    worker = live_stack.worker

    # A starting worker runs the deadlines once of its own (sweep_when_ready): once that run
    # and every run beat sent so far have ended, whatever closes the ballot is beat.
    def only_beat_to_come() -> bool:
        sent, ended = deadline_runs(worker)
        return ended == sent + 1

    wait_until(only_beat_to_come, timeout=20, what="the worker's first run of the deadlines")

    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES, parameters={}
    )
    opened = now - timedelta(days=15)  # the founding ballot lasts 14 days: due a day ago
    written = worker.log.stat().st_size
    with transaction.atomic():  # the worker sees the ballot once every vote is in
        ballot = open_founding(admin_member, draft, now=opened)
        for founder in founders:
            services.cast_vote(member=founder, ballot=ballot, choice="yes", now=opened)

    def in_state(state: BallotState):
        return lambda: Ballot.objects.filter(pk=ballot.pk, state=state).exists()

    try:
        wait_until(in_state(BallotState.COUNTING), timeout=30, what="beat to close the ballot")
    except TimeoutError:
        pytest.fail(f"the ballot is still open; the worker logged:\n{log_since(worker, 0)}")
    assert not CharterVersion.objects.filter(state=VersionState.RATIFIED).exists()

    decrypt_shares(ballot, now=now)
    try:
        wait_until(in_state(BallotState.CLOSED), timeout=30, what="beat to count the ballot")
    except TimeoutError:
        pytest.fail(f"the ballot is not counted; the worker logged:\n{log_since(worker, 0)}")

    ballot.refresh_from_db()
    assert (ballot.yes, ballot.no, ballot.abstain, ballot.passed) == (4, 0, 0, True)
    version = CharterVersion.objects.get(state=VersionState.RATIFIED)
    assert version.number == 1
    assert ballot.result == version
    closed_at = ballot.closed_at

    # Beat goes on every second, and closes nothing twice.
    wait_until(lambda: deadline_runs(worker, written)[1] >= 2, timeout=10, what="more runs")
    assert deadline_runs(worker, written)[0] >= 2  # sent by beat
    assert CharterVersion.objects.filter(state=VersionState.RATIFIED).count() == 1
    ballot.refresh_from_db()
    assert (ballot.yes, ballot.no, ballot.abstain, ballot.closed_at) == (4, 0, 0, closed_at)
