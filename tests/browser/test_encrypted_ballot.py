"""An encrypted ballot, in a real browser: a member votes and is given her paper's tracker, finds
her paper in the ballot box by it; the ballot closes; two of its three trustees sign in and each
decrypts their part of the count with their key file; the result is on the ballot's page.

The ballot and its key are built through the services (`give_key`: three trustees holding the
key set made once per test run); the close happens server-side at its deadline. Every step a
member takes happens in the browser.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from charter import services
from charter.models import BallotState
from tests.browser.steps import message, signed_in
from tests.builders.charter import ARTICLES
from tests.builders.elections import give_key, key_set
from tests.builders.members import MemberFactory, elder

# The trustees' steps lock the ballot and the election rows, and the browser and the services
# share one database: run this journey where production runs.
pytestmark = pytest.mark.postgresql


def decrypt_with(page: Page, key: str, ballot_url: str) -> None:
    """On the ballot's page, as a trustee: choose the key file and decrypt."""
    page.goto(ballot_url)
    panel = page.get_by_role("region", name=re.compile(r"^You are trustee \d of this ballot$"))
    expect(panel).to_contain_text("Decrypt the count")
    panel.get_by_label(re.compile(r"^Your key file")).set_input_files(
        files=[{"name": "palabre-trustee.key", "mimeType": "text/plain", "buffer": key.encode()}]
    )
    panel.get_by_role("button", name="Decrypt my part").click()
    expect(message(page, "Your part of the decryption is in the record.")).to_be_visible()


def test_a_member_votes_in_an_encrypted_ballot_and_two_trustees_decrypt_the_count(new_page):
    # 1. A founding ballot, open, its key held by three trustees.
    now = timezone.now()
    admin = MemberFactory(username="root", is_staff=True, is_superuser=True)
    voter = elder(username="eva", display_name="Eva Lindqvist", now=now)
    trustees = [
        elder(username=name, display_name=name.title(), now=now)
        for name in ("tariq", "ursula", "victor")
    ]
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(admin=admin, version=draft, articles=ARTICLES, parameters={})
    ballot = services.open_founding_ballot(admin=admin, version=draft, now=now)
    ballot = give_key(ballot, now=now, holders=trustees)
    url = ballot.get_absolute_url()

    # 2. Eva votes yes and is given her paper's tracker.
    eva = signed_in(new_page, voter)
    eva.goto(url)
    expect(eva.get_by_role("heading", level=1)).to_have_text("Founding ballot")
    box = eva.locator("#vote")
    expect(box.get_by_role("note")).to_contain_text("Your choice is encrypted")
    box.get_by_role("radio", name="Yes", exact=True).check()
    box.get_by_label("I understand that my vote is secret and final: it cannot be changed.").check()
    box.get_by_role("button", name="Cast my vote").click()
    said = message(eva, "Your vote is in the ballot box, encrypted.")
    expect(said).to_be_visible()
    tracker = re.search(r"Its tracker is (\S+):", said.inner_text()).group(1)
    expect(eva.get_by_text("1 vote cast of")).to_be_visible()

    # 3. She finds her paper in the public ballot box by its tracker.
    eva.get_by_role("link", name="The ballot box: find your paper by its tracker").click()
    expect(eva.get_by_role("heading", level=1)).to_have_text("Ballot box")
    eva.get_by_label("Your tracker").fill(tracker)
    eva.get_by_role("button", name="Find my paper").click()
    expect(eva.get_by_text("Your paper is in the box: number 1, on page 1.")).to_be_visible()
    expect(eva.locator("li[aria-current=true]")).to_have_text(tracker)

    # 4. The ballot closes at its deadline: the trustees are to decrypt the count.
    services.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at)
    ballot.refresh_from_db()
    assert ballot.state == BallotState.COUNTING
    eva.goto(url)
    expect(
        eva.get_by_role("heading", name="Voting has ended; the trustees are decrypting the count")
    ).to_be_visible()
    expect(eva.get_by_text("0 of the 2 trustees needed have decrypted")).to_be_visible()

    # 5. Trustees 1 and 3 sign in and decrypt with their key files; trustee 2 is away.
    keys = key_set(3, 2).keys
    for position in (1, 3):
        page = signed_in(new_page, trustees[position - 1])
        decrypt_with(page, keys[position - 1], url)

    # 6. The count is decrypted: the result is on the page, with the roll and the record.
    eva.goto(url)
    expect(eva.get_by_role("heading", name=re.compile(r"^Result: "))).to_be_visible()
    tally = eva.locator("dl.tally")
    expect(tally.locator("div").filter(has_text="Yes")).to_contain_text("1")
    expect(tally.locator("div").filter(has_text="No")).to_contain_text("0")
    expect(eva.get_by_role("region", name="The roll")).to_be_visible()
    expect(eva.get_by_role("link", name=re.compile(r"^Download the record"))).to_be_visible()
    ballot.refresh_from_db()
    assert (ballot.state, ballot.yes, ballot.no, ballot.abstain) == (BallotState.CLOSED, 1, 0, 0)
