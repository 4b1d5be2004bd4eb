"""Nobody can learn from the account forms whether an email address has an account here.

Usernames are another matter: they are public (every post links to its author's profile), so
the sign-up form may say that one is taken.
"""

import re
import statistics
import time

import pytest
from django.conf import global_settings
from django.core import mail
from django.core.cache import cache
from django.test import Client

from config import settings as production_settings
from members.models import Member
from tests.builders.members import PASSWORD, MemberFactory, password_confirmed

pytestmark = pytest.mark.django_db


def sign_up(client, *, email: str, username: str):
    return client.post(
        "/accounts/signup/",
        {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )


def as_seen(response, *typed: str) -> str:
    """The page a visitor sees, with what they typed themselves taken out, and the
    per-request tokens of a form."""
    text = response.content.decode()
    for value in typed:
        text = text.replace(value, "…")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_signing_up_with_a_known_email_looks_like_signing_up_with_a_new_one(
    client, member, django_user_model
):
    new = sign_up(client, email="claire@example.org", username="claire")
    client.cookies.clear()
    known = sign_up(client, email="alice@example.org", username="claude")
    assert new.redirect_chain == known.redirect_chain
    assert as_seen(new, "claire@example.org") == as_seen(known, "alice@example.org")
    # The owner of the address is told instead, and no second account is made.
    assert [m.to for m in mail.outbox] == [["claire@example.org"], ["alice@example.org"]]
    assert "already" in mail.outbox[1].body
    assert "/accounts/password/reset/" in mail.outbox[1].body
    assert not Member.objects.filter(username="claude").exists()


def test_a_password_reset_looks_the_same_for_a_known_and_an_unknown_email(client, member):
    known = client.post("/accounts/password/reset/", {"email": "alice@example.org"}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "who@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert as_seen(known, "alice@example.org") == as_seen(unknown, "who@example.org")
    # Each address receives a message: a reset link for the member, a "no account" note
    # for the stranger, so not even the mail server's traffic tells them apart.
    assert [m.to for m in mail.outbox] == [["alice@example.org"], ["who@example.org"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


@pytest.mark.parametrize("login", ["alice", "alice@example.org"])
def test_a_failed_sign_in_does_not_say_whether_the_account_exists(client, member, login):
    stranger = login.replace("alice", "nobody")
    wrong_password = client.post("/accounts/login/", {"login": login, "password": "nope"})
    no_account = client.post("/accounts/login/", {"login": stranger, "password": "nope"})
    assert wrong_password.status_code == no_account.status_code == 200
    assert as_seen(wrong_password, login) == as_seen(no_account, stranger)


def test_adding_another_members_email_looks_like_adding_a_free_one(member, other_member):
    member_client = password_confirmed(member)
    free = member_client.post(
        "/accounts/email/", {"action_add": "", "email": "al@new.example"}, follow=True
    )
    taken = member_client.post(
        "/accounts/email/", {"action_add": "", "email": other_member.email}, follow=True
    )
    assert free.redirect_chain == taken.redirect_chain == [("/accounts/email/", 302)]
    assert as_seen(free, "al@new.example") == as_seen(taken, other_member.email)


def test_no_email_reaches_an_address_another_member_confirmed(member, other_member):
    member_client = password_confirmed(member)
    member_client.post("/accounts/email/", {"action_add": "", "email": other_member.email})
    cache.clear()  # past the limit of one confirmation every three minutes: asking again
    member_client.post("/accounts/email/", {"action_send": "", "email": other_member.email})
    assert [m for m in mail.outbox if other_member.email in m.to] == []
    # The member is told of their own request, as of any address they add.
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_a_taken_username_is_told_since_usernames_are_public(client, member):
    profile = client.get("/m/alice/")
    assert profile.status_code == 200
    refused = client.post(
        "/accounts/signup/",
        {"email": "a2@example.org", "username": "alice", "password1": PASSWORD,
         "password2": PASSWORD},
    )  # fmt: skip
    assert "A user with that username already exists." in refused.text


def production_password_hashers() -> list[str]:
    # The tests hash with MD5 to go fast (config/test_settings.py); the site with Django's own.
    return getattr(production_settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)


def timed_sign_up(*, email: str, username: str):
    started = time.perf_counter()
    response = Client().post(
        "/accounts/signup/",
        {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD},
    )
    return time.perf_counter() - started, response


def test_signing_up_with_a_known_email_takes_as_long_as_with_a_new_one(settings):
    """A new address costs the hashing of its password: a known one must cost as much, or the
    time of the answer tells the addresses that have an account (five of each, in turns)."""
    known_addresses = [MemberFactory().email for _ in range(5)]
    settings.PASSWORD_HASHERS = production_password_hashers()
    new_times, known_times = [], []
    for n, known_address in enumerate(known_addresses):
        new_time, new = timed_sign_up(email=f"new{n}@example.org", username=f"new{n}")
        known_time, known = timed_sign_up(email=known_address, username=f"other{n}")
        assert new.status_code == known.status_code == 302
        assert new["Location"] == known["Location"]
        new_times.append(new_time)
        known_times.append(known_time)
    assert statistics.median(known_times) >= 0.5 * statistics.median(new_times), (
        known_times,
        new_times,
    )
