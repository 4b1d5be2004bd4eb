"""What a signed-in member is shown stays between them and the site: no proxy or disk cache
keeps it. Visitors' pages keep the caching they had."""

import pytest

from tests.builders.members import password_confirmed

pytestmark = pytest.mark.django_db

MEMBERS_PAGES = {
    "index": lambda thread: "/",
    "category": lambda thread: thread.category.get_absolute_url(),
    "thread": lambda thread: thread.get_absolute_url(),
    "notifications": lambda thread: "/notifications/",
    "settings": lambda thread: "/me/settings/",
}


@pytest.mark.parametrize("page", MEMBERS_PAGES)
def test_a_signed_in_members_pages_are_private_and_not_stored(member_client, thread, page):
    response = member_client.get(MEMBERS_PAGES[page](thread))
    assert response.status_code == 200
    directives = {directive.strip() for directive in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "Cookie" in response["Vary"]


def test_a_view_that_sets_its_own_cache_control_keeps_it(member):
    # The data export uses never_cache, whose header says more than no-store.
    response = password_confirmed(member).get("/me/data/export.zip")
    assert response.status_code == 200
    assert "must-revalidate" in response["Cache-Control"]


def test_a_visitors_index_sends_no_cache_control_as_before(visitor_client, thread):
    # Visitors' pages are cached on the server (forum.page_cache), not by a header.
    response = visitor_client.get("/")
    assert response.status_code == 200
    assert not response.has_header("Cache-Control")
