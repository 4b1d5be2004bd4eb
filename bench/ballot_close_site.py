"""The ballot bench's community and its ballots: members written in bulk as the site's sign-up
leaves them once verified, the charter accepted, and amendment ballots opened and voted through
`charter.services`, one vote a call, as members' requests would.

Every ballot here is opened with the clear box (`tests.builders.charter.open_in_clear_box`), as
an upgrade leaves a ballot open during it: its close is what this bench times. Encrypted ballots
are bench/ballots_encrypted.py's (`make bench-ballots`)."""

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

TURNOUT = 0.85
# Of those who vote: 70 % yes, 20 % no, 10 % abstain, so every ballot passes and ratifies.
CHOICES = ["yes"] * 14 + ["no"] * 4 + ["abstain"] * 2
LATE_VOTES = 50  # cast after the last reseal, as votes in the deadline run's last 30 s would be
STANDARD_ARTICLES = [1, 2, 3, 4, 5]


def django_now() -> datetime:
    from django.utils import timezone

    return timezone.now()


@dataclass
class Site:
    admin: object
    members: list  # every member, the admin first
    start: datetime  # the bench's clock: each step moves it on
    seconds: float

    @property
    def proposers(self) -> list:
        """The author and the co-sponsors of every amendment."""
        return self.members[1:5]


def build_community(voters: int, *, start: datetime) -> Site:
    """Members as the site's sign-up leaves them once verified, written in bulk."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from members.models import Member

    began = time.perf_counter()
    password = make_password("bench-member")  # one hash for all: hashing is not measured
    joined = start - timedelta(days=400)

    def member(username: str, **fields) -> Member:
        return Member(
            username=username,
            email=f"{username}@bench.palabre.test",
            password=password,
            date_joined=joined,
            email_verified_at=joined,
            # Active in the last 12 months at every close: each counts toward the quorum.
            last_login=start - timedelta(days=1),
            **fields,
        )

    Member.objects.bulk_create(
        [member("admin", is_staff=True, is_superuser=True)]
        + [member(f"voter{n:05}") for n in range(1, voters)],
        batch_size=1_000,
    )
    members = list(Member.objects.order_by("pk"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=m, email=m.email, verified=True, primary=True) for m in members],
        batch_size=1_000,
    )
    # Statistics for the planner, as a site that grew to this size would have.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Site(admin=members[0], members=members, start=start, seconds=time.perf_counter() - began)


def accept(version, members: list) -> None:
    """What `charter.services.accept_charter` writes for each member (an acceptance row, and
    nothing left to accept): the admin and the proposers through the service, the others in
    bulk. `members` starts with them."""
    from charter import services
    from charter.models import Acceptance
    from members.models import Member

    through_service, rest = members[:5], members[5:]
    for member in through_service:
        services.accept_charter(member=member, version=version)
    # The service's get_or_create: the founding draft, once ratified, is the same version.
    Acceptance.objects.bulk_create(
        [Acceptance(member=m, version=version) for m in rest],
        batch_size=1_000,
        ignore_conflicts=True,
    )
    Member.objects.filter(pk__in=[m.pk for m in rest]).update(must_accept_charter=False)
    pks = [m.pk for m in members]
    accepted = Acceptance.objects.filter(version=version, member__in=pks).count()
    assert accepted == len(members), f"{accepted} acceptances for {len(members)} members"
    assert not Member.objects.filter(pk__in=pks, must_accept_charter=True).exists()


def vote(ballot, voters: list) -> Counter:
    """Most of the roll votes through cast_vote; the box is resealed as the deadline runs
    would while the ballot is open; then the last few vote. Returns the choices cast."""
    from charter import services

    chooser = random.Random(ballot.pk)
    voting = [m for m in voters if chooser.random() < TURNOUT]
    choices = [chooser.choice(CHOICES) for _ in voting]
    cast_at = ballot.opened_at + timedelta(hours=1)
    began = time.perf_counter()
    early = len(voting) - LATE_VOTES
    for member, choice in zip(voting[:early], choices[:early], strict=True):
        services.cast_vote(member=member, ballot=ballot, choice=choice, now=cast_at)
    voted = time.perf_counter()
    services.reseal_open_ballot_boxes()
    resealed = time.perf_counter()
    for member, choice in zip(voting[early:], choices[early:], strict=True):
        services.cast_vote(member=member, ballot=ballot, choice=choice, now=cast_at)
    print(
        f"ballot #{ballot.pk}: {len(voting):,} of {len(voters):,} on the roll voted through"
        f" cast_vote ({(voted - began) / early * 1000:.1f} ms a vote);"
        f" the deadline run's reseal of {early:,} papers took {resealed - voted:.2f} s;"
        f" {LATE_VOTES} late votes after it",
        flush=True,
    )
    return Counter(choices)


def open_amendment(site: Site, number: int):
    """An amendment to a standard article, through the services, put to its ballot, which
    opens with the clear box."""
    from charter import selectors, services
    from charter.models import Ballot
    from charter.texts import Change
    from tests.builders.charter import open_in_clear_box

    current = selectors.current_version()
    article = next(a for a in selectors.article_texts(current) if a.number == number)
    author, *sponsors = site.proposers
    proposal = services.create_proposal(
        author=author,
        title=f"Reword article {number}",
        rationale="Clearer words.",
        changes=[Change("change", article.identity, article.title, f"{article.body} Amended.")],
        parameters={},
    )
    services.submit_proposal(author=author, proposal=proposal, now=site.start)
    for sponsor in sponsors:
        services.sponsor_proposal(
            member=sponsor, proposal=proposal, now=site.start + timedelta(hours=1)
        )
    proposal.refresh_from_db()
    opened_at = proposal.discussion_ends_at
    assert services.end_discussions(now=opened_at) == 1, "the discussion did not end"
    assert services.open_amendment_ballots(now=opened_at) == 1, "the ballot was not prepared"
    ballot = open_in_clear_box(Ballot.objects.get(proposal=proposal), now=opened_at)
    site.start = ballot.closes_at + timedelta(days=1)
    return ballot


def amendment_ballot(site: Site, roll: list):
    """An open amendment ballot with `roll` on its roll and most of them having voted; each
    amends another article than the last, so nothing is outdated by the previous one."""
    from charter import selectors

    number = selectors.current_version().number
    ballot = open_amendment(site, STANDARD_ARTICLES[number % len(STANDARD_ARTICLES)])
    assert ballot.eligible_count == len(roll), f"{ballot.eligible_count} on the roll"
    return ballot, vote(ballot, roll)


def accept_in_force(members: list) -> None:
    """After a ratification everyone accepts the new version, as they must before writing."""
    from charter import selectors

    accept(selectors.current_version(), members)
