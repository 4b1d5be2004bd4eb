"""What a screen reader and forced colours make of the pages: every group of choices is named,
no two landmarks of one role share a name, a charter diff says which words are added and which
removed in words, and content in the other language carries its `lang`."""

import re

import pytest
from playwright.sync_api import Page, expect

from notifications import selectors as notifications
from tests.browser.steps import signed_in
from tests.builders.charter import charter_in_force, ratify_amendment, reword
from tests.builders.forum import CategoryFactory, make_reply, make_thread
from tests.builders.members import MemberFactory

NEW_WORDS = "Posts stay on the topic of their thread."


def landmarks(page: Page, role: str) -> list[str]:
    """The accessible names of the page's landmarks of `role`, as the accessibility tree has
    them ("" for an unnamed one)."""
    tree = page.locator("body").aria_snapshot()
    # A landmark's line: `- search:` or `- navigation "Pages, top":` (not `- searchbox`).
    return re.findall(rf'^\s*- {role}(?: "([^"]*)")?(?=:|$)', tree, flags=re.M)


def test_each_email_choice_is_a_group_named_by_its_kind(new_page):
    member = MemberFactory(is_moderator=True)
    page = signed_in(new_page, member)
    page.goto("/notifications/settings/")
    kinds = notifications.kinds_offered(member)
    for kind in kinds:
        # Named by its legend, with or without Django's colon.
        group = page.get_by_role("group", name=re.compile(rf"^{re.escape(str(kind.label))}:?$"))
        expect(group).to_have_count(1)
        expect(group.get_by_role("radio")).to_have_count(3)
    # No choice is left outside a named group.
    expect(page.locator("main").get_by_role("radio")).to_have_count(3 * len(kinds))


@pytest.fixture
def amended(db):
    version = charter_in_force()
    return ratify_amendment(version, [reword(version, 2, NEW_WORDS)])


def test_a_charter_diff_says_in_words_which_words_are_added_and_removed(page, amended):
    page.goto("/charter/diff/?old=1&new=2")
    changed = page.locator(".diff-article--changed .diff-article__body")
    tree = changed.aria_snapshot()
    assert "[removed] subject [end removed]" in tree and "[added] topic [end added]" in tree
    # Seen, the words are as before: the spoken markers take no room, and no bracket is drawn.
    for marker in changed.locator(".visually-hidden").all():
        assert marker.bounding_box()["width"] <= 1
    assert changed.locator("ins").evaluate("e => getComputedStyle(e, '::before').content") == (
        "none"
    )


def test_a_charter_diff_keeps_a_visible_cue_in_forced_colours(new_page, amended):
    page = new_page(forced_colors="active")
    page.goto("/charter/diff/?old=1&new=2")
    changed = page.locator(".diff-article--changed .diff-article__body")
    added, removed = changed.locator("ins"), changed.locator("del")

    def drawn(element, pseudo: str) -> str:
        return element.evaluate(f"e => getComputedStyle(e, '::{pseudo}').content")

    minus = "\u2212"  # a minus sign, wider than a hyphen
    assert (drawn(added, "before"), drawn(added, "after")) == ('"[+" / ""', '"+]" / ""')
    assert (drawn(removed, "before"), drawn(removed, "after")) == (
        f'"[{minus}" / ""',
        f'"{minus}]" / ""',
    )
    decoration = "e => getComputedStyle(e).textDecorationLine"
    assert (added.evaluate(decoration), removed.evaluate(decoration)) == (
        "underline",
        "line-through",
    )
    # The brackets are drawn, not spoken twice: the accessible text keeps the words only.
    assert "[+" not in changed.aria_snapshot()


def test_the_two_page_navigations_of_a_thread_have_different_names(page, settings):
    settings.POSTS_PER_PAGE = 2
    thread = make_thread(replies=3)
    page.goto(thread.get_absolute_url())
    navigations = landmarks(page, "navigation")
    assert "Pages, top" in navigations and "Pages, bottom" in navigations
    assert len(navigations) == len(set(navigations)), navigations


def test_the_search_page_tells_its_two_search_forms_apart(page):
    make_thread(title="Seed swap in spring")
    page.goto("/search/?q=seed")
    searches = landmarks(page, "search")
    assert len(searches) == 2 and len(set(searches)) == 2, searches
    expect(page.get_by_role("search", name="Search", exact=True)).to_be_visible()


def test_a_french_post_on_an_english_page_is_read_in_french(page):
    category = CategoryFactory()
    thread = make_thread(
        category=category, author=MemberFactory(language="fr"), title="Troc de graines"
    )
    make_reply(thread, author=MemberFactory(language="en"), source="Count me in.")
    page.goto(thread.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "fr")
    french = page.locator(".post__body").filter(has_text="The opening post.")
    expect(french).to_have_attribute("lang", "fr")
    expect(page.locator(".post__body").filter(has_text="Count me in.")).to_have_attribute(
        "lang", "en"
    )
