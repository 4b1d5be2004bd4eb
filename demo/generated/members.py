"""Members and the charter: the founders found it through `charter.services`, as on a new site;
everyone who joined later accepted it on joining."""

from array import array
from datetime import timedelta
from itertools import accumulate

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password

from charter import selectors as charter_selectors
from charter import services as charter
from charter.models import Acceptance, Ballot, CharterVersion
from charter.parameters import draft_defaults
from demo import charter_content, elections
from demo.generated.community import DAY, HISTORY, PASSWORD, Community, GenerationRefused
from demo.generated.vocabulary import FIRST_NAMES, LAST_NAMES
from members.models import Member
from notifications.models import EmailChoice, Kind, Notification, Preference

FOUNDERS_JOINED_WITHIN = 30 * DAY
FOUNDING_BALLOT_OPENS = 35 * DAY
OTHERS_JOIN_FROM = 50 * DAY  # once the founding ballot (14 days) is over
OTHERS_JOIN_UNTIL = HISTORY - 365 * DAY  # the newest members joined a year ago


def found_the_charter(community: Community) -> None:
    """The founders join, vote the charter in through its founding ballot and accept it."""
    members = _join_the_founders(community)
    ballot = _vote_the_charter(community, members)
    community.version = charter_selectors.current_version()
    if community.version is None:
        raise GenerationRefused("The founding ballot did not ratify the charter.")
    for member in members:
        charter.accept_charter(member=member, version=community.version)
    # All this happened three years ago, and its news was read then.
    ratified = ballot.closes_at
    Acceptance.objects.update(accepted_at=ratified + timedelta(hours=2))
    for event, at in (("open", ballot.opened_at), ("result", ratified)):
        Notification.objects.filter(event_key=charter.ballot_event_key(ballot.pk, event)).update(
            created_at=at, read_at=at + timedelta(hours=5)
        )
    Notification.objects.filter(kind=Kind.VOTE_TRACKER, read_at__isnull=True).update(
        read_at=ratified
    )
    community.ratified = (ratified - community.start).total_seconds()


def _join_the_founders(community: Community) -> list[Member]:
    """When everyone joins and how keen each is to write; then the founders' rows."""
    rng = community.rng
    n = community.size.members
    founders = sorted(rng.uniform(0, FOUNDERS_JOINED_WITHIN) for _ in range(community.founders))
    others = sorted(
        rng.uniform(OTHERS_JOIN_FROM, OTHERS_JOIN_UNTIL) for _ in range(n - community.founders)
    )
    community.joined = array("d", founders + others)
    community.usernames = _usernames(community, n)
    community.password = make_password(PASSWORD)  # once: hashing is slow on purpose
    # Some members write far more than others; the manifest's member is among the keenest.
    ranks = list(range(n))
    rng.shuffle(ranks)
    keen = ranks.index(min(10, n - 1))
    ranks[keen], ranks[community.member] = ranks[community.member], ranks[keen]
    community.activity = list(accumulate(1 / (rank + 1) ** 0.7 for rank in ranks))
    members = _create_members(community, range(community.founders), must_accept=True)
    # Founders read the site rather than their email, as in the demo: playing history
    # through the services below emails nobody.
    community.insert(
        Preference,
        [
            Preference(member=member, kind=kind, email=EmailChoice.DIGEST)
            for member in members
            for kind in Kind
        ],
    )
    return members


def _vote_the_charter(community: Community, members: list[Member]) -> Ballot:
    """The admin drafts the charter and puts it to the founders, most of whom vote for it."""
    admin = members[0]
    draft = charter.start_provisional_charter()
    language = "fr" if settings.LANGUAGE_CODE.lower().startswith("fr") else "en"
    charter.edit_provisional_charter(
        admin=admin,
        version=draft,
        articles=[charter.ArticleDraft(*article) for article in charter_content.ARTICLES[language]],
        parameters=draft_defaults(),
    )
    opened = community.at(FOUNDING_BALLOT_OPENS)
    ballot = charter.open_founding_ballot(admin=admin, version=draft, now=opened)
    keys = elections.make_key_and_open(ballot, drawn_at=opened)
    voting = (ballot.closes_at - ballot.opened_at) / 2
    for n, member in enumerate(members):
        if n % 5 == 4:
            continue  # not everyone votes
        choice = "no" if n % 7 == 6 else "abstain" if n % 11 == 10 else "yes"
        at = ballot.opened_at + voting * (n + 1) / (len(members) + 1)
        charter.cast_vote(member=member, ballot=ballot, choice=choice, now=at)
    # The draft was written three years ago; once ratified, the version is never written again.
    CharterVersion.objects.filter(pk=draft.pk).update(
        created_at=community.at(FOUNDERS_JOINED_WITHIN)
    )
    charter.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at)
    elections.decrypt_and_count(ballot, keys)
    return ballot


def add_members(community: Community) -> None:
    """Everyone else joined after the founding, and accepted the charter on joining."""
    members = _create_members(
        community, range(community.founders, community.size.members), must_accept=False
    )
    community.insert(
        Acceptance,
        [
            Acceptance(
                member=member,
                version=community.version,
                accepted_at=member.date_joined + timedelta(minutes=10),
            )
            for member in members
        ],
    )
    community.pks = array("q", Member.objects.order_by("pk").values_list("pk", flat=True))


def _create_members(community: Community, indexes: range, *, must_accept: bool) -> list[Member]:
    rng, now = community.rng, community.now
    rows = []
    for index in indexes:
        username = community.usernames[index]
        joined = community.at(community.joined[index])
        if index < community.founders or rng.random() < 0.4:
            seen = now - timedelta(seconds=rng.uniform(0, 14 * DAY))
        else:
            seen = joined + (now - joined) * rng.random()
        rows.append(
            Member(
                username=username,
                email=f"{username}@generated.palabre.test",
                password=community.password,
                display_name=username.replace("_", " ").title() if index else "Admin",
                date_joined=joined,
                last_login=seen,
                email_verified_at=joined,
                is_staff=index == 0,
                is_superuser=index == 0,
                is_moderator=index <= community.moderators,
                # The last three founders volunteered to hold the ballots' keys.
                trustee_volunteer=community.founders - 3 <= index < community.founders,
                must_accept_charter=must_accept,
            )
        )
    members = community.insert(Member, rows)
    community.insert(
        EmailAddress,
        [
            EmailAddress(user=member, email=member.email, verified=True, primary=True)
            for member in members
        ],
    )
    return members


def _usernames(community: Community, count: int) -> list[str]:
    names = [f"{first}_{last}" for first in FIRST_NAMES for last in LAST_NAMES]
    community.rng.shuffle(names)
    rounds = -(-count // len(names))
    numbered = [f"{name}{round_ or ''}" for round_ in range(rounds) for name in names]
    return ["admin", *numbered[: count - 1]]
