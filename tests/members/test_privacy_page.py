"""The privacy page says, to anyone, what the site keeps and why; the footer and the settings
lead to it, and to the member's export and deletion."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_anyone_may_read_the_privacy_page(visitor_client):
    response = visitor_client.get("/privacy/")
    assert response.status_code == 200
    page = response.text
    for subject in ("Your account", "Signals", "Votes", "Server logs", "Cookies",
                    "Images in posts", "For how long", "legitimate interest"):  # fmt: skip
        assert subject in page


def test_it_says_what_deletion_keeps(visitor_client):
    page = visitor_client.get("/privacy/").text
    assert "“Deleted member”" in page
    assert "a note you wrote may say something about you" in page


def test_it_says_plainly_what_the_encryption_of_votes_does_not_protect(visitor_client):
    page = visitor_client.get("/privacy/").text
    assert "rests on the people who run the server" not in page
    assert "Every ballot is a Belenios election" in page
    assert "changes its code could see choices as they are cast" in page
    assert "nor any vote from the database, its backups or its logs, without the trustees" in page
    assert "could decrypt single papers" in page
    assert "could cast a vote in your name while you have not voted" in page


def test_it_says_what_the_record_protects_and_what_whoever_runs_the_database_can_still_do(
    visitor_client,
):
    page = visitor_client.get("/privacy/").text
    assert "each version and entry carries a digest" in page
    assert "Whoever runs the database could still force a change, but it would show" in page


def test_it_leads_to_the_export_and_the_deletion(visitor_client):
    page = visitor_client.get("/privacy/").text
    assert 'href="/me/data/"' in page and 'href="/me/delete/"' in page


def test_it_gives_the_session_lifetime_from_the_settings(visitor_client):
    days = settings.SESSION_COOKIE_AGE // 86400
    assert f"or {days} days at most" in visitor_client.get("/privacy/").text


def test_every_page_links_it_in_the_footer(visitor_client, member_client):
    for client in (visitor_client, member_client):
        assert 'href="/privacy/"' in client.get("/").text


def test_the_settings_lead_to_the_export_and_the_deletion(member_client):
    page = member_client.get("/me/settings/").text
    assert 'href="/me/data/"' in page and 'href="/me/delete/"' in page
