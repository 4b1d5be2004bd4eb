"""What moderation reads back: each signaller's record, and the per-article statistics of the
journal, an article followed across the versions of the charter."""

import pytest

from moderation import selectors, services
from moderation.models import Action, AppealState, Outcome
from tests.builders.charter import article, ratify_amendment, reword
from tests.builders.forum import new_post
from tests.builders.members import MemberFactory
from tests.builders.moderation import appeal, dismiss, signal, uphold

pytestmark = pytest.mark.django_db


def overturn(decision, moderator) -> None:
    services.hear_appeal(
        moderator=moderator,
        appeal=appeal(decision),
        outcome=AppealState.OVERTURNED,
        rationale="On second reading.",
    )


def test_a_signallers_record_counts_upheld_dismissed_and_overturned_signals(
    charter, moderator, second_moderator
):
    member, newcomer = MemberFactory(), MemberFactory()
    for _ in range(2):
        uphold(signal(new_post(), member).case, moderator, action=Action.KEEP)
    dismiss(signal(new_post(), member).case, moderator)
    overturn(uphold(signal(new_post(), member).case, moderator), second_moderator)
    signal(new_post(), member)  # not settled yet
    signal(new_post(), newcomer)
    records = selectors.signaller_records({member.pk, newcomer.pk})
    assert records == {member.pk: selectors.Record(upheld=2, dismissed=1, overturned=1)}
    assert records[member.pk].settled == 4


def statistics_by_identity() -> dict:
    return {
        s.identity: (s.article, s.cited, s.upheld, s.dismissed, s.overturned)
        for s in selectors.article_statistics()
    }


def test_article_statistics_count_cited_upheld_dismissed_and_overturned(
    charter, moderator, second_moderator
):
    on_topic, no_spam = article(charter, 2), article(charter, 3)
    overturn(uphold(signal(new_post()).case, moderator, articles=(2, 3)), second_moderator)
    uphold(signal(new_post()).case, moderator, action=Action.KEEP)
    services.decide_case(
        moderator=moderator,
        case=signal(new_post()).case,
        outcome=Outcome.DISMISSED,
        article_ids=[on_topic.pk],
        rationale="Close enough to the subject.",
    )
    dismiss(signal(new_post()).case, moderator)  # cites no article
    assert statistics_by_identity() == {
        on_topic.identity: (on_topic, 3, 2, 1, 1),
        no_spam.identity: (no_spam, 1, 1, 0, 1),
    }


def test_article_statistics_follow_an_article_across_versions(charter, moderator, second_moderator):
    overturn(uphold(signal(new_post()).case, moderator), second_moderator)
    amended = ratify_amendment(charter, [reword(charter, 2, "Posts stay on topic, always.")])
    uphold(signal(new_post()).case, moderator, action=Action.KEEP)
    now_worded = article(amended, 2)
    assert now_worded.identity == article(charter, 2).identity
    assert statistics_by_identity() == {now_worded.identity: (now_worded, 2, 2, 0, 1)}
    both = selectors.journal(selectors.JournalFilters(article=now_worded.identity))
    cited = {c.article.version.number for entry in both for c in entry.citations.all()}
    assert (both.count(), cited) == (3, {1, 2})  # two decisions and the appeal
