"""Every ballot, the founding one and each amendment's, is a Belenios election anyone can check:
from its trustees' real keys (three drawn by lot, two needed, one of them absent at the count)
to its result, its published record passes Debian's belenios-tool, and the result in it is the
tally the ballot page shows.

The stack is the real one (Redis, a Celery worker with beat, gunicorn): the worker opens each
ballot once its key exists, closes it at its deadline and counts it once two trustees have
decrypted. The test takes the members' steps, and lets the days of voting pass by moving the
ballot's close to the present. The record is downloaded from the site and given to
/usr/bin/belenios-tool directly, not through charter.belenios.
"""

import io
import json
import re
import tarfile
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from charter import selectors, services
from charter.models import Ballot, BallotState, Election, Trustee
from charter.services import elections
from members.models import Member
from tests.belenios_verifier import verify_archive
from tests.builders.charter import ARTICLES, charter_in_force, propose, reword
from tests.builders.elections import make_keys
from tests.builders.members import elder
from tests.live_stack import LiveStack, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]

CHOICES = ["yes", "yes", "yes", "no", "abstain"]
ABSENT = 2  # the trustee who never decrypts


def state_of(ballot: Ballot) -> str:
    return Ballot.objects.values_list("state", flat=True).get(pk=ballot.pk)


def until_the_worker_has(ballot: Ballot, state: str, stack: LiveStack, what: str) -> None:
    try:
        wait_until(lambda: state_of(ballot) == state, timeout=60, what=what)
    except TimeoutError:
        pytest.fail(f"{what}: the ballot is {state_of(ballot)}; the worker logged:\n"
                    f"{stack.worker.log.read_text()[-3000:]}")  # fmt: skip


def run_the_cycle(ballot: Ballot, voters: list[Member], stack: LiveStack) -> Ballot:
    """From a ballot whose trustees were just drawn to its result: the trustees make the key,
    the worker opens the voting, `voters` vote `CHOICES`, the voting time passes, the worker
    closes it, the trustees but one decrypt, and the worker counts it."""
    election = Election.objects.get(ballot=ballot)
    assert (election.trustee_count, election.threshold) == (3, 2)
    keys = make_keys(ballot, now=timezone.now())
    until_the_worker_has(ballot, BallotState.OPEN, stack, "the worker to open the voting")

    for voter, choice in zip(voters, CHOICES, strict=True):
        services.cast_vote(member=voter, ballot=ballot, choice=choice)
    ballot.refresh_from_db()
    days = ballot.closes_at - timezone.now() + timedelta(seconds=1)
    Ballot.objects.filter(pk=ballot.pk).update(
        opened_at=ballot.opened_at - days, closes_at=ballot.closes_at - days
    )
    until_the_worker_has(ballot, BallotState.COUNTING, stack, "the worker to close the voting")

    for trustee in elections.current_trustees(election):
        if trustee.position != ABSENT:
            services.decrypt_as_trustee(
                member=trustee.member, trustee=trustee, key=keys[trustee.member_id]
            )
    until_the_worker_has(ballot, BallotState.CLOSED, stack, "the worker to count the ballot")
    absent = Trustee.objects.get(election=election, position=ABSENT, replaced_at__isnull=True)
    assert absent.decrypted_at is None
    ballot.refresh_from_db()
    return ballot


def download_record(ballot: Ballot, stack: LiveStack) -> bytes:
    """The record as anyone downloads it from the ballot's page."""
    url = stack.web.base_url + reverse("charter:ballot_record", args=[ballot.pk])
    with urllib.request.urlopen(url, timeout=30) as response:  # nosec B310: our own server
        assert response.status == 200
        return response.read()


def result_in(archive: bytes) -> dict[str, int]:
    """The Result event's data in the archive (a tar of files named by their SHA-256), read
    without the site's code: `{"result": [[blank, yes, no]]}`."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    events = [json.loads(c) for n, c in files.items() if n.endswith(".event.json")]
    (event,) = [e for e in events if e["type"] == "Result"]
    [[abstain, yes, no]] = json.loads(files[f"{event['payload']}.data.json"])["result"]
    return {"yes": yes, "no": no, "abstain": abstain}


def tally_on_page(ballot: Ballot, stack: LiveStack) -> dict[str, int]:
    url = stack.web.base_url + reverse("charter:ballot", args=[ballot.pk])
    with urllib.request.urlopen(url, timeout=30) as response:  # nosec B310: our own server
        page = response.read().decode()
    shown = dict(re.findall(r"<dt>(Yes|No|Abstain)</dt><dd>(\d+)</dd>", page))
    return {choice.lower(): int(count) for choice, count in shown.items()}


def assert_verified_with_the_tally(ballot: Ballot, stack: LiveStack, tmp_path: Path) -> None:
    directory = tmp_path / f"record-{ballot.pk}"
    directory.mkdir()
    archive = download_record(ballot, stack)
    verified = verify_archive(archive, Election.objects.get(ballot=ballot).uuid, directory)
    said = verified.stdout + verified.stderr
    assert verified.returncode == 0, said
    assert "all checks passed" in said
    assert "no result to check" not in said
    expected = {"yes": CHOICES.count("yes"), "no": CHOICES.count("no"), "abstain": 1}
    assert result_in(archive) == tally_on_page(ballot, stack) == expected


def volunteers(now) -> list[Member]:
    return [elder(now=now, trustee_volunteer=True) for _ in range(3)]


def test_a_founding_ballot_is_verified_by_belenios_tool_with_its_tally(
    live_stack, admin_member, now, tmp_path
):
    voters = [elder(now=now) for _ in CHOICES]
    volunteers(now)
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES, parameters={}
    )
    ballot = services.open_founding_ballot(admin=admin_member, version=draft, now=timezone.now())
    assert ballot.state == BallotState.SETUP

    ballot = run_the_cycle(ballot, voters, live_stack)

    assert ballot.passed and selectors.current_version().number == 1
    assert_verified_with_the_tally(ballot, live_stack, tmp_path)


def test_an_amendment_ballot_is_verified_by_belenios_tool_with_its_tally(live_stack, now, tmp_path):
    voters = [elder(now=now) for _ in CHOICES]
    volunteers(now)
    version = charter_in_force(now=now)
    for member in Member.objects.all():
        services.accept_charter(member=member, version=version)
    discussed = now - timedelta(days=version.settings["discussion_days"] + 1)
    with transaction.atomic():  # the worker sees the proposal once its sponsors are in
        proposal = propose(
            voters[0],
            [reword(version, 1, "Members address each other with care.")],
            now=discussed,
            sponsors=voters[1:4],
        )

    def prepared() -> bool:
        return Ballot.objects.filter(proposal=proposal, state=BallotState.SETUP).exists()

    wait_until(prepared, timeout=60, what="the worker to put the proposal to a ballot")
    ballot = Ballot.objects.get(proposal=proposal)

    ballot = run_the_cycle(ballot, voters, live_stack)

    assert ballot.passed and selectors.current_version().number == 2
    assert_verified_with_the_tally(ballot, live_stack, tmp_path)
