"""Charters for tests: founded through `charter.services` with the clock passed in, so the states
are the real ones and no test waits for time to pass; or, for a test that only needs a charter in
force, written straight to its tables. And what the charter's forms send."""

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from charter import record, selectors, services
from charter.models import (
    Article,
    Ballot,
    BallotState,
    Box,
    CharterVersion,
    Election,
    Proposal,
    VersionState,
)
from charter.parameters import AMENDABLE, defaults
from charter.services import ballots
from charter.texts import Change
from forum.rendering import render_markdown
from members.models import Member
from tests.builders.elections import decrypt, give_key
from tests.builders.members import elders

ARTICLES = [
    services.ArticleDraft("Respect", "Members address each other with respect."),
    services.ArticleDraft("On topic", "Posts stay on the subject of their thread."),
    services.ArticleDraft("No spam", "No advertising, no repeated posts."),
    services.ArticleDraft(
        "Amendments", "This charter changes only by the members' vote.", entrenched=True
    ),
]


def found_charter(
    *, admin, voters, now, articles=ARTICLES, parameters=None, box: Box = Box.BELENIOS
) -> CharterVersion:
    """Draft `articles`, put them to a founding ballot 20 days before `now` (its key given to
    keyholders), all `voters` vote yes, close, two trustees decrypt: version 1. Each voter then
    accepts it, as they would on the accept page.

    With `box=Box.CLEAR` the founding ballot is one of the clear box, as on a site founded
    before encrypted ballots: the same version 1, ratified by the same services, without the
    second or so that belenios-tool takes over an encrypted cycle. For the many tests that
    need a charter founded by a ballot but test what comes after it."""
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin, version=draft, articles=articles, parameters=parameters or {}
    )
    opened = now - timedelta(days=20)
    if box == Box.CLEAR:
        ballot = open_in_clear_box(
            services.open_founding_ballot(admin=admin, version=draft, now=opened), now=opened
        )
    else:
        ballot = open_founding(admin, draft, now=opened)
    for voter in voters:
        services.cast_vote(member=voter, ballot=ballot, choice="yes", now=opened)
    count(ballot, now=now - timedelta(days=1))
    services.announce_results()
    version = selectors.current_version()
    assert version is not None and version.number == 1
    for voter in voters:
        voter.refresh_from_db()
        services.accept_charter(member=voter, version=version)
    return version


def open_founding(admin: Member, draft: CharterVersion, *, now: datetime) -> Ballot:
    """The founding ballot on `draft`, its key made (elections.give_key) and voting open at
    `now`."""
    ballot = services.open_founding_ballot(admin=admin, version=draft, now=now)
    return give_key(ballot, now=now)


def count(ballot: Ballot, *, now: datetime, positions=(1, 3)) -> Ballot:
    """Close `ballot` at `now` (its deadline at the latest) and have the trustees at
    `positions` decrypt it: counted, or void."""
    services.close_ballot(ballot_id=ballot.pk, now=max(now, ballot.closes_at))
    ballot.refresh_from_db()
    if ballot.is_counting:
        return decrypt(ballot, now=max(now, ballot.closes_at), positions=positions)
    return ballot


def open_in_clear_box(ballot: Ballot, *, now: datetime) -> Ballot:
    """`ballot`, still being prepared, opened at `now` as ballots were before encrypted ones:
    with the clear box (`Box.CLEAR`) and no election, as the upgrade leaves a ballot open
    during it. For the tests of that box (its reseal, its audit)."""
    Election.objects.filter(ballot=ballot).delete()
    ballot.box, ballot.state = Box.CLEAR, BallotState.OPEN
    if ballot.is_founding:
        days = defaults()["founding_ballot_days"]
        voters, title = selectors.verified_members(at=now), "Founding ballot"
    else:
        days = selectors.version_in_force().settings["ballot_days"]
        voters, title = selectors.eligible_voters(selectors.version_in_force(), at=now), "Ballot"
    ballot.opened_at, ballot.closes_at = now, now + timedelta(days=days)
    ballot.save(update_fields=["box", "state", "opened_at", "closes_at"])
    ballots.freeze_roll(ballot, voters, title=title)
    return ballot


def charter_in_force(
    *, articles=ARTICLES, parameters: dict | None = None, now: datetime | None = None
) -> CharterVersion:
    """Version 1 of `articles`, ratified a day before `now`, as `found_charter` leaves it but
    without its ballot: for the tests that need a charter in force, not how it came to be.
    As a ratification does, it asks every member so far to accept it."""
    now = now or timezone.now()
    version = CharterVersion.objects.create(
        state=VersionState.RATIFIED,
        number=1,
        parameters=parameters or {},
        ratified_at=now - timedelta(days=1),
    )
    Article.objects.bulk_create(
        Article(
            version=version,
            number=number,
            title=draft.title,
            body=draft.body,
            html=render_markdown(draft.body).html,
            entrenched=draft.entrenched,
        )
        for number, draft in enumerate(articles, start=1)
    )
    record.seal(version)
    Member.objects.filter(must_accept_charter=False).update(must_accept_charter=True)
    return version


def article(version: CharterVersion, number: int) -> Article:
    return version.articles.get(number=number)


def reword(version: CharterVersion, number: int, body: str) -> Change:
    found = article(version, number)
    return Change("change", found.identity, found.title, body, found.entrenched)


def addition(title: str = "Privacy", body: str = "Nobody publishes another's address.") -> Change:
    return Change("add", uuid.uuid4(), title, body)


def propose(
    author: Member,
    changes: list[Change],
    *,
    now: datetime | None = None,
    sponsors=(),
    submit: bool = True,
    parameters: dict | None = None,
) -> Proposal:
    """`author` proposes `changes`, submits them at `now` unless `submit` is false, and
    `sponsors` co-sponsor then (three open the discussion)."""
    proposal = services.create_proposal(
        author=author,
        title="An amendment",
        rationale="Because it is better.",
        changes=changes,
        parameters=parameters or {},
    )
    if submit:
        services.submit_proposal(author=author, proposal=proposal, now=now)
    for sponsor in sponsors:
        services.sponsor_proposal(member=sponsor, proposal=proposal, now=now)
    proposal.refresh_from_db()
    return proposal


def put_to_ballot(proposal: Proposal) -> Ballot:
    """What beat does at the end of the discussion: freeze the text and prepare its ballot;
    then its key is given (elections.give_key) and the voting opens."""
    now = proposal.discussion_ends_at + timedelta(seconds=1)
    services.run_deadlines(now=now)
    proposal.refresh_from_db()
    return give_key(proposal.ballot, now=now)


def open_amendment_ballot(version: CharterVersion, voters: list[Member], changes) -> Ballot:
    """Through the charter's services: `voters` (members of 60 days) accept `version`, the first
    proposes `changes`, three others co-sponsor, and the discussion ends: the ballot opens."""
    now = timezone.now()
    for voter in voters:
        services.accept_charter(member=voter, version=version)
    return put_to_ballot(propose(voters[0], changes, now=now, sponsors=voters[1:4]))


def ratify_amendment(version: CharterVersion, changes) -> CharterVersion:
    """Four members vote an amendment of `version` through: the next version, now in force."""
    voters = elders()
    ballot = open_amendment_ballot(version, voters, changes)
    for voter in voters:
        services.cast_vote(member=voter, ballot=ballot, choice="yes", now=ballot.opened_at)
    count(ballot, now=ballot.closes_at)
    amended = selectors.current_version()
    assert amended.number == version.number + 1
    return amended


def parameter_data(values: dict, prefix: str = "parameter") -> dict:
    """The parameter fields of a form, filled in with `values` as a browser would send them."""
    data = {}
    for parameter in AMENDABLE:
        value = values[parameter.key]
        if parameter.unit == "bool":
            if value:
                data[f"{prefix}-{parameter.key}"] = "on"
        elif parameter.unit == "ladder":
            data[f"{prefix}-{parameter.key}"] = ", ".join(str(days) for days in value)
        else:
            data[f"{prefix}-{parameter.key}"] = str(value)
    return data


def draft_data(articles: list[tuple[str, str]], *, initial: int = 0) -> dict:
    """The provisional charter's edit form with `articles` (title, text) in this order."""
    data = {
        "article-TOTAL_FORMS": str(len(articles)),
        "article-INITIAL_FORMS": str(initial),
        "article-MIN_NUM_FORMS": "0",
        "article-MAX_NUM_FORMS": "60",
    }
    for i, (title, body) in enumerate(articles):
        data[f"article-{i}-title"] = title
        data[f"article-{i}-body"] = body
        data[f"article-{i}-ORDER"] = str(i + 1)
    return data | parameter_data(defaults())
