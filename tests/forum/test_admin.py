import pytest
from django.core.management import call_command

from forum.models import Thread
from tests.builders.forum import make_reply

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/members/member/",
        "/admin/forum/category/",
        "/admin/forum/category/add/",
        "/admin/forum/thread/",
        "/admin/forum/post/",
    ],
)
def test_admins_manage_the_forum_in_the_admin_site(admin_client, thread, url):
    assert admin_client.get(url).status_code == 200


def test_an_admin_appoints_a_moderator_on_the_accounts_page(admin_client, other_member):
    response = admin_client.get(f"/admin/members/member/{other_member.pk}/change/")
    assert 'name="is_moderator"' not in response.text
    assert f"/admin/members/member/{other_member.pk}/account/" in response.text
    response = admin_client.get(f"/admin/members/member/{other_member.pk}/account/")
    assert 'value="give:moderator"' in response.text


def test_an_admin_pins_and_locks_a_thread(admin_client, thread):
    admin_client.post(
        f"/admin/forum/thread/{thread.pk}/change/",
        {"title": "Seed swap (dates inside)", "pinned": "on", "locked": "on"},
    )
    thread.refresh_from_db()
    assert (thread.title, thread.pinned, thread.locked) == ("Seed swap (dates inside)", True, True)


def test_posts_cannot_be_rewritten_in_the_admin(admin_client, thread):
    post = thread.posts.get()
    response = admin_client.post(f"/admin/forum/post/{post.pk}/change/", {"source": "Rewritten"})
    post.refresh_from_db()
    assert response.status_code == 403
    assert post.source == "The opening post."


def test_members_and_moderators_cannot_open_the_admin(member_client, moderator_client):
    for client in (member_client, moderator_client):
        assert client.get("/admin/forum/category/").status_code == 302


def test_the_recount_command_repairs_counters(thread):
    make_reply(thread)
    Thread.objects.update(post_count=0)
    call_command("recount_forum")
    thread.refresh_from_db()
    assert thread.post_count == 2
