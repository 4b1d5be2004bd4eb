"""A record tampered with is refused by the site and fails Debian's belenios-tool: a paper
dropped in the box without a roll entry, a paper whose ciphertext was changed, a partial
decryption that is not the trustee's own. Each is done as someone with the database's keys
would, or uploaded as a trustee would; the record is then downloaded from the site, or built
with the archive functions of charter.belenios, and given to /usr/bin/belenios-tool directly.
"""

import json
import subprocess  # nosec B404: Debian's belenios-tool, the verifier anyone would run
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from charter import belenios, services
from charter.models import (
    Ballot,
    BallotState,
    Election,
    RecordFile,
    RollEntry,
    Trustee,
    VoidReason,
)
from charter.services import elections
from members.models import Member
from tests.belenios_verifier import verify_archive
from tests.builders.charter import ARTICLES
from tests.builders.elections import give_key, key_set, keyholders
from tests.builders.members import elder, signed_in
from tests.triggers import tampering

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


@pytest.fixture
def holders() -> list[Member]:
    return keyholders()


@pytest.fixture
def voters(now) -> list[Member]:
    return [elder(now=now) for _ in range(3)]


@pytest.fixture
def ballot(admin_member, voters, holders, now) -> Ballot:
    """The founding ballot open, its key given to `holders`, two of three voters voted."""
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES, parameters={}
    )
    opened = services.open_founding_ballot(admin=admin_member, version=draft, now=now)
    opened = give_key(opened, now=now, holders=holders)
    for voter, choice in zip(voters[:2], ["yes", "no"], strict=True):
        services.cast_vote(member=voter, ballot=opened, choice=choice, now=now)
    return opened


@pytest.fixture
def counting(ballot) -> Ballot:
    close(ballot)
    assert ballot.state == BallotState.COUNTING
    return ballot


def close(ballot: Ballot) -> None:
    services.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at)
    ballot.refresh_from_db()


def verify_published(ballot: Ballot, directory: Path) -> subprocess.CompletedProcess:
    """belenios-tool on the record as anyone downloads it from the ballot's page."""
    response = Client().get(reverse("charter:ballot_record", args=[ballot.pk]))
    assert response.status_code == 200
    archive = b"".join(response.streaming_content)
    return verify_archive(archive, Election.objects.get(ballot=ballot).uuid, directory)


def chain(record: list[belenios.File], kind: str, lines: list[bytes]) -> list[belenios.File]:
    """The files that add `lines` to `record` as its next event."""
    head = [file for file in record if file.is_event][-1]
    data = [belenios.data_file(line) for line in lines]
    event = belenios.event_file(
        parent=belenios.digest(head.content),
        height=json.loads(head.content)["height"] + 1,
        kind=kind,
        payload=belenios.digest(lines[-1]),
    )
    return [*data, event]


# A paper added to the box without a roll entry.


@pytest.mark.parametrize(
    ("ticked", "reason"), [(False, VoidReason.BOX_MISMATCH), (True, VoidReason.RECORD)]
)
def test_a_paper_signed_outside_the_roll_voids_the_ballot_and_fails_verification(
    ballot, voters, ticked, reason, tmp_path
):
    """Dropped in the box as the database's owner can: its rows, and the record's head moved;
    and a voter who did not vote ticked on the roll, so that the box matches it, or not."""
    election = Election.objects.get(ballot=ballot)
    setup = elections.record_files(election)[: election.setup_files]
    [outsider], _public = belenios.credentials(election.uuid, 1)
    paper = belenios.paper(
        uuid=election.uuid,
        setup=setup,
        timestamp=election.timestamp,
        credential=outsider,
        choice="yes",
    )
    credential = json.loads(paper)["credential"]
    assert not any(credential in file.content.decode() for file in setup)
    files = chain(elections.record_files(election), "Ballot", [paper])
    position = RecordFile.objects.filter(election=election).count()
    RecordFile.objects.bulk_create(
        RecordFile(
            election=election,
            position=position + offset,
            name=file.name,
            content=file.content.decode(),
            event="Ballot" if file.is_event else "",
            credential=None if file.is_event else credential,
        )
        for offset, file in enumerate(files)
    )
    Election.objects.filter(pk=election.pk).update(
        head=belenios.digest(files[-1].content), height=election.height + 1
    )

    if ticked:
        RollEntry.objects.filter(ballot=ballot, member=voters[2]).update(voted=True)

    close(ballot)

    assert (ballot.state, ballot.void_reason) == (BallotState.VOID, reason)
    verified = verify_published(ballot, tmp_path)
    assert verified.returncode != 0
    assert "invalid credential" in verified.stderr


# A paper whose ciphertext was changed.


def changed_ciphertext(content: str) -> bytes:
    paper = json.loads(content)
    ciphertext = paper["answers"][0]["choices"][0]
    ciphertext["beta"] = ciphertext["alpha"]
    return json.dumps(paper, separators=(",", ":")).encode()


@pytest.mark.parametrize(
    ("names", "found"), [("kept", "found instead of"), ("rewritten", "invalid ballot")]
)
def test_a_changed_ciphertext_voids_the_ballot_and_fails_verification(
    ballot, names, found, tmp_path
):
    """The last paper's ciphertext changed in place; or with its name, its event and the
    record's head rewritten to match, so that only the paper's proofs can tell."""
    election = Election.objects.get(ballot=ballot)
    paper, event = RecordFile.objects.filter(election=election).order_by("-position")[:2][::-1]
    assert paper.credential and event.event == "Ballot"
    changed = changed_ciphertext(paper.content)
    with tampering("charter_recordfile"):
        if names == "kept":
            RecordFile.objects.filter(pk=paper.pk).update(content=changed.decode())
        else:
            data = belenios.data_file(changed)
            rewritten = belenios.event_file(
                parent=json.loads(event.content)["parent"],
                height=election.height,
                kind="Ballot",
                payload=belenios.digest(changed),
            )
            RecordFile.objects.filter(pk=paper.pk).update(name=data.name, content=changed.decode())
            RecordFile.objects.filter(pk=event.pk).update(
                name=rewritten.name, content=rewritten.content.decode()
            )
            Election.objects.filter(pk=election.pk).update(head=belenios.digest(rewritten.content))

    close(ballot)

    assert (ballot.state, ballot.void_reason) == (BallotState.VOID, VoidReason.RECORD)
    verified = verify_published(ballot, tmp_path)
    assert verified.returncode != 0
    assert found in verified.stderr


# A partial decryption that is not the trustee's own.


def decryption_of(ballot: Ballot, position: int) -> list[bytes]:
    """The partial decryption belenios-tool makes for the trustee at `position`, with their
    own keys: the decryption, then the line naming its owner."""
    election = Election.objects.get(ballot=ballot)
    keys = key_set(3, 2)
    return belenios.partial_decryption(
        uuid=election.uuid,
        record=elections.record_files(election),
        timestamp=election.timestamp,
        key=keys.keys[position - 1],
        decryption_key=keys.decryption_keys[position - 1],
        trustee=position,
    )


def owned_by(position: int, decryption: bytes) -> list[bytes]:
    owner = {"owner": position, "payload": belenios.digest(decryption)}
    return [decryption, json.dumps(owner, separators=(",", ":")).encode()]


def altered(decryption: bytes) -> bytes:
    """The decryption with its first factor changed (its proof unchanged)."""
    made = json.loads(decryption)
    factor = made["decryption_factors"][0][0]
    made["decryption_factors"][0][0] = str(int(factor) + 1)
    return json.dumps(made, separators=(",", ":")).encode()


def wrong_decryptions(ballot: Ballot) -> dict[str, list[bytes]]:
    """Trustee 1's part, as another trustee's key made it, or altered."""
    return {
        "another trustee's": owned_by(1, decryption_of(ballot, 2)[0]),
        "altered": owned_by(1, altered(decryption_of(ballot, 1)[0])),
    }


@pytest.mark.parametrize("wrong", ["another trustee's", "altered"])
def test_the_upload_refuses_a_wrong_partial_decryption(counting, holders, wrong):
    lines = wrong_decryptions(counting)[wrong]
    before = elections.record_files(counting.election)
    upload = SimpleUploadedFile("decryption.jsons", b"".join(line + b"\n" for line in lines))

    response = signed_in(holders[0]).post(
        reverse("charter:trustee_upload", args=[counting.pk]), {"step": "4", "upload": upload}
    )

    assert response.status_code == 400
    assert "belenios-tool found this decryption wrong" in response.content.decode()
    assert "invalid partial decryption" in response.content.decode()
    assert Trustee.objects.get(election__ballot=counting, position=1).decrypted_at is None
    assert elections.record_files(counting.election) == before


@pytest.mark.parametrize("wrong", ["another trustee's", "altered"])
def test_a_record_with_a_wrong_partial_decryption_and_a_result_fails_verification(
    counting, wrong, tmp_path
):
    """The record as a site that took the wrong part would publish it: both parts, and the
    result the right parts give."""
    election = Election.objects.get(ballot=counting)
    record = elections.record_files(election)
    right = [decryption_of(counting, 1), decryption_of(counting, 3)]
    with_right = [*record]
    for lines in right:
        with_right += chain(with_right, "PartialDecryption", lines)
    result = belenios.result(uuid=election.uuid, record=with_right, timestamp=election.timestamp)
    assert json.loads(result) == {"result": [[0, 1, 1]]}

    tampered = [*record]
    for lines in [wrong_decryptions(counting)[wrong], right[1]]:
        tampered += chain(tampered, "PartialDecryption", lines)
    tampered += chain(tampered, "Result", [result])
    archive = b"".join(belenios.archive_bytes(tampered, timestamp=election.timestamp))

    verified = verify_archive(archive, election.uuid, tmp_path)

    assert verified.returncode != 0
    assert "check_result failed" in verified.stderr
    # The same record with the right parts passes: what fails is the wrong part.
    honest = [*with_right, *chain(with_right, "Result", [result])]
    archive = b"".join(belenios.archive_bytes(honest, timestamp=election.timestamp))
    assert "all checks passed" in verify_archive(archive, election.uuid, tmp_path).stderr
