"""The trustees of an encrypted ballot: drawn by lot among volunteers, they make the election's
key together in three steps (belenios-tool's threshold setup), each with a private key only
they keep; the site takes the public steps between theirs. A trustee late for a step is
replaced by a new draw. Their fourth step, the decryption, is in charter.services.elections.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charter import belenios, selectors
from charter.models import Ballot, BallotState, Election, Trustee
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
    tell_trustees(election, chosen, "drawn")
    return len(chosen)


def _start_over_from_sharing(election: Election, due: datetime) -> None:
    Trustee.objects.filter(election=election, replaced_at__isnull=True).update(
        polynomial="", vinput="", voutput="", decryption_key="", due_at=due
    )


def tell_trustees(election: Election, members: list[int], news: str) -> None:
    ballot = election.ballot
    with translation.override(settings.LANGUAGE_CODE):
        excerpt = {
            "drawn": ngettext(
                "You were drawn by lot as a trustee of this ballot: make your key on the "
                "ballot's page within %(hours)s hour. Keep the key file the site gives you; "
                "nobody else has it.",
                "You were drawn by lot as a trustee of this ballot: make your key on the "
                "ballot's page within %(hours)s hours. Keep the key file the site gives you; "
                "nobody else has it.",
                election.setup_hours,
            )
            % {"hours": election.setup_hours},
            "share": _("Every trustee has made a key: share yours on the ballot's page."),
            "check": _(
                "Every trustee has shared their key: check the shares on the ballot's page."
            ),
            "decrypt": ngettext(
                "The ballot is closed: decrypt the count with your key file on the ballot's "
                "page within %(days)s day.",
                "The ballot is closed: decrypt the count with your key file on the ballot's "
                "page within %(days)s days.",
                election.decryption_days,
            )
            % {"days": election.decryption_days},
        }[news]
    notify(
        kind=Kind.TRUSTEE_DUTY,
        recipients=members,
        actor=None,
        event_key=f"ballot:{ballot.pk}:trustee:{news}:{election.height}:{len(election.draws)}",
        title=ballot_title(ballot),
        url=ballot.get_absolute_url(),
        excerpt=excerpt,
    )


def ballot_title(ballot: Ballot) -> str:
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


def locked_trustee(member: Member, trustee: Trustee, step: int) -> Trustee:
    locked = (
        Trustee.objects.select_for_update(of=("self",))
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
        locked = locked_trustee(member, trustee, 1)
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
        locked = locked_trustee(member, trustee, 2)
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
        locked = locked_trustee(member, trustee, 3)
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
        tell_trustees(election, members, "share")
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
        tell_trustees(election, members, "check")
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
