"""The account emails (templates/account/email/) are Palabre's own, in the reader's language:
each names the site and gives its link whole, on a line of its own, to be followed or copied."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.builders.members import PASSWORD, password_confirmed

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr"]


def link_line(body: str, path: str) -> str:
    """The line of `body` holding the link to `path`, which must be that link and nothing else."""
    [line] = [line for line in body.splitlines() if path in line]
    assert re.fullmatch(rf"http://testserver{path}\S+", line), line
    return line


def from_testserver(link: str) -> str:
    return link.removeprefix("http://testserver")


def assert_palabres_own(message, settings) -> None:
    assert settings.SITE_NAME in message.subject
    assert settings.SITE_NAME in message.body
    assert "Hello from" not in message.body and "testserver!" not in message.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_up_email_names_the_site_and_gives_its_link_whole(
    visitor_client, settings, language
):
    visitor_client.post(
        "/accounts/signup/",
        {"email": "claire@example.org", "username": "claire", "password1": PASSWORD,
         "password2": PASSWORD},
        headers={"accept-language": language},
    )  # fmt: skip
    [message] = mail.outbox
    assert_palabres_own(message, settings)
    assert "claire" in message.body
    link = link_line(message.body, "/accounts/confirm-email/")
    assert "Confirm this address" in visitor_client.get(from_testserver(link)).text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_password_reset_email_names_the_site_and_gives_its_link_whole(
    visitor_client, member, settings, language
):
    visitor_client.post(
        "/accounts/password/reset/",
        {"email": member.email},
        headers={"accept-language": language},
    )
    [message] = mail.outbox
    assert_palabres_own(message, settings)
    assert member.username in message.body
    link = link_line(message.body, "/accounts/password/reset/key/")
    chosen = visitor_client.get(from_testserver(link), follow=True)
    assert "Choose a new password" in chosen.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_added_address_gets_its_own_confirmation_with_its_link_whole(member, settings, language):
    member.language = language
    member.save(update_fields=["language"])
    member_client = password_confirmed(member)
    member_client.post("/accounts/email/", {"action_add": "", "email": "alice@new.example"})
    [message] = [message for message in mail.outbox if message.to == ["alice@new.example"]]
    assert message.to == ["alice@new.example"]
    assert_palabres_own(message, settings)
    assert member.username in message.body
    link_line(message.body, "/accounts/confirm-email/")


def test_a_changed_password_is_told_to_the_member(member_client, member, settings):
    member_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-new-long-passphrase",
         "password2": "a-new-long-passphrase"},
    )  # fmt: skip
    [message] = mail.outbox
    assert message.to == [member.email]
    assert_palabres_own(message, settings)
    assert "password of your account" in message.body and member.public_name in message.body


def test_a_changed_address_is_told_to_the_old_one_when_asked_for_and_when_done(member, settings):
    old = member.email
    member_client = password_confirmed(member)
    member_client.post("/accounts/email/", {"action_add": "", "email": "alice@new.example"})
    [asked] = [message for message in mail.outbox if message.to == [old]]
    assert "asked" in asked.subject and "alice@new.example" in asked.body
    [confirmation] = [message for message in mail.outbox if message.to == ["alice@new.example"]]
    member_client.post(from_testserver(link_line(confirmation.body, "/accounts/confirm-email/")))
    [_asked, done] = [message for message in mail.outbox if message.to == [old]]
    for notice in (asked, done):
        assert_palabres_own(notice, settings)
        assert "alice@new.example" in notice.body and member.public_name in notice.body
    assert "changed" in done.subject


def test_a_reset_password_is_told_to_the_member(visitor_client, member, settings):
    visitor_client.post("/accounts/password/reset/", {"email": member.email})
    link = link_line(mail.outbox[0].body, "/accounts/password/reset/key/")
    form = visitor_client.get(from_testserver(link), follow=True)
    visitor_client.post(
        form.redirect_chain[-1][0],
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )
    notice = mail.outbox[-1]
    assert notice.to == [member.email] and "reset" in notice.subject
    assert_palabres_own(notice, settings)
    assert member.public_name in notice.body


def test_every_link_in_an_account_email_starts_with_site_url_whatever_the_host_asked(
    settings, member
):
    """allauth builds its links from the request's Host, which whoever sends it chooses: a
    reset link pointing at their server would hand them the key."""
    settings.SITE_URL = "https://forum.example.org"
    settings.ALLOWED_HOSTS = ["attacker.example"]
    visitor = Client(headers={"host": "attacker.example"})
    visitor.post("/accounts/password/reset/", {"email": member.email})  # a reset link
    visitor.post("/accounts/password/reset/", {"email": "who@example.org"})  # "no account"
    visitor.post(
        "/accounts/signup/",
        {"email": "claire@example.org", "username": "claire", "password1": PASSWORD,
         "password2": PASSWORD},
    )  # fmt: skip
    visitor.post(
        "/accounts/signup/",
        {"email": member.email, "username": "claude", "password1": PASSWORD,
         "password2": PASSWORD},
    )  # fmt: skip  # "you already have an account"
    links = [link for message in mail.outbox for link in re.findall(r"\w+://\S+", message.body)]
    assert len(mail.outbox) == 4 and len(links) >= 4
    assert all(link.startswith("https://forum.example.org/accounts/") for link in links), links
