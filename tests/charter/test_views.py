"""The charter's pages and forms, for a visitor, a member and an admin.

Reading is open to everyone; acting needs the standing the rules ask for, and a refused action
changes nothing in the database. The states are built through the services, as in the rest of
the charter's tests, and the pages are driven through the test client.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils.formats import date_format

from charter import belenios, selectors, services
from charter.models import (
    Acceptance,
    Article,
    Ballot,
    BallotState,
    CharterVersion,
    Election,
    Proposal,
    ProposalState,
    ProposedChange,
    RecordFile,
    RollEntry,
    Sponsorship,
    VersionState,
    Vote,
)
from forum.models import Post, Thread
from members.models import Member
from tests.builders.charter import count, draft_data, parameter_data, reword
from tests.builders.elections import give_key
from tests.builders.forum import make_thread
from tests.builders.members import signed_in

pytestmark = pytest.mark.django_db


def marked(html: str, tag: str) -> list[str]:
    """The text of each <ins> or <del> (`tag`) of a page, as a screen reader reads it: with the
    words at each end that say what it is (charter/_pieces.html)."""
    runs = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", run) for run in runs]


PERSONAS = ["visitor_client", "member_client", "admin_client"]
OLD_WORDS = "Posts stay on the subject of their thread."
NEW_WORDS = "Posts stay on the topic of their thread."
LOGIN = "/accounts/login/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def database() -> dict:
    """Every row the charter's pages could write, as plain values."""
    models = [
        CharterVersion,
        Article,
        Acceptance,
        Proposal,
        ProposedChange,
        Sponsorship,
        Ballot,
        RollEntry,
        Vote,
        Election,
        RecordFile,
        Thread,
        Post,
    ]
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["must_accept"] = list(Member.objects.order_by("pk").values_list("must_accept_charter"))
    return rows


def amendment_data(
    version: CharterVersion, *, articles: dict | None = None, parameters: dict | None = None
) -> dict:
    """The proposal form as it opens (every article kept), with `articles` (by number) and
    `parameters` changed as the author would change them."""
    data = {"title": "Clearer topics", "rationale": "The old words confuse newcomers."}
    for article in version.articles.all():
        fields = {"action": "keep", "title": article.title, "body": article.body}
        fields |= (articles or {}).get(article.number, {})
        for name, value in fields.items():
            data[f"article-{article.number}-{name}"] = value
        if article.entrenched:
            data[f"article-{article.number}-entrenched"] = "on"
    data |= {
        "new-TOTAL_FORMS": "2",
        "new-INITIAL_FORMS": "0",
        "new-MIN_NUM_FORMS": "0",
        "new-MAX_NUM_FORMS": "20",
    }
    return data | parameter_data(version.settings | (parameters or {}))


@pytest.fixture
def author(founders) -> Member:
    return founders[0]


@pytest.fixture
def author_client(author) -> Client:
    return signed_in(author)


@pytest.fixture
def seeking(charter_v1, author, propose) -> Proposal:
    """Article 2 reworded, published, with no co-sponsor yet."""
    return propose(author, [reword(charter_v1, 2, NEW_WORDS)])


@pytest.fixture
def open_ballot(charter_v1, founders, propose, put_to_ballot) -> Ballot:
    """Article 2 reworded, co-sponsored by the three other founders, in its ballot."""
    proposal = propose(founders[0], [reword(charter_v1, 2, NEW_WORDS)], sponsors=founders[1:])
    return put_to_ballot(proposal)


@pytest.fixture
def charter_v2(open_ballot, founders) -> CharterVersion:
    """The founders vote 3 yes and 1 abstain on the amendment of article 2; it passes."""
    for voter, choice in zip(founders, ["yes", "yes", "yes", "abstain"], strict=True):
        services.cast_vote(member=voter, ballot=open_ballot, choice=choice)
    count(open_ballot, now=open_ballot.closes_at)
    version = selectors.current_version()
    assert version.number == 2
    return version


# Reading the charter: open to everyone


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_charter_in_force_to_everyone(request, persona, charter_v1):
    client = request.getfixturevalue(persona)
    response = client.get("/charter/")
    assert response.status_code == 200
    text = response.text
    assert "version 1" in text
    for title in ("Respect", "On topic", "No spam", "Amendments"):
        assert title in text
    assert "Members address each other with respect." in text
    assert OLD_WORDS in text
    assert "Co-sponsors an amendment needs" in text
    assert "Days of membership before one may vote" in text
    assert "30 days" in text
    ballot = charter_v1.ratified_by
    assert f'href="/charter/ballots/{ballot.pk}/"' in text
    assert "by the founding ballot" in text
    assert "4 yes, 0 no, 0 abstain" in text


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_each_version_with_the_ballot_that_ratified_it(request, persona, charter_v2):
    client = request.getfixturevalue(persona)
    old = client.get("/charter/v/1/")
    assert old.status_code == 200
    assert "version 1" in old.text and OLD_WORDS in old.text
    assert "This version is no longer in force." in old.text
    assert 'href="/charter/v/2/"' in old.text
    new = client.get("/charter/v/2/")
    assert new.status_code == 200
    assert "version 2" in new.text and NEW_WORDS in new.text and OLD_WORDS not in new.text
    ballot = charter_v2.ratified_by
    assert f'href="/charter/ballots/{ballot.pk}/"' in new.text
    assert "by the ballot on “An amendment”" in new.text
    assert "3 yes, 0 no, 1 abstain" in new.text
    assert "/charter/diff/?old=1&amp;new=2" in new.text


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_history_lists_every_version_newest_first(request, persona, charter_v2):
    client = request.getfixturevalue(persona)
    response = client.get("/charter/history/")
    assert response.status_code == 200
    text = response.text
    assert text.index('href="/charter/v/2/"') < text.index('href="/charter/v/1/"')
    assert "founding ballot" in text and "amendment “An amendment”" in text
    assert "4 articles" in text
    assert "/charter/diff/?old=1&amp;new=2" in text


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_diff_highlights_the_words_an_amendment_changed(request, persona, charter_v2):
    client = request.getfixturevalue(persona)
    for url in ("/charter/diff/?old=1&new=2", "/charter/diff/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "[removed] subject [end removed]" in marked(response.text, "del")
        assert "[added] topic [end added]" in marked(response.text, "ins")
        assert "From version 1 to version 2" in response.text


@pytest.mark.parametrize(
    "query",
    [
        "?old=abc&new=999",
        "?old=999&new=1",
        "?old=&new=",
        "?old=1&new=1",
        "?old=-1&new=2",
        "?old=99999999999999999999&new=2",
        "?new=2",
    ],
)
def test_odd_comparisons_give_a_page_or_a_404_never_an_error(visitor_client, charter_v2, query):
    response = visitor_client.get(f"/charter/diff/{query}")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "From version" in response.text


def test_a_version_that_does_not_exist_is_a_404(visitor_client, charter_v1):
    assert visitor_client.get("/charter/v/2/").status_code == 404
    assert visitor_client.get("/charter/v/0/").status_code == 404
    assert visitor_client.get("/charter/v/99999999999999999999/").status_code == 404


def test_there_is_nothing_to_compare_before_the_first_ratification(visitor_client, db):
    assert visitor_client.get("/charter/diff/").status_code == 404
    assert visitor_client.get("/charter/history/").status_code == 200


def test_a_draft_is_not_a_numbered_version(visitor_client, admin_member):
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member,
        version=draft,
        articles=[services.ArticleDraft("Respect", "Be kind.")],
        parameters={},
    )
    assert visitor_client.get("/charter/v/1/").status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_before_ratification_the_charter_page_leads_to_the_draft(request, persona, admin_member):
    client = request.getfixturevalue(persona)
    response = client.get("/charter/")
    assert response.status_code == 302 and response["Location"] == "/charter/draft/"
    assert "No charter yet" in client.get("/charter/draft/").text
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member,
        version=draft,
        articles=[services.ArticleDraft("Respect", "Members are kind to each other.")],
        parameters={},
    )
    page = client.get("/charter/draft/")
    assert page.status_code == 200
    assert "Members are kind to each other." in page.text
    assert "The charter is provisional until the members ratify it." in page.text


# Accepting the charter


def test_accepting_records_an_acceptance_and_goes_on(member_client, member, charter_v1):
    Member.objects.filter(pk=member.pk).update(must_accept_charter=True)
    page = member_client.get("/charter/accept/?next=/c/gardens/")
    assert page.status_code == 200
    assert "Members address each other with respect." in page.text
    assert 'name="accept"' in page.text
    assert 'value="/c/gardens/"' in page.text
    response = member_client.post(
        "/charter/accept/", {"version": charter_v1.pk, "accept": "on", "next": "/c/gardens/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/c/gardens/"
    assert Acceptance.objects.filter(member=member, version=charter_v1).count() == 1
    member.refresh_from_db()
    assert not member.must_accept_charter
    assert "Thank you: you accepted the charter." in messages_of(response)
    again = member_client.get("/charter/accept/")
    assert "You have accepted this version of the charter." in again.text
    assert 'name="accept"' not in again.text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "https:evil.example",
        "javascript:x",
        # Not a path: redirect() took a bare word for a URL pattern's name, and failed with a
        # 500 once the acceptance was saved.
        "hello",
        "c/gardens/",
    ],
)
def test_a_next_that_is_not_a_path_here_is_ignored(member_client, member, charter_v1, target):
    response = member_client.post(
        "/charter/accept/", {"version": charter_v1.pk, "accept": "on", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert Acceptance.objects.filter(member=member, version=charter_v1).exists()
    page = member_client.get(f"/charter/accept/?next={target}")
    assert f'href="{target}"' not in page.text
    assert f'name="next" value="{target}"' not in page.text


def test_a_stale_version_is_refused(member_client, member, charter_v2):
    old = CharterVersion.objects.get(number=1)
    before = database()
    response = member_client.post(
        "/charter/accept/", {"version": old.pk, "accept": "on", "next": "/"}
    )
    assert response.status_code == 200
    assert "A newer version of the charter is in force: read it first." in response.text
    assert database() == before


def test_the_box_must_be_ticked(member_client, member, charter_v1):
    Member.objects.filter(pk=member.pk).update(must_accept_charter=True)
    before = database()
    response = member_client.post("/charter/accept/", {"version": charter_v1.pk, "next": "/"})
    assert response.status_code == 200
    assert "Tick the box to accept the charter." in response.text
    assert database() == before


def test_on_a_fresh_site_the_acceptance_page_says_there_is_nothing_to_accept_and_changes_nothing(
    member_client, member
):
    Member.objects.filter(pk=member.pk).update(must_accept_charter=True)
    response = member_client.get("/charter/accept/")
    assert response.status_code == 200
    assert "there is nothing to accept" in response.text
    member.refresh_from_db()
    assert member.must_accept_charter


def test_on_a_fresh_site_there_is_nothing_to_accept(member_client, member):
    Member.objects.filter(pk=member.pk).update(must_accept_charter=True)
    response = member_client.post("/charter/accept/", {"next": "/c/gardens/"})
    assert response.status_code == 302 and response["Location"] == "/c/gardens/"
    member.refresh_from_db()
    assert not member.must_accept_charter
    assert not Acceptance.objects.exists()


def test_a_member_who_must_accept_sees_the_banner_on_the_forum_index(
    member_client, member, charter_v1
):
    Member.objects.filter(pk=member.pk).update(must_accept_charter=True)
    response = member_client.get("/")
    assert response.status_code == 200
    assert "Read and accept the charter to post, reply or signal." in response.text
    assert 'href="/charter/accept/?next=/"' in response.text


def test_a_member_who_accepted_sees_no_banner(member_client, member, charter_v1):
    services.accept_charter(member=member, version=charter_v1)
    page = member_client.get("/").text
    assert "Read and accept the charter to post, reply or signal." not in page
    assert 'href="/charter/accept/' not in page


def test_a_member_who_must_accept_cannot_reply(member_client, member, charter_v1, category):
    thread = make_thread(category=category, title="Seed swap in spring")
    Member.objects.filter(pk=member.pk).update(must_accept_charter=True)
    before = database()
    response = member_client.post(f"/t/{thread.pk}/reply/", {"source": "Count me in!"})
    assert response.status_code == 403
    assert database() == before
    assert member_client.get(f"/t/{thread.pk}/reply/").status_code == 403


def test_the_thread_page_tells_a_member_who_must_accept_to_accept_the_charter(
    member_client, member, charter_v1, category
):
    thread = make_thread(category=category, title="Seed swap in spring")
    Member.objects.filter(pk=member.pk).update(must_accept_charter=True)
    page = member_client.get(f"/t/{thread.pk}/")
    assert page.status_code == 200
    assert 'id="reply-form"' not in page.text
    assert "Accept the charter to reply" in page.text
    assert f'href="/charter/accept/?next=/t/{thread.pk}/"' in page.text


# Drafting the provisional charter: admins only, until its founding ballot


def test_an_admin_drafts_the_provisional_charter(admin_client):
    assert admin_client.get("/charter/draft/edit/").status_code == 200
    response = admin_client.post(
        "/charter/draft/edit/",
        draft_data([("Respect", "Be kind."), ("On topic", "Stay on the subject.")]),
    )
    assert response.status_code == 302 and response["Location"] == "/charter/draft/"
    draft = CharterVersion.objects.get()
    assert draft.state == VersionState.PROVISIONAL and draft.number is None
    assert list(draft.articles.values_list("number", "title")) == [(1, "Respect"), (2, "On topic")]
    page = admin_client.get("/charter/draft/")
    assert "Be kind." in page.text and 'href="/charter/draft/edit/"' in page.text


def test_an_admin_revises_the_draft(admin_client, admin_member):
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member,
        version=draft,
        articles=[services.ArticleDraft("Respect", "Be kind.")],
        parameters={},
    )
    page = admin_client.get("/charter/draft/edit/")
    assert page.status_code == 200 and "Be kind." in page.text
    identity = str(draft.articles.get().identity)
    data = draft_data([("Respect", "Be kind to each other.")], initial=1)
    data["article-0-identity"] = identity
    data["parameter-cosponsors"] = "4"
    response = admin_client.post("/charter/draft/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    article = draft.articles.get()
    assert (article.body, str(article.identity)) == ("Be kind to each other.", identity)
    assert draft.settings["cosponsors"] == 4


def test_the_draft_with_no_article_shows_an_error(admin_client):
    response = admin_client.post("/charter/draft/edit/", draft_data([]))
    assert response.status_code == 200
    assert "A charter needs at least one article." in response.text


def test_the_draft_with_no_article_saves_nothing(admin_client):
    admin_client.post("/charter/draft/edit/", draft_data([]))
    assert not CharterVersion.objects.exists()


def test_a_bad_parameter_in_the_draft_shows_an_error(admin_client):
    data = draft_data([("Respect", "Be kind.")]) | {"parameter-cosponsors": "0"}
    response = admin_client.post("/charter/draft/edit/", data)
    assert response.status_code == 200
    assert not Article.objects.exists()


@pytest.mark.parametrize("persona", ["member_client", "moderator_client"])
def test_members_cannot_draft(request, persona, admin_member):
    client = request.getfixturevalue(persona)
    assert client.get("/charter/draft/edit/").status_code == 403
    before = database()
    assert client.post("/charter/draft/edit/", draft_data([("Obey", "Obey.")])).status_code == 403
    assert database() == before
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member,
        version=draft,
        articles=[services.ArticleDraft("Respect", "Be kind.")],
        parameters={},
    )
    before = database()
    assert client.get("/charter/draft/edit/").status_code == 403
    assert client.post("/charter/draft/edit/", draft_data([("Obey", "Obey.")])).status_code == 403
    assert client.post("/charter/draft/ballot/").status_code == 403
    assert database() == before
    assert 'href="/charter/draft/edit/"' not in client.get("/charter/draft/").text


def test_an_admin_opens_the_founding_ballot(admin_client, admin_member, founders, now):
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member,
        version=draft,
        articles=[services.ArticleDraft("Respect", "Be kind.")],
        parameters={},
    )
    response = admin_client.post("/charter/draft/ballot/")
    ballot = Ballot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/charter/ballots/{ballot.pk}/"
    draft.refresh_from_db()
    assert draft.state == VersionState.BALLOT
    assert (ballot.draft_id, ballot.state) == (draft.pk, BallotState.SETUP)
    assert messages_of(response) == [
        "The founding ballot is prepared: it opens as soon as its trustees have made its key."
    ]
    give_key(ballot, now=now)
    assert ballot.roll.count() == 5  # every verified member: the founders and the admin


def test_once_its_ballot_opens_the_draft_is_frozen(admin_client, admin_member):
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member,
        version=draft,
        articles=[services.ArticleDraft("Respect", "Be kind.")],
        parameters={},
    )
    services.open_founding_ballot(admin=admin_member, version=draft)
    before = database()
    assert admin_client.get("/charter/draft/edit/").status_code == 403
    response = admin_client.post("/charter/draft/edit/", draft_data([("Obey", "Obey.")]))
    assert response.status_code == 403
    assert admin_client.post("/charter/draft/ballot/").status_code == 403
    assert database() == before
    page = admin_client.get("/charter/draft/")
    assert 'href="/charter/draft/edit/"' not in page.text
    assert "This text is frozen" in page.text


def test_once_ratified_not_even_an_admin_edits_the_charter(admin_client, charter_v1):
    before = database()
    assert admin_client.get("/charter/draft/edit/").status_code == 403
    response = admin_client.post("/charter/draft/edit/", draft_data([("Obey", "Obey.")]))
    assert response.status_code == 403
    assert admin_client.post("/charter/draft/ballot/").status_code == 403
    assert database() == before
    assert admin_client.get("/charter/draft/").status_code == 302


def test_without_a_draft_there_is_no_ballot_to_open(admin_client):
    assert admin_client.post("/charter/draft/ballot/").status_code == 403
    assert not Ballot.objects.exists()


# Every action refuses those who may not take it, and changes nothing


@pytest.fixture
def stage(charter_v1, founders, open_ballot, propose) -> dict:
    """A proposal at each stage a refused action could hit, and the URLs of the actions."""
    draft = propose(founders[0], [reword(charter_v1, 1, "Be kind.")], submit=False)
    seeking = propose(founders[0], [reword(charter_v1, 3, "No adverts.")])
    return {
        "submit": f"/charter/proposals/{draft.pk}/submit/",
        "sponsor": f"/charter/proposals/{seeking.pk}/sponsor/",
        "withdraw": f"/charter/proposals/{seeking.pk}/withdraw/",
        "vote": f"/charter/ballots/{open_ballot.pk}/vote/",
        "accept": "/charter/accept/",
        "open_founding_ballot": "/charter/draft/ballot/",
        "edit_draft": "/charter/draft/edit/",
        "new_proposal": "/charter/proposals/new/",
        "edit_proposal": f"/charter/proposals/{draft.pk}/edit/",
        "vote_data": {"choice": "yes", "final": "on"},
        "accept_data": {"version": charter_v1.pk, "accept": "on"},
        "amendment_data": amendment_data(
            charter_v1, articles={4: {"action": "remove"}}, parameters={"cosponsors": 1}
        ),
    }


POST_ACTIONS = [
    "submit",
    "sponsor",
    "withdraw",
    "vote",
    "accept",
    "open_founding_ballot",
    "edit_draft",
    "new_proposal",
    "edit_proposal",
]
POST_ONLY = ["submit", "sponsor", "withdraw", "vote", "open_founding_ballot"]


def data_for(stage: dict, action: str) -> dict:
    if action == "vote":
        return stage["vote_data"]
    if action == "accept":
        return stage["accept_data"]
    if action in ("new_proposal", "edit_proposal"):
        return stage["amendment_data"]
    if action == "edit_draft":
        return draft_data([("Obey", "Members obey.")])
    return {}


@pytest.mark.parametrize("action", POST_ACTIONS)
def test_visitors_are_sent_to_sign_in(visitor_client, stage, action):
    before = database()
    response = visitor_client.post(stage[action], data_for(stage, action))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert database() == before


@pytest.mark.parametrize("action", [a for a in POST_ACTIONS if a not in ("vote", "accept")])
def test_a_new_member_may_not_act_on_the_charter(member_client, member, stage, action):
    """Alice joined today: she may read and accept, not propose, co-sponsor, or vote."""
    services.accept_charter(member=member, version=CharterVersion.objects.get(number=1))
    before = database()
    response = member_client.post(stage[action], data_for(stage, action))
    assert response.status_code == 403
    assert database() == before


@pytest.mark.parametrize("action", ["submit", "withdraw", "edit_proposal"])
def test_only_the_author_acts_on_a_proposal(request, stage, founders, action):
    """Another founder, eligible in every way, is not the author: nor is the admin."""
    for client in (signed_in(founders[1]), request.getfixturevalue("admin_client")):
        before = database()
        response = client.post(stage[action], data_for(stage, action))
        assert response.status_code == 403, action
        assert database() == before


def test_an_admin_has_no_power_over_proposals_and_ballots(admin_client, admin_member, stage):
    before = database()
    assert admin_client.post(stage["sponsor"]).status_code == 403
    response = admin_client.post(stage["vote"], stage["vote_data"])
    assert response.status_code == 302
    assert "You had been a member for less than 30 days" in " ".join(messages_of(response))
    assert admin_client.post(stage["new_proposal"], stage["amendment_data"]).status_code == 403
    assert database() == before


def test_a_member_not_on_the_roll_cannot_vote(member_client, stage):
    before = database()
    response = member_client.post(stage["vote"], stage["vote_data"])
    assert response.status_code == 302
    assert response["Location"] == stage["vote"].removesuffix("vote/")
    assert messages_of(response) == [
        "You had been a member for less than 30 days when this ballot opened."
    ]
    assert database() == before


@pytest.mark.parametrize("action", POST_ONLY)
@pytest.mark.parametrize("persona", ["member_client", "admin_client"])
def test_actions_are_post_only(request, stage, persona, action):
    client = request.getfixturevalue(persona)
    before = database()
    assert client.get(stage[action]).status_code == 405
    assert database() == before


@pytest.mark.parametrize(
    "url",
    [
        "/charter/proposals/424242/",
        "/charter/proposals/424242/edit/",
        "/charter/ballots/424242/",
        "/charter/ballots/424242/count/",
    ],
)
def test_a_missing_proposal_or_ballot_is_a_404(author_client, charter_v1, url):
    assert author_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/charter/proposals/424242/submit/",
        "/charter/proposals/424242/sponsor/",
        "/charter/proposals/424242/withdraw/",
        "/charter/ballots/424242/vote/",
    ],
)
def test_an_action_on_a_missing_proposal_or_ballot_is_a_404(author_client, charter_v1, url):
    assert author_client.post(url, {"choice": "yes", "final": "on"}).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_draft_proposal_is_seen_by_its_author_only(request, persona, stage, author_client):
    client = request.getfixturevalue(persona)
    url = stage["submit"].removesuffix("submit/")
    assert client.get(url).status_code == 404
    assert author_client.get(url).status_code == 200


# Proposing an amendment through the form


def test_an_eligible_member_proposes_an_amendment(author_client, author, charter_v1):
    page = author_client.get("/charter/proposals/new/")
    assert page.status_code == 200
    assert 'name="article-2-action"' in page.text
    assert OLD_WORDS in page.text
    data = amendment_data(charter_v1, articles={2: {"action": "change", "body": NEW_WORDS}})
    response = author_client.post("/charter/proposals/new/", data)
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/charter/proposals/{proposal.pk}/"
    assert proposal.state == ProposalState.DRAFT
    assert (proposal.author, proposal.base, proposal.title) == (
        author,
        charter_v1,
        "Clearer topics",
    )
    change = proposal.changes.get()
    assert (change.action, change.identity, change.body) == (
        "change",
        charter_v1.articles.get(number=2).identity,
        NEW_WORDS,
    )
    assert proposal.parameters == {}
    shown = author_client.get(response["Location"])
    assert "[removed] subject [end removed]" in marked(shown.text, "del")
    assert "[added] topic [end added]" in marked(shown.text, "ins")
    assert f'action="/charter/proposals/{proposal.pk}/submit/"' in shown.text


def test_an_amendment_that_changes_nothing_is_refused(author_client, charter_v1):
    response = author_client.post("/charter/proposals/new/", amendment_data(charter_v1))
    assert response.status_code == 200
    assert "An amendment changes at least one article or parameter." in response.text
    assert not Proposal.objects.exists()


def test_changing_an_article_needs_new_words(author_client, charter_v1):
    data = amendment_data(charter_v1, articles={2: {"action": "change"}})
    response = author_client.post("/charter/proposals/new/", data)
    assert response.status_code == 200
    assert "You chose to change this article but its words are the same." in response.text
    assert not Proposal.objects.exists()


def test_a_changed_article_needs_a_text(author_client, charter_v1):
    data = amendment_data(charter_v1, articles={2: {"action": "change", "body": ""}})
    response = author_client.post("/charter/proposals/new/", data)
    assert response.status_code == 200
    assert "A changed article needs a short title and a text." in response.text
    assert not Proposal.objects.exists()


def test_a_parameter_change_is_stored_with_the_proposal(author_client, charter_v1):
    data = amendment_data(charter_v1, parameters={"cosponsors": 5})
    response = author_client.post("/charter/proposals/new/", data)
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.parameters == {"cosponsors": 5}
    assert not proposal.changes.exists()


def test_an_article_and_a_new_one_in_one_amendment(author_client, charter_v1):
    data = amendment_data(charter_v1, articles={3: {"action": "remove"}})
    data |= {"new-0-title": "Privacy", "new-0-body": "Nobody publishes another's address."}
    response = author_client.post("/charter/proposals/new/", data)
    assert response.status_code == 302
    actions = sorted(Proposal.objects.get().changes.values_list("action", flat=True))
    assert actions == ["add", "remove"]


def test_an_amendment_that_removes_every_article_is_refused(author_client, charter_v1):
    removed = {n: {"action": "remove"} for n in range(1, 5)}
    response = author_client.post(
        "/charter/proposals/new/", amendment_data(charter_v1, articles=removed)
    )
    assert response.status_code == 200
    assert "A charter needs at least one article." in response.text
    assert not Proposal.objects.exists()


def test_words_from_members_are_shown_as_text_not_markup(
    author_client, author, founders, charter_v1, put_to_ballot
):
    script = "<script>alert(1)</script>"
    data = amendment_data(
        charter_v1, articles={2: {"action": "change", "body": f"Stay on topic. {script}"}}
    )
    data["title"] = f"Topics {script}"
    author_client.post("/charter/proposals/new/", data)
    proposal = Proposal.objects.get()
    services.submit_proposal(author=author, proposal=proposal)
    for sponsor in founders[1:]:
        services.sponsor_proposal(member=sponsor, proposal=proposal)
    proposal.refresh_from_db()
    ballot = put_to_ballot(proposal)
    for url in (
        "/charter/proposals/",
        f"/charter/proposals/{proposal.pk}/",
        f"/charter/ballots/{ballot.pk}/",
        "/charter/",
    ):
        text = author_client.get(url).text
        assert script not in text, url
    assert "&lt;script&gt;" in author_client.get(f"/charter/ballots/{ballot.pk}/").text


def test_a_member_of_ten_days_sees_why_they_cannot_propose(elder_factory, now, charter_v1):
    newcomer = elder_factory(date_joined=now - timedelta(days=10))
    services.accept_charter(member=newcomer, version=charter_v1)
    client = signed_in(newcomer)
    page = client.get("/charter/proposals/new/")
    assert page.status_code == 403
    assert "Members may take part after 30 days of membership" in page.text
    assert date_format(now + timedelta(days=20)) in page.text
    before = database()
    data = amendment_data(charter_v1, articles={2: {"action": "change", "body": NEW_WORDS}})
    assert client.post("/charter/proposals/new/", data).status_code == 403
    assert database() == before


def test_a_member_who_has_not_accepted_sees_why_they_cannot_propose(elder_factory, charter_v1):
    client = signed_in(elder_factory())
    page = client.get("/charter/proposals/new/")
    assert page.status_code == 403
    assert "Accept the current version of the charter first." in page.text


def test_nobody_proposes_before_the_charter_is_ratified(admin_client, author_client, db):
    for client in (admin_client, author_client):
        page = client.get("/charter/proposals/new/")
        assert page.status_code == 403
        assert "The charter has not been ratified yet" in page.text


def test_the_author_revises_a_draft(author_client, author, charter_v1, propose):
    proposal = propose(author, [reword(charter_v1, 2, NEW_WORDS)], submit=False)
    page = author_client.get(f"/charter/proposals/{proposal.pk}/edit/")
    assert page.status_code == 200
    assert NEW_WORDS in page.text
    data = amendment_data(
        charter_v1, articles={2: {"action": "change", "body": "Posts stay on topic."}}
    )
    response = author_client.post(f"/charter/proposals/{proposal.pk}/edit/", data)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.revision == 2
    assert proposal.changes.get().body == "Posts stay on topic."


def test_the_author_submits_and_withdraws(author_client, author, charter_v1, propose):
    proposal = propose(author, [reword(charter_v1, 2, NEW_WORDS)], submit=False)
    response = author_client.post(f"/charter/proposals/{proposal.pk}/submit/")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.SEEKING
    assert "Your proposal is published: it now needs co-sponsors." in messages_of(response)
    again = author_client.post(f"/charter/proposals/{proposal.pk}/submit/")
    assert again.status_code == 403
    response = author_client.post(f"/charter/proposals/{proposal.pk}/withdraw/")
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.WITHDRAWN


# Co-sponsoring through the view


def test_three_co_sponsors_open_the_discussion(seeking, founders, author_client):
    page = signed_in(founders[1]).get(f"/charter/proposals/{seeking.pk}/")
    assert f'action="/charter/proposals/{seeking.pk}/sponsor/"' in page.text
    for sponsor in founders[1:]:
        response = signed_in(sponsor).post(f"/charter/proposals/{seeking.pk}/sponsor/")
        assert response.status_code == 302
        assert response["Location"] == f"/charter/proposals/{seeking.pk}/"
        assert messages_of(response)[0].startswith("You co-sponsor this proposal.")
    assert "its discussion is open until" in messages_of(response)[0]
    seeking.refresh_from_db()
    assert seeking.state == ProposalState.DISCUSSION
    assert seeking.sponsorships.count() == 3
    thread = Thread.objects.get(pk=seeking.thread_id)
    for client in (author_client, Client()):
        page = client.get(f"/charter/proposals/{seeking.pk}/")
        assert page.status_code == 200
        assert f'href="{thread.get_absolute_url()}"' in page.text
        for sponsor in founders[1:]:
            assert sponsor.public_name in page.text


def test_the_author_cannot_co_sponsor(author_client, seeking):
    before = database()
    response = author_client.post(f"/charter/proposals/{seeking.pk}/sponsor/")
    assert response.status_code == 403
    assert database() == before
    page = author_client.get(f"/charter/proposals/{seeking.pk}/")
    assert f'action="/charter/proposals/{seeking.pk}/sponsor/"' not in page.text


def test_co_sponsoring_twice_counts_once(seeking, founders):
    client = signed_in(founders[1])
    client.post(f"/charter/proposals/{seeking.pk}/sponsor/")
    client.post(f"/charter/proposals/{seeking.pk}/sponsor/")
    assert seeking.sponsorships.count() == 1


def test_a_new_member_sees_why_they_cannot_co_sponsor(member_client, seeking):
    page = member_client.get(f"/charter/proposals/{seeking.pk}/")
    assert page.status_code == 200
    assert f'action="/charter/proposals/{seeking.pk}/sponsor/"' not in page.text
    assert "Members may take part after 30 days of membership" in page.text


# Voting through the view


def test_the_ballot_page_warns_that_a_vote_is_final(open_ballot, author_client):
    page = author_client.get(f"/charter/ballots/{open_ballot.pk}/")
    assert page.status_code == 200
    assert f'action="/charter/ballots/{open_ballot.pk}/vote/"' in page.text
    assert 'name="final"' in page.text
    assert "I understand that my vote is secret and final: it cannot be changed." in page.text
    assert "[removed] subject [end removed]" in marked(page.text, "del")
    assert "[added] topic [end added]" in marked(page.text, "ins")


def test_a_vote_without_the_confirmation_records_nothing(open_ballot, author_client, author):
    before = database()
    response = author_client.post(f"/charter/ballots/{open_ballot.pk}/vote/", {"choice": "yes"})
    assert response.status_code == 400
    assert "Confirm that you understand your vote is final." in response.text
    assert database() == before


def test_a_vote_with_no_choice_records_nothing(open_ballot, author_client):
    before = database()
    response = author_client.post(f"/charter/ballots/{open_ballot.pk}/vote/", {"final": "on"})
    assert response.status_code == 400
    assert "Choose yes, no or abstain." in response.text
    assert database() == before


def test_a_member_on_the_roll_votes_once(open_ballot, author_client, author):
    url = f"/charter/ballots/{open_ballot.pk}/vote/"
    response = author_client.post(url, {"choice": "no", "final": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/charter/ballots/{open_ballot.pk}/"
    [told] = messages_of(response)
    tracker = re.fullmatch(
        r"Your vote is in the ballot box, encrypted\. Its tracker is (\S+): note it to find "
        r"your paper in the ballot box\. Thank you\.",
        told,
    )[1]
    assert trackers_in_the_box(open_ballot) == [tracker]
    assert RollEntry.objects.get(ballot=open_ballot, member=author).voted
    page = author_client.get(f"/charter/ballots/{open_ballot.pk}/")
    assert "You have voted. A secret vote is final." in page.text
    assert f'action="{url}"' not in page.text
    again = author_client.post(url, {"choice": "yes", "final": "on"})
    assert again.status_code == 302
    assert messages_of(again) == ["You have voted. A secret vote is final."]
    assert trackers_in_the_box(open_ballot) == [tracker]  # the first paper, alone


def trackers_in_the_box(ballot: Ballot) -> list[str]:
    papers = selectors.papers(Election.objects.get(ballot=ballot))
    return [belenios.tracker(content.encode()) for content in papers]


def test_a_member_not_on_the_roll_sees_why(open_ballot, member_client):
    page = member_client.get(f"/charter/ballots/{open_ballot.pk}/")
    assert page.status_code == 200
    assert "You had been a member for less than 30 days when this ballot opened." in page.text
    assert 'name="final"' not in page.text


@pytest.mark.parametrize(
    ("joined", "accepted", "reason"),
    [
        (
            "after",
            True,
            "You joined after this ballot opened: its roll was frozen at the opening.",
        ),
        (
            "long ago",
            False,
            "You had not accepted any ratified version of the charter when this ballot opened.",
        ),
    ],
)
def test_a_member_left_off_the_roll_is_told_why(
    open_ballot, elder_factory, charter_v1, joined, accepted, reason
):
    if joined == "after":
        latecomer = elder_factory(date_joined=open_ballot.opened_at + timedelta(hours=1))
    else:
        latecomer = elder_factory()
    if accepted:
        services.accept_charter(member=latecomer, version=charter_v1)
    client = signed_in(latecomer)
    page = client.get(f"/charter/ballots/{open_ballot.pk}/")
    assert reason in page.text
    assert 'name="final"' not in page.text
    before = database()
    response = client.post(
        f"/charter/ballots/{open_ballot.pk}/vote/", {"choice": "yes", "final": "on"}
    )
    assert messages_of(response) == [reason]
    assert database() == before


def test_a_visitor_is_asked_to_sign_in_to_vote(open_ballot, visitor_client):
    page = visitor_client.get(f"/charter/ballots/{open_ballot.pk}/")
    assert page.status_code == 200
    assert "Sign in to vote." in page.text
    assert 'name="final"' not in page.text


def test_the_count_shows_the_votes_cast_while_open(open_ballot, founders, visitor_client):
    for voter in founders[:2]:
        services.cast_vote(member=voter, ballot=open_ballot, choice="yes")
    response = visitor_client.get(f"/charter/ballots/{open_ballot.pk}/count/")
    assert response.status_code == 200
    assert "2 votes cast of 4 eligible" in response.text
    assert "hx-get" in response.text
    services.close_ballot(ballot_id=open_ballot.pk, now=open_ballot.closes_at)
    closed = visitor_client.get(f"/charter/ballots/{open_ballot.pk}/count/")
    assert closed.status_code == 286
    assert "2 votes cast of 4 eligible" in closed.text
    assert "hx-get" not in closed.text


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_tally_and_the_roll_are_hidden_while_the_ballot_is_open(
    request, persona, open_ballot, founders
):
    client = request.getfixturevalue(persona)
    services.cast_vote(member=founders[1], ballot=open_ballot, choice="no")
    page = client.get(f"/charter/ballots/{open_ballot.pk}/")
    assert page.status_code == 200
    assert "1 vote cast of 4 eligible" in page.text
    for published in ('class="tally"', "Turnout", "Result:", "The roll", "roll__entry"):
        assert published not in page.text
    assert founders[1].public_name not in page.text


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_closed_ballot_shows_the_tally_the_turnout_and_the_roll(
    request, persona, charter_v2, open_ballot, founders
):
    client = request.getfixturevalue(persona)
    page = client.get(f"/charter/ballots/{open_ballot.pk}/")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "Result: passed" in text
    for label, votes in (("Yes", 3), ("No", 0), ("Abstain", 1)):
        assert f"<dt>{label}</dt><dd>{votes}</dd>" in text
    assert re.search(r"Turnout: 4 \w.*? 4 active eligible voters \(100 %\)", text)
    assert "The roll" in text
    for voter in founders:
        assert voter.public_name in text
    assert text.count("roll__entry--voted") == 4
    assert 'name="final"' not in text
    assert 'href="/charter/v/2/"' in text


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_other_page_shows_a_tally_while_the_ballot_is_open(
    request, persona, open_ballot, founders
):
    client = request.getfixturevalue(persona)
    for voter, choice in zip(founders, ["yes", "no", "abstain"], strict=False):
        services.cast_vote(member=voter, ballot=open_ballot, choice=choice)
    pages = [
        "/charter/",
        "/charter/history/",
        "/charter/proposals/",
        f"/charter/proposals/{open_ballot.proposal_id}/",
        f"/charter/ballots/{open_ballot.pk}/count/",
    ]
    for url in pages:
        text = client.get(url).text
        assert "1 yes, 1 no, 1 abstain" not in text, url
        assert 'class="tally"' not in text, url
        assert "Turnout" not in text, url


def test_a_vote_after_the_close_is_refused(open_ballot, author_client):
    services.close_ballot(ballot_id=open_ballot.pk, now=open_ballot.closes_at)
    before = database()
    response = author_client.post(
        f"/charter/ballots/{open_ballot.pk}/vote/", {"choice": "yes", "final": "on"}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["This ballot is closed."]
    assert database() == before
    page = author_client.get(f"/charter/ballots/{open_ballot.pk}/")
    assert 'name="final"' not in page.text


@pytest.mark.parametrize("action", POST_ONLY)
def test_a_visitors_get_on_an_action_is_sent_to_sign_in(visitor_client, stage, action):
    """Signing in comes before the method check, so a visitor learns nothing more."""
    before = database()
    response = visitor_client.get(stage[action])
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert database() == before
