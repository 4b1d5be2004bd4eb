"""What a screen reader and forced colours make of the pages: every group of choices is named,
and a charter diff says which words are added and which removed in words."""

import re

import pytest
from playwright.sync_api import expect

from notifications import selectors as notifications
from tests.browser.steps import signed_in
from tests.builders.charter import charter_in_force, ratify_amendment, reword
from tests.builders.members import MemberFactory

NEW_WORDS = "Posts stay on the topic of their thread."


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
