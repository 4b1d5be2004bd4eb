"""Moderation fixtures: a ratified charter to cite, a post to signal, members to signal it and
moderators to decide, all built through the services."""

import pytest
from django.utils import timezone

from charter.models import Article, CharterVersion
from charter.selectors import current_version
from forum import services as forum
from forum.models import Post
from members.models import Member
from moderation import services
from moderation.models import Appeal, Case, Decision, Outcome, Signal
from tests.charter.conftest import ARTICLES, found_charter
from tests.factories import MemberFactory, make_thread


@pytest.fixture
def charter(admin_member) -> CharterVersion:
    """Version 1 of a four-article charter (2 is "On topic"), ratified by two founders."""
    return found_charter(admin=admin_member, voters=[MemberFactory(), MemberFactory()], now=_now())


def _now():

    return timezone.now()


def article(version: CharterVersion, number: int) -> Article:
    return version.articles.get(number=number)


@pytest.fixture
def author(charter) -> Member:
    """Joins after the charter is ratified, so has nothing left to accept."""
    return MemberFactory(username="author")


@pytest.fixture
def post(author, charter) -> Post:
    """A reply by `author`, the post the tests signal."""
    thread = make_thread(title="Gardening tips", source="Let us talk about tomatoes.")
    return forum.reply(author=author, thread=thread, source="Buy my miracle fertiliser!")


@pytest.fixture
def second_moderator(db) -> Member:
    return MemberFactory(username="second_moderator", is_moderator=True)


def signal(post: Post, member: Member | None = None, *, articles=(2,), **kwargs) -> Signal:
    """`member` (a new member by default) signals `post` citing the articles numbered."""
    member = member or MemberFactory()
    version = current_version()
    return services.signal_post(
        member=member,
        post=post,
        article_ids=[article(version, n).pk for n in articles],
        **kwargs,
    )


def uphold(case: Case, moderator: Member, *, articles=(2,), **kwargs) -> Decision:
    version = current_version()
    kwargs.setdefault("action", "hide")
    kwargs.setdefault("rationale", "Advertising is off topic here.")
    return services.decide_case(
        moderator=moderator,
        case=case,
        outcome=Outcome.UPHELD,
        article_ids=[article(version, n).pk for n in articles],
        **kwargs,
    )


def dismiss(case: Case, moderator: Member, **kwargs) -> Decision:
    kwargs.setdefault("rationale", "No breach.")
    return services.decide_case(
        moderator=moderator, case=case, outcome=Outcome.DISMISSED, article_ids=[], **kwargs
    )


def appeal(decision: Decision, **kwargs) -> Appeal:
    kwargs.setdefault("statement", "It was a joke between friends.")
    return services.appeal_decision(member=decision.case.post.author, decision=decision, **kwargs)


__all__ = ["ARTICLES", "appeal", "article", "dismiss", "signal", "uphold"]
