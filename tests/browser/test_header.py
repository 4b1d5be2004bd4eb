"""The site's header as a member on a phone, a keyboard user and a screen reader meet it: one row
at every width, with a menu that opens by keyboard; a focused element never hidden under the
sticky header; a bell that says its count once; a search that forced colours keep."""

import base64
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from members.models import Member
from notifications import services as notifications
from notifications.models import Kind
from tests.browser.steps import sign_in
from tests.builders.charter import charter_in_force
from tests.builders.forum import make_reply, make_thread
from tests.builders.members import MemberFactory
from tests.builders.moderation import signal

# One row of 40 px controls and its padding: what the header may take at any width.
ONE_ROW = 64
# A phone's screen less the browser's own bars.
PHONE = {"width": 390, "height": 664}
SMALL_PHONE = {"width": 320, "height": 568}
DESKTOP = {"width": 1280, "height": 720}


def persona(name: str, **fields) -> Member | None:
    """A visitor (None), a member, or the longest header: a staff moderator with a long name."""
    if name == "visitor":
        return None
    if name == "staff moderator":
        fields |= {"is_staff": True, "is_moderator": True, "display_name": "Noor Haddad-Villeneuve"}
    return MemberFactory(must_accept_charter=False, **fields)


def page_for(new_page: Callable[..., Page], member: Member | None, **options) -> Page:
    page = new_page(**options)
    if member is not None:
        viewport = page.viewport_size
        page.set_viewport_size(DESKTOP)  # the sign-in step checks the header's member link
        sign_in(page, member.username)
        page.set_viewport_size(viewport)
    return page


def header_bottom(page: Page) -> float:
    box = page.locator(".site-header").bounding_box()
    return box["y"] + box["height"]


@pytest.mark.parametrize("viewport", [PHONE, SMALL_PHONE, DESKTOP], ids=["390", "320", "1280"])
@pytest.mark.parametrize("who", ["visitor", "member", "staff moderator"])
def test_the_header_takes_one_row(new_page, who, viewport):
    page = page_for(new_page, persona(who), viewport=viewport)
    page.goto("/")
    assert page.locator(".site-header").bounding_box()["height"] <= ONE_ROW
    # Every control of the row is in the screen, none pushed past its edge.
    for control in page.locator(".site-header__inner > *").all():
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def test_the_longest_header_in_french_takes_one_row_on_a_desktop(new_page):
    page = page_for(new_page, persona("staff moderator", language="fr"), viewport=DESKTOP)
    page.goto("/")
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert page.locator(".site-header").bounding_box()["height"] <= ONE_ROW


def test_the_phone_menu_opens_by_keyboard_and_holds_every_link(new_page):
    page = page_for(new_page, persona("staff moderator"), viewport=PHONE)
    page.goto("/")
    menu = page.locator(".site-menu > summary")
    links = ["Charter", "Journal", "Queue", "Noor Haddad-Villeneuve", "Settings", "Admin"]
    for name in links:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_hidden()

    while not menu.evaluate("element => element === document.activeElement"):
        page.keyboard.press("Tab")
    assert expanded(page, "Menu") is False
    page.keyboard.press("Enter")
    assert expanded(page, "Menu") is True

    # Tab walks the menu's links in order, each in the screen.
    for name in [*links, "Sign out"]:
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        expect(focused).to_have_accessible_name(name)
        expect(focused).to_be_in_viewport()

    # Escape closes it and gives the focus back to its button.
    page.keyboard.press("Escape")
    assert expanded(page, "Menu") is False
    expect(menu).to_be_focused()
    expect(page.get_by_role("link", name="Settings")).to_be_hidden()

    # Leaving it by Tab closes it too: no link left lying over the page.
    page.keyboard.press("Enter")
    for _ in range(len(links) + 2):
        page.keyboard.press("Tab")
    assert expanded(page, "Menu") is False


def test_the_phone_menu_works_without_javascript(new_page):
    page = page_for(new_page, persona("member"), viewport=PHONE, java_script_enabled=False)
    page.goto("/")
    page.locator(".site-menu > summary").click()
    page.get_by_role("link", name="Journal", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("journal")


def expanded(page: Page, name: str) -> bool | None:
    """Whether the browser tells screen readers that the control named `name` is expanded: read
    in Chromium's own accessibility tree, what assistive technology is given."""
    cdp = page.context.new_cdp_session(page)
    document = cdp.send("DOM.getDocument")["root"]["nodeId"]
    query = {"nodeId": document, "accessibleName": name}
    nodes = cdp.send("Accessibility.queryAXTree", query)["nodes"]
    text = ("StaticText", "InlineTextBox")
    [node] = [node for node in nodes if node["role"]["value"] not in text]
    states = {p["name"]: p["value"]["value"] for p in node.get("properties", [])}
    return states.get("expanded")


def test_the_first_moderation_case_starts_in_a_phones_first_screen(new_page):
    charter_in_force()
    signal(make_reply(make_thread(), source="Buy my miracle fertiliser!"))
    page = page_for(new_page, persona("staff moderator"), viewport=PHONE)
    page.goto("/moderation/queue/")
    title = page.locator(".case-row .thread-row__title").first.bounding_box()
    assert title["y"] + title["height"] <= PHONE["height"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_no_focused_element_hides_under_the_header(new_page, viewport):
    member = persona("member")
    thread = make_thread(author=member, title="Who has a ladder?", source="I need one on Sunday.")
    for n in range(4):
        make_reply(thread, author=member, source=f"Still looking, day {n + 1}.")
        make_reply(thread, source=f"Not me, sorry ({n + 1}).")
    page = page_for(new_page, member, viewport=viewport, reduced_motion="reduce")
    page.goto(thread.get_absolute_url())
    for action in ("Edit", "Delete", "Quote"):
        expect(page.get_by_role("link", name=action, exact=True)).not_to_have_count(0)

    forwards = walk(page, "Tab")
    page.keyboard.press("End")
    page.locator(".site-footer a").last.focus()
    backwards = walk(page, "Shift+Tab")
    assert len(forwards) > 40 and len(backwards) > 40
    hidden = [stop for stop in forwards + backwards if stop["hidden"]]
    assert not hidden, "\n".join(f"{s['top']:.0f} {s['element']}" for s in hidden)


def walk(page: Page, key: str) -> list[dict]:
    """Press `key` until the focus has been round the page (or has left it for the browser's
    own controls), noting after each press where the focused element lies: `hidden` if any of
    it is under the header (unless it is the header's own, or the skip link drawn over it), or
    if it is off the screen. A field taller than the room left is seen if its top is."""
    stops = []
    first = None
    for _ in range(200):
        page.keyboard.press(key)
        stop = page.evaluate(
            """async () => {
                // Measured as the next frame shows it, once the focus styles have applied.
                const frame = () => new Promise((done) => requestAnimationFrame(done));
                await frame();
                await frame();
                const element = document.activeElement;
                const box = element.getBoundingClientRect();
                const header = document.querySelector(".site-header").getBoundingClientRect();
                const top = element.closest(".site-header, .skip-link") ? 0 : header.bottom;
                const below = box.bottom > window.innerHeight + 2 && box.height < 150;
                return {
                    element: element.outerHTML.slice(0, 80),
                    inPage: document.hasFocus() && element !== document.body,
                    top: box.top,
                    hidden: box.top < top - 0.5 || box.top >= window.innerHeight || below,
                };
            }"""
        )
        if stop["element"] == first or not stop["inPage"]:
            break
        first = first or stop["element"]
        stops.append(stop)
    return stops


def test_a_link_to_a_post_brings_it_below_the_header(new_page):
    thread = make_thread(replies=8)
    page = new_page(viewport=PHONE, reduced_motion="reduce")
    page.goto(f"{thread.get_absolute_url()}#post-6")
    assert page.locator("#post-6").bounding_box()["y"] >= header_bottom(page)
    page.locator("#post-3 .post__permalink").click()
    assert page.locator("#post-3").bounding_box()["y"] >= header_bottom(page)


def tell(member: Member, count: int) -> None:
    for n in range(count):
        notifications.notify(
            kind=Kind.MENTION,
            recipients=[member.pk],
            actor=None,
            event_key=f"mention-{n}",
            title="Seed swap",
            url="/",
        )


@pytest.mark.parametrize(
    ("unread", "name"),
    [
        (0, "Notifications"),
        (2, "2 unread notifications"),
        (120, "More than 99 unread notifications"),
    ],
)
def test_the_bell_says_its_count_once(new_page, unread, name):
    member = persona("member")
    tell(member, unread)
    page = page_for(new_page, member, viewport=DESKTOP)
    page.goto("/")
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_the_search_keeps_its_magnifier_in_forced_colours(new_page, viewport):
    page = new_page(viewport=viewport, forced_colors="active")
    page.goto("/")
    field = page.get_by_role("searchbox", name="Search the forum")
    box = field.bounding_box()
    # Inside the field's border, where the magnifier is drawn: more than the field's colour.
    inside = {"x": box["x"] + 8, "y": box["y"] + 8, "width": 28, "height": box["height"] - 16}
    assert colours_in(page, page.screenshot(clip=inside)) > 1


def colours_in(page: Page, png: bytes) -> int:
    """How many colours an image has, counted by the browser (on a blank page of its own)."""
    blank = page.context.new_page()
    try:
        return blank.evaluate(
            """async (source) => {
                const image = new Image();
                image.src = source;
                await image.decode();
                const canvas = new OffscreenCanvas(image.width, image.height);
                const context = canvas.getContext("2d");
                context.drawImage(image, 0, 0);
                const data = context.getImageData(0, 0, image.width, image.height).data;
                const colours = new Set();
                for (let i = 0; i < data.length; i += 4) colours.add(data.slice(i, i + 3).join());
                return colours.size;
            }""",
            "data:image/png;base64," + base64.b64encode(png).decode(),
        )
    finally:
        blank.close()
