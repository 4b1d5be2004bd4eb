"""A stolen session does not take the account: each change that could hand it to someone else
asks for the password again (allauth's reauthentication, good for five minutes) or in its own
form (the password change here, the deletion in test_account_deletion.py), changes nothing
without it, and the address in use hears of every change."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.builders.members import PASSWORD, password_confirmed

pytestmark = pytest.mark.django_db

CONFIRM = "/accounts/reauthenticate/"
SECOND = "alice@second.example"


@pytest.fixture
def second_address(member) -> EmailAddress:
    """A second confirmed address on the account, beside the primary one."""
    return EmailAddress.objects.create(user=member, email=SECOND, verified=True, primary=False)


def addresses(member) -> set[tuple[str, bool]]:
    return set(EmailAddress.objects.filter(user=member).values_list("email", "primary"))


CHANGES = {
    "add an address": ("post", "/accounts/email/", {"action_add": "", "email": "x@new.example"}),
    "make one primary": ("post", "/accounts/email/", {"action_primary": "", "email": SECOND}),
    "remove one": ("post", "/accounts/email/", {"action_remove": "", "email": SECOND}),
    "export the data": ("get", "/me/data/export.zip", {}),
}


@pytest.mark.parametrize("change", CHANGES)
def test_without_the_password_again_a_change_leads_to_confirming_it_and_changes_nothing(
    member_client, member, second_address, change
):
    method, url, data = CHANGES[change]
    before = addresses(member)
    response = getattr(member_client, method)(url, data)
    assert response.status_code == 302 and response["Location"].startswith(CONFIRM)
    assert addresses(member) == before
    assert mail.outbox == []


def test_the_change_asked_for_is_made_once_the_password_is_given(member_client, member):
    asked = member_client.post("/accounts/email/", {"action_add": "", "email": "x@new.example"})
    page = member_client.get(asked["Location"])
    assert "Confirm it is you" in page.text and "Your password" in page.text
    member_client.post(asked["Location"], {"password": PASSWORD})
    assert ("x@new.example", False) in addresses(member)


def test_a_wrong_password_confirms_nothing(member_client, member):
    asked = member_client.post("/accounts/email/", {"action_add": "", "email": "x@new.example"})
    refused = member_client.post(asked["Location"], {"password": "not-the-password"})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert member_client.get("/me/data/export.zip")["Location"].startswith(CONFIRM)
    assert ("x@new.example", False) not in addresses(member)


def test_the_data_export_downloads_once_the_password_is_given(member_client):
    asked = member_client.get("/me/data/")
    assert asked["Location"] == f"{CONFIRM}?next=%2Fme%2Fdata%2F"
    back = member_client.post(asked["Location"], {"password": PASSWORD})
    assert back["Location"] == "/me/data/"
    assert member_client.get("/me/data/export.zip")["Content-Type"] == "application/zip"


def test_a_new_primary_address_is_told_to_the_old_one(member, second_address):
    old = member.email
    password_confirmed(member).post("/accounts/email/", {"action_primary": "", "email": SECOND})
    assert addresses(member) == {(old, False), (SECOND, True)}
    [notice] = mail.outbox
    assert notice.to == [old] and SECOND in notice.body and "changed" in notice.subject


def test_a_removed_address_is_told_to_the_primary_one(member, second_address):
    password_confirmed(member).post("/accounts/email/", {"action_remove": "", "email": SECOND})
    assert addresses(member) == {(member.email, True)}
    [notice] = mail.outbox
    assert notice.to == [member.email] and SECOND in notice.body


def test_changing_the_password_asks_for_the_current_one_each_time(member_client, member):
    new = {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"}
    for current in ({}, {"oldpassword": "not-the-password"}):
        refused = member_client.post("/accounts/password/change/", current | new)
        assert refused.status_code == 200 and "oldpassword" in refused.context["form"].errors
    member.refresh_from_db()
    assert member.check_password(PASSWORD) and mail.outbox == []
    member_client.post("/accounts/password/change/", {"oldpassword": PASSWORD} | new)
    member.refresh_from_db()
    assert member.check_password(new["password1"])
    [notice] = mail.outbox
    assert notice.to == [member.email] and "password" in notice.subject


def test_confirming_the_password_is_limited_like_signing_in(settings, member_client):
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"reauthenticate": "2/5m/user"}
    for _attempt in range(2):
        assert member_client.post(CONFIRM, {"password": "guess"}).status_code == 200
    assert member_client.post(CONFIRM, {"password": PASSWORD}).status_code == 429
