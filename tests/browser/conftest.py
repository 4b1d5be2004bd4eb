"""Browser tests: a real Chromium, driven by Playwright, against pytest-django's live server.

Every test in this directory is marked ``browser`` automatically and runs after all the other
tests (see ``pytest_collection_modifyitems``). Chromium is Debian's, at /usr/bin/chromium
(installed by scripts/install-system-packages); Playwright never downloads a browser here.

Fixtures:
- ``browser``: one headless Chromium for the whole session;
- ``new_page(**context_options)``: a page in a fresh browser context (its own cookies, so
  its own signed-in member), with ``base_url`` set to the live server;
- ``page``: ``new_page()`` for the common single-visitor test.
A failing test leaves a screenshot of each of its pages in ./test-artifacts/.

The site's Content Security Policy is enforced in these tests as in production: a page that
breaks it (an inline script or style, a script from elsewhere) fails the test that opened it,
unless the test is marked ``csp_violations_expected`` (it breaks the policy on purpose).
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the suite may run as root (CI), where the sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # /dev/shm is small in containers
    # The machine has no network beyond the live server: stop Chromium from trying.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
ARTIFACTS = Path("test-artifacts")

HERE = Path(__file__).parent


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    # Before the other implementations: mark, so that -m "not browser" deselects these tests.
    browser_items = {item for item in items if HERE in item.path.parents}
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    result = yield
    # After them (pytest-django reorders by database use): move the browser tests last. Once
    # Playwright runs, its event loop stays open in the main thread until the session ends,
    # and that would break any later test that touches async code (async_to_sync, Django's
    # async-safety check). Last is also where the slowest tests belong.
    items.sort(key=lambda item: item in browser_items)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Keep each phase's report on the item, so fixtures can tell whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-system-packages")
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django's
    # SynchronousOnlyOperation check would refuse every ORM call made by the tests. The
    # browser tests run last (see above), so relaxing the check here affects nothing else.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, live_server, transactional_db
) -> Iterator[Callable[..., Page]]:
    """A factory of pages, each in its own browser context (cookies, storage) on the live server."""
    contexts = []
    csp_violations: list[str] = []

    def watch_console(message) -> None:
        if "Content Security Policy" in message.text:
            csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def make(**context_options) -> Page:
        context = browser.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", watch_console)
        contexts.append(context)
        return context.new_page()

    # A test marked csp_violations_expected breaks the policy on purpose and reads these.
    make.csp_violations = csp_violations
    yield make

    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
    for n, context in enumerate(contexts, start=1):
        if failed:
            for m, page in enumerate(context.pages, start=1):
                path = ARTIFACTS / f"{name}-context{n}-page{m}.png"
                try:
                    page.screenshot(path=path, full_page=True)
                    print(f"screenshot of {page.url}: {path}")
                except Exception as error:  # a crashed page must not hide the test's failure
                    print(f"no screenshot of {page.url}: {error}")
        context.close()
    if request.node.get_closest_marker("csp_violations_expected") is None:
        assert not csp_violations, "the Content Security Policy was broken:\n" + "\n".join(
            csp_violations
        )


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()
