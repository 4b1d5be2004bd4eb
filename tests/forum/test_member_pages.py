"""A signed-in member's index, category and thread pages are kept in the cache per member
(forum.page_cache.member_content), and never stale: whatever changes what the member sees shows
on the next page they open, whether they or someone else made the change."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from charter import services as charter
from charter.selectors import current_version
from forum import page_cache, services
from members import services as members
from moderation.models import Case
from notifications import services as notifications
from notifications.models import Kind
from tests.builders.charter import charter_in_force
from tests.builders.forum import make_reply, make_thread
from tests.builders.members import MemberFactory
from tests.builders.moderation import signal, uphold
from tests.query_budget import recorded_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(category, other_member):
    return make_thread(
        category=category, author=other_member, title="Seeds to swap", source="I have tomato seeds."
    )


@pytest.fixture
def reader(member) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def settled(client: Client, url: str) -> str:
    """The page once the member has read it: a first visit moves their read mark, the second
    shows the page as read and keeps it, the third is served from the cache."""
    page(client, url)
    page(client, url)
    return page(client, url)


def first_post(thread):
    return thread.posts.get(number=1)


def main(html: str) -> str:
    return html.split('<main id="main"')[1].split("</main>")[0]


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', main(html)).group(1)


def test_a_page_read_before_is_served_from_the_cache(reader, thread):
    settled(reader, thread.get_absolute_url())
    with recorded_queries() as captured:
        html = page(reader, thread.get_absolute_url())
    assert "tomato" in html
    assert not [sql for sql in captured if "forum_post" in sql.split(" WHERE ")[0]]


def test_the_kept_page_holds_no_token_and_each_session_gets_its_own_that_works(
    member, reader, thread
):
    html = settled(reader, thread.get_absolute_url())
    other_session = Client(enforce_csrf_checks=True)
    other_session.force_login(member)
    other_html = page(other_session, thread.get_absolute_url())
    assert page_cache._placeholder() not in html + other_html
    assert csrf_token(html) != csrf_token(other_html)
    response = other_session.post(
        f"/t/{thread.pk}/watch/",
        {"level": "watching", "csrfmiddlewaretoken": csrf_token(other_html)},
    )
    assert response.status_code == 302


def test_two_members_never_share_a_page(reader, thread):
    settled(reader, thread.get_absolute_url())
    someone = Client()
    someone.force_login(MemberFactory(username="zoe"))
    html = page(someone, thread.get_absolute_url())
    assert "zoe" in html and "alice" not in html


def test_a_reply_shows_on_the_thread_the_category_and_the_index(reader, thread, category):
    for url in (thread.get_absolute_url(), category.get_absolute_url(), "/"):
        assert "Basile" not in settled(reader, url)
    make_reply(thread, author=MemberFactory(display_name="Basile"), source="I have **basil**.")
    assert "basil" in page(reader, thread.get_absolute_url())
    assert "Basile" in page(reader, category.get_absolute_url())
    assert "Basile" in page(reader, "/")


def test_reading_a_thread_clears_its_unread_count_in_the_lists(reader, thread, category):
    page(reader, thread.get_absolute_url())
    make_reply(thread, source="News since.")
    assert "1 unread" in settled(reader, category.get_absolute_url())
    page(reader, thread.get_absolute_url())
    assert "1 unread" not in page(reader, category.get_absolute_url())


def test_the_first_unread_post_is_marked_once_then_no_more(reader, thread):
    page(reader, thread.get_absolute_url())
    make_reply(thread, source="News since.")
    assert "New since your last visit" in page(reader, thread.get_absolute_url())
    assert "New since your last visit" not in page(reader, thread.get_absolute_url())
    assert "New since your last visit" not in page(reader, thread.get_absolute_url())


def test_a_thanks_shows_on_the_next_page(reader, thread):
    html = settled(reader, thread.get_absolute_url())
    assert 'aria-pressed="true"' not in html
    response = reader.post(
        f"/p/{first_post(thread).pk}/thanks/", {"csrfmiddlewaretoken": csrf_token(html)}
    )
    assert response.status_code == 302
    assert 'aria-pressed="true"' in page(reader, thread.get_absolute_url())


def test_watching_a_thread_shows_in_its_form(reader, thread):
    html = settled(reader, thread.get_absolute_url())
    assert '<option value="watching" selected>' not in html
    response = reader.post(
        f"/t/{thread.pk}/watch/", {"level": "watching", "csrfmiddlewaretoken": csrf_token(html)}
    )
    assert response.status_code == 302
    assert '<option value="watching" selected>' in page(reader, thread.get_absolute_url())


def test_watching_a_category_shows_in_its_form(reader, category, thread):
    html = settled(reader, category.get_absolute_url())
    assert '<option value="watching" selected>' not in html
    response = reader.post(
        f"/c/{category.slug}/watch/",
        {"level": "watching", "csrfmiddlewaretoken": csrf_token(html)},
    )
    assert response.status_code == 302
    assert '<option value="watching" selected>' in page(reader, category.get_absolute_url())


def test_a_new_notification_shows_in_the_bell(reader, member, thread):
    settled(reader, thread.get_absolute_url())
    notifications.notify(
        kind=Kind.MENTION,
        recipients=[member.pk],
        actor=None,
        event_key="test:mention",
        title="You were mentioned",
        url=thread.get_absolute_url(),
    )
    assert "bell--unread" in page(reader, thread.get_absolute_url())


def test_accepting_the_charter_opens_the_reply_box(reader, member, thread):
    charter_in_force()
    member.refresh_from_db()
    assert "Accept the charter to reply" in settled(reader, thread.get_absolute_url())
    charter.accept_charter(member=member, version=current_version())
    html = page(reader, thread.get_absolute_url())
    assert "Accept the charter to reply" not in html
    assert 'id="reply-form"' in html


@pytest.fixture
def charter_accepted(member):
    charter_in_force()
    charter.accept_charter(member=member, version=current_version())


def test_a_signal_shows_to_its_signaller_and_its_case_to_moderators(
    charter_accepted, reader, member, moderator, thread
):
    moderators = Client()
    moderators.force_login(moderator)
    charter.accept_charter(member=moderator, version=current_version())
    settled(reader, thread.get_absolute_url())
    settled(moderators, thread.get_absolute_url())
    signal(first_post(thread), member)
    case = Case.objects.get(post=first_post(thread))
    assert 'action--done">Signalled' in page(reader, thread.get_absolute_url())
    assert f"/moderation/cases/{case.pk}/" in page(moderators, thread.get_absolute_url())


def test_a_decision_that_hides_a_post_shows(charter_accepted, reader, moderator, thread):
    reply = make_reply(thread, source="Buy my seeds at example.com")
    settled(reader, thread.get_absolute_url())
    uphold(signal(reply).case, moderator)
    assert "Buy my seeds" not in page(reader, thread.get_absolute_url())


def test_a_suspension_shows_and_so_does_its_end(charter_accepted, reader, member, thread):
    assert 'id="reply-form"' in settled(reader, thread.get_absolute_url())
    members.set_standing(
        member=member, suspended_until=timezone.now() + timedelta(seconds=1), banned_at=None
    )
    assert "You are suspended until" in page(reader, thread.get_absolute_url())
    member.refresh_from_db()
    later = timezone.now() + timedelta(seconds=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert 'id="reply-form"' in page(reader, thread.get_absolute_url())


def test_a_language_chosen_shows_at_once(reader, member, thread):
    settled(reader, thread.get_absolute_url())
    member.language = "fr"
    member.save()
    assert "Répondre" in page(reader, thread.get_absolute_url())


def test_a_post_by_the_member_shows_them_as_its_author(reader, member, thread):
    settled(reader, thread.get_absolute_url())
    services.reply(author=member, thread=thread, source="My own **thyme**.")
    html = page(reader, thread.get_absolute_url())
    assert "thyme" in html and "Edit" in html
