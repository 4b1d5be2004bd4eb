"""Encrypted ballots (Belenios elections): the election in the public record, the encrypted
papers, and the count the trustees decrypt. charter.belenios runs belenios-tool; this module
decides when, for whom, and writes what it makes to the record. The trustees and their key:
charter.services.trustees.

The life of an encrypted ballot: SETUP (trustees drawn, each makes their part of the key in
three steps) → OPEN (roll frozen, credentials made, papers cast) → COUNTING (voting ended, the
encrypted tally in the record, trustees decrypt) → CLOSED (result published), or VOID (a box
that does not match its roll, a record that does not verify, or too few decryptions in time).
"""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charter import belenios, rules
from charter.models import (
    Ballot,
    BallotState,
    Election,
    RecordFile,
    RollEntry,
    Trustee,
    VoterCredential,
)
from charter.rules import InvalidChange
from charter.services.trustees import ballot_title, current_trustees, locked_trustee, tell_trustees
from members.models import Member
from notifications.models import Kind
from notifications.services import notify

# Opening: the roll, the credentials and the election in the record.


def start_voting(election: Election, voters: QuerySet[Member], *, now: datetime) -> list[int]:
    """Give every voter on the frozen roll a credential and write the election to the public
    record. Returns the roll's member ids."""
    ballot = election.ballot
    entries = list(RollEntry.objects.filter(ballot=ballot).values_list("pk", flat=True))
    private, public = belenios.credentials(election.uuid, len(entries))
    VoterCredential.objects.bulk_create(
        (
            VoterCredential(entry_id=entry, private=credential)
            for entry, credential in zip(entries, private, strict=True)
        ),
        batch_size=1_000,
    )
    with translation.override(settings.LANGUAGE_CODE):
        title = ballot_title(ballot)
        question = _("Do you accept “%(title)s”?") % {"title": title}
    files, timestamp = belenios.setup_record(
        uuid=election.uuid,
        name=title,
        question=question,
        threshold=election.public_key,
        public_credentials=public,
    )
    election.timestamp = timestamp
    election.setup_files = len(files)
    _append(election, files)
    election.save(update_fields=["timestamp", "setup_files", "head", "height"])
    return entries


def _append(election: Election, files: list[belenios.File], *, credential: str | None = None):
    """Add `files` (belenios-tool's or ours) to the record, in order; the last event becomes
    the head. Call with the election row locked."""
    start = RecordFile.objects.filter(election=election).count()
    rows = []
    for offset, file in enumerate(files):
        event = json.loads(file.content)["type"] if file.is_event else ""
        rows.append(
            RecordFile(
                election=election,
                position=start + offset,
                name=file.name,
                content=file.content.decode(),
                event=event,
                credential=credential if not file.is_event else None,
            )
        )
        if file.is_event:
            election.head = belenios.digest(file.content)
            election.height = json.loads(file.content)["height"]
    RecordFile.objects.bulk_create(rows, batch_size=500)


def _add_event(election: Election, kind: str, lines: list[bytes], **extra) -> None:
    data = [belenios.data_file(line) for line in lines]
    event = belenios.event_file(
        parent=election.head or None,
        height=election.height + 1,
        kind=kind,
        payload=belenios.digest(lines[-1]) if lines else None,
    )
    _append(election, [*data, event], **extra)
    election.save(update_fields=["head", "height"])


def record_files(election: Election) -> list[belenios.File]:
    return [
        belenios.File(name, content.encode())
        for name, content in RecordFile.objects.filter(election=election)
        .order_by("position")
        .values_list("name", "content")
        .iterator(chunk_size=2_000)
    ]


def _setup_files(election: Election) -> list[belenios.File]:
    return [
        belenios.File(name, content.encode())
        for name, content in RecordFile.objects.filter(
            election=election, position__lt=election.setup_files
        )
        .order_by("position")
        .values_list("name", "content")
    ]


# Voting.


def cast_encrypted_vote(*, member: Member, ballot: Ballot, choice: str, now: datetime) -> str:
    """Encrypt `choice` with the member's credential, drop the paper in the box, tick the roll
    and forget the credential, in one transaction; returns the paper's tracker.

    The paper is made before the ballot is locked, so simultaneous voters encrypt in parallel;
    the credential is deleted by the transaction that adds the paper, so of two requests by
    one member one adds a paper and the other finds the credential gone."""
    election = Election.objects.get(ballot=ballot)
    entry = RollEntry.objects.filter(ballot=ballot, member=member).first()
    credential = VoterCredential.objects.filter(entry=entry).first() if entry else None
    if credential is None:
        raise InvalidChange(_refusal(member, ballot, entry))
    paper = belenios.paper(
        uuid=election.uuid,
        setup=_setup_files(election),
        timestamp=election.timestamp,
        credential=credential.private,
        choice=choice,
    )
    public_credential = json.loads(paper)["credential"]
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.state != BallotState.OPEN or now >= locked.closes_at:
            raise InvalidChange(_("This ballot is closed."))
        if suspended := rules.why_suspended(member, now):
            raise InvalidChange(suspended)
        used, _deleted = VoterCredential.objects.filter(pk=credential.pk).delete()
        ticked = RollEntry.objects.filter(pk=entry.pk, voted=False).update(voted=True)
        if not (used and ticked):
            raise InvalidChange(_refusal(member, locked, entry))
        election = Election.objects.select_for_update().get(pk=election.pk)
        _add_event(election, "Ballot", [paper], credential=public_credential)
        tracker = belenios.tracker(paper)
        _tell_voter(member, locked, tracker)
    return tracker


def _refusal(member: Member, ballot: Ballot, entry: RollEntry | None) -> str:
    """Why a vote was refused. A credential goes with the tick, or with the close, in one
    transaction: once it is gone, the ballot and the roll entry read again say which (a
    simultaneous request may have used it since they were read)."""
    ballot = Ballot.objects.get(pk=ballot.pk)
    if entry is not None:
        entry.refresh_from_db()
    return rules.why_cannot_vote(member, ballot, entry) or _(
        "You have voted. A secret vote is final."
    )


def _tell_voter(member: Member, ballot: Ballot, tracker: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        excerpt = _(
            "Your encrypted vote is in the box under the tracker %(tracker)s. Nobody can read "
            "it; with the tracker you can find it in the ballot's public record."
        ) % {"tracker": tracker}
    notify(
        kind=Kind.VOTE_TRACKER,
        recipients=[member.pk],
        actor=None,
        event_key=f"ballot:{ballot.pk}:tracker",
        title=ballot_title(ballot),
        url=ballot.get_absolute_url(),
        excerpt=excerpt,
    )


def papers_in_box(election: Election) -> int:
    return RecordFile.objects.filter(election=election, event="Ballot").count()


def trackers_in_box(election: Election) -> list[str]:
    return [
        belenios.tracker(content.encode())
        for content in RecordFile.objects.filter(
            election=election, credential__isnull=False
        ).values_list("content", flat=True)
    ]


# The close and the count.


def end_voting(ballot: Ballot, *, now: datetime) -> str | None:
    """At the close (ballot locked): forget the unused credentials, end the voting in the
    record and add the encrypted tally, after belenios-tool verified every paper. Returns the
    reason to void the ballot, or None; the trustees are then asked to decrypt."""
    election = Election.objects.select_for_update().get(ballot=ballot)
    VoterCredential.objects.filter(entry__ballot=ballot).delete()
    files = record_files(election)
    try:
        belenios.verify(uuid=election.uuid, record=files, timestamp=election.timestamp)
    except belenios.EngineError:
        return "record"
    _add_event(election, "EndBallots", [])
    files = record_files(election)
    tally = belenios.encrypted_tally(uuid=election.uuid, record=files, timestamp=election.timestamp)
    _add_event(election, "EncryptedTally", tally)
    election.decrypt_by = now + timedelta(days=election.decryption_days)
    election.save(update_fields=["decrypt_by"])
    tell_trustees(election, [t.member_id for t in current_trustees(election)], "decrypt")
    return None


def decrypt_as_trustee(
    *, member: Member, trustee: Trustee, key: str, now: datetime | None = None
) -> None:
    """Step 4 in the browser: the trustee's share of the decryption, made with their key,
    which is used for this and forgotten. belenios-tool refuses a key that is not theirs."""
    election = trustee.election
    trustee.refresh_from_db()
    try:
        lines = belenios.partial_decryption(
            uuid=election.uuid,
            record=record_files(election),
            timestamp=election.timestamp,
            key=key.strip(),
            decryption_key=trustee.decryption_key,
            trustee=trustee.position,
        )
    except belenios.EngineError as error:
        raise InvalidChange(_("This key file is not the one made for this ballot.")) from error
    _add_decryption(member, trustee, lines, now or timezone.now(), checked=True)


def submit_partial_decryption(
    *, member: Member, trustee: Trustee, partial_decryption: str, now: datetime | None = None
) -> None:
    """Step 4 offline: the trustee's share computed with belenios-tool, checked with the whole
    record by belenios-tool before it is added."""
    lines = [line for line in partial_decryption.strip().splitlines() if line.strip()]
    if not lines:
        raise InvalidChange(_("The file is empty."))
    # belenios-tool writes the decryption, then the line naming its owner; or the first alone.
    try:
        belenios.json_objects(partial_decryption)
    except ValueError as error:
        raise InvalidChange(_("This is not a file belenios-tool made.")) from error
    if len(lines) > 2:
        raise InvalidChange(_("This is not a file belenios-tool made."))
    encoded = [line.encode() for line in lines]
    _add_decryption(member, trustee, encoded, now or timezone.now(), checked=False)


def _add_decryption(
    member: Member, trustee: Trustee, lines: list[bytes], now: datetime, *, checked: bool
) -> None:
    with transaction.atomic():
        locked = locked_trustee(member, trustee, 4)
        election = Election.objects.select_for_update().get(pk=locked.election_id)
        if now >= election.decrypt_by:
            raise InvalidChange(_("The time to decrypt this ballot is over."))
        if len(lines) == 1:
            owned = json.dumps(
                {"owner": locked.position, "payload": belenios.digest(lines[0])},
                separators=(",", ":"),
            ).encode()
            lines = [lines[0], owned]
        if json.loads(lines[-1]).get("owner") != locked.position:
            raise InvalidChange(_("This decryption is another trustee's."))
        if not checked:
            candidate = [*record_files(election), *_event_files(election, lines)]
            try:
                belenios.check_partial_decryptions(
                    uuid=election.uuid, record=candidate, timestamp=election.timestamp
                )
            except belenios.EngineError as error:
                raise InvalidChange(
                    _("belenios-tool found this decryption wrong: %(error)s") % {"error": error}
                ) from error
        _add_event(election, "PartialDecryption", lines)
        locked.decrypted_at = now
        locked.save(update_fields=["decrypted_at"])


def _event_files(election: Election, lines: list[bytes]) -> list[belenios.File]:
    data = [belenios.data_file(line) for line in lines]
    event = belenios.event_file(
        parent=election.head, height=election.height + 1, kind="PartialDecryption",
        payload=belenios.digest(lines[-1]),
    )  # fmt: skip
    return [*data, event]


def decrypted_result(ballot: Ballot) -> dict[str, int] | None:
    """With the threshold of decryptions in (ballot locked): the result added to the record,
    checked by belenios-tool, as yes / no / abstain; None while decryptions are missing.
    A record that then fails to verify raises EngineError."""
    election = Election.objects.select_for_update().get(ballot=ballot)
    decrypted = Trustee.objects.filter(election=election, decrypted_at__isnull=False).count()
    if decrypted < election.threshold:
        return None
    files = record_files(election)
    line = belenios.result(uuid=election.uuid, record=files, timestamp=election.timestamp)
    _add_event(election, "Result", [line])
    belenios.verify(uuid=election.uuid, record=record_files(election), timestamp=election.timestamp)
    abstain, yes, no = json.loads(line)["result"][0]
    return {"yes": yes, "no": no, "abstain": abstain}


def counting_ballots() -> list[int]:
    return list(Ballot.objects.filter(state=BallotState.COUNTING).values_list("pk", flat=True))
