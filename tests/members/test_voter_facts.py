"""The facts that make a voter (joined, verified, accepted, last sign-in, active) and the roles
are written by the site itself, never through the admin's forms: DESIGN.md "Eligibility to
vote" and "Moderators"."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from charter import selectors
from members.models import Member
from tests.builders.charter import charter_in_force
from tests.builders.members import PASSWORD, MemberFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=400)
FORGED = {
    "date_joined_0": LONG_AGO.strftime("%Y-%m-%d"),
    "date_joined_1": "12:00:00",
    "last_login_0": timezone.now().strftime("%Y-%m-%d"),
    "last_login_1": "12:00:00",
    "email_verified_at_0": LONG_AGO.strftime("%Y-%m-%d"),
    "email_verified_at_1": "12:00:00",
    "is_moderator": "on",
    "is_staff": "on",
    "is_superuser": "on",
    # is_active left out: an unticked box
}
FACTS = [
    "date_joined",
    "last_login",
    "email_verified_at",
    "is_active",
    "is_moderator",
    "is_staff",
    "is_superuser",
]


def facts(member: Member) -> dict:
    return Member.objects.filter(pk=member.pk).values(*FACTS).get()


def change_form(member: Member, **extra) -> dict:
    return {
        "username": member.username,
        "email": member.email,
        "display_name": "Renamed by the admin",
        "theme": member.theme,
        **extra,
    }


def test_the_admin_cannot_edit_the_facts_that_make_a_voter(admin_client, member):
    before = facts(member)
    url = f"/admin/members/member/{member.pk}/change/"
    page = admin_client.get(url).text
    for field in FACTS:
        assert f'name="{field}' not in page, field
    response = admin_client.post(url, change_form(member, **FORGED))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Renamed by the admin"  # the form itself works
    assert facts(member) == before


def test_an_account_made_in_the_admin_is_on_no_roll(admin_client):
    """The issue's recipe: create an account, mark its address verified, backdate its joining.
    None of it takes; the account is as new and unverified as one signed up today."""
    charter = charter_in_force()
    response = admin_client.post(
        "/admin/members/member/add/",
        {"username": "puppet", "password1": PASSWORD, "password2": PASSWORD,
         "usable_password": "true"},
    )  # fmt: skip
    assert response.status_code == 302
    puppet = Member.objects.get(username="puppet")
    admin_client.post(f"/admin/members/member/{puppet.pk}/change/", change_form(puppet, **FORGED))
    assert admin_client.get("/admin/account/emailaddress/add/").status_code == 403
    puppet.refresh_from_db()
    assert puppet.email_verified_at is None
    assert puppet.date_joined > timezone.now() - timedelta(minutes=5)
    later = timezone.now() + timedelta(days=1)
    assert puppet not in selectors.eligible_voters(charter, at=later)
    assert puppet not in selectors.verified_members(at=later)


def test_allauths_admin_can_no_longer_mark_an_address_verified(admin_client):
    newcomer = MemberFactory(email_verified_at=None)
    address = EmailAddress.objects.get(user=newcomer)
    response = admin_client.post(
        "/admin/account/emailaddress/",
        {"action": "make_verified", "_selected_action": [address.pk]},
    )
    assert response.status_code in (200, 302)
    assert admin_client.post(
        f"/admin/account/emailaddress/{address.pk}/change/",
        {"email": address.email, "user": newcomer.pk, "verified": "on", "primary": "on"},
    ).status_code == 403  # fmt: skip
    address.refresh_from_db()
    newcomer.refresh_from_db()
    assert not address.verified and newcomer.email_verified_at is None


def test_no_account_can_be_deleted_in_the_admin(admin_client, member):
    url = f"/admin/members/member/{member.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    admin_client.post(
        "/admin/members/member/",
        {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"},
    )
    assert Member.objects.filter(pk=member.pk).exists()


def test_confirming_an_address_records_when_the_member_did(visitor_client):
    visitor_client.post(
        "/accounts/signup/",
        {"email": "claire@example.org", "username": "claire",
         "password1": PASSWORD, "password2": PASSWORD},
    )  # fmt: skip
    claire = Member.objects.get(username="claire")
    assert claire.email_verified_at is None
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", mail.outbox[0].body)
    visitor_client.post(link.group(1))
    claire.refresh_from_db()
    assert claire.email_verified_at is not None
    assert timezone.now() - claire.email_verified_at < timedelta(minutes=1)


def test_signing_in_is_what_writes_the_last_sign_in(visitor_client, member):
    assert member.last_login is None
    visitor_client.post("/accounts/login/", {"login": member.username, "password": PASSWORD})
    member.refresh_from_db()
    assert member.last_login is not None


@pytest.mark.django_db(transaction=True)
def test_members_verified_before_the_upgrade_keep_their_eligibility():
    """The migration dates a verified address from the day its member joined, the earliest it
    could have been; an unverified one stays unverified."""
    executor = MigrationExecutor(connection)
    before = [
        ("members", "0004_member_deleted_at"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldMember = old.get_model("members", "Member")
    OldAddress = old.get_model("account", "EmailAddress")
    joined = timezone.now() - timedelta(days=90)
    for username, verified in (("verified", True), ("unverified", False)):
        account = OldMember.objects.create(username=username, date_joined=joined)
        OldAddress.objects.create(
            user=account, email=f"{username}@example.org", verified=verified, primary=True
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Member.objects.get(username="verified").email_verified_at == joined
    assert Member.objects.get(username="unverified").email_verified_at is None
