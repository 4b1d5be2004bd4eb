"""The journey of an amendment, in a real browser: proposed, co-sponsored, discussed, voted on in
secret, ratified as version 2, compared with version 1, and accepted before the next reply.

The charter's version 1 and its members are built through the services; every step a member
takes happens in the browser. Time moves only through `run_charter_deadlines --days-ahead`,
called from the test (the live server runs in this process), never by waiting.
"""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Locator, Page, expect

from charter import selectors, services
from charter.models import Ballot, CharterVersion, Proposal, ProposalState
from charter.services.elections import papers_in_box
from charter.texts import Change
from members.models import Member
from tests.browser.steps import message, signed_in
from tests.builders.charter import found_charter
from tests.builders.elections import decrypt_shares, give_key
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory, elder

# select_for_update and the roll's conditional updates are what the charter relies on, and the
# browser and the deadlines share one database: run this journey where production runs.
pytestmark = pytest.mark.postgresql

NEW_ARTICLE_2 = "Replies stay on the subject of their thread or move to the café."
TITLE = "Asides belong in the café"


def ratified_charter(voters: list[Member]) -> CharterVersion:
    """Version 1: drafted, put to a founding ballot 20 days ago, carried, accepted by `voters`."""
    admin = MemberFactory(username="root", is_staff=True, is_superuser=True)
    return found_charter(admin=admin, voters=voters, now=timezone.now())


def field(label: str) -> re.Pattern:
    """A field's accessible name: its label, with or without Django's colon."""
    return re.compile(rf"^{re.escape(label)}:?$")


def expect_to_take_the_click(link: Locator, what: str) -> None:
    """Nothing covers `link` where a pointer would click it (a stretched row link, say)."""
    link.scroll_into_view_if_needed()
    covered_by = link.evaluate(
        """link => {
            const box = link.getBoundingClientRect();
            const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
            return hit === link || link.contains(hit) ? null : hit.outerHTML.slice(0, 120);
        }"""
    )
    assert covered_by is None, f"{what}: a click on it lands on {covered_by}"


def vote(page: Page, choice: str) -> None:
    """On an open ballot's page: read the warning, choose, confirm, cast."""
    box = page.get_by_role("region", name="Your vote")
    expect(box.get_by_role("note")).to_contain_text("Your vote is secret and final.")
    box.get_by_role("radio", name=choice, exact=True).check()
    box.get_by_label("I understand that my vote is secret and final: it cannot be changed.").check()
    box.get_by_role("button", name="Cast my vote").click()
    expect(message(page, "Your vote is in the ballot box, encrypted.")).to_be_visible()


def test_an_amendment_from_proposal_to_ballot_to_acceptance(new_page):
    # 1. Version 1 is in force; five members old enough to vote have accepted it.
    author = elder(username="amina", display_name="Amina Diallo")
    sponsors = [
        elder(username="bruno", display_name="Bruno Petit"),
        elder(username="chloe", display_name="Chloé Martin"),
        elder(username="dmitri", display_name="Dmitri Orlov"),
    ]
    voter = elder(username="eva", display_name="Eva Lindqvist")
    members = [author, *sponsors, voter]
    v1 = ratified_charter(members)
    garden = make_thread(
        category=CategoryFactory(name="Allotments", slug="allotments"),
        author=sponsors[0],
        title="Who has a ladder?",
        source="Mine broke.",
    )

    # 2. The author drafts an amendment rewording article 2, then submits it.
    amina = signed_in(new_page, author)
    amina.get_by_role("banner").get_by_role("link", name="Charter", exact=True).click()
    expect(amina).to_have_url(re.compile(r"/charter/$"))
    expect(amina.get_by_role("heading", level=1)).to_have_text(re.compile(r"Charter\s+version 1"))
    amina.get_by_role("link", name="Propose an amendment").click()
    expect(amina).to_have_url(re.compile(r"/charter/proposals/$"))
    amina.get_by_role("link", name="New proposal").click()
    expect(amina).to_have_url(re.compile(r"/charter/proposals/new/$"))
    expect(amina.get_by_role("heading", level=1)).to_have_text("New amendment proposal")
    amina.get_by_label(field("Title")).fill(TITLE)
    amina.get_by_label(field("Rationale")).fill(
        "Off-topic asides drown the threads; the café is there."
    )
    article_2 = amina.get_by_role("region", name=re.compile(r"^Article 2 — On topic"))
    article_2.get_by_role("radio", name="Change").check()
    article_2.get_by_label(field("Text")).fill(NEW_ARTICLE_2)
    amina.get_by_role("button", name="Save the draft").click()
    expect(amina).to_have_url(re.compile(r"/charter/proposals/\d+/$"))
    expect(message(amina, "Your draft is saved.")).to_be_visible()
    proposal = Proposal.objects.get(title=TITLE)
    assert (proposal.state, proposal.base) == (ProposalState.DRAFT, v1)
    changes = amina.get_by_role("region", name="Changes to version 1")
    expect(changes.get_by_role("insertion").first).to_be_visible()
    amina.get_by_role("button", name="Submit for co-sponsors").click()
    expect(message(amina, "Your proposal is published: it now needs co-sponsors.")).to_be_visible()
    expect(amina.get_by_text("Seeking co-sponsors", exact=True)).to_be_visible()
    expect(amina.get_by_text("0 of 3 co-sponsors")).to_be_visible()

    # 3. Three members co-sponsor it, each from the list of amendments; the third opens the
    # discussion, and one of them speaks in its thread.
    sponsor_pages = []
    for count, sponsor in enumerate(sponsors, start=1):
        page = signed_in(new_page, sponsor)
        sponsor_pages.append(page)
        page.goto("/charter/proposals/")
        page.get_by_role("link", name=TITLE).click()
        expect(page).to_have_url(re.compile(rf"/charter/proposals/{proposal.pk}/$"))
        page.get_by_role("button", name="Co-sponsor this proposal").click()
        expect(message(page, "You co-sponsor this proposal.")).to_be_visible()
        expect(page.get_by_text(f"{count} of 3 co-sponsors")).to_be_visible()
    dmitri = sponsor_pages[-1]
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DISCUSSION
    expect(dmitri.get_by_text("In discussion", exact=True)).to_be_visible()
    dmitri.get_by_role("link", name="Discussion", exact=True).click()
    expect(dmitri).to_have_url(re.compile(rf"/t/{proposal.thread_id}/$"))
    expect(dmitri.get_by_role("heading", level=1)).to_have_text(TITLE)
    opening = dmitri.locator("#post-1")
    expect(opening).to_contain_text(f"This thread discusses the amendment proposal “{TITLE}”")
    ends = date_format(timezone.localtime(proposal.discussion_ends_at))
    expect(opening, "the opening post should give the end of the discussion").to_contain_text(
        f"until {ends}"
    )
    dmitri.get_by_label("Message").fill("Agreed: the café is where asides belong.")
    dmitri.get_by_role("button", name="Post reply").click()
    expect(dmitri).to_have_url(re.compile(rf"/t/{proposal.thread_id}/#post-2$"))
    expect(dmitri.locator("#post-2")).to_contain_text("the café is where asides belong")

    # 4. A week of discussion later the text is frozen and the ballot is prepared; once its
    # trustees have made its key, it opens.
    call_command("run_charter_deadlines", days_ahead=8)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.BALLOT
    ballot = give_key(proposal.ballot, now=timezone.now() + timedelta(days=8))
    assert ballot.eligible_count == 5

    # 5. The voter follows her notification to the ballot, reads the warning and votes yes; the
    # page then counts the votes cast, never what they were.
    eva = signed_in(new_page, voter)
    eva.get_by_role("link", name=re.compile(r"unread notification")).click()
    eva.get_by_role(
        "button", name=re.compile(rf"The ballot on “{re.escape(TITLE)}” is open")
    ).click()
    expect(eva).to_have_url(re.compile(rf"/charter/ballots/{ballot.pk}/$"))
    expect(eva.get_by_role("heading", level=1)).to_have_text(f"Ballot on “{TITLE}”")
    vote(eva, "Yes")
    expect(eva.get_by_text("1 vote cast of 5 eligible")).to_be_visible()
    expect(eva.get_by_role("radio")).to_have_count(0)
    expect(eva.get_by_text("You have voted. A secret vote is final.")).to_be_visible()
    # Two more vote, enough for the quorum of 25 % of the active voters: the author from her
    # proposal's page, a co-sponsor from the list of amendments.
    amina.reload()
    amina.get_by_role("link", name="Go to the ballot", exact=True).click()
    vote(amina, "Yes")
    bruno = sponsor_pages[0]
    bruno.get_by_role("navigation", name="Charter").get_by_role(
        "link", name=re.compile(r"^Amendments")
    ).click()
    to_ballot = (
        bruno.get_by_role("listitem").filter(has_text=TITLE).get_by_role("link", name="Ballot")
    )
    expect_to_take_the_click(to_ballot, "the Ballot button of a proposal in the list")
    to_ballot.click()
    expect(bruno).to_have_url(re.compile(rf"/charter/ballots/{ballot.pk}/$"))
    vote(bruno, "Yes")
    eva.reload()
    expect(eva.get_by_text("3 votes cast of 5 eligible")).to_be_visible()
    expect(eva.get_by_role("heading", name=re.compile(r"^Result"))).to_have_count(0)
    expect(eva.get_by_role("region", name="The roll")).to_have_count(0)
    expect(eva.get_by_text(re.compile(r"\d+ yes, \d+ no"))).to_have_count(0)
    assert papers_in_box(ballot.election) == 3
    # Signing in in the browser records last_login: all five count as active voters.
    assert not Member.objects.filter(pk__in=[m.pk for m in members], last_login=None).exists()

    # 6. The ballot closes a week later; two of its trustees decrypt the count, and it passes.
    call_command("run_charter_deadlines", days_ahead=16)
    decrypt_shares(ballot, now=timezone.now() + timedelta(days=16))
    call_command("run_charter_deadlines", days_ahead=16)
    ballot = Ballot.objects.get(pk=ballot.pk)
    assert (ballot.passed, ballot.active_count) == (True, 5)
    v2 = ballot.result
    assert v2.number == 2

    # 7. The result is public: the tally, the turnout and the roll; the history lists version 2
    # and the comparison marks the words added and removed.
    eva.reload()
    result = eva.get_by_role("region", name="Result: passed")
    expect(result.get_by_role("term")).to_have_text(["Yes", "No", "Abstain"])
    expect(result.get_by_role("definition")).to_have_text(["3", "0", "0"])
    expect(result).to_contain_text(re.compile(r"Turnout: 3 .*of 5 active eligible voters \(60 %\)"))
    expect(result).to_contain_text("The quorum of 25 % was met.")
    roll = eva.get_by_role("region", name="The roll")
    roll.get_by_text("5 members on the roll").click()
    for member in members:
        entry = roll.get_by_role("listitem").filter(has_text=member.display_name)
        voted = member in (voter, author, sponsors[0])
        expect(entry).to_contain_text("voted" if voted else "did not vote")
    eva.goto("/charter/")
    expect(eva.get_by_role("heading", level=1)).to_have_text(re.compile(r"Charter\s+version 2"))
    eva.get_by_role("link", name="History", exact=True).first.click()
    expect(eva).to_have_url(re.compile(r"/charter/history/$"))
    expect(eva.get_by_role("link", name="Version 2", exact=True)).to_be_visible()
    expect(eva.get_by_role("link", name="Version 1", exact=True)).to_be_visible()
    to_diff = eva.get_by_role("link", name="Changes since version 1")
    expect_to_take_the_click(to_diff, "the “Changes since version 1” button of the history")
    to_diff.click()
    expect(eva).to_have_url(re.compile(r"/charter/diff/\?old=1&new=2$"))
    expect(eva.get_by_role("heading", level=1)).to_have_text("From version 1 to version 2")
    changed = eva.get_by_role("article", name=re.compile(r"^Article 2"))
    # Each run says what it is, as a screen reader reads it (charter/_pieces.html).
    expect(changed.get_by_role("deletion")).to_have_text(["[removed] Posts [end removed]"])
    expect(changed.get_by_role("insertion")).to_have_text(
        ["[added] Replies [end added]", "[added] or move to the café [end added]"]
    )

    # 8. Before replying again, the voter must accept version 2: the thread tells her so, its
    # link leads to the charter and back, and then her reply goes through.
    eva.goto(garden.get_absolute_url())
    expect(eva.get_by_role("button", name="Post reply")).to_have_count(0)
    to_accept = eva.get_by_role("link", name=re.compile(r"accept the charter", re.I))
    expect(to_accept, "the thread should link to the charter to accept").to_be_visible()
    to_accept.click()
    expect(eva).to_have_url(re.compile(r"/charter/accept/\?next="))
    expect(eva.get_by_role("heading", level=1)).to_have_text("Read and accept the charter")
    expect(eva.get_by_text(NEW_ARTICLE_2)).to_be_visible()
    eva.get_by_label("I have read this charter and I accept it.").check()
    eva.get_by_role("button", name="Accept the charter").click()
    expect(eva).to_have_url(re.compile(rf"/t/{garden.pk}/$"))
    expect(message(eva, "Thank you: you accepted the charter.")).to_be_visible()
    eva.get_by_label("Message").fill("Mine is in the shed, come and take it.")
    eva.get_by_role("button", name="Post reply").click()
    expect(eva).to_have_url(re.compile(rf"/t/{garden.pk}/#post-2$"))
    expect(eva.locator("#post-2")).to_contain_text("Mine is in the shed")
    assert selectors.has_accepted(voter, v2)


def test_a_newer_member_is_told_why_and_a_vote_waits_for_its_confirmation(new_page):
    elders = [
        elder(username=name, display_name=name.title())
        for name in ("amina", "bruno", "chloe", "dmitri")
    ]
    v1 = ratified_charter(elders)
    # Joined 10 days ago: 18 days of membership when the ballot opens, short of 30.
    newcomer = MemberFactory(username="farid", date_joined=timezone.now() - timedelta(days=10))
    services.accept_charter(member=newcomer, version=v1)
    on_topic = v1.articles.get(number=2)
    proposal = services.create_proposal(
        author=elders[0],
        title=TITLE,
        rationale="Off-topic asides drown the threads.",
        changes=[Change("change", on_topic.identity, on_topic.title, NEW_ARTICLE_2)],
        parameters={},
    )
    services.submit_proposal(author=elders[0], proposal=proposal)
    for sponsor in elders[1:]:
        services.sponsor_proposal(member=sponsor, proposal=proposal)
    call_command("run_charter_deadlines", days_ahead=8)
    ballot = give_key(
        Proposal.objects.get(pk=proposal.pk).ballot, now=timezone.now() + timedelta(days=8)
    )

    # The newcomer may read the ballot, and is told why he cannot vote.
    farid = signed_in(new_page, newcomer)
    farid.goto(ballot.get_absolute_url())
    expect(farid.get_by_text("0 votes cast of 4 eligible")).to_be_visible()
    expect(
        farid.get_by_text("You had been a member for less than 30 days when this ballot opened.")
    ).to_be_visible()
    expect(farid.get_by_role("button", name="Cast my vote")).to_have_count(0)

    # An elder who forgets to confirm is stopped, his choice kept; confirmed, the vote counts.
    bruno = signed_in(new_page, elders[1])
    bruno.goto(ballot.get_absolute_url())
    box = bruno.get_by_role("region", name="Your vote")
    box.get_by_role("radio", name="No", exact=True).check()
    box.get_by_role("button", name="Cast my vote").click()
    expect(box.get_by_role("alert")).to_have_text("Confirm that you understand your vote is final.")
    expect(box.get_by_role("radio", name="No", exact=True)).to_be_checked()
    expect(bruno.get_by_text("0 votes cast of 4 eligible")).to_be_visible()
    assert papers_in_box(ballot.election) == 0
    box.get_by_label("I understand that my vote is secret and final: it cannot be changed.").check()
    box.get_by_role("button", name="Cast my vote").click()
    expect(message(bruno, "Your vote is in the ballot box, encrypted.")).to_be_visible()
    expect(bruno.get_by_text("1 vote cast of 4 eligible")).to_be_visible()
    assert papers_in_box(ballot.election) == 1
