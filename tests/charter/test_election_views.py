"""The pages of an encrypted ballot, in each of its states, for a visitor, a member and a trustee;
the public record anyone downloads and verifies with belenios-tool; and the trustees' steps,
taken through the pages with real keys, from the key's making to the decrypted result.

Ballots here are founding ballots (no charter needed before them): trustees are drawn among
verified volunteers, or given a finished key (`give_key`) when the test is not about the key.
"""

import html
import re
import subprocess  # nosec B404: belenios-tool, the verifier anyone would run
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from charter import belenios, services
from charter.models import Ballot, BallotState, Election, RollEntry, Trustee, VoidReason
from charter.services import elections
from charter.services import trustees as trusteeship
from members.models import Member
from tests.belenios_verifier import verify_archive
from tests.builders.charter import ARTICLES, reword
from tests.builders.elections import give_key, key_set, keyholders
from tests.builders.members import elder, signed_in
from tests.query_budget import queries_for

pytestmark = pytest.mark.django_db


def keys_given():
    """The key set `give_key` hands a ballot of three trustees, threshold 2 (its cache is by
    the arguments as passed: `key_set()` would make another)."""
    return key_set(3, 2)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_errors(response) -> list[str]:
    return re.findall(r'class="errorlist"[^>]*><li>([^<]*)', response.content.decode())


def key_file(text: str, name: str = "palabre-trustee.key") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def page_of(ballot: Ballot) -> str:
    return reverse("charter:ballot", args=[ballot.pk])


@pytest.fixture
def draft(admin_member):
    version = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member, version=version, articles=ARTICLES, parameters={}
    )
    return version


@pytest.fixture
def voters(now) -> list[Member]:
    return [elder(now=now) for _ in range(3)]


@pytest.fixture
def volunteers(now) -> list[Member]:
    return [elder(now=now, trustee_volunteer=True) for _ in range(3)]


@pytest.fixture
def preparing(admin_member, draft, voters, volunteers, now) -> Ballot:
    """The founding ballot in SETUP: three volunteers drawn as its trustees."""
    ballot = services.open_founding_ballot(admin=admin_member, version=draft, now=now)
    assert ballot.state == BallotState.SETUP
    return ballot


@pytest.fixture
def holders() -> list[Member]:
    return keyholders()


@pytest.fixture
def open_ballot(admin_member, draft, voters, holders, now) -> Ballot:
    """The founding ballot open, its key given to `holders`, no volunteer drawn."""
    ballot = services.open_founding_ballot(admin=admin_member, version=draft, now=now)
    return give_key(ballot, now=now, holders=holders)


def cast(ballot: Ballot, members: list[Member], choice: str = "yes") -> list[str]:
    return [
        services.cast_vote(member=m, ballot=ballot, choice=choice, now=ballot.opened_at)
        for m in members
    ]


def close(ballot: Ballot) -> Ballot:
    services.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at)
    ballot.refresh_from_db()
    return ballot


@pytest.fixture
def counting(open_ballot, voters) -> Ballot:
    cast(open_ballot, voters[:2])
    ballot = close(open_ballot)
    assert ballot.state == BallotState.COUNTING
    return ballot


def trustee_of(ballot: Ballot, member: Member) -> Trustee:
    return Trustee.objects.get(election__ballot=ballot, member=member, replaced_at__isnull=True)


def decrypt_through_pages(ballot: Ballot, holders: list[Member], positions=(1, 3)) -> None:
    keys = keys_given().keys
    for position in positions:
        client = signed_in(holders[position - 1])
        response = client.post(
            reverse("charter:trustee_step", args=[ballot.pk]),
            {"step": "4", "upload": key_file(keys[position - 1])},
        )
        assert response.status_code == 302, form_errors(response)


@pytest.fixture
def closed(counting, holders, django_capture_on_commit_callbacks) -> Ballot:
    with django_capture_on_commit_callbacks(execute=True):
        decrypt_through_pages(counting, holders)
    counting.refresh_from_db()
    assert counting.state == BallotState.CLOSED
    return counting


@pytest.fixture
def void(counting) -> Ballot:
    """Nobody decrypted in time."""
    services.count_decrypted_ballots(now=counting.election.decrypt_by)
    counting.refresh_from_db()
    assert counting.void_reason == VoidReason.NOT_DECRYPTED
    return counting


# Every state, for every persona.

STATES = {
    "preparing": ["Preparing: the trustees make the ballot", "Made their key", "Seed"],
    "open_ballot": ["Cast your vote", "Download the record", "The ballot box"],
    "counting": [
        "Voting has ended; the trustees are decrypting the count",
        "0 of the 2 trustees needed have decrypted",
        "Download the record",
    ],
    "closed": ["Result: passed", "The roll", "Download the record"],
    "void": ["Void: not counted", "Too few trustees gave their part", "Download the record"],
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", ["visitor", "voter", "trustee"])
def test_it_shows_each_state_to_each_persona(request, state, persona, holders, volunteers):
    ballot = request.getfixturevalue(state)
    voters = request.getfixturevalue("voters")
    trustees = volunteers if state == "preparing" else holders
    client = {
        "visitor": Client(),
        "voter": signed_in(voters[2]),
        "trustee": signed_in(trustees[0]),
    }[persona]
    response = client.get(page_of(ballot))
    assert response.status_code == 200
    page = response.content.decode()
    for words in STATES[state]:
        if words == "Cast your vote" and persona != "voter":
            continue
        assert words in page, (state, persona, words)
    assert ("of this ballot</h2>" in page and "You are trustee" in page) == (persona == "trustee")


def test_it_publishes_the_draw_to_redo(preparing, volunteers):
    election = Election.objects.get(ballot=preparing)
    draw = election.draws[0]
    page = Client().get(page_of(preparing)).content.decode()
    assert draw["seed"] in page
    assert ", ".join(str(pk) for pk in draw["candidates"]) in page
    assert trusteeship.draw_order(draw["seed"], draw["candidates"])[:3] == draw["drawn"]
    for member in volunteers:
        assert escape(member.public_name) in page


def test_the_pages_that_list_ballots_show_one_being_prepared(preparing, draft):
    assert Client().get(reverse("charter:draft")).status_code == 200
    page = Client().get(reverse("charter:draft")).content.decode()
    assert "opens as soon as its trustees have made its key" in page
    assert Client().get(reverse("charter:history")).status_code == 200


def test_the_voter_sees_the_tracker_of_their_paper(open_ballot, voters):
    client = signed_in(voters[0])
    response = client.post(
        reverse("charter:vote", args=[open_ballot.pk]), {"choice": "no", "final": "on"}
    )
    assert response.status_code == 302
    election = Election.objects.get(ballot=open_ballot)
    [tracker] = elections.trackers_in_box(election)
    assert any(tracker in message for message in messages_of(response))
    box = client.get(reverse("charter:ballot_box", args=[open_ballot.pk]), {"tracker": tracker})
    assert "Your paper is in the box: number 1, on page 1." in box.content.decode()
    assert tracker in box.content.decode()


def test_an_unknown_tracker_is_not_found_in_the_box(open_ballot, voters):
    cast(open_ballot, voters[:1])
    box = Client().get(reverse("charter:ballot_box", args=[open_ballot.pk]), {"tracker": "nope"})
    assert "No paper in the box has this tracker." in box.content.decode()


# The public record.


def test_the_record_downloads_as_the_archive_belenios_tool_verifies(closed, tmp_path):
    election = Election.objects.get(ballot=closed)
    response = Client().get(reverse("charter:ballot_record", args=[closed.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{election.uuid}.bel"'
    downloaded = b"".join(response.streaming_content)
    expected = b"".join(
        belenios.archive_bytes(elections.record_files(election), timestamp=election.timestamp)
    )
    assert downloaded == expected
    verified = verify_archive(downloaded, election.uuid, tmp_path)
    assert verified.returncode == 0, verified.stderr


def test_there_is_no_record_before_the_opening(preparing):
    assert Client().get(reverse("charter:ballot_record", args=[preparing.pk])).status_code == 404
    assert Client().get(reverse("charter:ballot_box", args=[preparing.pk])).status_code == 404


def test_a_clear_box_has_no_record(open_ballot):
    Ballot.objects.filter(pk=open_ballot.pk).update(box="clear")
    assert Client().get(reverse("charter:ballot_record", args=[open_ballot.pk])).status_code == 404
    assert "Download the record" not in Client().get(page_of(open_ballot)).content.decode()


# The trustees' steps, in the browser's way, with real keys.


def take_step(client: Client, ballot: Ballot, step: int, key: str):
    return client.post(
        reverse("charter:trustee_step", args=[ballot.pk]),
        {"step": str(step), "upload": key_file(key)},
    )


def test_the_trustees_make_the_key_share_it_check_it_and_decrypt_the_count(
    preparing, volunteers, voters, django_capture_on_commit_callbacks
):
    election = Election.objects.get(ballot=preparing)
    clients = {m.pk: signed_in(m) for m in volunteers}
    keys = {}
    for member in volunteers:
        trustee = trustee_of(preparing, member)
        response = clients[member.pk].post(reverse("charter:trustee_key", args=[preparing.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        assert response["Cache-Control"] == "no-store"
        assert response["Content-Disposition"] == (
            f'attachment; filename="palabre-trustee-{election.uuid}-{trustee.position}.key"'
        )
        keys[member.pk] = response.content.decode().strip()
        trustee.refresh_from_db()
        assert trustee.certificate and keys[member.pk] not in trustee.certificate
    page = clients[volunteers[0].pk].get(page_of(preparing)).content.decode()
    assert "Share my key" in page
    for step in (2, 3):
        for member in volunteers:
            with django_capture_on_commit_callbacks(execute=True):
                response = take_step(clients[member.pk], preparing, step, keys[member.pk])
            assert response.status_code == 302, form_errors(response)
    preparing.refresh_from_db()
    assert preparing.state == BallotState.OPEN
    cast(preparing, voters, "yes")
    close(preparing)
    page = clients[volunteers[0].pk].get(page_of(preparing)).content.decode()
    assert "Decrypt my part" in page
    by_position = sorted(volunteers, key=lambda m: trustee_of(preparing, m).position)
    for member in (by_position[0], by_position[2]):
        with django_capture_on_commit_callbacks(execute=True):
            response = take_step(clients[member.pk], preparing, 4, keys[member.pk])
        assert response.status_code == 302
    preparing.refresh_from_db()
    assert (preparing.state, preparing.yes, preparing.no) == (BallotState.CLOSED, 3, 0)
    page = Client().get(page_of(preparing)).content.decode()
    assert "Result: passed" in page


def test_a_trustee_s_steps_are_limited_to_thirty_an_hour(counting, holders):
    """Each runs belenios-tool over the whole box: a loop of them would keep the server busy."""
    client = signed_in(holders[0])
    for _ in range(30):
        response = take_step(client, counting, 3, keys_given().keys[0])
        assert response.status_code == 302  # a step already taken, from an old page: counted
    response = take_step(client, counting, 4, keys_given().keys[0])
    assert response.status_code == 429
    assert not Trustee.objects.filter(election__ballot=counting, decrypted_at__isnull=False)
    assert take_step(signed_in(holders[2]), counting, 4, keys_given().keys[2]).status_code == 302


def test_a_wrong_key_file_is_an_error_in_the_form(counting, holders):
    response = take_step(signed_in(holders[0]), counting, 4, keys_given().keys[1])
    assert response.status_code == 400
    assert "This key file is not the one made for this ballot." in response.content.decode()
    assert not Trustee.objects.filter(election__ballot=counting, decrypted_at__isnull=False)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"x" * 2000, "This file is too large"),
        (b"\xff\xfe\x00", "This file is not a text file."),
        (b"   ", "The file is empty."),
    ],
)
def test_a_file_that_cannot_be_a_key_is_an_error_in_the_form(counting, holders, content, error):
    upload = SimpleUploadedFile("k.key", content)
    response = signed_in(holders[0]).post(
        reverse("charter:trustee_step", args=[counting.pk]), {"step": "4", "upload": upload}
    )
    assert response.status_code == 400
    assert error in response.content.decode()


def test_an_offline_file_that_is_not_belenios_tools_is_an_error_in_the_form(counting, holders):
    upload = SimpleUploadedFile("d.jsons", b"[1, 2]\n")
    response = signed_in(holders[0]).post(
        reverse("charter:trustee_upload", args=[counting.pk]), {"step": "4", "upload": upload}
    )
    assert response.status_code == 400
    assert "This is not a file belenios-tool made." in response.content.decode()


def test_a_trustee_decrypts_offline_with_the_commands_the_page_gives(counting, holders, tmp_path):
    """The record and the decryption key downloaded, belenios-tool run as the panel says."""
    client = signed_in(holders[0])
    record = client.get(reverse("charter:ballot_record", args=[counting.pk]))
    election = Election.objects.get(ballot=counting)
    (tmp_path / election.archive_name).write_bytes(b"".join(record.streaming_content))
    dkey = client.get(reverse("charter:trustee_input", args=[counting.pk, "dkey.json"]))
    (tmp_path / "dkey.json").write_bytes(dkey.content)
    (tmp_path / "my.key").write_text(keys_given().keys[0] + "\n")
    page = client.get(page_of(counting)).content.decode()
    assert "--decryption-key dkey.json --trustee-id 1" in page
    made = subprocess.run(  # nosec B603 B607
        ["belenios-tool", "election", "decrypt-threshold", "--dir", ".", "--key", "my.key",
         "--decryption-key", "dkey.json", "--trustee-id", "1"],
        cwd=tmp_path, capture_output=True, check=True,
    )  # fmt: skip
    response = client.post(
        reverse("charter:trustee_upload", args=[counting.pk]),
        {"step": "4", "upload": SimpleUploadedFile("decryption.jsons", made.stdout)},
    )
    assert response.status_code == 302, form_errors(response)
    assert trustee_of(counting, holders[0]).decrypted_at is not None


def offline_decryption(ballot: Ballot, position: int) -> bytes:
    """What `belenios-tool election decrypt-threshold` prints for the trustee at `position`,
    with their own keys: the decryption, then the line naming its owner."""
    election = Election.objects.get(ballot=ballot)
    lines = belenios.partial_decryption(
        uuid=election.uuid,
        record=elections.record_files(election),
        timestamp=election.timestamp,
        key=keys_given().keys[position - 1],
        decryption_key=keys_given().decryption_keys[position - 1],
        trustee=position,
    )
    return b"".join(line + b"\n" for line in lines)


def upload_decryption(client: Client, ballot: Ballot, content: bytes):
    return client.post(
        reverse("charter:trustee_upload", args=[ballot.pk]),
        {"step": "4", "upload": SimpleUploadedFile("decryption.jsons", content)},
    )


def test_the_decryption_uploaded_second_is_checked_and_counts_the_ballot(
    counting, holders, django_capture_on_commit_callbacks
):
    decrypt_through_pages(counting, holders, positions=(1,))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_decryption(
            signed_in(holders[2]), counting, offline_decryption(counting, 3)
        )
    assert response.status_code == 302, form_errors(response)
    counting.refresh_from_db()
    assert (counting.state, counting.yes, counting.no) == (BallotState.CLOSED, 2, 0)


# What a trustee may upload as their partial decryption that is no such thing. The form refuses
# what is not JSON objects; the service refuses it too, whoever calls it, and what belenios-tool
# finds is not a partial decryption of this tally.
NOT_A_DECRYPTION = {
    "text": b"my decryption\n",
    "a list": b"[1, 2]\n",
    "a second line not json": b'{"owner": 1, "payload": "ab"}\nthe end\n',
    "nested too deep to read": b"[" * 100_000,
    "an object of nothing": b'{"a": 1}\n',
    "an owner without a decryption": b'{"owner": 1, "payload": "' + b"0" * 64 + b'"}\n',
    "three objects": b'{"a": 1}\n{"b": 2}\n{"owner": 1, "payload": "ab"}\n',
}


@pytest.mark.parametrize("content", NOT_A_DECRYPTION.values(), ids=NOT_A_DECRYPTION)
def test_an_upload_that_is_no_decryption_is_an_error_in_the_form(counting, holders, content):
    before = elections.record_files(counting.election)
    response = upload_decryption(signed_in(holders[0]), counting, content)
    assert response.status_code == 400
    assert form_errors(response)
    assert trustee_of(counting, holders[0]).decrypted_at is None
    assert elections.record_files(counting.election) == before


@pytest.mark.parametrize("content", NOT_A_DECRYPTION.values(), ids=NOT_A_DECRYPTION)
def test_the_service_refuses_a_decryption_that_is_none(counting, holders, content):
    before = elections.record_files(counting.election)
    with pytest.raises(services.InvalidChange) as refused:
        services.submit_partial_decryption(
            member=holders[0],
            trustee=trustee_of(counting, holders[0]),
            partial_decryption=content.decode(),
        )
    assert str(refused.value).startswith(
        ("This is not a file belenios-tool made.", "belenios-tool found this decryption wrong")
    )
    assert trustee_of(counting, holders[0]).decrypted_at is None
    assert elections.record_files(counting.election) == before


def test_a_member_who_is_not_a_trustee_is_refused(counting, voters):
    response = take_step(signed_in(voters[0]), counting, 4, keys_given().keys[0])
    assert response.status_code == 403
    key = signed_in(voters[0]).post(reverse("charter:trustee_key", args=[counting.pk]))
    assert key.status_code == 403
    assert not Trustee.objects.filter(election__ballot=counting, decrypted_at__isnull=False)


def test_a_visitor_is_sent_to_sign_in(counting):
    response = take_step(Client(), counting, 4, keys_given().keys[0])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_step_from_an_old_page_is_refused_with_a_reason(counting, holders):
    response = take_step(signed_in(holders[0]), counting, 2, keys_given().keys[0])
    assert response.status_code == 302
    assert "This step is not yours to take now: reload the page." in messages_of(response)


def test_the_trustee_inputs_are_the_trustees_own(counting, holders, voters):
    client = signed_in(holders[1])
    certs = client.get(reverse("charter:trustee_input", args=[counting.pk, "certs.jsons"]))
    assert certs.content.decode().splitlines() == keys_given().certificates
    dkey = client.get(reverse("charter:trustee_input", args=[counting.pk, "dkey.json"]))
    assert dkey.content.decode().strip() == keys_given().decryption_keys[1]
    outsider = signed_in(voters[0])
    assert (
        outsider.get(reverse("charter:trustee_input", args=[counting.pk, "dkey.json"])).status_code
        == 403
    )
    assert (
        client.get(reverse("charter:trustee_input", args=[counting.pk, "x.json"])).status_code
        == 404
    )


# What the pages cost.


@pytest.mark.parametrize("state", ["open_ballot", "counting", "closed"])
def test_the_ballot_page_costs_the_same_however_many_voted(request, state, now, holders):
    ballot = request.getfixturevalue(state)
    voters = request.getfixturevalue("voters")
    if ballot.is_open:
        cast(ballot, voters[:1])
    first = queries_for(signed_in(holders[0]), page_of(ballot))
    box = queries_for(Client(), reverse("charter:ballot_box", args=[ballot.pk]))
    more = [elder(now=now) for _ in range(4)]
    Ballot.objects.filter(pk=ballot.pk).update(eligible_count=ballot.eligible_count + 4)
    if ballot.is_open:
        cast(ballot, voters[1:])
    RollEntry.objects.bulk_create(RollEntry(ballot=ballot, member=m, voted=True) for m in more)
    assert queries_for(signed_in(holders[0]), page_of(ballot)) == first
    assert queries_for(Client(), reverse("charter:ballot_box", args=[ballot.pk])) == box


def test_the_profile_offers_to_volunteer_as_a_trustee(member_client):
    page = member_client.get(reverse("members:settings")).content.decode()
    assert 'name="trustee_volunteer"' in page
    assert "Each ballot draws its trustees by lot among volunteers." in page


# The health check.


def failing_checks(client: Client) -> dict[str, str]:
    report = client.get("/healthz").json()
    return {
        name: check["reason"]
        for name, check in report["checks"].items()
        if check["status"] == "failing"
    }


def test_a_ballot_still_counting_past_its_time_to_decrypt_is_reported(counting, settings):
    late = timezone.now() - timedelta(seconds=settings.CHARTER_CLOSE_GRACE_SECONDS + 60)
    Election.objects.filter(ballot=counting).update(decrypt_by=late)
    reason = failing_checks(Client())["charter_deadlines"]
    assert reason.startswith("1 ballot is still counting past its time to decrypt")
    assert f"#{counting.pk}" in reason
    services.run_deadlines()
    counting.refresh_from_db()
    assert counting.void_reason == VoidReason.NOT_DECRYPTED
    checks = failing_checks(Client())
    assert "charter_deadlines" not in checks
    assert "Too few trustees decrypted the count in time." in checks["ballot_boxes"]
    assert "other than by a vote" not in checks["ballot_boxes"]


def test_the_open_ballot_names_the_trustees_who_hold_its_key(open_ballot, holders):
    page = Client().get(page_of(open_ballot)).content.decode()
    assert "any 2 of them together decrypt the count" in page
    for holder in holders:
        assert escape(holder.public_name) in page


def offline_command(page: str, start: str) -> str:
    """The belenios-tool command the trustee panel gives, as a shell would read it."""
    commands = re.findall(r"<pre><code>(.*?)</code></pre>", page, flags=re.S)
    return next(html.unescape(command) for command in commands if command.startswith(start))


def run_offline(command: str, directory) -> None:
    done = subprocess.run(  # nosec B602: the command the page shows, in a test's own directory
        command, shell=True, cwd=directory, capture_output=True, check=False
    )
    assert done.returncode == 0, (command, done.stderr.decode())


def test_a_trustee_makes_their_part_of_the_key_offline_with_the_commands_the_page_gives(
    preparing, volunteers, tmp_path
):
    trustees = {m.pk: trustee_of(preparing, m) for m in volunteers}
    offline, *others = sorted(volunteers, key=lambda m: trustees[m.pk].position)
    client = signed_in(offline)
    upload = reverse("charter:trustee_upload", args=[preparing.pk])

    def send(step: int, path) -> None:
        sent = SimpleUploadedFile(path.name, path.read_bytes())
        response = client.post(upload, {"step": str(step), "upload": sent})
        assert response.status_code == 302, form_errors(response)

    tool = "belenios-tool setup generate-trustee-key-threshold"
    run_offline(offline_command(client.get(page_of(preparing)).content.decode(), tool), tmp_path)
    [certificate] = tmp_path.glob("*.cert")
    send(1, certificate)
    # Saved under the name the panel's commands give it.
    election = Election.objects.get(ballot=preparing)
    position = trustees[offline.pk].position
    next(tmp_path.glob("*.key")).rename(
        tmp_path / f"palabre-trustee-{election.uuid}-{position}.key"
    )
    keys = {}
    for member in others:
        trustee = trustee_of(preparing, member)
        keys[member.pk] = services.make_trustee_key(member=member, trustee=trustee)

    def fetch(name: str) -> None:
        got = client.get(reverse("charter:trustee_input", args=[preparing.pk, name]))
        (tmp_path / name).write_bytes(got.content)

    fetch("certs.jsons")
    run_offline(offline_command(client.get(page_of(preparing)).content.decode(), tool), tmp_path)
    send(2, tmp_path / "polynomial.json")
    for member in others:
        trustee = trustee_of(preparing, member)
        services.share_trustee_key(member=member, trustee=trustee, key=keys[member.pk])
    fetch("vinput.json")
    run_offline(offline_command(client.get(page_of(preparing)).content.decode(), tool), tmp_path)
    send(3, tmp_path / "voutput.json")
    for member in others:
        trustee = trustee_of(preparing, member)
        services.check_trustee_shares(member=member, trustee=trustee, key=keys[member.pk])
    assert Election.objects.get(ballot=preparing).is_ready


def test_an_amendment_ballot_being_prepared_shows_on_every_page_that_lists_it(
    charter_v1, founders, propose
):
    proposal = propose(
        founders[0], [reword(charter_v1, 2, "Posts stay on topic.")], sponsors=founders[1:]
    )
    ends = proposal.discussion_ends_at + timedelta(seconds=1)
    services.end_discussions(now=ends)
    services.open_amendment_ballots(now=ends)
    proposal.refresh_from_db()
    ballot = proposal.ballot
    assert ballot.state == BallotState.SETUP
    for url in [
        page_of(ballot),
        proposal.get_absolute_url(),
        reverse("charter:proposals"),
        reverse("charter:history"),
        reverse("charter:charter"),
    ]:
        response = signed_in(founders[1]).get(url)
        assert response.status_code == 200, url
    assert "Go to the ballot" in Client().get(proposal.get_absolute_url()).content.decode()
    assert "Preparing" in Client().get(reverse("charter:proposals")).content.decode()
    page = Client().get(page_of(ballot)).content.decode()
    assert "Too few members have volunteered as trustees so far" in page
