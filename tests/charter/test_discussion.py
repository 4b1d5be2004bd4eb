"""The discussion of a live proposal stays open to every member who may post: an admin who makes
the Charter category moderators-only, or locks the thread, silences nothing until the proposal
ends. Its posts are moderated like any: through signals, cases and the journal."""

from datetime import timedelta

import pytest
from django.urls import reverse

from charter import services
from charter.models import Proposal
from forum import services as forum
from forum.models import Post, PostState, Thread
from members.rules import Refused
from moderation.models import JournalEntry
from tests.builders.charter import reword
from tests.builders.members import signed_in
from tests.builders.moderation import signal, uphold

pytestmark = pytest.mark.django_db


@pytest.fixture
def discussed(charter_v1, founders, propose) -> Proposal:
    """A proposal co-sponsored now: its discussion thread is open for 7 days."""
    return propose(founders[0], [reword(charter_v1, 2, "Stay on topic.")], sponsors=founders[1:])


@pytest.fixture
def voter(elder_factory, charter_v1):
    """A member who may post: verified, past 30 days, having accepted the charter."""
    member = elder_factory(username="dana")
    services.accept_charter(member=member, version=charter_v1)
    return member


def silence(admin_client, thread: Thread) -> None:
    """What an admin would do: the category moderators-only through its admin form, and the
    thread locked (the admin form refuses, so straight in the database)."""
    category = thread.category
    response = admin_client.post(
        f"/admin/forum/category/{category.pk}/change/",
        {
            "name": category.name,
            "slug": category.slug,
            "description": category.description,
            "position": category.position,
            "read_restricted": "on",
            "write_restricted": "on",
        },
    )
    assert response.status_code == 302
    Thread.objects.filter(pk=thread.pk).update(locked=True)


def replies_go_through(client, thread: Thread) -> bool:
    before = Post.objects.filter(thread=thread).count()
    response = client.post(
        reverse("forum:reply", kwargs={"pk": thread.pk}), {"source": "I disagree, and here is why."}
    )
    return response.status_code == 302 and Post.objects.filter(thread=thread).count() == before + 1


def test_the_discussion_of_a_live_proposal_stays_open_to_every_member_who_may_post(
    discussed, voter, admin_client
):
    silence(admin_client, discussed.thread)
    client = signed_in(voter)
    page = client.get(discussed.thread.get_absolute_url())
    assert page.status_code == 200
    assert 'id="reply-form"' in page.content.decode()
    assert replies_go_through(client, discussed.thread)
    opening = discussed.thread.posts.get(number=1)
    assert client.get(opening.get_absolute_url()).status_code == 302


def test_a_visitor_reads_the_discussion_of_a_live_proposal_in_a_restricted_category(
    discussed, admin_client, client
):
    silence(admin_client, discussed.thread)
    assert client.get(discussed.thread.get_absolute_url()).status_code == 200


def test_the_discussion_stays_open_through_the_ballot(discussed, voter, admin_client, now):
    services.run_deadlines(now=discussed.discussion_ends_at + timedelta(seconds=1))
    discussed.refresh_from_db()
    assert discussed.state == "ballot"
    silence(admin_client, discussed.thread)
    assert replies_go_through(signed_in(voter), discussed.thread)


def test_the_admin_cannot_lock_the_discussion_of_a_live_proposal(discussed, admin_client):
    thread = discussed.thread
    response = admin_client.post(
        f"/admin/forum/thread/{thread.pk}/change/",
        {"title": thread.title, "locked": "on"},
    )
    assert response.status_code == 200
    assert "cannot be locked" in response.content.decode()
    thread.refresh_from_db()
    assert not thread.locked and thread.held_open
    with pytest.raises(Refused):
        forum.update_thread(thread=thread, title=thread.title, pinned=False, locked=True)


def test_the_admin_cannot_clear_what_holds_the_discussion_open(discussed, admin_client):
    thread = discussed.thread
    admin_client.post(
        f"/admin/forum/thread/{thread.pk}/change/",
        {"title": "Renamed", "held_open": ""},
    )
    thread.refresh_from_db()
    assert thread.title == "Renamed" and thread.held_open


def test_once_the_proposal_ends_the_category_and_the_lock_apply_again(
    discussed, founders, voter, admin_client
):
    services.withdraw_proposal(author=founders[0], proposal=discussed)
    silence(admin_client, discussed.thread)
    client = signed_in(voter)
    assert client.get(discussed.thread.get_absolute_url()).status_code == 404
    assert not replies_go_through(client, discussed.thread)


def test_a_lock_applies_again_once_the_proposal_ends(discussed, founders, voter):
    services.withdraw_proposal(author=founders[0], proposal=discussed)
    Thread.objects.filter(pk=discussed.thread_id).update(locked=True)
    assert not replies_go_through(signed_in(voter), discussed.thread)


def test_a_post_in_the_discussion_is_moderated_through_a_case_and_the_journal(
    discussed, voter, moderator, founders
):
    post = forum.reply(author=voter, thread=discussed.thread, source="Buy my fertiliser!")
    # No deletion by a moderator outside a case: it would leave nothing in the journal.
    response = signed_in(moderator).post(reverse("forum:delete_post", kwargs={"pk": post.pk}))
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.state == PostState.VISIBLE
    case = signal(post, founders[1]).case
    uphold(case, moderator)
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN
    assert JournalEntry.objects.filter(post=post).exists()


def test_members_still_find_the_discussion_of_a_live_proposal(discussed, voter, admin_client):
    post = forum.reply(author=voter, thread=discussed.thread, source="Fertiliser is off topic.")
    silence(admin_client, discussed.thread)
    client = signed_in(voter)
    found = client.get(reverse("forum:search"), {"q": "fertiliser"}).content.decode()
    assert post.get_absolute_url() in found
    index = client.get(reverse("forum:index")).content.decode()
    assert discussed.thread.get_absolute_url() in index
