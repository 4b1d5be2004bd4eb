"""A member on a phone (390 and 320 px wide): a post's actions, a ballot's breadcrumb, the values
of a parameter an amendment changes and the note that says they have voted keep their shape.

Each test measures what a member sees: the boxes the browser drew, not the stylesheet."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page

from charter import services as charter
from charter.models import Ballot
from forum import services as forum
from tests.browser.steps import sign_in
from tests.builders.charter import charter_in_force, open_in_clear_box, propose, reword
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory, elders

PHONES = [390, 320]


def phone(new_page, width: int) -> Page:
    return new_page(viewport={"width": width, "height": 800})


def rows(locator: Locator) -> list[list[str]]:
    """The visible elements of `locator`, grouped by the row they sit on (top to bottom), each
    named by its text (a label hidden on a phone included)."""
    by_top: dict[int, list[str]] = {}
    for element in locator.all():
        if element.is_visible():
            box = element.bounding_box()
            text = " ".join(element.inner_text().split())
            by_top.setdefault(round(box["y"] + box["height"] / 2), []).append(text)
    return [by_top[top] for top in sorted(by_top)]


@pytest.mark.parametrize("width", PHONES)
def test_a_posts_actions_keep_to_one_row(new_page, width):
    reader = MemberFactory(username="reader")
    thread = make_thread(title="Mulching in August")
    page = phone(new_page, width)
    sign_in(page, reader.username)
    page.goto(thread.get_absolute_url())
    actions = page.locator("#post-1 .post__actions").locator("> .thanks, > .action")
    found = rows(actions)
    assert len(found) == 1 and len(found[0]) == 3, found
    # The signal link shows a short label, but its name still says in full what it does.
    assert page.get_by_role("link", name="Signal to moderators").is_visible()


@pytest.mark.parametrize("width", PHONES)
def test_a_posts_actions_wrap_together_not_one_alone(new_page, width):
    reader = MemberFactory(username="reader")
    thread = make_thread(title="Mulching in August")
    for _ in range(2):
        forum.thank(member=MemberFactory(), post=thread.posts.get(number=1))
    page = phone(new_page, width)
    sign_in(page, reader.username)
    page.goto(thread.get_absolute_url())
    actions = page.locator("#post-1 .post__actions").locator("> .thanks, > .action")
    found = rows(actions)
    assert all(len(row) >= 2 for row in found[1:]), found


@pytest.fixture
def voted_ballot() -> Ballot:
    """An amendment shortening the discussion and the ballot from 7 days to 5, with a long
    title, put to a ballot (the clear box: the box does not change the page's layout) where
    the member "reader" has voted."""
    version = charter_in_force()
    voters = elders(5)
    voters[0].username = "reader"
    voters[0].save()
    for voter in voters:
        charter.accept_charter(member=voter, version=version)
    proposal = propose(
        voters[1],
        [reword(version, 2, "Posts stay on topic.")],
        now=timezone.now(),
        sponsors=voters[2:5],
        parameters={"discussion_days": 5, "ballot_days": 5},
    )
    proposal.title = "Shorten the discussion before a ballot from 7 to 5 days"
    proposal.save()
    opened = proposal.discussion_ends_at + timedelta(seconds=1)
    charter.run_deadlines(now=opened)
    proposal.refresh_from_db()
    ballot = open_in_clear_box(proposal.ballot, now=opened)
    charter.cast_vote(member=voters[0], ballot=ballot, choice="yes", now=opened)
    return ballot


@pytest.mark.parametrize("width", PHONES)
def test_the_ballots_breadcrumb_is_one_line(new_page, voted_ballot, width):
    page = phone(new_page, width)
    page.goto(voted_ballot.get_absolute_url())
    crumbs = page.get_by_role("navigation", name="Breadcrumbs")
    assert rows(crumbs.get_by_role("link")) == [
        ["Amendments", "Shorten the discussion before a ballot from 7 to 5 days"]
    ]
    assert crumbs.bounding_box()["x"] + crumbs.bounding_box()["width"] <= width


@pytest.mark.parametrize("width", PHONES)
def test_a_changed_parameters_values_are_never_broken(new_page, voted_ballot, width):
    page = phone(new_page, width)
    for url in (voted_ballot.get_absolute_url(), voted_ballot.proposal.get_absolute_url()):
        page.goto(url)
        values = page.locator(".parameter-diff").locator("ins, del")
        assert values.count() == 4
        for value in values.all():
            lines = value.evaluate("element => element.getClientRects().length")
            assert lines == 1, f"{value.inner_text()!r} is on {lines} lines at {width} px"


def test_the_note_that_you_have_voted_reads_from_the_left(new_page, voted_ballot):
    page = phone(new_page, 390)
    sign_in(page, "reader")
    page.goto(voted_ballot.get_absolute_url())
    note = page.get_by_role("note").filter(has_text="You have voted.")
    text_left, content_left = note.evaluate(
        """note => {
            const range = document.createRange();
            range.selectNodeContents(note);
            const style = getComputedStyle(note);
            const box = note.getBoundingClientRect();
            return [
                range.getClientRects()[0].left,
                box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
            ];
        }"""
    )
    assert text_left == pytest.approx(content_left, abs=1)
    # And the note's box lines up with the page's text column.
    heading = page.get_by_role("heading", name="What is voted on")
    assert note.bounding_box()["x"] == pytest.approx(heading.bounding_box()["x"], abs=1)
