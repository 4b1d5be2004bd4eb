"""The way in, as a newcomer and a returning member meet it: each page starts at its first
field, so the keyboard begins where the page is for, and each door leads to the others."""

import re

from playwright.sync_api import Page, expect

from tests.builders.members import PASSWORD, MemberFactory


def test_the_sign_in_page_starts_at_the_login_field(page: Page):
    MemberFactory(username="alice")
    page.goto("/accounts/login/")
    expect(page.locator("input[name=login]")).to_be_focused()
    # The keyboard alone then signs in: type, Tab, type, Enter.
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator(".site-nav__me")).to_be_visible()


def test_the_sign_up_page_starts_at_its_first_field(page: Page):
    page.goto("/accounts/signup/")
    expect(page.locator("input[name=email]")).to_be_focused()


def test_sign_in_sign_up_and_the_password_reset_lead_to_each_other(page: Page):
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Palabre")
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Palabre")
    page.locator("main").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten your password?")
    expect(page.locator("input[name=email]")).to_be_focused()
    page.locator("main").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_the_sign_in_form_reads_as_palabres_own(page: Page):
    page.goto("/accounts/login/")
    form = page.locator("main form")
    expect(form.get_by_label("Username or email")).to_be_visible()
    expect(form.get_by_label("Password")).to_be_visible()
    expect(form.get_by_label("Keep me signed in on this device")).not_to_be_checked()
    expect(page.locator("main")).not_to_contain_text(re.compile("Login:|Remember Me|Sign In"))
