"""Deactivating, reactivating or changing the role of an account is a service that writes a
public journal entry; the admin cannot do it silently: DESIGN.md "Moderators" and "Eligibility
to vote"."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from charter import selectors
from charter import services as charter_services
from members import services as members
from members.models import Member, Role
from members.rules import Refused
from moderation import services
from moderation.models import JournalEntry, JournalKind
from tests.builders.members import MemberFactory, downloaded_data, password_confirmed, signed_in

pytestmark = pytest.mark.django_db

REASON = "Spam account, confirmed with its owner."


def account_page(member: Member) -> str:
    return f"/admin/members/member/{member.pk}/account/"


@pytest.fixture
def elder(charter) -> Member:
    """A voter: joined 60 days ago, verified, has accepted the charter in force."""
    member = MemberFactory(username="elder", date_joined=timezone.now() - timedelta(days=60))
    charter_services.accept_charter(member=member, version=charter)
    return member


def test_deactivating_an_account_is_published_in_the_journal(admin_member, elder, charter):
    now = timezone.now()
    assert elder in selectors.eligible_voters(charter, at=now)
    entry = services.deactivate_account(admin=admin_member, member=elder, rationale=REASON)
    elder.refresh_from_db()
    assert not elder.is_active
    assert elder not in selectors.eligible_voters(charter, at=now)
    assert (entry.kind, entry.member, entry.moderator, entry.rationale) == (
        JournalKind.DEACTIVATED,
        elder,
        admin_member,
        REASON,
    )
    page = signed_in(MemberFactory()).get("/moderation/journal/").text
    assert "Account deactivated" in page and elder.public_name in page and REASON in page


def test_reactivating_an_account_is_published_in_the_journal(admin_member, elder, charter):
    services.deactivate_account(admin=admin_member, member=elder, rationale=REASON)
    services.reactivate_account(admin=admin_member, member=elder, rationale="A mistake.")
    elder.refresh_from_db()
    assert elder.is_active
    assert elder in selectors.eligible_voters(charter, at=timezone.now())
    kinds = list(JournalEntry.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [JournalKind.DEACTIVATED, JournalKind.REACTIVATED]


def test_a_role_given_or_removed_is_published_in_the_journal(admin_member, member):
    services.change_role(
        admin=admin_member, member=member, role=Role.MODERATOR, held=True, rationale="Elected."
    )
    member.refresh_from_db()
    assert member.is_moderator
    services.change_role(
        admin=admin_member, member=member, role=Role.MODERATOR, held=False, rationale="Resigned."
    )
    member.refresh_from_db()
    assert not member.is_moderator
    entries = JournalEntry.objects.order_by("pk").values_list("kind", "role", "member")
    assert list(entries) == [
        (JournalKind.ROLE_GRANTED, Role.MODERATOR, member.pk),
        (JournalKind.ROLE_REMOVED, Role.MODERATOR, member.pk),
    ]
    page = signed_in(MemberFactory()).get("/moderation/journal/").text
    assert "Role given: moderator" in page and "Role removed: moderator" in page


def test_nothing_changes_without_a_reason_for_the_journal(admin_member, member):
    with pytest.raises(Refused, match="reason"):
        services.deactivate_account(admin=admin_member, member=member, rationale="  ")
    member.refresh_from_db()
    assert member.is_active and not JournalEntry.objects.exists()


def test_an_admin_cannot_change_their_own_account(admin_member):
    with pytest.raises(Refused):
        services.change_role(
            admin=admin_member, member=admin_member, role=Role.SUPERUSER, held=False, rationale="."
        )
    with pytest.raises(Refused):
        services.deactivate_account(admin=admin_member, member=admin_member, rationale="Bye.")


def test_only_a_superuser_makes_or_unmakes_admins(admin_member, member, other_member):
    staff = MemberFactory(is_staff=True)
    with pytest.raises(Refused):
        services.change_role(
            admin=staff, member=member, role=Role.ADMIN, held=True, rationale="Helps out."
        )
    with pytest.raises(Refused):
        services.deactivate_account(admin=staff, member=admin_member, rationale="Coup.")
    services.change_role(
        admin=staff, member=other_member, role=Role.MODERATOR, held=True, rationale="Elected."
    )
    services.change_role(
        admin=admin_member, member=member, role=Role.ADMIN, held=True, rationale="Helps out."
    )
    member.refresh_from_db()
    other_member.refresh_from_db()
    assert member.is_staff and other_member.is_moderator


def test_members_and_moderators_change_no_account(member, moderator, other_member):
    for someone in (member, moderator):
        with pytest.raises(Refused):
            services.deactivate_account(admin=someone, member=other_member, rationale="No.")


def test_a_forgotten_member_is_not_named_in_the_journal(admin_member, member):
    services.change_role(
        admin=admin_member, member=member, role=Role.MODERATOR, held=True, rationale="Elected."
    )
    members.delete_account(member=member, remove_posts=False)
    page = signed_in(MemberFactory()).get("/moderation/journal/").text
    assert "Alice" not in page and "alice" not in page
    assert "Deleted member" in page


def test_the_journal_names_the_admin_only_as_it_names_moderators(admin_member, member, moderator):
    services.deactivate_account(admin=admin_member, member=member, rationale=REASON)
    name = admin_member.public_name
    assert name not in signed_in(MemberFactory()).get("/moderation/journal/").text
    assert name in signed_in(moderator).get("/moderation/journal/").text


def test_the_members_export_holds_what_admins_did_to_their_account(admin_member, member):
    services.change_role(
        admin=admin_member, member=member, role=Role.MODERATOR, held=True, rationale="Elected."
    )
    exported = downloaded_data(password_confirmed(member))
    changes = exported["moderation"]["account_changes"]
    assert [(c["kind"], c["role"], c["rationale"]) for c in changes] == [
        ("role_granted", "moderator", "Elected.")
    ]


# The admin's page


def test_the_admin_changes_an_account_on_its_own_page(admin_client, member):
    page = admin_client.get(account_page(member))
    assert page.status_code == 200
    assert 'value="deactivate"' in page.text and 'value="give:moderator"' in page.text
    response = admin_client.post(
        account_page(member), {"change": "deactivate", "rationale": REASON}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert JournalEntry.objects.get().kind == JournalKind.DEACTIVATED
    assert 'value="reactivate"' in admin_client.get(account_page(member)).text


def test_the_admin_page_refuses_a_change_without_a_reason(admin_client, member):
    response = admin_client.post(account_page(member), {"change": "deactivate", "rationale": ""})
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.is_active and not JournalEntry.objects.exists()


def test_the_admin_page_says_why_a_change_is_refused(member):
    staff = MemberFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="change_member"))
    response = signed_in(staff).post(
        account_page(member), {"change": "give:admin", "rationale": "Helps out."}
    )
    assert response.status_code == 200
    assert "You may not change this account." in response.text
    member.refresh_from_db()
    assert not member.is_staff and not JournalEntry.objects.exists()


def test_an_admin_without_the_right_to_change_members_cannot_open_the_page(member):
    staff = MemberFactory(is_staff=True)
    assert signed_in(staff).get(account_page(member)).status_code == 403


# The database


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": JournalKind.DEACTIVATED},  # which account?
        {"kind": JournalKind.ROLE_GRANTED, "with_member": True},  # which role?
        {"kind": JournalKind.DEACTIVATED, "with_member": True, "rationale": ""},  # why?
        {"kind": JournalKind.DEACTIVATED, "with_member": True, "role": Role.ADMIN},
        {"kind": JournalKind.DECISION, "with_member": True, "outcome": "upheld"},
        {"kind": "erased"},
    ],
    ids=["no account", "no role", "no reason", "a role", "a decision on an account", "unknown"],
)
def test_the_database_refuses_an_entry_that_does_not_match_its_kind(admin_member, member, fields):
    fields = {"rationale": REASON, **fields}
    if fields.pop("with_member", False):
        fields["member"] = member
    with pytest.raises(IntegrityError), transaction.atomic():
        JournalEntry.objects.create(moderator=admin_member, **fields)


def test_the_journal_still_refuses_updates_after_its_account_entries_were_added(
    admin_member, member
):
    services.deactivate_account(admin=admin_member, member=member, rationale=REASON)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE moderation_journalentry SET rationale = 'Nothing happened.'")
    assert JournalEntry.objects.get().rationale == REASON
