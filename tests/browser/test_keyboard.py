"""A member who uses only the keyboard, at 1280 px and on a 390 px phone: from the index she signs
in, opens a thread from its category, replies, and signals an earlier post to the moderators
citing article 2, with Tab (and Shift+Tab back up the thread), Enter, Space and typing alone.

After every key press the focused element must be where she can see it (WCAG 2.4.7, and 2.4.11
of WCAG 2.2): inside the viewport, not under the sticky header, and on top where it is drawn
(`elementFromPoint` at its centre is the element or inside it).

The walk Tabs until the element it wants is focused, within a bound, rather than counting stops:
the header and the forms may gain or lose a stop without changing what a keyboard user can do.
Elements are found by their address or their form field, so the walk does not depend on
wording either.
"""

import pytest
from playwright.sync_api import Page, expect

from forum import services as forum
from moderation.models import Signal
from tests.builders.charter import article, charter_in_force
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import PASSWORD, MemberFactory

VIEWPORTS = {
    "1280px": {"width": 1280, "height": 800},
    "390px": {"width": 390, "height": 844},
}
# More stops than any page of this walk has between two of its steps.
MOST_PRESSES = 120
REPLY = "I can lend you mine on Saturday morning."
# The page's header (its banner): a header that is not an article's, a section's, and so on.
BANNER = "header:not(:is(article, aside, main, nav, section) header)"

# Where the focused element is, and what hides it: None when nothing is focused (the page
# itself, after a navigation) or when it can be seen, otherwise what is wrong.
FOCUS_PROBLEM = """async banner => {
    // Look once the page has scrolled to what takes the focus and the reduced-motion
    // stylesheet's 0.01 ms transitions (the skip link hiding) have ended: on a busy machine
    // they may take frames (a second at most, in case one never ends).
    const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
    await frame();
    const ended = document.getAnimations().map(a => a.finished.catch(() => null));
    await Promise.race([Promise.all(ended), new Promise(resolve => setTimeout(resolve, 1000))]);
    await frame();
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const box = el.getBoundingClientRect();
    const at = (x, y) => Math.round(x) + "," + Math.round(y);
    // A point shows the element if the element, a child, or the label of a checkbox is drawn there.
    const shows = hit => hit !== null
        && (hit === el || el.contains(hit) || hit.closest("label")?.control === el);
    const problems = [];
    if (box.width === 0 || box.height === 0) problems.push("it has no size");
    // Its top edge and its centre on screen, its width whole. A text area taking the focus is
    // scrolled only as far as its caret, on its first line: there, its first line stands for
    // its centre, and its bottom edge may be below the fold.
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    const textArea = el.matches("textarea");
    const probe = textArea ? box.top + parseFloat(style.paddingTop) + line / 2
        : box.top + box.height / 2;
    const inside = box.top >= -1 && box.left >= -1 && box.right <= innerWidth + 1
        && probe <= innerHeight;
    if (!inside) {
        problems.push(`it is outside the ${innerWidth}x${innerHeight} viewport: `
            + `from ${at(box.left, box.top)} to ${at(box.right, box.bottom)}`);
    }
    const header = document.querySelector(banner);
    if (header === null) problems.push("the page has no header to compare with");
    else if (!header.contains(el)) {
        const bottom = header.getBoundingClientRect().bottom;
        const edge = document.elementFromPoint(box.left + box.width / 2, Math.max(box.top, 0) + 1);
        if (box.top < bottom - 1 && !shows(edge)) {
            problems.push(`its top (${Math.round(box.top)}) is under the header `
                + `(its bottom at ${Math.round(bottom)})`);
        }
    }
    const centre = document.elementFromPoint(box.left + box.width / 2, probe);
    if (!shows(centre)) {
        const where = textArea ? "its first line" : "its centre";
        problems.push(`${where} shows ${centre ? centre.outerHTML.slice(0, 100) : "nothing"}`);
    }
    return problems.length ? `${el.outerHTML.slice(0, 160)}: ${problems.join("; ")}` : null;
}"""


class Keyboard:
    """The member's keys, each followed by a look at where the focus is."""

    def __init__(self, page: Page):
        self.page = page
        self.problems: list[str] = []

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.look(key)

    def follow(self) -> None:
        """Enter on a link or a submit button: the next page is loaded before the look."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.look("Enter")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.look(f"typing {text!r}")

    def look(self, after: str) -> None:
        problem = self.page.evaluate(FOCUS_PROBLEM, BANNER)
        if problem is not None:
            self.problems.append(f"{self.page.url}, after {after}: {problem}")

    def focused(self, selector: str) -> bool:
        return self.page.evaluate(
            "selector => document.activeElement?.matches(selector) ?? false", selector
        )

    def tab_to(self, selector: str, *, backwards: bool = False) -> None:
        """Tab (Shift+Tab backwards) until the element matching `selector` has the focus."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(MOST_PRESSES):
            if self.focused(selector):
                return
            self.press(key)
        pytest.fail(f"{MOST_PRESSES} presses of {key} on {self.page.url} never reached {selector}")

    def tab_to_in_header(self, selector: str) -> None:
        """Tab to a link of the header; on a phone whose header folds its links into a menu,
        open the menu first (its button, with Enter)."""
        if not self.page.locator(selector).is_visible():
            self.tab_to(f"{BANNER} :is(button[aria-expanded='false'], summary)")
            self.press("Enter")
        self.tab_to(selector)


@pytest.fixture
def thread_and_members():
    """A charter in force, and a thread of ten posts, the third of them an advert: long enough
    that the reply box and the advert are out of sight from the top of the thread."""
    charter = charter_in_force()
    member = MemberFactory(username="amina", display_name="Amina Diallo")
    asker = MemberFactory(username="bruno", display_name="Bruno Petit")
    advertiser = MemberFactory(username="chloe", display_name="Chloé Martin")
    thread = make_thread(
        category=CategoryFactory(name="Gardens", slug="gardens"),
        author=asker,
        title="Who has a ladder?",
        source="Mine broke last week. Could someone lend me one for the pear tree?",
        replies=1,
    )
    advert = forum.reply(author=advertiser, thread=thread, source="Buy my miracle fertiliser!")
    for n in range(7):
        forum.reply(author=asker, thread=thread, source=f"Still looking ({n + 1}).\n\n" * 3)
    return member, thread, advert, article(charter, 2)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_sign_in_reply_and_signal_with_the_keyboard_alone(new_page, thread_and_members, viewport):
    member, thread, advert, article_2 = thread_and_members
    # Reduced motion: the page jumps to what takes the focus, where its smooth scroll (html's
    # scroll-behavior) would glide, to the same place, while the test looks.
    page = new_page(viewport=VIEWPORTS[viewport], reduced_motion="reduce")
    keys = Keyboard(page)
    page.goto("/")

    # Sign in from the index: the header's link, then the form, typed.
    keys.tab_to_in_header(f"{BANNER} a[href^='/accounts/login/']")
    keys.follow()
    expect(page.locator("input[name=login]")).to_be_visible()
    keys.tab_to("input[name=login]")
    keys.type(member.username)
    keys.tab_to("input[name=password]")
    keys.type(PASSWORD)
    keys.tab_to("form:has(input[name=password]) [type=submit]")
    keys.follow()
    expect(page.locator("form[action='/accounts/logout/']")).to_have_count(1)
    assert page.url.endswith("/"), page.url

    # Open the thread's category from the index, then the thread.
    keys.tab_to(f"main a[href='{thread.category.get_absolute_url()}']")
    keys.follow()
    keys.tab_to(f"main a[href^='{thread.get_absolute_url()}']")
    keys.follow()
    expect(page.locator("h1")).to_have_text(thread.title)

    # Reply at the foot of the thread.
    keys.tab_to("#reply-form textarea[name=source]")
    keys.type(REPLY)
    keys.tab_to("#reply-form button[type=submit]:not([name=preview]):not([name=attach])")
    keys.follow()
    expect(page.get_by_text(REPLY)).to_be_visible()
    assert thread.posts.filter(author=member, source=REPLY).exists()

    # Back up the thread to the advert, and signal it citing article 2.
    keys.tab_to(f"#signal-action-{advert.pk}", backwards=True)
    keys.press("Enter")
    checkbox = f"#signal-{advert.pk} input[name=articles][value='{article_2.pk}']"
    expect(page.locator(checkbox)).to_be_visible()
    keys.tab_to(checkbox)
    keys.press("Space")
    expect(page.locator(checkbox)).to_be_checked()
    keys.tab_to(f"#signal-{advert.pk} .signal-form [type=submit]")
    keys.press("Enter")
    expect(page.locator(f"#signal-{advert.pk}").get_by_role("status")).to_contain_text(
        "Your signal was received."
    )
    signal = Signal.objects.get(post=advert, signaller=member)
    assert list(signal.articles.all()) == [article_2]

    assert not keys.problems, "the focused element could not be seen:\n" + "\n".join(keys.problems)
