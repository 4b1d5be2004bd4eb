import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from members.models import Member
from tests.builders.members import PASSWORD, password_confirmed

pytestmark = pytest.mark.django_db


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", message.body).group(1)


def sign_up(client, username="claire", email="claire@example.org"):
    return client.post(
        "/accounts/signup/",
        {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_signing_up_sends_a_verification_email_and_waits_for_it(visitor_client):
    response = sign_up(visitor_client)
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["claire@example.org"]
    assert not EmailAddress.objects.get(email="claire@example.org").verified
    assert not visitor_client.get("/").wsgi_request.user.is_authenticated


def test_following_the_link_verifies_the_email_and_signs_in(visitor_client):
    sign_up(visitor_client)
    link = confirmation_link(mail.outbox[0])
    assert visitor_client.get(link).status_code == 200
    visitor_client.post(link)
    assert EmailAddress.objects.get(email="claire@example.org").verified
    assert visitor_client.get("/").wsgi_request.user.username == "claire"


def test_unverified_members_cannot_sign_in(visitor_client):
    sign_up(visitor_client)
    response = visitor_client.post("/accounts/login/", {"login": "claire", "password": PASSWORD})
    assert response["Location"] == "/accounts/confirm-email/"
    assert not visitor_client.get("/").wsgi_request.user.is_authenticated


@pytest.mark.parametrize("login", ["alice", "alice@example.org", "ALICE@example.org"])
def test_a_member_signs_in_with_username_or_email(visitor_client, member, login):
    response = visitor_client.post("/accounts/login/", {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert visitor_client.get("/").wsgi_request.user == member


def test_a_wrong_password_says_so(visitor_client, member):
    response = visitor_client.post("/accounts/login/", {"login": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "not correct" in response.text


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("al", "at least 3"),
        ("alice smith", "letters, digits or underscores"),
        ("<script>", "letters, digits or underscores"),
        ("ALICE", "already"),
    ],
)
def test_bad_usernames_are_refused_with_a_reason(visitor_client, member, username, message):
    response = sign_up(visitor_client, username=username)
    assert response.status_code == 200 and message in response.text
    assert not Member.objects.filter(email="claire@example.org").exists()


def test_a_password_reset_email_is_sent(visitor_client, member):
    visitor_client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body


def test_resetting_an_unknown_email_looks_the_same_from_outside(visitor_client, member):
    known = visitor_client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    unknown = visitor_client.post("/accounts/password/reset/", {"email": "who@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_a_member_changes_their_email_after_verifying_the_new_one(member):
    member_client = password_confirmed(member)
    member_client.post("/accounts/email/", {"action_add": "", "email": "alice@new.example"})
    [confirmation] = [message for message in mail.outbox if message.to == ["alice@new.example"]]
    member_client.post(confirmation_link(confirmation))
    member.refresh_from_db()
    assert member.email == "alice@new.example"
