"""No name passes for another: invisible characters, reserved names and look-alikes of other
members' usernames and display names are refused wherever a name is chosen (members.names)."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from members import services
from members.models import Member
from tests.builders.members import PASSWORD, MemberFactory, signed_in

pytestmark = pytest.mark.django_db

INVISIBLE = "A name cannot contain invisible or control characters."
RESERVED = "This name is reserved."
TOO_ALIKE = "This name looks too much like another member&#x27;s."


def sign_up(client, username, email="newcomer@example.org"):
    return client.post(
        "/accounts/signup/",
        {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD},
    )


def choose_display_name(client, display_name):
    return client.post(
        "/me/settings/", {"display_name": display_name, "language": "", "theme": "auto"}
    )


def test_a_username_like_another_members_is_refused_at_sign_up(visitor_client):
    MemberFactory(username="camille")
    response = sign_up(visitor_client, "camiIle")  # a capital i
    assert TOO_ALIKE in response.text
    assert not Member.objects.filter(username="camiIle").exists()


@pytest.mark.parametrize("username", ["N00r", "n0or", "Admin", "adrnin", "Palabre", "moderat0r"])
def test_usernames_like_a_moderators_or_the_sites_are_refused(visitor_client, moderator, username):
    response = sign_up(visitor_client, username)
    assert TOO_ALIKE in response.text or RESERVED in response.text
    assert not Member.objects.filter(username=username).exists()


def test_an_ordinary_username_is_still_welcome(visitor_client, moderator):
    assert sign_up(visitor_client, "camille_b").status_code == 302
    assert Member.objects.filter(username="camille_b").exists()


@pytest.mark.parametrize(
    "display_name, error",
    [
        ("Noor Haddad", TOO_ALIKE),  # the moderator's own
        ("NOOR  HADDAD", TOO_ALIKE),
        ("N\u043e\u043er Haddad", TOO_ALIKE),  # Cyrillic o's
        ("Noor Hadda\u0501", TOO_ALIKE),  # a Cyrillic d
        ("Noor Hadd\u0251d", TOO_ALIKE),  # a Latin alpha
        ("noor", TOO_ALIKE),  # the moderator's username
        ("Deleted member", RESERVED),
        ("Membre supprimé", RESERVED),  # the same label, in French
        ("Palabre", RESERVED),
        ("Moderator", RESERVED),
        ("\u202eNoor Haddad", INVISIBLE),  # right-to-left override
        ("Noor\u200bHaddad", INVISIBLE),  # zero-width space
        ("Noor\u3164", INVISIBLE),  # a Hangul filler, a letter that shows nothing
    ],
)
def test_a_display_name_that_passes_for_another_is_refused(
    member_client, member, moderator, display_name, error
):
    response = choose_display_name(member_client, display_name)
    assert response.status_code == 200
    assert error in response.text
    member.refresh_from_db()
    assert member.display_name == "Alice Martin"


@pytest.mark.parametrize(
    "display_name", ["Élodie Lefèvre-Dubois", "نور الهدى حداد", "王小明", "Zoë O'Brien", "José"]
)
def test_ordinary_names_in_any_script_are_accepted(member_client, member, moderator, display_name):
    assert choose_display_name(member_client, display_name).status_code == 302
    member.refresh_from_db()
    assert member.display_name == display_name


def test_a_display_name_is_kept_on_one_line(member_client, member):
    assert choose_display_name(member_client, " Alice\nM.\u2028\u2029Martin\t").status_code == 302
    member.refresh_from_db()
    assert member.display_name == "Alice M. Martin"


def test_a_member_may_show_their_own_username_as_their_name(member_client, member):
    assert choose_display_name(member_client, "Alice").status_code == 302


def test_a_name_had_before_the_rule_can_be_kept(member_client, member):
    Member.objects.filter(pk=member.pk).update(display_name="Admin")
    assert choose_display_name(member_client, "Admin").status_code == 302


def test_the_admin_refuses_look_alike_names_too(admin_member, member, moderator):
    client = signed_in(admin_member)
    response = client.post(
        "/admin/members/member/add/",
        {"username": "n00r", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert TOO_ALIKE in response.text
    page = client.get(f"/admin/members/member/{member.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(display_name="Noor Haddad", groups=[], user_permissions=[])
    response = client.post(f"/admin/members/member/{member.pk}/change/", data)
    assert TOO_ALIKE in response.text
    member.refresh_from_db()
    assert member.display_name == "Alice Martin"


def test_the_database_refuses_two_look_alike_names_whatever_the_path(moderator):
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(username="n0or")
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(username="someone_else", display_name="Noor Hadda\u0501")  # Cyrillic d


def test_a_deleted_members_names_are_free_again(member):
    services.delete_account(member=member, remove_posts=False)
    assert MemberFactory(username="a1ice", display_name="Alice Martin")


def test_existing_look_alikes_do_not_stop_the_migration():
    older = MemberFactory(username="camille", display_name="Camille")
    newer = MemberFactory(username="camiIle_", display_name="Cami Ile")
    # As the data stood before the rule: look-alikes, a name over two lines, no skeletons.
    Member.objects.filter(pk=newer.pk).update(username="camiIle", display_name="Cami Ile\nDurand")
    Member.objects.update(username_skeleton=None, name_skeleton=None)
    migration = importlib.import_module("members.migrations.0007_name_skeletons")

    migration.compute_skeletons(apps, None)

    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.username_skeleton, older.name_skeleton) == ("camille", "camille")
    assert newer.username_skeleton is None  # the older account keeps the look
    assert newer.display_name == "Cami Ile Durand"
    assert newer.name_skeleton == "cami lle durand"
    newer.save()  # and the newer one still saves
