"""A member's picture, shown beside their posts, can breach the charter as a post can: a signal
on one of their posts brings it to the moderators, whose decision removes it, citing an article,
told to the member, published in the journal, and open to appeal like any other."""

import pytest
from django.core.files.storage import default_storage

from members import avatars
from members import services as members
from moderation import services
from moderation.models import Action, AppealState, JournalEntry, JournalKind
from moderation.rules import ModerationRefused
from notifications.models import Kind, Notification
from tests.builders import files
from tests.builders.members import MemberFactory, signed_in
from tests.builders.moderation import appeal, signal, uphold

pytestmark = pytest.mark.django_db


@pytest.fixture
def pictured(author):
    members.set_avatar(member=author, file=files.as_upload("me.jpg", files.photo_with_gps()))
    author.refresh_from_db()
    return author


def test_upholding_with_the_picture_action_removes_it_and_keeps_the_post(
    pictured, post, moderator, django_capture_on_commit_callbacks
):
    names = avatars.stored_names(pictured)
    with django_capture_on_commit_callbacks(execute=True):
        decision = uphold(signal(post).case, moderator, action=Action.PICTURE)

    pictured.refresh_from_db()
    post.refresh_from_db()
    assert pictured.avatar == ""
    assert not any(default_storage.exists(name) for name in names)
    assert post.is_visible
    assert decision.get_action_display() == "Keep the post, remove its author's picture"


def test_the_author_is_told_and_the_journal_publishes_it(pictured, post, moderator):
    decision = uphold(signal(post).case, moderator, action=Action.PICTURE)

    told = Notification.objects.get(recipient=pictured, kind=Kind.POST_DECISION)
    assert told.url == decision.get_absolute_url()
    entry = JournalEntry.objects.get(kind=JournalKind.DECISION)
    assert entry.action == Action.PICTURE
    journal = signed_in(moderator).get("/moderation/journal/").text
    assert "Keep the post, remove its author&#x27;s picture" in journal
    assert "/avatars/" not in journal


def test_the_note_under_the_post_is_public_as_for_a_post_kept(
    pictured, post, moderator, visitor_client
):
    uphold(signal(post).case, moderator, action=Action.PICTURE, rationale="An offensive picture.")

    page = visitor_client.get(post.thread.get_absolute_url()).text
    assert "An offensive picture." in page
    assert "The moderators removed its author's picture." in page


def test_there_must_be_a_picture_to_remove(author, post, moderator):
    with pytest.raises(ModerationRefused, match="no picture to remove"):
        uphold(signal(post).case, moderator, action=Action.PICTURE)


def test_an_overturned_decision_leaves_the_member_free_to_choose_a_picture_again(
    pictured, post, moderator
):
    decision = uphold(signal(post).case, moderator, action=Action.PICTURE)
    heard = services.hear_appeal(
        moderator=MemberFactory(is_moderator=True),
        appeal=appeal(decision),
        outcome=AppealState.OVERTURNED,
        rationale="The picture is a painting, not an insult.",
    )

    assert heard.state == AppealState.OVERTURNED
    pictured.refresh_from_db()
    assert pictured.avatar == ""
    members.set_avatar(member=pictured, file=files.as_upload("again.png", files.picture()))
    assert pictured.avatar
