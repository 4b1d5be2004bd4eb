"""A decision shows on the post at once for visitors too, whose thread pages come from the
cache (forum.page_cache): deciding and hearing an appeal change the page's key."""

import pytest

from moderation import services
from moderation.models import AppealState
from tests.builders.moderation import appeal, signal, uphold

pytestmark = pytest.mark.django_db


def seen(client, post) -> str:
    response = client.get(post.thread.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_kept_post_shows_the_moderators_note_then_loses_it_when_overturned(
    visitor_client, post, moderator, second_moderator
):
    case = signal(post).case
    seen(visitor_client, post)
    assert "Moderators&#x27; note" not in seen(visitor_client, post)

    decision = uphold(case, moderator, action="keep", rationale="Keep it, but mind article 2.")
    assert "Keep it, but mind article 2." in seen(visitor_client, post)

    services.hear_appeal(
        moderator=second_moderator,
        appeal=appeal(decision),
        outcome=AppealState.OVERTURNED,
        rationale="It was on topic.",
    )
    assert "Keep it, but mind article 2." not in seen(visitor_client, post)


def test_a_hidden_post_shows_as_hidden(visitor_client, post, moderator):
    case = signal(post).case
    assert "miracle fertiliser" in seen(visitor_client, post)
    seen(visitor_client, post)
    uphold(case, moderator, action="hide")
    html = seen(visitor_client, post)
    assert "miracle fertiliser" not in html
    assert "This post is hidden by the moderators." in html
