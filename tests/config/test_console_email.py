"""With DEBUG, emails are printed in the terminal (EMAIL_URL=consolemail://): a newcomer copies
the sign-up link from there, so it must be printed whole, as the reader sees it."""

import re

import pytest
from django.core import mail

from config.settings import mailer_from_url
from tests.builders.members import PASSWORD


@pytest.fixture
def console_email(settings):
    settings.MAILERS = {"default": mailer_from_url("consolemail://")}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_printed_sign_up_link_can_be_followed_as_printed(
    console_email, visitor_client, capsys, language
):
    visitor_client.post(
        "/accounts/signup/",
        {"email": "claire@example.org", "username": "claire", "password1": PASSWORD,
         "password2": PASSWORD},
        headers={"accept-language": language},
    )  # fmt: skip
    printed = capsys.readouterr().out
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", printed)
    assert link, printed
    assert "Confirm this address" in visitor_client.get(link.group(1)).text


def test_headers_and_text_are_printed_decoded_and_other_parts_named(console_email, capsys):
    long_line = "Lisez la charte : " + "https://example.org/" + "x" * 120
    message = mail.EmailMultiAlternatives(
        subject="Réunion du conseil", body=f"Bonjour,\n\n{long_line}\n", to=["a@example.org"]
    )
    message.attach_alternative("<p>Bonjour</p>", "text/html")
    message.send()
    printed = capsys.readouterr().out
    assert "Subject: Réunion du conseil" in printed
    assert f"\n{long_line}\n" in printed
    assert "[text/html: 15 bytes, not shown]" in printed
    assert "quoted-printable" not in printed and "=\n" not in printed
