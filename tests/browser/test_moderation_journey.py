"""The journey of a signalled post, in a real browser: three members signal it citing article 2,
it is hidden pending review, a moderator upholds with a one-day suspension, the author is told,
cannot reply and appeals, a second moderator overturns, and the post is back; the journal shows
both entries and names neither the signallers nor, to a visitor, the moderators.

The charter, the thread and the accounts are built through the services; every step a member or
a moderator takes happens in the browser.
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from forum import services as forum
from members.models import Member
from moderation.models import Appeal, AppealState, Case, Decision, Outcome, Signal
from tests.browser.steps import is_the_remembered_page, message, remember_this_page, signed_in
from tests.builders.charter import found_charter
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory

# Auto-hide counts signallers under a lock, and the browser and the test share one database:
# run this journey where production runs.
pytestmark = pytest.mark.postgresql

TITLE = "Who has a ladder?"
ADVERT = "Buy my miracle fertiliser, half price this week only!"
ARTICLE_2 = "Article 2: On topic"
RATIONALE = "An advertisement has nothing to do with lending a ladder."
STATEMENT = "I was only answering: the fertiliser is what I used on the ladder's hedge."
OVERTURN = "Read in its thread, the post answers the question; no breach of article 2."


def field(label: str) -> re.Pattern:
    """A field's accessible name: its label, and whatever the form adds after it (a colon, a
    suggestion)."""
    return re.compile(rf"^{re.escape(label)}\b")


def post_by(page: Page, author: Member):
    """The post that `author` wrote (each post is an article named by its author)."""
    return page.get_by_role("article", name=author.public_name)


def signal_article_2(page: Page, author: Member) -> None:
    """From the thread page: open the signal panel on the author's post, cite article 2, send."""
    url = page.url
    remember_this_page(page)
    post = post_by(page, author)
    post.get_by_role("link", name="Signal to moderators").click()
    # The panel opens inside the post (it is a form with no name, so not a "form" landmark).
    expect(post.get_by_role("heading", name="Signal this post to the moderators")).to_be_visible()
    post.get_by_role("checkbox", name=ARTICLE_2).check()
    post.get_by_role("button", name="Send the signal").click()
    expect(post.get_by_role("status")).to_contain_text("Your signal was received.")
    assert page.url == url and is_the_remembered_page(page), "the signal should not reload"
    expect(post.get_by_text("Signalled", exact=True)).to_be_visible()
    expect(post.get_by_role("link", name="Signal to moderators")).to_have_count(0)
    assert is_the_remembered_page(page), "the action should change without a reload"


def test_a_signalled_post_is_hidden_upheld_appealed_and_restored(new_page):
    # 1. A ratified charter whose article 2 is "On topic"; a thread with a reply by the author;
    # three members to signal it and two moderators.
    author = MemberFactory(username="felix_r", display_name="Félix Roussel")
    asker = MemberFactory(username="gwen_l", display_name="Gwenaëlle Le Goff")
    signallers = [
        MemberFactory(username="ines_m", display_name="Inès Moreau"),
        MemberFactory(username="tomasz_n", display_name="Tomasz Nowak"),
        MemberFactory(username="yuki_t", display_name="Yuki Tanaka"),
    ]
    decider = MemberFactory(username="noor_h", display_name="Noor Haddad", is_moderator=True)
    hearer = MemberFactory(
        username="olek_s", display_name="Oleksandr Shevchenko", is_moderator=True
    )
    admin = MemberFactory(username="root", is_staff=True, is_superuser=True)
    everyone = [author, asker, *signallers, decider, hearer]
    version = found_charter(admin=admin, voters=everyone, now=timezone.now())
    assert str(version.articles.get(number=2)) == ARTICLE_2
    thread = make_thread(
        category=CategoryFactory(name="Allotments", slug="allotments"),
        author=asker,
        title=TITLE,
        source="Mine broke.",
    )
    advert = forum.reply(author=author, thread=thread, source=ADVERT)

    # 2. Each member signals the post from the thread, in the panel that opens in place.
    for member in signallers:
        theirs = signed_in(new_page, member)
        theirs.goto(thread.get_absolute_url())
        signal_article_2(theirs, author)
    assert Signal.objects.filter(post=advert).count() == 3

    # 3. After the third signal the post awaits review: a visitor sees the placeholder, and may
    # still read the text on request.
    visitor = new_page()
    visitor.goto(thread.get_absolute_url())
    held = post_by(visitor, author)
    expect(held).to_contain_text("This post is hidden while the moderators review it.")
    expect(held.get_by_text(ADVERT)).to_be_hidden()
    held.get_by_text("Show it anyway").click()
    expect(held.get_by_text(ADVERT)).to_be_visible()

    # 4. The first moderator finds the case in the queue, claims it and upholds it: article 2,
    # the post hidden, a one-day suspension.
    noor = signed_in(new_page, decider)
    noor.get_by_role("banner").get_by_role("link", name="Queue", exact=True).click()
    expect(noor).to_have_url(re.compile(r"/moderation/queue/$"))
    row = noor.get_by_role("listitem").filter(has_text=TITLE)
    expect(row).to_contain_text("3 signallers")
    expect(row).to_contain_text(f"{ARTICLE_2} \N{MULTIPLICATION SIGN}3")
    expect(row).to_contain_text("Hidden pending review")
    row.get_by_role("link", name=f"Post #{advert.number} in “{TITLE}”").click()
    case = Case.objects.get(post=advert)
    expect(noor).to_have_url(re.compile(rf"/moderation/cases/{case.pk}/$"))
    noor.get_by_role("button", name="Claim", exact=True).click()
    expect(noor.get_by_text(f"held by {decider.public_name}")).to_be_visible()
    noor.get_by_role("radio", name="Uphold: the post breaches the charter").check()
    noor.get_by_role("checkbox", name=ARTICLE_2).check()
    noor.get_by_label(field("What to do with the post")).select_option(label="Hide the post")
    noor.get_by_label(field("Sanction on the author")).select_option(label="Suspension for 1 day")
    noor.get_by_label(field("Rationale")).fill(RATIONALE)
    noor.get_by_role("button", name="Record the decision").click()
    expect(message(noor, "The decision is recorded and published in the journal.")).to_be_visible()
    decision = Decision.objects.get(case=case)
    assert (decision.outcome, decision.moderator) == (Outcome.UPHELD, decider)
    author.refresh_from_db()
    assert author.is_suspended

    # 5. The author's bell counts the news; the list says the moderators decided.
    felix = signed_in(new_page, author)
    bell = felix.get_by_role("link", name=re.compile(r"unread notification"))
    expect(bell).to_be_visible()
    bell.click()
    expect(felix).to_have_url(re.compile(r"/notifications/$"))
    expect(
        felix.get_by_role(
            "button",
            name=re.compile(re.escape(f"The moderators decided on your post in “{TITLE}”")),
        )
    ).to_be_visible()

    # The thread tells the author why the post is hidden and that he may not reply...
    felix.goto(thread.get_absolute_url())
    hidden = post_by(felix, author)
    expect(hidden).to_contain_text("This post is hidden by the moderators.")
    expect(hidden).to_contain_text("Why the moderators acted on this post")
    expect(hidden).to_contain_text(ARTICLE_2)
    expect(hidden).to_contain_text(RATIONALE)
    expect(felix.get_by_role("button", name="Post reply")).to_have_count(0)
    expect(
        felix.get_by_text(re.compile(r"You are suspended until .+: you may read, but not reply\."))
    ).to_be_visible()
    # ...and the reply page refuses him too.
    response = felix.goto(f"/t/{thread.pk}/reply/")
    assert response is not None and response.status == 403
    expect(felix.get_by_role("heading", level=1)).to_have_text("You cannot do that")

    # He appeals from the decision, linked from his post.
    felix.goto(thread.get_absolute_url())
    post_by(felix, author).get_by_role("link", name="The decision, and how to appeal it").click()
    expect(felix).to_have_url(re.compile(rf"/moderation/decisions/{decision.pk}/$"))
    expect(felix.get_by_role("heading", level=1)).to_have_text("Decision: Upheld")
    expect(felix.get_by_role("main")).to_contain_text("Suspension for 1 day")
    for signaller in signallers:
        expect(felix.get_by_role("main")).not_to_contain_text(signaller.public_name)
    felix.get_by_label(field("Your statement")).fill(STATEMENT)
    felix.get_by_role("button", name="Appeal", exact=True).click()
    expect(
        message(felix, "Your appeal is recorded. Another moderator will hear it.")
    ).to_be_visible()
    appeal = Appeal.objects.get(decision=decision)

    # 6. The moderator who decided may read the appeal, not hear it.
    noor.get_by_role("navigation", name="Moderation").get_by_role("link", name="Appeals").click()
    noor.get_by_role("link", name=str(appeal)).click()
    expect(noor).to_have_url(re.compile(rf"/moderation/appeals/{appeal.pk}/$"))
    expect(noor.get_by_role("main")).to_contain_text(STATEMENT)
    expect(noor.get_by_text("another moderator must hear the appeal")).to_be_visible()
    expect(noor.get_by_role("button", name="Record the hearing")).to_have_count(0)

    # The second moderator hears it and overturns.
    olek = signed_in(new_page, hearer)
    olek.get_by_role("banner").get_by_role("link", name="Queue", exact=True).click()
    olek.get_by_role("navigation", name="Moderation").get_by_role("link", name="Appeals").click()
    expect(olek).to_have_url(re.compile(r"/moderation/appeals/$"))
    olek.get_by_role("link", name=str(appeal)).click()
    olek.get_by_role("radio", name="Overturn it: restore the post and lift the sanction").check()
    olek.get_by_label(field("Rationale")).fill(OVERTURN)
    olek.get_by_role("button", name="Record the hearing").click()
    expect(message(olek, "The appeal is heard and the journal records it.")).to_be_visible()
    appeal.refresh_from_db()
    assert (appeal.state, appeal.heard_by) == (AppealState.OVERTURNED, hearer)

    # 7. The post is back for a visitor, and the author may reply again.
    visitor.reload()
    restored = post_by(visitor, author)
    expect(restored.get_by_text(ADVERT)).to_be_visible()
    expect(restored).not_to_contain_text("hidden")
    felix.goto(thread.get_absolute_url())
    expect(post_by(felix, author)).not_to_contain_text("Why the moderators acted")
    felix.get_by_label("Message").fill("Thank you for reading it again.")
    felix.get_by_role("button", name="Post reply").click()
    expect(felix).to_have_url(re.compile(rf"/t/{thread.pk}/#post-3$"))
    expect(
        post_by(felix, author).filter(has_text="Thank you for reading it again.")
    ).to_be_visible()

    # 8. The journal, read by a visitor: the decision and the appeal, both citing article 2, with
    # no signaller named and, by default, no moderator either.
    visitor.get_by_role("banner").get_by_role("link", name="Journal", exact=True).click()
    expect(visitor).to_have_url(re.compile(r"/moderation/journal/$"))
    journal = visitor.get_by_role("main")
    expect(journal.get_by_role("article")).to_have_count(2)
    overturned = journal.get_by_role("article", name=re.compile(r"^Appeal: Decision overturned"))
    expect(overturned).to_contain_text(OVERTURN)
    upheld = journal.get_by_role("article", name=re.compile(r"^Upheld"))
    expect(upheld).to_contain_text("Hide the post")
    expect(upheld).to_contain_text("Suspension for 1 day")
    expect(upheld).to_contain_text(RATIONALE)
    for entry in (overturned, upheld):
        expect(entry).to_contain_text(ARTICLE_2)
    html = visitor.content()  # the text, and the links and attributes too
    for person in (*signallers, decider, hearer):
        for name in (person.username, person.public_name):
            assert name not in html, f"the journal names {name} to a visitor"
