"""WCAG 2.1 A and AA, checked by axe-core on the main pages in four ways of seeing them: light at
1280 px, dark, a phone's 390 px and French. Any violation fails, listed page by page.

axe-core is the npm package pinned in package-lock.json (scripts/test runs `npm ci`). It goes
into each page through `add_init_script`, which Chromium runs through DevTools before the page's
own scripts: the site's Content Security Policy stays in force (the conftest still fails a test
whose page breaks it), and does not apply to what the browser itself injects. A <script> tag
(`add_script_tag`, which inlines the file) is refused by that policy, and `bypass_csp` would
check pages under a policy they do not have in production.

One community is built per test, through the services, with the clear ballot box where a
ballot is needed (no belenios-tool work): a charter amended once, so that versions differ; an
amendment's ballot open; a thread with a quote, a post hidden pending review and one hidden by
a decision; a case in the queue. A visitor, a member and a moderator each see their pages in a
browser context of their own; the member signs in with a session cookie, so no page is the
sign-in form's response.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from charter import selectors as charter_selectors
from charter import services as charter
from charter.models import Ballot, CharterVersion
from charter.models import Box as BallotBox
from forum import services as forum
from forum.models import PostState
from members.models import Member
from moderation.models import Case
from tests.builders.charter import found_charter, open_in_clear_box, propose, reword
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory
from tests.builders.moderation import signal, uphold

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# The four ways of seeing the site. Dark is asked for twice over: the visitor's and the
# member's browsers prefer it (prefers-color-scheme), and the moderator chose the dark theme in
# their settings on a light browser (data-theme), so both of the stylesheet's paths are checked.
CONFIGURATIONS = {
    "light 1280px": {"viewport": {"width": 1280, "height": 800}, "color_scheme": "light"},
    "dark 1280px": {"viewport": {"width": 1280, "height": 800}, "color_scheme": "dark"},
    "phone 390px": {"viewport": {"width": 390, "height": 844}, "color_scheme": "light"},
    "French 1280px": {
        "viewport": {"width": 1280, "height": 800},
        "color_scheme": "light",
        "locale": "fr-FR",
    },
}

# Runs axe on the whole document and keeps what a report needs of each violation (axe lists
# the nodes of its passes and doubts too, unless told it will not be asked: time saved).
RUN_AXE = """async tags => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return results.violations.map(v => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map(node => node.target.join(" ")),
    }));
}"""

# How the page was served and shown: its language, the member's theme, the browser's scheme.
SEEN_AS = """() => [
    document.documentElement.lang,
    document.documentElement.dataset.theme,
    matchMedia("(prefers-color-scheme: dark)").matches,
]"""


@dataclass
class Community:
    member: Member
    moderator: Member
    category: str
    thread: str
    search: str
    proposal: str
    ballot: Ballot
    decision: str
    profile: str
    case: str


def build_community() -> Community:
    """Everything the main pages show, with dates in the past as on a living site: the charter
    founded 80 days ago and amended 36 days ago, an amendment's ballot opened yesterday."""
    now = timezone.now()
    joined = {"date_joined": now - timedelta(days=200)}
    admin = MemberFactory(username="root", is_staff=True, is_superuser=True, **joined)
    member = MemberFactory(username="amina", display_name="Amina Diallo", **joined)
    moderator = MemberFactory(
        username="noor", display_name="Noor Haddad", is_moderator=True, **joined
    )
    others = [
        MemberFactory(username=name, display_name=display, **joined)
        for name, display in [
            ("bruno", "Bruno Petit"),
            ("chloe", "Chloé Martin"),
            ("dmitri", "Dmitri Orlov"),
            ("eva", "Eva Lindqvist"),
        ]
    ]
    everyone = [member, moderator, *others]

    version_1 = found_charter(
        admin=admin, voters=everyone, now=now - timedelta(days=60), box=BallotBox.CLEAR
    )
    version_2 = amend(version_1, everyone, now=now - timedelta(days=50), vote=True)
    ballot = amend(version_2, everyone, now=now - timedelta(days=8), vote=False)

    category = CategoryFactory(
        name="Gardens", slug="gardens", description="Seeds, soil and the allotment's shed."
    )
    thread = make_thread(
        category=category,
        author=others[0],
        title="Who has a ladder?",
        source="Mine broke last week. Could someone lend me one for the **pear tree**?",
    )
    opening = thread.posts.get()
    forum.reply(
        author=member,
        thread=thread,
        source=f"> **{others[0].username}** [wrote](/p/{opening.pk}/):\n"
        "> Could someone lend me one?\n\nI have one in the shed: come by on Saturday.",
    )
    forum.thank(member=others[0], post=thread.posts.get(number=2))
    advert = forum.reply(author=others[1], thread=thread, source="Buy my miracle fertiliser!")
    for signaller in [member, others[2], others[3]]:
        signal(advert, signaller)
    spam = forum.reply(author=others[2], thread=thread, source="Cheap seeds, half price!")
    decision = uphold(signal(spam).case, moderator)
    forum.reply(author=others[3], thread=thread, source="Back on topic: a ladder for a pear tree.")
    make_thread(category=category, author=member, title="Tomatoes in the shade")
    advert.refresh_from_db()
    spam.refresh_from_db()
    assert (advert.state, spam.state) == (PostState.PENDING, PostState.HIDDEN)

    return Community(
        member=member,
        moderator=moderator,
        category=category.get_absolute_url(),
        thread=thread.get_absolute_url(),
        search="/search/?q=ladder",
        proposal=ballot.proposal.get_absolute_url(),
        ballot=ballot,
        decision=decision.get_absolute_url(),
        profile=f"/m/{others[0].username}/",
        case=Case.objects.get(post=advert).get_absolute_url(),
    )


def amend(version: CharterVersion, voters: list[Member], *, now, vote: bool):
    """The first voter proposes to reword article 2 of `version` at `now`, three others
    co-sponsor, and after the discussion the ballot opens in the clear box. With `vote`,
    everyone votes yes and the ballot is counted: the next version, which everyone accepts;
    without, the open ballot."""
    number = version.number + 1
    changes = [reword(version, 2, f"Posts stay on the subject of their thread (version {number}).")]
    # The ballots of version 2 on last 5 days instead of 7: a change of parameter to compare too.
    parameters = {"ballot_days": 5} if vote else {}
    proposal = propose(voters[0], changes, now=now, sponsors=voters[1:4], parameters=parameters)
    opened = proposal.discussion_ends_at + timedelta(seconds=1)
    charter.run_deadlines(now=opened)
    proposal.refresh_from_db()
    ballot = open_in_clear_box(proposal.ballot, now=opened)
    if not vote:
        return ballot
    for voter in voters:
        charter.cast_vote(member=voter, ballot=ballot, choice="yes", now=opened)
    charter.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at)
    charter.announce_results()
    amended = charter_selectors.current_version()
    assert amended.number == number
    for voter in voters:
        voter.refresh_from_db()
        charter.accept_charter(member=voter, version=amended)
    return amended


def signed_in_context(
    new_page: Callable[..., Page], live_server, member: Member, **options
) -> BrowserContext:
    """A browser context with `member`'s session cookie: signed in without the form."""
    client = Client()
    client.force_login(member)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = new_page(**options).context
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    return context


def violations_on(page: Page, path: str, *, status: int = 200) -> list[str]:
    """Open `path` and run axe on it: one line per violation, with the failing nodes."""
    response = page.goto(path)
    assert response is not None and response.status == status, f"{path}: {response.status}"
    assert page.url.endswith(path), f"{path} led to {page.url}"
    found = page.evaluate(RUN_AXE, WCAG_21_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n" + "".join(f"      {t}\n" for t in v["targets"])
        for v in found
    ]


@pytest.mark.parametrize("configuration", CONFIGURATIONS)
def test_the_main_pages_meet_wcag_2_1_aa(new_page, live_server, configuration):
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` (scripts/test does)"
    options = CONFIGURATIONS[configuration]
    community = build_community()
    french = "locale" in options
    if french:
        Member.objects.update(language="fr")
    dark = configuration.startswith("dark")
    if dark:
        Member.objects.filter(pk=community.moderator.pk).update(theme="dark")
        moderator_options = options | {"color_scheme": "light"}
    else:
        moderator_options = options

    visitor = new_page(**options).context
    member = signed_in_context(new_page, live_server, community.member, **options)
    moderator = signed_in_context(new_page, live_server, community.moderator, **moderator_options)
    for context in (visitor, member, moderator):
        context.add_init_script(path=AXE)

    report: list[str] = []

    def check(context: BrowserContext, name: str, path: str, *, status: int = 200) -> None:
        page = context.pages[0]
        for line in violations_on(page, path, status=status):
            report.append(f"{name} ({path}): {line}")

    c = community
    ballot = c.ballot.get_absolute_url()
    check(visitor, "index", "/")
    check(visitor, "sign in", "/accounts/login/")
    check(visitor, "sign up", "/accounts/signup/")
    check(visitor, "password reset", "/accounts/password/reset/")
    check(visitor, "privacy", "/privacy/")
    check(visitor, "a page that does not exist", "/no-such-page/", status=404)
    check(member, "index", "/")
    check(member, "a category", c.category)
    check(member, "a thread", c.thread)
    check(member, "a new thread's composer", f"{c.category}new/")
    check(member, "search results", c.search)
    check(member, "the charter", "/charter/")
    check(member, "the charter's versions compared", "/charter/diff/?old=1&new=2")
    check(member, "a proposal", c.proposal)
    vote_form = member.pages[0].locator(f"form[action='{ballot}vote/']")
    check(member, "a ballot, before voting", ballot)
    assert vote_form.count() == 1, "the member should be able to vote"
    charter.cast_vote(member=c.member, ballot=c.ballot, choice="yes", now=timezone.now())
    check(member, "a ballot, after voting", ballot)
    assert vote_form.count() == 0, "the member has voted"
    check(member, "the journal", "/moderation/journal/")
    check(member, "a member's profile", c.profile)
    check(member, "notifications", "/notifications/")
    check(member, "settings", "/me/settings/")
    check(member, "notification settings", "/notifications/settings/")
    check(member, "my signals", "/moderation/my-signals/")
    check(moderator, "the moderation queue", "/moderation/queue/")
    check(moderator, "a case", c.case)
    check(moderator, "a decision (its author's and the moderators' to read)", c.decision)
    check(moderator, "a thread, as a moderator", c.thread)

    # Each context saw the pages as this configuration means: in French, in dark.
    for context in (visitor, member, moderator):
        language, theme, prefers_dark = context.pages[0].evaluate(SEEN_AS)
        assert language == ("fr" if french else "en"), f"{configuration}: in {language!r}"
        shown_dark = theme == "dark" or (theme == "auto" and prefers_dark)
        assert shown_dark == dark, f"{configuration}: theme {theme!r}, dark browser {prefers_dark}"

    assert not report, f"axe-core found WCAG 2.1 A/AA violations ({configuration}):\n" + "".join(
        report
    )
