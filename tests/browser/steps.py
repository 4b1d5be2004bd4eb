"""What members do in the browser, step by step, shared by the journeys: sign in, start a thread,
reply, read a flash message, and tell whether a page was reloaded."""

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from forum.models import Category, Thread
from members.models import Member
from tests.builders.members import PASSWORD


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form").get_by_role("button", name=re.compile("sign in", re.I)).click()
    # Attached, not visible: on a phone the member's link is folded into the header's menu.
    expect(page.locator(".site-nav__me")).to_be_attached()


def signed_in(new_page: Callable[..., Page], member: Member) -> Page:
    """A page of its own (its own cookies) where `member` has signed in."""
    page = new_page()
    sign_in(page, member.username)
    return page


def start_thread(page: Page, category: Category, title: str, source: str) -> Thread:
    page.goto(category.get_absolute_url())
    page.get_by_role("link", name="New thread").click()
    expect(page).to_have_url(re.compile(rf"/c/{category.slug}/new/$"))
    page.locator("input[name=title]").fill(title)
    page.locator("textarea[name=source]").fill(source)
    page.get_by_role("button", name="Start the thread").click()
    expect(page).to_have_url(re.compile(r"/t/\d+/$"))
    expect(page.locator("h1")).to_have_text(title)
    thread = Thread.objects.get(title=title)
    assert page.url.endswith(thread.get_absolute_url())
    return thread


def reply_in(page: Page, thread: Thread, source: str) -> None:
    page.goto(thread.get_absolute_url())
    page.locator("#id_source").fill(source)
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(rf"/t/{thread.pk}/#post-\d+$"))


def message(page: Page, text: str) -> Locator:
    """The flash message that says `text` (messages sit in a role=status list)."""
    return page.get_by_role("status").filter(has_text=text)


def remember_this_page(page: Page) -> None:
    """Leave a mark in the page's window, which a reload or another page would not have."""
    page.evaluate("() => { window.rememberedPage = true; }")


def is_the_remembered_page(page: Page) -> bool:
    return page.evaluate("() => window.rememberedPage === true")
