"""A member downloads their data: everything about them, nothing about anyone else, in a fixed
number of queries however much they wrote."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from charter import services as charter
from forum import services as forum
from members import avatars, services
from moderation.models import Decision
from notifications.models import BouncingAddress, Kind, Preference
from tests.builders.charter import addition, found_charter
from tests.builders.files import as_upload, pdf, photo_with_gps
from tests.builders.forum import make_reply, make_thread
from tests.builders.members import (
    MemberFactory,
    downloaded_archive,
    downloaded_data,
    password_confirmed,
)
from tests.builders.moderation import appeal, signal, uphold

pytestmark = pytest.mark.django_db

PAGE_URL = "/me/data/"
EXPORT_URL = "/me/data/export.zip"


@pytest.fixture
def member_client(member) -> Client:
    """The export asks for the password again (tests/members/test_reauthentication.py)."""
    return password_confirmed(member)


@pytest.fixture
def charter_v1(admin_member):
    """Ratified before the test's members join, so they have nothing left to accept."""
    joined = timezone.now() - timedelta(days=60)
    return found_charter(
        admin=admin_member,
        voters=[MemberFactory(date_joined=joined), MemberFactory(date_joined=joined)],
        now=timezone.now(),
    )


def export(client: Client) -> dict:
    return downloaded_data(client)


def test_the_export_is_a_zip_attachment_that_is_not_cached(member_client):
    response = member_client.get(EXPORT_URL)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="palabre-alice-')
    assert "no-store" in response["Cache-Control"]
    data = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("data.json")
    assert set(json.loads(data)) == {
        "format",
        "exported_at",
        "profile",
        "forum",
        "notifications",
        "charter",
        "moderation",
    }


def test_the_profile_is_all_there(member_client, member):
    member.bio, member.theme = "Grows beans.", "dark"
    member.save()
    profile = export(member_client)["profile"]
    assert profile["username"] == "alice" and profile["display_name"] == "Alice Martin"
    assert profile["email_addresses"] == [
        {"email": "alice@example.org", "verified": True, "primary": True}
    ]
    assert (profile["bio"], profile["theme"]) == ("Grows beans.", "dark")
    assert profile["joined"] and profile["standing"]["suspended_until"] is None
    assert profile["email_verified_at"] == profile["joined"]  # as the builder has it


def test_posts_their_history_and_the_forum_choices_are_there(member_client, member, thread):
    post = make_reply(thread, author=member, source="First words.")
    forum.edit_post(editor=member, post=post, source="Second words.")
    forum.thank(member=member, post=make_reply(thread, source="A tip."))

    data = export(member_client)["forum"]

    assert [p["source"] for p in data["posts"]] == ["The opening post.", "Second words."]
    assert data["posts"][1] | {"created_at": None, "edited_at": None} == {
        "id": post.pk,
        "number": 2,
        "thread": thread.pk,
        "thread_title": "Seed swap in spring",
        "state": "visible",
        "source": "Second words.",
        "created_at": None,
        "edited_at": None,
    }
    assert [r["previous_source"] for r in data["revisions"]] == ["First words."]
    assert data["threads_started"][0]["title"] == "Seed swap in spring"
    assert len(data["thanks_given"]) == 1
    assert data["watched_threads"] == [{"thread": thread.pk, "level": "watching"}]


def test_signals_appeals_and_decisions_are_there_without_who_signalled_or_decided(
    charter_v1, member, other_member, moderator
):
    theirs = make_reply(make_thread(), author=other_member, source="Spam from Bruno.")
    signal(theirs, member, note="Looks like spam to me.")
    mine = make_reply(make_thread(), author=member, source="My own reply.")
    decision = uphold(signal(mine, other_member, note="Bruno's secret note.").case, moderator)
    appeal(decision, statement="It was a joke.")
    client = password_confirmed(member)

    data = export(client)["moderation"]

    [made] = data["signals"]
    assert made["post"] == theirs.pk and made["note"] == "Looks like spam to me."
    assert made["articles"] == [{"number": 2, "title": "On topic", "version": 1}]
    [decided] = data["decisions_on_my_posts"]
    assert decided["post"] == mine.pk and decided["rationale"] == "Advertising is off topic here."
    assert "moderator" not in decided
    assert data["appeals"][0]["statement"] == "It was a joke."
    text = json.dumps(data)
    assert "Bruno's secret note." not in text and "noor" not in text.lower()


def test_acceptances_amendments_and_rolls_are_there_but_never_a_choice(charter_v1):
    elder = MemberFactory(date_joined=timezone.now() - timedelta(days=60))
    charter.accept_charter(member=elder, version=charter_v1)
    proposal = charter.create_proposal(
        author=elder, title="Privacy", rationale="Because.", changes=[addition()], parameters={}
    )
    client = password_confirmed(elder)

    data = export(client)["charter"]

    assert [a["version_number"] for a in data["acceptances"]] == [1]
    assert data["proposals"][0]["id"] == proposal.pk
    assert data["proposed_changes"][0]["title"] == "Privacy"
    assert data["ballot_rolls"] == []
    assert "nobody" in data["how_you_voted"]


def test_the_roll_says_whether_the_member_voted_never_how(charter_v1):
    voter = charter_v1.ratified_by.roll.filter(voted=True).first().member
    client = password_confirmed(voter)

    data = export(client)

    [entry] = data["charter"]["ballot_rolls"]
    assert entry["voted"] is True and entry["ballot"] == charter_v1.ratified_by.pk
    assert set(entry) == {"ballot", "voted", "opened_at", "closes_at", "proposal_title"}
    assert '"yes"' not in json.dumps(data)


def test_notifications_addressed_to_the_member_and_their_choices_are_there(
    member_client, member, thread, other_member
):
    forum.announce_post(post_id=make_reply(thread, author=other_member).pk)
    Preference.objects.create(member=member, kind=Kind.MENTION, email="never")

    data = export(member_client)["notifications"]

    assert [n["kind"] for n in data["notifications"]] == ["reply"]
    assert data["email_choices"] == [{"kind": "mention", "email": "never"}]
    assert data["emails"][0]["channel"] == "immediate"


def test_the_members_uploads_are_in_the_archive_as_they_are_served(
    member_client, member, other_member, thread
):
    photo = forum.upload(member=member, file=as_upload("garden.jpg", photo_with_gps()), alt="Beds")
    minutes = forum.upload(member=member, file=as_upload("minutes.pdf", pdf()))
    forum.reply(author=member, thread=thread, source=forum.markdown_for(photo, alt="Beds"))
    forum.upload(member=other_member, file=as_upload("theirs.pdf", pdf()))

    archive = downloaded_archive(member_client)
    data = json.loads(archive.read("data.json"))["forum"]

    assert [(u["name"], u["kind"], u["post"] is not None) for u in data["uploads"]] == [
        ("garden.jpg", "image", True),
        ("minutes.pdf", "file", False),
    ]
    stored = {upload.token: upload for upload in (photo, minutes)}
    for upload in data["uploads"]:
        kept = stored[upload["token"]]
        assert archive.read(upload["file"]) == member_client.get(kept.get_absolute_url()).getvalue()
    assert len(archive.namelist()) == 3  # data.json and the member's two files, not theirs


def test_the_members_picture_is_in_the_archive_at_each_size(member_client, member):
    services.set_avatar(member=member, file=as_upload("me.jpg", photo_with_gps()))

    archive = downloaded_archive(member_client)

    files = json.loads(archive.read("data.json"))["profile"]["picture"]
    assert len(files) == len(avatars.SIZES)
    for name, size in zip(files, avatars.SIZES, strict=True):
        assert (
            archive.read(f"profile/{name}")
            == member_client.get(avatars.url(member, size)).getvalue()
        )


def test_nothing_of_another_member_is_in_the_export(charter_v1, member, other_member, moderator):
    """Bruno replies in Alice's thread, mentions her, signals her post and has an email and a
    note: none of his words or data reach Alice's file, only that something happened."""
    thread = make_thread(author=member, title="Alice's beans")
    forum.announce_post(
        post_id=make_reply(thread, author=other_member, source="Bruno's own words @alice").pk
    )
    mine = make_reply(thread, author=member, source="Alice's reply.")
    signal(mine, other_member, note="Bruno signals Alice.")
    signal(make_reply(thread, author=other_member, source="Bruno's spam."), member)
    client = password_confirmed(member)

    text = json.dumps(export(client))

    assert "Alice's reply." in text
    for others in ("Bruno's own words", "Bruno's spam.", "Bruno signals Alice.",
                   other_member.email, "bruno", "Bruno Petit"):  # fmt: skip
        assert others not in text


def test_the_export_costs_the_same_queries_however_much_the_member_did(
    charter_v1, member, other_member, moderator, django_assert_max_num_queries
):
    client = password_confirmed(member)

    def do_a_round() -> None:
        thread = make_thread(author=member)
        post = make_reply(thread, author=member, source="Words.")
        forum.edit_post(editor=member, post=post, source="Other words.")
        forum.thank(member=member, post=make_reply(thread, author=other_member))
        signal(make_reply(thread, author=other_member), member)
        appeal(uphold(signal(post, other_member).case, moderator))

    do_a_round()
    with django_assert_max_num_queries(40) as first:
        export(client)
    for _ in range(4):
        do_a_round()
    with django_assert_max_num_queries(len(first.captured_queries)):
        data = export(client)
    assert len(data["moderation"]["decisions_on_my_posts"]) == 5 == Decision.objects.count()


def test_the_page_explains_and_links_the_download(member_client):
    page = member_client.get(PAGE_URL).text
    assert EXPORT_URL in page and "/me/delete/" in page
    assert "How you voted is not in it" in page


def test_visitors_are_sent_to_sign_in(visitor_client):
    for url in (PAGE_URL, EXPORT_URL):
        assert visitor_client.get(url)["Location"].startswith("/accounts/login/")


def test_the_addresses_that_bounced_are_there(member_client, member):
    BouncingAddress.objects.create(member=member, address=member.email, count=2)

    [entry] = export(member_client)["notifications"]["bouncing_addresses"]

    assert (entry["address"], entry["count"]) == (member.email, 2)
