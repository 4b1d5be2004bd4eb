"""Each post of a member's thread page is kept in the cache per way of seeing it
(forum.page_cache.render_posts): readers who may do the same things share it, and nobody is
ever shown what belongs to another reader's way of seeing it."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from forum import page_cache, services
from forum.models import PostState
from tests.builders.forum import make_reply, make_thread
from tests.builders.members import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(category):
    return make_thread(category=category, title="Seeds to swap", source="I have tomato seeds.")


@pytest.fixture
def reply(thread, member):
    return make_reply(thread, author=member, source="And I have basil.")


def signed_in(member) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return client


def post_html(client, thread, number: int) -> str:
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    return html.split(f'id="post-{number}"')[1].split("</li>")[0]


def test_readers_in_the_same_position_share_the_rendered_post(thread, reply):
    first, second = MemberFactory(), MemberFactory()
    post_html(signed_in(first), thread, 2)
    kept = posts_kept()
    post_html(signed_in(second), thread, 2)
    assert posts_kept() == kept  # no post was rendered anew for the second reader


def posts_kept() -> set[str]:
    return {key for key in cache._cache if ":forum:post:" in key}


def test_each_reader_gets_their_own_csrf_token_and_it_works(thread, reply):
    readers = [MemberFactory(), MemberFactory()]
    for reader in readers:
        client = signed_in(reader)
        html = post_html(client, thread, 2)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        response = client.post(
            f"/p/{reply.pk}/thanks/", {"csrfmiddlewaretoken": token, "action": "thank"}
        )
        assert response.status_code in (200, 302)
    reply.refresh_from_db()
    assert reply.thanks_count == 2


def test_the_placeholder_for_the_token_never_reaches_a_page(thread, reply, member):
    html = signed_in(MemberFactory()).get(thread.get_absolute_url()).content.decode()
    assert page_cache._placeholder() not in html


def test_only_the_author_sees_edit_and_delete_even_after_the_author_looked(thread, reply, member):
    assert "Edit" in post_html(signed_in(member), thread, 2)
    assert "Edit" not in post_html(signed_in(MemberFactory()), thread, 2)


def test_only_the_author_sees_who_thanked_them(thread, reply, member):
    services.thank(member=MemberFactory(display_name="Grateful Gus"), post=reply)
    assert "Grateful Gus" in post_html(signed_in(member), thread, 2)
    assert "Grateful Gus" not in post_html(signed_in(MemberFactory()), thread, 2)


def test_a_thanks_shows_as_given_to_its_giver_only(thread, reply):
    giver, other = MemberFactory(), MemberFactory()
    post_html(signed_in(giver), thread, 2)
    services.thank(member=giver, post=reply)
    assert 'aria-pressed="true"' in post_html(signed_in(giver), thread, 2)
    assert 'aria-pressed="false"' in post_html(signed_in(other), thread, 2)


def test_a_moderator_sees_the_hidden_text_a_member_does_not(thread, reply, moderator):
    services.hide_post(post=reply)
    assert "And I have basil." in post_html(signed_in(moderator), thread, 2)
    assert "And I have basil." not in post_html(signed_in(MemberFactory()), thread, 2)


def test_an_edit_shows_to_readers_who_had_the_post_kept(thread, reply, member):
    reader = signed_in(MemberFactory())
    post_html(reader, thread, 2)
    services.edit_post(editor=member, post=reply, source="And I have thyme.")
    html = post_html(reader, thread, 2)
    assert "thyme" in html and "basil" not in html


def test_an_author_who_changes_name_is_shown_by_the_new_name(thread, reply, member):
    reader = signed_in(MemberFactory())
    post_html(reader, thread, 2)
    member.display_name = "Basil Lover"
    member.save()
    assert "Basil Lover" in post_html(reader, thread, 2)


def test_a_deleted_post_shows_its_placeholder(thread, reply, member):
    reader = signed_in(MemberFactory())
    post_html(reader, thread, 2)
    services.delete_post(member=member, post=reply)
    assert reply.state == PostState.DELETED
    assert "This post was deleted by its author." in post_html(reader, thread, 2)


def test_the_first_unread_post_is_marked_for_those_who_read_before(thread, member):
    reader, other = MemberFactory(), MemberFactory()
    signed_in(reader).get(thread.get_absolute_url())
    signed_in(other).get(thread.get_absolute_url())
    make_reply(thread, source="News since.")
    assert "New since your last visit" in post_html(signed_in(reader), thread, 2)
    assert "New since your last visit" in post_html(signed_in(other), thread, 2)
    assert "New since your last visit" not in post_html(signed_in(MemberFactory()), thread, 2)
