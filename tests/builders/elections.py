"""Encrypted ballots for tests. Either through the trustees' own steps (`make_keys`), for the
tests of the trustees; or, for a test that needs a ballot open and counted, not how its key
came to be, with trustees written straight to their table (`give_key`), holding a key set
belenios-tool made once per test run: a key does not depend on the election it serves."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from charter import belenios, services
from charter.models import Ballot, BallotState, Election, Trustee
from charter.services import elections
from members.models import Member
from tests.builders.members import MemberFactory


@dataclass(frozen=True)
class KeySet:
    """Three trustees' key material, threshold 2, as the six steps make it."""

    certificates: list[str]
    keys: list[str]
    polynomials: list[str]
    vinputs: list[str]
    voutputs: list[str]
    public_key: str
    decryption_keys: list[str]


def key_set(count: int = 3, threshold: int = 2) -> KeySet:
    """The key set of `count` trustees with `threshold`, made once per test run: `key_set()`
    and `key_set(3, 2)` are the same keys."""
    return _made_key_set(count, threshold)


@cache
def _made_key_set(count: int, threshold: int) -> KeySet:
    made = [belenios.trustee_key() for _ in range(count)]
    certificates, keys = [c for c, _k in made], [k for _c, k in made]
    polynomials = [belenios.polynomial(certificates, key, threshold) for key in keys]
    vinputs = belenios.verification_inputs(certificates, polynomials)
    voutputs = [
        belenios.verification(certificates, key, vinput)
        for key, vinput in zip(keys, vinputs, strict=True)
    ]
    public_key, decryption_keys = belenios.threshold_parameters(certificates, polynomials, voutputs)
    return KeySet(certificates, keys, polynomials, vinputs, voutputs, public_key, decryption_keys)


def keyholders(count: int = 3) -> list[Member]:
    """Trustees for `give_key`: members who never verified an address, so on no roll."""
    return [MemberFactory(email_verified_at=None) for _ in range(count)]


def give_key(ballot: Ballot, *, now: datetime, holders: list[Member] | None = None) -> Ballot:
    """Trustees with a finished key, written straight to their table; then the deadline run
    at `now` opens the voting. Returns the ballot, open. Their keys: `key_set().keys`."""
    election = Election.objects.get(ballot=ballot)
    keys = key_set(election.trustee_count, election.threshold)
    holders = holders or keyholders(election.trustee_count)
    Trustee.objects.filter(election=election).delete()
    Trustee.objects.bulk_create(
        Trustee(
            election=election,
            member=member,
            position=position,
            seed="0" * 32,
            drawn_at=now,
            due_at=now + timedelta(hours=election.setup_hours),
            certificate=keys.certificates[position - 1],
            polynomial=keys.polynomials[position - 1],
            vinput=keys.vinputs[position - 1],
            voutput=keys.voutputs[position - 1],
            decryption_key=keys.decryption_keys[position - 1],
        )
        for position, member in enumerate(holders, start=1)
    )
    Election.objects.filter(pk=election.pk).update(public_key=keys.public_key)
    services.open_prepared_ballots(now=now)
    ballot.refresh_from_db()
    assert ballot.state == BallotState.OPEN, ballot.state
    return ballot


def make_keys(ballot: Ballot, *, now: datetime) -> dict[int, str]:
    """Every trustee drawn for `ballot` takes the three steps of the key in the browser's way;
    returns each one's private key file by member id."""
    election = Election.objects.get(ballot=ballot)
    trustees = elections.current_trustees(election)
    keys = {
        t.member_id: services.make_trustee_key(member=t.member, trustee=t, now=now)
        for t in trustees
    }
    for t in elections.current_trustees(election):
        services.share_trustee_key(member=t.member, trustee=t, key=keys[t.member_id], now=now)
    for t in elections.current_trustees(election):
        services.check_trustee_shares(member=t.member, trustee=t, key=keys[t.member_id], now=now)
    return keys


def decrypt_shares(ballot: Ballot, *, now: datetime, positions=(1, 3), keys: dict | None = None):
    """Trustees at `positions` give their share of the decryption (trustee 2 is absent);
    nothing is counted yet. `keys` by member id, else the shared key set's."""
    election = Election.objects.get(ballot=ballot)
    shared = key_set(election.trustee_count, election.threshold)
    for trustee in elections.current_trustees(election):
        if trustee.position not in positions:
            continue
        key = (keys or {}).get(trustee.member_id) or shared.keys[trustee.position - 1]
        services.decrypt_as_trustee(member=trustee.member, trustee=trustee, key=key, now=now)


def decrypt(ballot: Ballot, *, now: datetime, positions=(1, 3), keys: dict | None = None) -> Ballot:
    """Trustees at `positions` decrypt the count (trustee 2 is absent), then the deadline run
    at `now` counts it. `keys` by member id, else the shared key set's."""
    decrypt_shares(ballot, now=now, positions=positions, keys=keys)
    services.count_decrypted_ballots(now=now)
    ballot.refresh_from_db()
    return ballot
