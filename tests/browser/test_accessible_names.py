"""What a screen reader and forced colours make of the pages: every group of choices is named."""

import re

from playwright.sync_api import expect

from notifications import selectors as notifications
from tests.browser.steps import signed_in
from tests.builders.members import MemberFactory


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
