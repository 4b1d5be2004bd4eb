"""The demo's ballots are Belenios elections, like every ballot: demo members volunteered as
trustees, so each ballot's trustees are drawn among them, make its key through the same steps
as in the browser, and decrypt its count after the close.

The demo's open ballot still needs its trustees after the demo is loaded, to decrypt its count
once it closes: their private keys, which the site never keeps, are written as key files for
the person trying the demo, who then signs in as each trustee (`load_demo` prints where)."""

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings

from charter import services as charter
from charter.models import Ballot, Election, Trustee
from charter.services import elections
from demo import charter_content
from demo.news import played, told_at
from members.models import Member
from notifications import services as notifications
from notifications.models import Kind, Notification

# Demo members who volunteered as trustees (not staff; none of them proposes an amendment
# that goes to a ballot, whose author could not hold its key).
TRUSTEE_VOLUNTEERS = ("priya", "joseph", "lea_n")

# How long after the draw the trustees had made the key, so the voting opened.
KEY_MADE_AFTER = timedelta(hours=6)

# How long after the close the trustees decrypted a past ballot's count.
DECRYPTED_AFTER = timedelta(hours=20)


def default_key_directory() -> Path:
    return settings.BASE_DIR / "var" / "demo-trustees"


@dataclass(frozen=True)
class KeyFile:
    """Where one trustee of the demo's open ballot finds their key file."""

    username: str
    position: int
    path: Path

    @property
    def exists(self) -> bool:
        return self.path.is_file()


def make_key_and_open(ballot: Ballot, *, drawn_at: datetime) -> dict[int, str]:
    """The trustees drawn for `ballot` at `drawn_at` make its key, each step an hour after the
    last, and the voting opens `KEY_MADE_AFTER` the draw. Returns each trustee's private key
    by member id; their news of the key's steps is old news by then."""
    election = Election.objects.get(ballot=ballot)
    trustees = elections.current_trustees(election)
    keys = {
        t.member_id: played(
            charter.make_trustee_key, member=t.member, trustee=t, now=drawn_at + timedelta(hours=1)
        )
        for t in trustees
    }
    for t in elections.current_trustees(election):
        played(
            charter.share_trustee_key,
            member=t.member,
            trustee=t,
            key=keys[t.member_id],
            now=drawn_at + timedelta(hours=2),
        )
    for t in elections.current_trustees(election):
        played(
            charter.check_trustee_shares,
            member=t.member,
            trustee=t,
            key=keys[t.member_id],
            now=drawn_at + timedelta(hours=3),
        )
    _duties_done(trustees)
    played(charter.open_prepared_ballots, now=drawn_at + KEY_MADE_AFTER)
    ballot.refresh_from_db()
    return keys


def decrypt_and_count(ballot: Ballot, keys: dict[int, str]) -> None:
    """A closed ballot's first `threshold` trustees decrypt its count, which is then counted
    and announced; the others need not."""
    election = Election.objects.get(ballot=ballot)
    ballot.refresh_from_db()
    at = ballot.closed_at + DECRYPTED_AFTER
    with told_at(at):
        for trustee in elections.current_trustees(election)[: election.threshold]:
            charter.decrypt_as_trustee(
                member=trustee.member, trustee=trustee, key=keys[trustee.member_id], now=at
            )
        charter.count_decrypted_ballots(now=at)
        charter.announce_results()
    _duties_done(elections.current_trustees(election))


def _duties_done(trustees: list[Trustee]) -> None:
    """The trustees have read the news of the steps they have taken."""
    for t in trustees:
        duties = Notification.objects.filter(recipient=t.member, kind=Kind.TRUSTEE_DUTY)
        notifications.mark_events_read(
            member=t.member, event_keys=duties.values_list("event_key", flat=True)
        )


def write_key_files(ballot: Ballot, keys: dict[int, str], directory: Path) -> None:
    """Each trustee's key file, readable by its owner only, as a browser would save it."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for key_file in key_files(ballot, directory):
        member = Member.objects.get(username=key_file.username)
        descriptor = os.open(key_file.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(keys[member.pk] + "\n")
        # An older file was created with its own mode: O_CREAT's does not apply to it.
        key_file.path.chmod(0o600)


def key_files(ballot: Ballot, directory: Path) -> list[KeyFile]:
    election = Election.objects.get(ballot=ballot)
    return [
        KeyFile(t.member.username, t.position, directory / f"{t.member.username}.key")
        for t in elections.current_trustees(election)
    ]


def demo_ballot() -> Ballot | None:
    """The ballot that was open when the demo was loaded (counting or closed once its time
    is over): its author's first, whatever the members of the running demo propose since."""
    author = next(
        spec["author"] for spec in charter_content.PROPOSALS if spec["votes"] and not spec["closed"]
    )
    return (
        Ballot.objects.filter(proposal__author__username=author, election__isnull=False)
        .order_by("pk")
        .first()
    )
