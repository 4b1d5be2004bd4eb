"""A ratified version cannot be updated: the admin shows the charter, and changes none of it.

Every charter model is read-only in the admin, even for a superuser; the ballot box (the papers
in the record, the voters' credentials, the trustees; the clear box's Vote rows) is not
registered at all, and an open ballot shows no tally there either.
"""

import re

import pytest
from django.forms.models import model_to_dict

from charter import services
from charter.models import (
    Acceptance,
    Article,
    Ballot,
    CharterVersion,
    Proposal,
    RecordFile,
    Trustee,
    Vote,
    VoterCredential,
)
from tests.builders.charter import count, open_in_clear_box, reword

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_ballot(charter_v1, founders, propose, put_to_ballot) -> Ballot:
    """An amendment of article 2 in its ballot, with three of the four founders voted."""
    proposal = propose(
        founders[0],
        [reword(charter_v1, 2, "Posts stay on topic; moderators may move them.")],
        sponsors=founders[1:],
    )
    ballot = put_to_ballot(proposal)
    for voter, choice in zip(founders[:3], ["yes", "yes", "no"], strict=True):
        services.cast_vote(member=voter, ballot=ballot, choice=choice)
    return ballot


def snapshot() -> dict:
    """Every charter row the admin could touch, as plain values."""
    return {
        model.__name__: sorted(
            (tuple(sorted(model_to_dict(row).items(), key=str)) for row in model.objects.all()),
            key=str,
        )
        for model in (CharterVersion, Article, Proposal, Ballot, Acceptance)
    }


def change_urls(version: CharterVersion, ballot: Ballot) -> list[str]:
    acceptance = Acceptance.objects.filter(version=version).first()
    return [
        f"/admin/charter/charterversion/{version.pk}/change/",
        f"/admin/charter/proposal/{ballot.proposal_id}/change/",
        f"/admin/charter/ballot/{ballot.pk}/change/",
        f"/admin/charter/acceptance/{acceptance.pk}/change/",
    ]


def test_it_lists_every_charter_model_for_a_superuser(admin_client, open_ballot):
    for url in [
        "/admin/charter/",
        "/admin/charter/charterversion/",
        "/admin/charter/proposal/",
        "/admin/charter/ballot/",
        "/admin/charter/acceptance/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_the_change_pages_show_no_save_button(admin_client, charter_v1, open_ballot):
    for url in change_urls(charter_v1, open_ballot):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        for button in ('name="_save"', 'name="_continue"', 'name="_addanother"'):
            assert button not in response.text, (url, button)
        assert "/delete/" not in response.text, url


def test_the_version_page_shows_its_articles_without_a_field_to_edit(admin_client, charter_v1):
    response = admin_client.get(f"/admin/charter/charterversion/{charter_v1.pk}/change/")
    assert "Posts stay on the subject of their thread." in response.text
    assert "<textarea" not in response.text
    assert 'name="articles-0-body"' not in response.text
    assert 'name="articles-0-title"' not in response.text


def test_a_post_to_a_ratified_version_changes_nothing(admin_client, charter_v1):
    first = charter_v1.articles.get(number=1)
    before = snapshot()
    response = admin_client.post(
        f"/admin/charter/charterversion/{charter_v1.pk}/change/",
        {
            "state": "ratified",
            "number": "1",
            "parameters": '{"cosponsors": 1}',
            "ratified_at_0": "2020-01-01",
            "ratified_at_1": "00:00:00",
            "articles-TOTAL_FORMS": "1",
            "articles-INITIAL_FORMS": "1",
            "articles-MIN_NUM_FORMS": "0",
            "articles-MAX_NUM_FORMS": "1000",
            "articles-0-id": str(first.pk),
            "articles-0-version": str(charter_v1.pk),
            "articles-0-number": "1",
            "articles-0-title": "Obedience",
            "articles-0-body": "Members obey the admins.",
            "_save": "Save",
        },
    )
    assert response.status_code == 403
    assert snapshot() == before
    first.refresh_from_db()
    assert first.body == "Members address each other with respect."


@pytest.mark.parametrize("model", ["proposal", "ballot", "acceptance"])
def test_a_post_to_any_other_charter_row_changes_nothing(
    admin_client, charter_v1, open_ballot, model
):
    pk = {
        "proposal": open_ballot.proposal_id,
        "ballot": open_ballot.pk,
        "acceptance": Acceptance.objects.filter(version=charter_v1).first().pk,
    }[model]
    before = snapshot()
    response = admin_client.post(
        f"/admin/charter/{model}/{pk}/change/",
        {"title": "Rewritten", "state": "passed", "passed": "on", "yes": "99", "_save": "Save"},
    )
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("model", ["charterversion", "proposal", "ballot", "acceptance"])
def test_nothing_can_be_added_in_the_admin(admin_client, open_ballot, model):
    before = snapshot()
    assert admin_client.get(f"/admin/charter/{model}/add/").status_code == 403
    assert admin_client.post(f"/admin/charter/{model}/add/", {"state": "ratified"}).status_code == (
        403
    )
    assert snapshot() == before


def test_nothing_can_be_deleted_in_the_admin(admin_client, charter_v1, open_ballot):
    before = snapshot()
    for url in change_urls(charter_v1, open_ballot):
        delete_url = url.replace("/change/", "/delete/")
        assert admin_client.get(delete_url).status_code == 403, delete_url
        assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403, delete_url
    response = admin_client.post(
        "/admin/charter/charterversion/",
        {"action": "delete_selected", "_selected_action": [charter_v1.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302, 403)
    assert snapshot() == before


def assert_not_in_admin(client, row) -> None:
    listing = f"/admin/charter/{row._meta.model_name}/"
    assert client.get(listing).status_code == 404
    assert client.get(f"{listing}{row.pk}/change/").status_code == 404
    assert listing not in client.get("/admin/charter/").text
    assert listing not in client.get("/admin/").text


BOX = {
    "a paper": lambda: RecordFile.objects.filter(credential__isnull=False).first(),
    "a credential": lambda: VoterCredential.objects.first(),  # the fourth founder's, unused
    "a trustee": lambda: Trustee.objects.first(),
}


@pytest.mark.parametrize("what", BOX)
def test_the_ballot_box_is_not_in_the_admin(admin_client, open_ballot, what):
    assert_not_in_admin(admin_client, BOX[what]())


def test_the_clear_ballot_box_is_not_in_the_admin(admin_client, charter_v1, founders, propose):
    """The clear box (a ballot opened before encrypted ones): its Vote rows."""
    proposal = propose(founders[0], [reword(charter_v1, 2, "On topic.")], sponsors=founders[1:])
    services.run_deadlines(now=proposal.discussion_ends_at)
    proposal.refresh_from_db()
    ballot = open_in_clear_box(proposal.ballot, now=proposal.discussion_ends_at)
    services.cast_vote(member=founders[0], ballot=ballot, choice="yes", now=ballot.opened_at)
    assert_not_in_admin(admin_client, Vote.objects.get(ballot=ballot))


def test_the_articles_are_not_editable_on_their_own(admin_client, charter_v1):
    article = charter_v1.articles.first()
    assert admin_client.get("/admin/charter/article/").status_code == 404
    assert admin_client.get(f"/admin/charter/article/{article.pk}/change/").status_code == 404


def test_an_open_ballot_shows_no_tally_in_the_admin(admin_client, open_ballot):
    listing = admin_client.get("/admin/charter/ballot/")
    assert listing.status_code == 200
    assert "abstain" not in listing.text.lower()
    page = admin_client.get(f"/admin/charter/ballot/{open_ballot.pk}/change/")
    assert re.search(r"Yes / no / abstain:</label>\s*<div class=\"readonly\">—</div>", page.text)
    assert "2 / 1 / 0" not in page.text
    assert "2 / 1 / 0" not in listing.text


def test_a_closed_ballot_shows_its_tally_in_the_admin(admin_client, open_ballot):
    count(open_ballot, now=open_ballot.closes_at)
    page = admin_client.get(f"/admin/charter/ballot/{open_ballot.pk}/change/")
    assert re.search(
        r"Yes / no / abstain:</label>\s*<div class=\"readonly\">2 / 1 / 0</div>", page.text
    )


def test_members_cannot_open_the_charter_admin(member_client, charter_v1):
    response = member_client.get("/admin/charter/charterversion/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
