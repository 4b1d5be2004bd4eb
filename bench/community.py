"""The community the load and fault benches run against, built through the site's own services.

Fifty bench members ("member01" …, as many as `members`) who may all post, signal and vote:
verified email, joined 200 days ago, on the roll of three open amendment ballots, having
accepted the charter in force. Every ballot is encrypted (a Belenios election): three trustees,
members off every roll, hold its key, given as the tests give it (tests.builders.elections),
and two of them decrypt the founding ballot's count. Six regulars wrote the threads the
members read, reply to and signal (so a member never signals their own post). A reply emails
the two regulars who wrote its thread: the members follow the threads at the normal level (a
member who replies does not start watching), which keeps the number of emails at two per
reply.

`build` needs Django set up against an empty database; it returns what the locustfile needs
(bench/locustfile.py reads it as JSON): the members' session cookies, the threads, the posts
to signal, the articles to cite and the ballots to vote in.
"""

import uuid
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import Client
from django.utils import timezone

from charter import selectors as charter_selectors
from charter import services as charter
from charter.models import Ballot, BallotState
from charter.parameters import draft_defaults
from charter.texts import Change
from forum import services as forum
from forum.models import Category, Post, Thread, ThreadSubscription, WatchLevel
from members.models import Member
from tests.builders.charter import count
from tests.builders.elections import give_key

ARTICLES = [
    ("Respect", "Members address each other with respect.", False),
    ("On topic", "Posts stay on the subject of their thread.", False),
    ("No spam", "No advertising, no repeated messages.", False),
    ("Privacy", "Nobody publishes another person's private information.", False),
    ("Sources", "Claims of fact come with a source when asked.", False),
    ("Amendments", "The members amend this charter by ballot.", True),
]
# Each proposal rewrites one standard article, a different one, so all three ballots run at once.
AMENDED_ARTICLES = [2, 3, 5]
REGULARS = ["ada", "bruno", "chiara", "dmitri", "elif", "farid"]
TRUSTEES = ["trustee1", "trustee2", "trustee3"]
THREADS = 20
POSTS_PER_THREAD = 10


def build(*, members: int) -> dict:
    now = timezone.now()
    password = make_password(None)  # unusable: members are signed in by session cookies
    long_ago = now - timedelta(days=400)
    admin = _member("admin", password, joined=long_ago, is_staff=True, is_moderator=True)
    regulars = [_member(name, password, joined=long_ago) for name in REGULARS]
    bench = [
        _member(f"member{n:02}", password, joined=now - timedelta(days=200))
        for n in range(1, members + 1)
    ]
    # Unverified, so on no roll: they hold the ballots' keys, not a vote.
    trustees = [_member(name, password, joined=long_ago, verified=False) for name in TRUSTEES]
    everyone = [admin, *regulars, *bench]
    _found_the_charter(admin, everyone, trustees, now)
    ballots = _open_amendment_ballots(regulars, trustees, now)
    threads = _threads(regulars, bench)
    version = charter_selectors.current_version()
    return {
        "members": [{"username": m.username, "session": _session(m)} for m in bench],
        "categories": sorted({t.category.slug for t in threads}),
        "threads": [t.pk for t in threads],
        "signal_posts": list(
            Post.objects.filter(thread__in=threads).order_by("pk").values_list("pk", flat=True)
        ),
        "articles": list(version.articles.order_by("number").values_list("pk", flat=True)),
        "ballots": [ballot.pk for ballot in ballots],
        "signals_per_day": version.settings["signals_per_day"],
    }


def _member(username: str, password: str, *, joined, verified: bool = True, **fields) -> Member:
    member = Member.objects.create(
        username=username,
        email=f"{username}@bench.palabre.test",
        password=password,
        date_joined=joined,
        email_verified_at=joined if verified else None,
        last_login=timezone.now() - timedelta(days=1),  # active, for the ballots' quorum
        **fields,
    )
    EmailAddress.objects.create(user=member, email=member.email, verified=verified, primary=True)
    return member


def _found_the_charter(admin: Member, everyone: list[Member], trustees: list[Member], now) -> None:
    draft = charter.start_provisional_charter()
    charter.edit_provisional_charter(
        admin=admin,
        version=draft,
        articles=[charter.ArticleDraft(*article) for article in ARTICLES],
        parameters=draft_defaults(),
    )
    opened = now - timedelta(days=120)
    ballot = charter.open_founding_ballot(admin=admin, version=draft, now=opened)
    ballot = give_key(ballot, now=opened, holders=trustees)
    for member in everyone:
        charter.cast_vote(
            member=member, ballot=ballot, choice="yes", now=ballot.opened_at + timedelta(hours=1)
        )
    count(ballot, now=ballot.closes_at)
    charter.announce_results()
    version = charter_selectors.current_version()
    assert version is not None, "the founding ballot did not ratify the charter"
    for member in everyone:
        charter.accept_charter(member=member, version=version)


def _open_amendment_ballots(regulars: list[Member], trustees: list[Member], now) -> list[Ballot]:
    """Three proposals, co-sponsored nine days ago: their discussions ended two days ago, when
    their ballots were prepared and given their keys, and their ballots close in five days, far
    from the 48-hour reminder."""
    version = charter_selectors.current_version()
    articles = {a.number: a for a in charter_selectors.article_texts(version)}
    author, *sponsors = regulars
    submitted = now - timedelta(days=9)
    proposals = []
    for number in AMENDED_ARTICLES:
        article = articles[number]
        proposal = charter.create_proposal(
            author=author,
            title=f"Reword article {number}",
            rationale="Clearer words.",
            changes=[
                Change("change", article.identity, article.title, article.body + " (Amended.)")
            ],
            parameters={},
        )
        charter.submit_proposal(author=author, proposal=proposal, now=submitted)
        for sponsor in sponsors[:3]:
            charter.sponsor_proposal(
                member=sponsor, proposal=proposal, now=submitted + timedelta(hours=1)
            )
        proposals.append(proposal)
    ended = charter_selectors.proposal_detail(proposals[0].pk).discussion_ends_at
    charter.run_deadlines(now=ended)
    for ballot in Ballot.objects.filter(state=BallotState.SETUP, proposal__in=proposals):
        give_key(ballot, now=ended, holders=trustees)
    ballots = list(Ballot.objects.filter(state=BallotState.OPEN, proposal__in=proposals))
    assert len(ballots) == len(AMENDED_ARTICLES), f"{len(ballots)} amendment ballots opened"
    return ballots


@transaction.atomic
def _threads(regulars: list[Member], bench: list[Member]) -> list[Thread]:
    """Threads of ten posts, each written by two regulars in turn, who therefore watch it."""
    category = Category.objects.create(name="Bench talk", slug="bench-talk", position=0)
    threads = []
    for n in range(THREADS):
        pair = (regulars[n % len(regulars)], regulars[(n + 1) % len(regulars)])
        thread = forum.create_thread(
            author=pair[0], category=category, title=f"Thread {n + 1}", source=f"Opening {n + 1}."
        )
        for number in range(2, POSTS_PER_THREAD + 1):
            forum.reply(author=pair[number % 2], thread=thread, source=f"Reply {number}.")
        threads.append(thread)
    ThreadSubscription.objects.bulk_create(
        [
            ThreadSubscription(member=member, thread=thread, level=WatchLevel.NORMAL)
            for thread in threads
            for member in bench
        ]
    )
    # Old news: the tasks queued when this transaction commits find them announced already.
    Post.objects.update(announced=True)
    return threads


def _session(member: Member) -> str:
    """A signed-in session, written to the database as signing in would."""
    client = Client()
    client.force_login(member)
    return client.cookies["sessionid"].value


def visitor_pages(built: dict) -> list[str]:
    """Pages anyone may read, to warm the web workers up before the figures start."""
    thread, category = built["threads"][0], built["categories"][0]
    return ["/", "/charter/", "/moderation/journal/", f"/c/{category}/", f"/t/{thread}/"]


def run_id() -> str:
    """Marks this run's posts, so that they are told apart from any other."""
    return uuid.uuid4().hex[:8]
