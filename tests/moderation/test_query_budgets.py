"""Moderation's pages run a fixed number of SQL queries, whatever the number of cases, signals,
journal entries or moderated posts they show. Data is built through the moderation services."""

from itertools import cycle

import pytest
from django.test import Client
from django.urls import reverse

from charter.models import Article
from forum import services as forum
from forum.models import PostState
from members.models import Member
from moderation import services
from moderation.models import Action, AppealState, Outcome
from moderation.sanctions import SanctionKind, Step
from tests.builders.charter import charter_in_force
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory
from tests.query_budget import queries_for

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

# A signed-in page adds the session, the member and the bell's unread count. A thread page's
# moderated posts add the decisions in force and their articles; a member's page adds which
# posts they signalled, and a moderator's which posts have a case. The journal lists the
# charter's ballots found void too, and shows the digest of the record's latest entry.
EXPECTED = {
    ("queue", "moderator_client"): 11,
    ("case", "moderator_client"): 13,
    ("journal", "visitor_client"): 9,
    ("journal", "member_client"): 12,
    ("journal", "moderator_client"): 12,
    ("journal feed", "visitor_client"): 3,
    ("statistics", "visitor_client"): 2,
    ("my_signals", "member_client"): 6,
    ("thread", "visitor_client"): 4,
    ("thread", "member_client"): 9,
    ("thread", "moderator_client"): 10,
}


@pytest.fixture(autouse=True)
def charter(db):
    """In force before the test's members join, with room for the many signals a fixture makes."""
    return charter_in_force(parameters={"signals_per_day": 1_000})


@pytest.fixture(autouse=True)
def big_pages(settings):
    settings.POSTS_PER_PAGE = 50


@pytest.fixture
def signallers(db) -> list[Member]:
    return [MemberFactory() for _ in range(6)]


@pytest.fixture
def deciders(db) -> list[Member]:
    return [MemberFactory(is_moderator=True) for _ in range(2)]


def article_ids(charter) -> list[int]:
    return list(
        Article.objects.filter(version=charter).order_by("number").values_list("pk", flat=True)
    )


def rendering_queries(client: Client, url: str) -> int:
    """What rendering the page costs: a visitor's thread page would come from the cache."""
    return queries_for(client, url, cold_cache=True)


class Builder:
    """Posts, signals and decisions, made through the services as members would make them."""

    def __init__(self, charter, signallers, deciders, *, signaller=None):
        self.articles = cycle(article_ids(charter))
        self.signallers = signallers
        self.deciders = cycle(deciders)
        self.authors = cycle([MemberFactory() for _ in range(3)])
        self.signaller = signaller  # a member who signals every post, if given
        self.thread = make_thread(category=CategoryFactory(), title="Cases")
        self.made = 0

    def signalled_post(self, *, count: int):
        """A new reply, signalled by `count` different members, each citing an article."""
        n = self.made
        self.made += 1
        post = forum.reply(author=next(self.authors), thread=self.thread, source=f"Post {n}.")
        who = [self.signallers[(n + k) % len(self.signallers)] for k in range(count)]
        if self.signaller is not None:
            who[0] = self.signaller
        for member in who:
            services.signal_post(member=member, post=post, article_ids=[next(self.articles)])
        post.refresh_from_db()
        return post

    def open_cases(self, n: int, moderator: Member) -> None:
        for i in range(n):
            post = self.signalled_post(count=1 + i % 3)
            if i % 4 == 0:
                services.claim_case(moderator=moderator, case=post.moderation_case)

    def settled_cases(self, n: int) -> None:
        """Upheld (hidden, deleted, kept with a note, some with a sanction), dismissed, and
        every fifth upheld decision appealed and overturned."""
        for i in range(n):
            post = self.signalled_post(count=1 + i % 3)
            decider = next(self.deciders)
            if i % 3 == 2:
                services.decide_case(
                    moderator=decider,
                    case=post.moderation_case,
                    outcome=Outcome.DISMISSED,
                    article_ids=[next(self.articles)],
                    rationale=f"No breach in post {i}.",
                )
                continue
            decision = services.decide_case(
                moderator=decider,
                case=post.moderation_case,
                outcome=Outcome.UPHELD,
                article_ids=[next(self.articles), next(self.articles)],
                rationale=f"Breach in post {i}.",
                action=[Action.HIDE, Action.KEEP, Action.DELETE][i % 3],
                sanction=Step(SanctionKind.WARNING) if i % 2 else None,
            )
            if i % 5 == 0:
                appeal = services.appeal_decision(
                    member=post.author, decision=decision, statement="I disagree."
                )
                services.hear_appeal(
                    moderator=next(self.deciders),
                    appeal=appeal,
                    outcome=AppealState.OVERTURNED,
                    rationale="On reflection, no.",
                )


def test_the_queue_costs_the_same_for_5_or_50_open_cases(
    charter, signallers, deciders, moderator, moderator_client
):
    builder = Builder(charter, signallers, deciders)
    builder.settled_cases(6)  # the signallers have records
    builder.open_cases(5, moderator)
    with_5 = rendering_queries(moderator_client, "/moderation/queue/")
    builder.open_cases(45, moderator)
    with_50 = rendering_queries(moderator_client, "/moderation/queue/")
    assert with_5 == with_50 == EXPECTED["queue", "moderator_client"]


@pytest.mark.parametrize("signal_count", [3, 30])
def test_a_case_page_costs_the_same_for_3_or_30_signals(
    charter, deciders, moderator_client, signal_count
):
    many = [MemberFactory() for _ in range(signal_count)]
    builder = Builder(charter, many, deciders)
    author = next(builder.authors)
    builder.authors = cycle([author])
    builder.settled_cases(3)  # the author's previous decisions, the signallers' records
    post = forum.reply(author=author, thread=builder.thread, source="Signalled as it was.")
    half = signal_count // 2
    for i, member in enumerate(many):
        if i == half:  # the author edits it: the later signals saw another text
            forum.edit_post(editor=author, post=post, source="Edited while under review.")
        services.signal_post(member=member, post=post, article_ids=[next(builder.articles)])
    assert post.moderation_case.signals.count() == signal_count
    url = reverse("moderation:case", args=[post.moderation_case.pk])
    assert rendering_queries(moderator_client, url) == EXPECTED["case", "moderator_client"]


# The pages that list settled cases, with who reads them.
SETTLED_CASES_PAGES = [
    ("journal", "/moderation/journal/", "visitor_client"),
    ("journal", "/moderation/journal/", "member_client"),
    ("journal", "/moderation/journal/", "moderator_client"),
    ("journal feed", "/moderation/journal/feed/", "visitor_client"),
    ("statistics", "/moderation/journal/articles/", "visitor_client"),
    ("my_signals", "/moderation/my-signals/", "member_client"),
]


def test_pages_of_settled_cases_cost_the_same_for_5_or_50(
    request, subtests, charter, signallers, deciders, member
):
    """Every page and reader on the same cases: making 45 more decisions takes seconds."""
    builder = Builder(charter, signallers, deciders, signaller=member)
    builder.settled_cases(5)
    with_5 = [
        rendering_queries(request.getfixturevalue(persona), url)
        for _page, url, persona in SETTLED_CASES_PAGES
    ]
    builder.settled_cases(45)
    for (page, url, persona), before in zip(SETTLED_CASES_PAGES, with_5, strict=True):
        with subtests.test(page=page, persona=persona):
            with_50 = rendering_queries(request.getfixturevalue(persona), url)
            assert before == with_50 == EXPECTED[page, persona]


def moderated_thread(n: int, charter, signallers, deciders, member):
    """A thread of `n` posts: some pending review, hidden, deleted, kept with a note (one of
    them overturned on appeal), one signalled by `member`; the rest untouched."""
    builder = Builder(charter, signallers, deciders)
    thread = builder.thread
    for i in range(n - 1):
        forum.reply(author=next(builder.authors), thread=thread, source=f"Reply {i}.")
    posts = list(thread.posts.order_by("number"))
    moderated = posts[1:] if n <= 5 else posts[1::7]
    for i, post in enumerate(moderated):
        kind = i % 4
        for member_ in signallers[: 3 if kind == 0 else 1]:
            services.signal_post(member=member_, post=post, article_ids=[next(builder.articles)])
        if kind == 0:
            continue  # three signallers: pending review
        decision = services.decide_case(
            moderator=next(builder.deciders),
            case=post.moderation_case,
            outcome=Outcome.UPHELD,
            article_ids=[next(builder.articles)],
            rationale="A note.",
            action=[None, Action.HIDE, Action.KEEP, Action.DELETE][kind],
        )
        if i == 6:
            appeal = services.appeal_decision(
                member=post.author, decision=decision, statement="Unfair."
            )
            services.hear_appeal(
                moderator=next(builder.deciders),
                appeal=appeal,
                outcome=AppealState.OVERTURNED,
                rationale="Yes, unfair.",
            )
    services.signal_post(member=member, post=posts[0], article_ids=[next(builder.articles)])
    states = set(thread.posts.values_list("state", flat=True))
    assert {PostState.PENDING, PostState.HIDDEN, PostState.DELETED, PostState.VISIBLE} <= states
    return thread


@pytest.mark.parametrize("persona", ["visitor_client", "member_client", "moderator_client"])
def test_a_thread_page_with_moderated_posts_costs_the_same_for_5_or_50_posts(
    request, charter, signallers, deciders, member, persona
):
    client = request.getfixturevalue(persona)
    small = moderated_thread(5, charter, signallers, deciders, member)
    large = moderated_thread(50, charter, signallers, deciders, member)
    counts = {rendering_queries(client, f"/t/{thread.pk}/") for thread in (small, large)}
    assert counts == {EXPECTED["thread", persona]}
