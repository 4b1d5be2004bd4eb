"""The Content Security Policy, sent and enforced: scripts and styles come from the site's own
static files, never from inline code, so that text which ever slipped through as markup still
could not run or restyle the page; images come from the site alone, so that no other host
learns who reads what.

The header is read on pages of every app; then, in Chromium, code injected into a live page
(an inline script, an event handler attribute, a style attribute, a <style> element) is
refused, and the console reports it, which is what the browser tests' guard listens to. Last,
a page that works through htmx still works under the policy.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.steps import is_the_remembered_page, remember_this_page, sign_in
from tests.builders.charter import found_charter
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def ladder(transactional_db):
    admin = MemberFactory(username="root", is_staff=True, is_superuser=True)
    found_charter(admin=admin, voters=[MemberFactory()], now=timezone.now())
    return make_thread(
        category=CategoryFactory(name="Allotments", slug="allotments"),
        author=MemberFactory(username="gwen_l", display_name="Gwenaëlle Le Goff"),
        title="Who has a ladder?",
        source="Mine broke.",
    )


def test_every_kind_of_page_sends_a_policy_without_inline_code(page: Page, ladder):
    for path in [
        "/",
        ladder.category.get_absolute_url(),
        ladder.get_absolute_url(),
        "/search/?q=ladder",
        "/m/gwen_l/",
        "/charter/",
        "/charter/history/",
        "/moderation/journal/",
        "/accounts/login/",
        "/no-such-page/",
    ]:
        response = page.goto(path)
        assert response is not None
        policy = directives(response.headers["content-security-policy"])
        assert policy["default-src"] == ["'self'"], path
        assert "'self'" in policy["script-src"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["img-src"] == ["'self'"], path
        for directive in ("script-src", "style-src", "default-src"):
            assert "'unsafe-inline'" not in policy[directive], (path, directive)
            assert "'unsafe-eval'" not in policy[directive], (path, directive)
            assert "*" not in policy[directive], (path, directive)
        assert policy["object-src"] == ["'none'"], path
        assert policy["base-uri"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert policy["form-action"] == ["'self'"], path


@pytest.mark.csp_violations_expected
def test_code_and_styles_injected_into_a_page_are_refused_and_reported(new_page, ladder):
    page = new_page()
    page.goto(ladder.get_absolute_url())
    expect(page.get_by_role("heading", name="Who has a ladder?")).to_be_visible()
    # The site's own script, from its static files, did run.
    assert page.evaluate("() => typeof htmx") == "object"

    outcome = page.evaluate(
        """async () => {
            const stage = document.createElement("div");
            document.body.append(stage);
            const script = document.createElement("script");
            script.textContent = "window.__inline = 'ran'";
            document.body.append(script);
            stage.innerHTML = '<button id="handler" onclick="window.__handler = 1">x</button>'
                + '<div id="styled" style="width: 123px">styled</div>';
            stage.querySelector("#handler").click();
            document.head.insertAdjacentHTML(
                "beforeend", "<style>body { outline: 7px solid red }</style>");
            await new Promise((resolve) => setTimeout(resolve, 50));
            return {
                inline: window.__inline ?? null,
                handler: window.__handler ?? null,
                width: getComputedStyle(stage.querySelector("#styled")).width,
                outline: getComputedStyle(document.body).outlineWidth,
            };
        }"""
    )
    assert outcome["inline"] is None, "an inline <script> ran"
    assert outcome["handler"] is None, "an inline event handler ran"
    assert outcome["width"] != "123px", "an inline style attribute applied"
    assert outcome["outline"] != "7px", "an inline <style> element applied"

    # The guard in tests/browser/conftest.py hears each refusal, so a page that breaks the
    # policy by itself fails its test.
    reported = new_page.csp_violations
    assert all(ladder.get_absolute_url() in report for report in reported), reported
    for refusal, count in [
        ("Executing inline script violates the following Content Security Policy directive "
         "'script-src", 1),
        ("Executing inline event handler violates the following Content Security Policy "
         "directive 'script-src", 1),
        ("Applying inline style violates the following Content Security Policy directive "
         "'style-src", 2),
    ]:  # fmt: skip
        assert sum(refusal in report for report in reported) == count, (refusal, reported)


def test_a_preview_through_htmx_works_under_the_policy(new_page, ladder):
    member = MemberFactory(username="ines_m", display_name="Inès Moreau")
    page = new_page()
    sign_in(page, member.username)
    page.goto(ladder.get_absolute_url())
    remember_this_page(page)
    page.locator("#id_source").fill("**Mine** too <script>window.__xss = 1</script>")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview.locator("strong")).to_have_text("Mine")
    expect(preview).to_contain_text("<script>window.__xss = 1</script>")
    assert is_the_remembered_page(page), "the preview should come without a reload"
    assert page.evaluate("() => window.__xss ?? null") is None


def test_an_image_from_another_site_loads_nothing_until_the_reader_follows_it(
    page: Page, ladder, live_server
):
    thread = make_thread(
        category=ladder.category,
        title="My ladder, repaired",
        source="![The ladder](https://tracker.example/ladder.png)",
    )
    elsewhere: list[str] = []

    def refuse(route) -> None:
        elsewhere.append(route.request.url)
        route.abort()

    page.context.route(lambda url: not url.startswith(live_server.url), refuse)
    page.goto(thread.get_absolute_url())
    link = page.get_by_role("link", name="Show the image from tracker.example: The ladder")
    expect(link).to_have_attribute("href", "https://tracker.example/ladder.png")
    assert page.locator("main img").count() == 0
    assert elsewhere == []
