"""Visitors' pages and search results come from the cache, and are never stale: every
change a visitor could see gives the page a new key (forum.page_cache)."""

import pytest
from django.core.cache import cache

from forum import services
from members import services as members
from tests.builders.forum import CategoryFactory, make_reply, make_thread
from tests.builders.members import MemberFactory
from tests.query_budget import recorded_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(category):
    return make_thread(
        category=category,
        author=MemberFactory(display_name="Aline"),
        title="Seeds to swap",
        source="I have **tomato** seeds.",
    )


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def seen_twice(client, url: str) -> str:
    """The page as a visitor sees it, after a first visit has put it in the cache."""
    page(client, url)
    return page(client, url)


def test_a_second_visitor_is_served_from_the_cache(visitor_client, thread):
    page(visitor_client, thread.get_absolute_url())
    with recorded_queries() as captured:
        html = page(visitor_client, thread.get_absolute_url())
    assert "tomato" in html
    assert len(captured) == 1  # the thread's row, which the key is made of


def test_the_cached_part_holds_no_visitor_token(visitor_client, thread):
    """The footer's form carries each visitor's own CSRF token; the cached part never does."""
    first, second = page(visitor_client, thread.get_absolute_url()), None
    other_visitor = type(visitor_client)()
    second = page(other_visitor, thread.get_absolute_url())
    main = [html.split('<main id="main"')[1].split("</main>")[0] for html in (first, second)]
    assert main[0] == main[1]
    assert "csrfmiddlewaretoken" not in main[0]


def test_a_reply_shows_on_the_thread_its_category_and_the_index(visitor_client, thread, category):
    for url in (thread.get_absolute_url(), category.get_absolute_url(), "/"):
        assert "2 posts" not in seen_twice(visitor_client, url)
    make_reply(thread, source="And I have **basil**.")
    assert "basil" in page(visitor_client, thread.get_absolute_url())
    assert "2 posts" in page(visitor_client, category.get_absolute_url())
    assert "<dd>2</dd>" in page(visitor_client, "/")


def test_an_edit_shows(visitor_client, thread):
    seen_twice(visitor_client, thread.get_absolute_url())
    first = thread.posts.get(number=1)
    services.edit_post(editor=first.author, post=first, source="I have **pepper** seeds.")
    html = page(visitor_client, thread.get_absolute_url())
    assert "pepper" in html and "tomato" not in html


def test_a_deletion_shows(visitor_client, thread):
    reply = make_reply(thread, source="A regrettable reply.")
    seen_twice(visitor_client, thread.get_absolute_url())
    services.delete_post(member=reply.author, post=reply)
    html = page(visitor_client, thread.get_absolute_url())
    assert "regrettable" not in html
    assert "This post was deleted by its author." in html


def test_a_post_held_for_review_shows_as_held(visitor_client, thread):
    reply = make_reply(thread, source="Buy my fertiliser.")
    seen_twice(visitor_client, thread.get_absolute_url())
    services.hold_for_review(post=reply)
    assert "This post is hidden while the moderators review it." in page(
        visitor_client, thread.get_absolute_url()
    )


def test_thanks_show_in_the_count(visitor_client, thread):
    first = thread.posts.get(number=1)
    seen_twice(visitor_client, thread.get_absolute_url())
    services.thank(member=MemberFactory(), post=first)
    assert "1 thank-you" in page(visitor_client, thread.get_absolute_url())


def test_an_author_who_changes_name_is_shown_by_the_new_name(visitor_client, thread, category):
    for url in (thread.get_absolute_url(), category.get_absolute_url()):
        assert "Aline" in seen_twice(visitor_client, url)
    members.update_profile(member=thread.author, display_name="Aline B.")
    for url in (thread.get_absolute_url(), category.get_absolute_url()):
        assert "Aline B." in page(visitor_client, url)


def test_a_new_moderator_shows_with_the_badge(visitor_client, thread, admin_client):
    assert 'badge">Moderator' not in seen_twice(visitor_client, thread.get_absolute_url())
    author = thread.author
    response = admin_client.post(
        f"/admin/members/member/{author.pk}/account/",
        {"change": "give:moderator", "rationale": "Volunteered at the meeting."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert 'class="badge">Moderator' in page(visitor_client, thread.get_absolute_url())


def test_a_deleted_account_is_shown_as_deleted(visitor_client, thread, category):
    assert "Aline" in seen_twice(visitor_client, thread.get_absolute_url())
    members.delete_account(member=thread.author, remove_posts=False)
    html = page(visitor_client, thread.get_absolute_url())
    assert "Aline" not in html
    assert "deleted member" in html


def test_a_renamed_or_locked_thread_shows_it(visitor_client, thread, category):
    seen_twice(visitor_client, category.get_absolute_url())
    seen_twice(visitor_client, thread.get_absolute_url())
    services.update_thread(thread=thread, title="Seeds to give away", pinned=False, locked=True)
    assert "Seeds to give away" in page(visitor_client, category.get_absolute_url())
    assert "This thread is locked" not in page(visitor_client, thread.get_absolute_url())
    assert "Locked" in page(visitor_client, thread.get_absolute_url())


def test_a_category_renamed_in_the_admin_shows(visitor_client, thread, category):
    seen_twice(visitor_client, "/")
    seen_twice(visitor_client, thread.get_absolute_url())
    category.name = "Allotments"
    category.save()
    assert "Allotments" in page(visitor_client, "/")
    assert "Allotments" in page(visitor_client, thread.get_absolute_url())


def test_each_language_has_its_own_page(visitor_client, thread):
    assert "Sign in to reply." in seen_twice(visitor_client, thread.get_absolute_url())
    visitor_client.cookies["django_language"] = "fr"
    assert "Sign in to reply." not in page(visitor_client, thread.get_absolute_url())


def test_a_page_past_the_last_is_not_found_even_when_others_are_cached(visitor_client, thread):
    seen_twice(visitor_client, thread.get_absolute_url())
    assert visitor_client.get(f"{thread.get_absolute_url()}?page=2").status_code == 404


def test_a_category_closed_to_visitors_stays_closed(visitor_client, thread, category):
    seen_twice(visitor_client, thread.get_absolute_url())
    category.read_restricted = True
    category.save()
    assert visitor_client.get(thread.get_absolute_url()).status_code == 404
    assert "Seeds to swap" not in page(visitor_client, "/")


def test_members_pages_are_not_taken_from_the_visitors_cache(visitor_client, member_client, thread):
    seen_twice(visitor_client, thread.get_absolute_url())
    html = page(member_client, thread.get_absolute_url())
    assert "Sign in to reply." not in html
    assert 'id="reply-form"' in html


def test_a_cache_that_lost_everything_renders_again(visitor_client, thread):
    seen_twice(visitor_client, thread.get_absolute_url())
    cache.clear()
    assert "tomato" in page(visitor_client, thread.get_absolute_url())


def test_the_sign_in_link_returns_to_the_page_read(visitor_client, category):
    thread = make_thread(category=category, replies=25)
    html = page(visitor_client, f"{thread.get_absolute_url()}?page=2&utm=x")
    assert f'?next={thread.get_absolute_url()}%3Fpage%3D2"' in html


def test_categories_change_the_index(visitor_client, thread):
    seen_twice(visitor_client, "/")
    CategoryFactory(name="Orchards")
    assert "Orchards" in page(visitor_client, "/")


def search(client, words: str) -> str:
    return page(client, f"/search/?q={words}")


@pytest.mark.both_databases  # PostgreSQL searches its own way (forum.selectors)
def test_a_new_post_is_found_by_a_search_made_before(visitor_client, member_client, thread):
    assert "Nothing matches" in search(visitor_client, "zucchini")
    assert "Nothing matches" in search(member_client, "zucchini")
    make_reply(thread, source="Zucchini grow too well.")
    assert "grow too well." in search(visitor_client, "zucchini")
    assert "grow too well." in search(member_client, "zucchini")


def test_a_hidden_post_leaves_the_results_at_once(visitor_client, thread):
    reply = make_reply(thread, source="Zucchini for sale, cheap.")
    assert "for sale, cheap." in search(visitor_client, "zucchini")
    services.hide_post(post=reply)
    assert "for sale, cheap." not in search(visitor_client, "zucchini")


def test_results_from_a_category_closed_to_members_are_not_shared_with_them(
    member_client, moderator_client, moderator
):
    closed = CategoryFactory(read_restricted=True)
    make_thread(category=closed, author=moderator, source="Zucchini for moderators only.")
    assert "moderators only" in search(moderator_client, "zucchini")
    assert "moderators only" not in search(member_client, "zucchini")


@pytest.mark.both_databases  # PostgreSQL searches its own way (forum.selectors)
def test_a_repeated_search_is_served_from_the_cache(visitor_client, thread):
    search(visitor_client, "tomato")
    with recorded_queries() as captured:
        assert "tomato" in search(visitor_client, "tomato")
    assert len(captured) == 1  # the categories the key is made of
