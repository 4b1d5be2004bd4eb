"""Encrypted ballots (Belenios elections): the trustees' draw and key, the encrypted papers, and
the count the trustees decrypt. charter.belenios runs belenios-tool; this module decides when,
for whom, and writes what it makes to the public record.

The life of an encrypted ballot: SETUP (trustees drawn, each makes their part of the key in
three steps) → OPEN (roll frozen, credentials made, papers cast) → COUNTING (voting ended, the
encrypted tally in the record, trustees decrypt) → CLOSED (result published), or VOID (a box
that does not match its roll, a record that does not verify, or too few decryptions in time).
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charter import belenios, rules, selectors
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
from members.models import Member
from notifications.models import Kind
from notifications.services import notify


@dataclass(frozen=True)
class TrusteeStep:
    """What a trustee has to do next: 1 make a key, 2 share it, 3 check the shares,
    4 decrypt the count; 0 nothing now."""

    number: int

    @property
    def label(self) -> str:
        return {
            0: _("Nothing to do now"),
            1: _("Make your key"),
            2: _("Share your key"),
            3: _("Check the others' shares"),
            4: _("Decrypt the count"),
        }[self.number]


def election_of(ballot: Ballot) -> Election:
    return Election.objects.get(ballot=ballot)


def prepare_election(ballot: Ballot, *, now: datetime, values: dict) -> Election:
    """An encrypted ballot's election, set up with the charter's `values`; its trustees are
    drawn at once when there are volunteers enough, else by each later deadline run."""
    election = Election.objects.create(
        ballot=ballot,
        uuid=belenios.new_uuid(),
        trustee_count=values["trustees"],
        threshold=min(values["trustee_threshold"], values["trustees"]),
        setup_hours=values["trustee_setup_hours"],
        decryption_days=values["decryption_days"],
    )
    draw_trustees(election, now=now)
    return election


def current_trustees(election: Election) -> list[Trustee]:
    return list(
        Trustee.objects.filter(election=election, replaced_at__isnull=True)
        .select_related("member")
        .order_by("position")
    )


def trustee_candidates(election: Election, *, now: datetime) -> QuerySet[Member]:
    """Volunteers who may hold this ballot's key: those who could vote in it (for the founding
    ballot, verified members), never staff, never the proposal's author, never one drawn
    before for this election."""
    ballot = election.ballot
    if ballot.proposal_id:
        in_force = selectors.version_in_force()
        voters = selectors.eligible_voters(in_force, at=now)
        voters = voters.exclude(pk=ballot.proposal.author_id)
    else:
        voters = selectors.verified_members(at=now)
    drawn = Trustee.objects.filter(election=election).values("member")
    return voters.filter(trustee_volunteer=True, is_staff=False, is_superuser=False).exclude(
        pk__in=drawn
    )


def draw_order(seed: str, candidates: list[int]) -> list[int]:
    """The draw, as anyone can redo it: candidates by the SHA-256 of "seed:id", lowest first."""
    return sorted(candidates, key=lambda pk: hashlib.sha256(f"{seed}:{pk}".encode()).hexdigest())


def draw_trustees(election: Election, *, now: datetime) -> int:
    """Fill the election's empty trustee positions by lot; returns how many were drawn.

    Drawing changes the set of certificates, so every trustee's later steps start over."""
    taken = {t.position for t in current_trustees(election)}
    free = [p for p in range(1, election.trustee_count + 1) if p not in taken]
    if not free:
        return 0
    candidates = sorted(trustee_candidates(election, now=now).values_list("pk", flat=True))
    if len(candidates) < len(free):
        return 0
    seed = secrets.token_hex(16)
    chosen = draw_order(seed, candidates)[: len(free)]
    due = now + timedelta(hours=election.setup_hours)
    Trustee.objects.bulk_create(
        Trustee(
            election=election, member_id=pk, position=position, seed=seed, drawn_at=now, due_at=due
        )
        for pk, position in zip(chosen, free, strict=True)
    )
    election.draws = [
        *election.draws,
        {"at": now.isoformat(), "seed": seed, "candidates": candidates, "drawn": chosen},
    ]
    election.save(update_fields=["draws"])
    if taken:
        _start_over_from_sharing(election, due)
    _tell_trustees(election, chosen, "drawn")
    return len(chosen)


def _start_over_from_sharing(election: Election, due: datetime) -> None:
    Trustee.objects.filter(election=election, replaced_at__isnull=True).update(
        polynomial="", vinput="", voutput="", decryption_key="", due_at=due
    )


def _tell_trustees(election: Election, members: list[int], news: str) -> None:
    ballot = election.ballot
    with translation.override(settings.LANGUAGE_CODE):
        excerpt = {
            "drawn": _(
                "You were drawn by lot as a trustee of this ballot: make your key on the "
                "ballot's page within %(hours)s hours. Keep the key file the site gives you; "
                "nobody else has it."
            )
            % {"hours": election.setup_hours},
            "share": _("Every trustee has made a key: share yours on the ballot's page."),
            "check": _(
                "Every trustee has shared their key: check the shares on the ballot's page."
            ),
            "decrypt": _(
                "The ballot is closed: decrypt the count with your key file on the ballot's "
                "page within %(days)s days."
            )
            % {"days": election.decryption_days},
        }[news]
    notify(
        kind=Kind.TRUSTEE_DUTY,
        recipients=members,
        actor=None,
        event_key=f"ballot:{ballot.pk}:trustee:{news}:{election.height}:{len(election.draws)}",
        title=_ballot_title(ballot),
        url=ballot.get_absolute_url(),
        excerpt=excerpt,
    )


def _ballot_title(ballot: Ballot) -> str:
    from charter.services.ballots import founding_title

    return ballot.proposal.title if ballot.proposal_id else founding_title()


def trustee_step(trustee: Trustee) -> TrusteeStep:
    """What `trustee` has to do now."""
    if not trustee.is_current:
        return TrusteeStep(0)
    election, ballot = trustee.election, trustee.election.ballot
    if ballot.state == BallotState.COUNTING:
        return TrusteeStep(0 if trustee.decrypted_at else 4)
    if ballot.state != BallotState.SETUP or election.is_ready:
        return TrusteeStep(0)
    others = current_trustees(election)
    if not trustee.certificate:
        return TrusteeStep(1)
    if len(others) < election.trustee_count or not all(t.certificate for t in others):
        return TrusteeStep(0)
    if not trustee.polynomial:
        return TrusteeStep(2)
    if not trustee.vinput:
        return TrusteeStep(0)
    if not trustee.voutput:
        return TrusteeStep(3)
    return TrusteeStep(0)


def _locked_trustee(member: Member, trustee: Trustee, step: int) -> Trustee:
    locked = (
        Trustee.objects.select_for_update()
        .select_related("election__ballot__proposal")
        .get(pk=trustee.pk)
    )
    Election.objects.select_for_update().filter(pk=locked.election_id).first()
    if locked.member_id != member.pk:
        raise InvalidChange(_("Only the trustee drawn for this place can do this."))
    if trustee_step(locked).number != step:
        raise InvalidChange(_("This step is not yours to take now: reload the page."))
    return locked


def make_trustee_key(*, member: Member, trustee: Trustee, now: datetime | None = None) -> str:
    """Step 1 in the browser: the site makes the trustee's key, keeps the certificate, and
    returns the private key, which it does not keep: the trustee saves it as a file."""
    certificate, key = belenios.trustee_key()
    submit_certificate(member=member, trustee=trustee, certificate=certificate, now=now)
    return key


def submit_certificate(
    *, member: Member, trustee: Trustee, certificate: str, now: datetime | None = None
) -> None:
    """Step 1: the trustee's certificate (made in the browser, or offline with belenios-tool)."""
    now = now or timezone.now()
    certificate = certificate.strip()
    try:
        belenios.check_certificates([certificate])
        belenios.certificate_id(certificate)
    except (belenios.EngineError, ValueError, KeyError, TypeError) as error:
        raise InvalidChange(_("This is not a valid trustee certificate.")) from error
    with transaction.atomic():
        locked = _locked_trustee(member, trustee, 1)
        locked.certificate = certificate
        locked.save(update_fields=["certificate"])
        _advance(locked.election, now)


def share_trustee_key(
    *, member: Member, trustee: Trustee, key: str, now: datetime | None = None
) -> None:
    """Step 2 in the browser: the trustee's polynomial, made with their key, which is used for
    this and forgotten."""
    election = trustee.election
    certificates = [t.certificate for t in current_trustees(election)]
    try:
        made = belenios.polynomial(certificates, key.strip(), election.threshold)
    except belenios.EngineError as error:
        raise InvalidChange(_("This key file is not the one made for this ballot.")) from error
    submit_polynomial(member=member, trustee=trustee, polynomial=made, now=now)


def submit_polynomial(
    *, member: Member, trustee: Trustee, polynomial: str, now: datetime | None = None
) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_trustee(member, trustee, 2)
        locked.polynomial = polynomial.strip()
        locked.save(update_fields=["polynomial"])
        _advance(locked.election, now)


def check_trustee_shares(
    *, member: Member, trustee: Trustee, key: str, now: datetime | None = None
) -> None:
    """Step 3 in the browser: the trustee's key checks the shares the others sent them."""
    election = trustee.election
    certificates = [t.certificate for t in current_trustees(election)]
    trustee.refresh_from_db()
    try:
        made = belenios.verification(certificates, key.strip(), trustee.vinput)
    except belenios.EngineError as error:
        raise InvalidChange(
            _("The check failed: this key file is not the one made for this ballot.")
        ) from error
    submit_verification(member=member, trustee=trustee, voutput=made, now=now)


def submit_verification(
    *, member: Member, trustee: Trustee, voutput: str, now: datetime | None = None
) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_trustee(member, trustee, 3)
        locked.voutput = voutput.strip()
        locked.save(update_fields=["voutput"])
        _advance(locked.election, now)


def _advance(election: Election, now: datetime) -> None:
    """After a trustee's step: when every trustee has taken it, the site takes its own (the
    checks of steps 2, 4 and 6, all public) and the trustees are told of the next."""
    trustees = current_trustees(election)
    if len(trustees) < election.trustee_count:
        return
    certificates = [t.certificate for t in trustees]
    due = now + timedelta(hours=election.setup_hours)
    members = [t.member_id for t in trustees]
    if not all(certificates):
        return
    if not any(t.polynomial for t in trustees):
        belenios.check_certificates(certificates)
        Trustee.objects.filter(pk__in=[t.pk for t in trustees]).update(due_at=due)
        _tell_trustees(election, members, "share")
        return
    polynomials = [t.polynomial for t in trustees]
    if not all(polynomials):
        return
    if not any(t.vinput for t in trustees):
        try:
            inputs = belenios.verification_inputs(certificates, polynomials)
        except belenios.EngineError:
            # A polynomial submitted offline was wrong: everyone shares again.
            _start_over_from_sharing(election, due)
            return
        for trustee, vinput in zip(trustees, inputs, strict=True):
            Trustee.objects.filter(pk=trustee.pk).update(vinput=vinput, due_at=due)
        _tell_trustees(election, members, "check")
        return
    voutputs = [t.voutput for t in trustees]
    if not all(voutputs):
        return
    try:
        public_key, decryption_keys = belenios.threshold_parameters(
            certificates, polynomials, voutputs
        )
    except belenios.EngineError:
        _start_over_from_sharing(election, due)
        return
    for trustee, decryption_key in zip(trustees, decryption_keys, strict=True):
        Trustee.objects.filter(pk=trustee.pk).update(decryption_key=decryption_key)
    election.public_key = public_key
    election.save(update_fields=["public_key"])


def replace_late_trustees(*, now: datetime) -> int:
    """A trustee whose step is past due is replaced by a new draw (each deadline run)."""
    replaced = 0
    late = Trustee.objects.filter(
        replaced_at__isnull=True,
        due_at__lte=now,
        election__ballot__state=BallotState.SETUP,
        election__public_key="",
    ).select_related("election__ballot")
    for trustee in late:
        if trustee_step(trustee).number == 0:
            continue
        with transaction.atomic():
            if Trustee.objects.filter(pk=trustee.pk, replaced_at__isnull=True).update(
                replaced_at=now
            ):
                replaced += 1
    for election in Election.objects.filter(ballot__state=BallotState.SETUP, public_key=""):
        with transaction.atomic():
            draw_trustees(Election.objects.select_for_update().get(pk=election.pk), now=now)
    return replaced


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
        title = _ballot_title(ballot)
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
        raise InvalidChange(rules.why_cannot_vote(member, ballot, entry) or _("You have voted."))
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
            raise InvalidChange(
                rules.why_cannot_vote(member, locked, entry) or _("You have voted.")
            )
        election = Election.objects.select_for_update().get(pk=election.pk)
        _add_event(election, "Ballot", [paper], credential=public_credential)
        tracker = belenios.tracker(paper)
        _tell_voter(member, locked, tracker)
    return tracker


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
        title=_ballot_title(ballot),
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
    _tell_trustees(election, [t.member_id for t in current_trustees(election)], "decrypt")
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
    lines = [line.encode() for line in partial_decryption.strip().splitlines() if line.strip()]
    if not lines:
        raise InvalidChange(_("The file is empty."))
    _add_decryption(member, trustee, lines, now or timezone.now(), checked=False)


def _add_decryption(
    member: Member, trustee: Trustee, lines: list[bytes], now: datetime, *, checked: bool
) -> None:
    with transaction.atomic():
        locked = _locked_trustee(member, trustee, 4)
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
                belenios.verify(uuid=election.uuid, record=candidate, timestamp=election.timestamp)
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
