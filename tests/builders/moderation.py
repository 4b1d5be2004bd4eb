"""Signals, decisions and appeals, made through the moderation services as members and
moderators make them, citing articles of the charter in force by number."""

from charter.selectors import current_version
from forum.models import Post
from members.models import Member
from moderation import services
from moderation.models import Appeal, Case, Decision, Outcome, Signal
from tests.builders.charter import article
from tests.builders.members import MemberFactory


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
