"""A member chooses a picture in their settings, in a real browser, and sees it where their name
is: beside their post, on their profile and in the header, as round and as large as the initial
it replaces."""

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.steps import message, signed_in
from tests.builders import files
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory


def loaded(page: Page, image: Locator) -> None:
    """`image` is shown: the browser fetched and decoded it."""
    expect(image).to_be_visible()
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=image.element_handle()
    )


def test_a_member_chooses_a_picture_and_sees_it_beside_their_post(new_page):
    member = MemberFactory(username="claire", display_name="Claire Dubois")
    thread = make_thread(category=CategoryFactory(), author=member, title="Seed swap")
    page = signed_in(new_page, member)
    page.goto(thread.get_absolute_url())
    expect(page.locator("#post-1 .post__author .avatar")).to_have_text("C")
    letter_size = page.locator("#post-1 .post__author .avatar").bounding_box()

    page.goto("/me/settings/")
    page.get_by_label("New picture").set_input_files(
        files={"name": "garden.jpg", "mimeType": "image/jpeg", "buffer": files.photo_with_gps()}
    )
    page.get_by_role("button", name="Upload the picture").click()
    expect(message(page, "Your new picture is saved.")).to_be_visible()
    loaded(page, page.locator(".avatar-settings img.avatar"))

    page.goto(thread.get_absolute_url())
    picture = page.locator("#post-1 .post__author img.avatar")
    loaded(page, picture)
    expect(picture).to_have_attribute("src", re.compile(r"^/avatars/\d+/\w+-48\.webp$"))
    size = picture.bounding_box()
    assert (size["width"], size["height"]) == (letter_size["width"], letter_size["height"])
    # Its name is the member's, once: the picture adds nothing to it.
    expect(page.locator("#post-1 .post__author")).to_have_accessible_name("Claire Dubois")
    loaded(page, page.locator(".site-nav__me img.avatar"))

    page.goto(f"/m/{member.username}/")
    loaded(page, page.locator(".profile img.avatar--large"))
