"""A member deletes their account: what goes, what stays as by "Deleted member", and that the
records others rely on (threads, ballot rolls and tallies, moderation) still add up."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from charter import selectors as charter_selectors
from charter import services as charter
from charter.models import (
    Acceptance,
    Ballot,
    Box,
    Election,
    Proposal,
    RecordFile,
    RollEntry,
    Sponsorship,
    Vote,
    VoterCredential,
)
from forum import services as forum
from forum.models import Post, PostRevision, PostState, ReadMark, Thanks, Thread
from members import services
from members.models import Member
from moderation import services as moderation
from moderation.models import Case, Signal
from notifications.models import BouncingAddress, Kind, Notification, Preference
from tests.builders.charter import ARTICLES, addition, count, found_charter, open_in_clear_box
from tests.builders.elections import give_key
from tests.builders.forum import make_reply, make_thread
from tests.builders.members import PASSWORD, MemberFactory
from tests.builders.moderation import signal

pytestmark = pytest.mark.django_db

DELETE_URL = "/me/delete/"


def delete(member: Member, *, remove_posts: bool = False) -> Member:
    services.delete_account(member=member, remove_posts=remove_posts)
    member.refresh_from_db()
    return member


@pytest.fixture
def founders(db) -> list[Member]:
    """Two members of 60 days, old enough to propose amendments, who ratify the charter."""
    joined = timezone.now() - timedelta(days=60)
    return [MemberFactory(date_joined=joined) for _ in range(2)]


@pytest.fixture
def charter_v1(admin_member, founders):
    """The ratified charter. Members who join later have nothing to accept, so tests that write
    ask for it before `member`."""
    return found_charter(admin=admin_member, voters=founders, now=timezone.now(), box=Box.CLEAR)


# ---------------------------------------------------------------------------------------------
# The account


def test_the_account_is_emptied_and_named_deleted_member(member):
    member.bio, member.time_zone, member.is_moderator = "Grows beans.", "Europe/Paris", True
    member.save()

    delete(member)

    assert member.username == f"deleted-{member.pk}"
    assert member.public_name == "Deleted member"
    assert (member.display_name, member.email, member.bio, member.time_zone) == ("", "", "", "")
    assert not member.has_usable_password()
    assert not (member.is_active or member.is_moderator or member.is_staff)
    assert member.last_login is None and member.deleted_at is not None
    assert not EmailAddress.objects.filter(user=member).exists()


def test_deleting_signs_the_member_out_and_says_so(member_client, member):
    response = member_client.post(DELETE_URL, {"password": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert "Your account is deleted." in response.text
    assert SESSION_KEY not in member_client.session
    assert Member.objects.get(pk=member.pk).is_deleted


def test_every_other_session_of_the_member_ends_too(member):
    elsewhere = Client()
    elsewhere.force_login(member)
    assert elsewhere.get("/me/settings/").status_code == 200

    delete(member)

    assert elsewhere.get("/me/settings/")["Location"].startswith("/accounts/login/")


def test_nobody_can_sign_in_to_a_deleted_account(member, visitor_client):
    email = member.email
    delete(member)
    for login in (email, "alice", member.username):
        visitor_client.post("/accounts/login/", {"login": login, "password": PASSWORD})
        assert SESSION_KEY not in visitor_client.session


def test_the_old_email_address_may_join_again(member, visitor_client):
    email = member.email
    delete(member)
    visitor_client.post(
        "/accounts/signup/",
        {"email": email, "username": "alice", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert Member.objects.filter(username="alice", email=email, deleted_at=None).exists()


def test_the_database_refuses_to_bring_a_deleted_account_back_to_life(member):
    services.delete_account(member=member, remove_posts=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=member.pk).update(is_active=True)


def test_deleting_twice_changes_nothing_the_second_time(member):
    deleted_at = delete(member).deleted_at
    assert delete(member).deleted_at == deleted_at


def test_the_profile_page_of_a_deleted_member_is_gone(member, visitor_client):
    assert visitor_client.get("/m/alice/").status_code == 200
    delete(member)
    assert visitor_client.get("/m/alice/").status_code == 404
    assert visitor_client.get(f"/m/{member.username}/").status_code == 404


def test_mentions_of_the_old_name_no_longer_lead_anywhere(member, thread, other_member):
    mention = make_reply(thread, author=other_member, source="Ask @alice about beans.")
    assert 'href="/m/alice/"' in mention.html

    delete(member)

    mention.refresh_from_db()
    assert "/m/alice/" not in mention.html and "@alice" in mention.html
    assert mention.mentions.count() == 0
    later = make_reply(thread, author=other_member, source="Where is @alice?")
    assert "/m/" not in later.html


# ---------------------------------------------------------------------------------------------
# Posts


def test_posts_stay_as_by_a_deleted_member(member, thread, other_member, visitor_client):
    mine = make_reply(thread, author=member, source="Sow beans in April.")
    forum.edit_post(editor=member, post=mine, source="Sow beans in May.")
    make_reply(thread, author=other_member, source="Thanks, will do.")

    delete(member)

    mine.refresh_from_db()
    assert (mine.state, mine.source) == (PostState.VISIBLE, "Sow beans in May.")
    assert PostRevision.objects.filter(post=mine).count() == 1
    thread.refresh_from_db()
    assert thread.post_count == 3
    page = visitor_client.get(thread.get_absolute_url()).text
    assert "Sow beans in May." in page and "Thanks, will do." in page
    assert page.count("deleted member") == 2  # the opening post and the reply
    assert "Alice Martin" not in page and "/m/alice/" not in page
    assert f"/m/{member.username}/" not in page
    listing = visitor_client.get(thread.category.get_absolute_url()).text
    assert "started by Deleted member" in listing and "Alice Martin" not in listing


def test_a_post_its_author_had_deleted_still_says_so(member, thread, visitor_client):
    mine = make_reply(thread, author=member, source="Never mind.")
    forum.delete_post(member=member, post=mine)

    delete(member)

    assert (
        "This post was deleted by its author." in visitor_client.get(thread.get_absolute_url()).text
    )


def test_asked_to_remove_posts_their_words_and_history_go(
    member, thread, other_member, visitor_client
):
    mine = make_reply(thread, author=member, source="My secret bean recipe.")
    forum.edit_post(editor=member, post=mine, source="My secret bean recipe, improved.")
    reply = make_reply(thread, author=other_member, source="Lovely recipe!")

    delete(member, remove_posts=True)

    for post in (thread.posts.get(number=1), mine):
        post.refresh_from_db()
        assert (post.source, post.html, post.state) == ("", "", PostState.DELETED)
        assert post.deleted_by == member
    assert not PostRevision.objects.filter(post=mine).exists()
    reply.refresh_from_db()
    assert reply.is_visible and reply.source == "Lovely recipe!"
    page = visitor_client.get(thread.get_absolute_url()).text
    assert "bean recipe" not in page and "Lovely recipe!" in page
    assert page.count("This post was deleted by its author.") == 2
    assert Thread.objects.filter(pk=thread.pk, title="Seed swap in spring").exists()


def test_removed_posts_are_forgotten_by_others_notifications(member, thread, other_member):
    mine = make_reply(thread, author=member, source="Ask @bruno about the recipe.")
    told = Notification.objects.get(recipient=other_member, event_key=forum.post_event_key(mine.pk))
    assert "recipe" in told.excerpt

    delete(member, remove_posts=True)

    told.refresh_from_db()
    assert told.excerpt == ""


def test_kept_posts_stay_in_others_notifications_by_a_deleted_member(member, thread, other_member):
    mine = make_reply(thread, author=member, source="Ask @bruno about the recipe.")
    delete(member)
    told = Notification.objects.get(recipient=other_member, event_key=forum.post_event_key(mine.pk))
    assert "recipe" in told.excerpt
    assert told.summary.startswith("Deleted member mentioned you")


def test_thanks_given_are_withdrawn(member, other_member, thread):
    theirs = make_reply(thread, author=other_member, source="Useful tip.")
    forum.thank(member=member, post=theirs)
    forum.thank(member=MemberFactory(), post=theirs)

    delete(member)

    theirs.refresh_from_db()
    assert theirs.thanks_count == 1 == Thanks.objects.filter(post=theirs).count()


def test_reading_and_watching_are_forgotten(member, thread):
    assert ReadMark.objects.filter(member=member).exists()
    delete(member)
    assert not ReadMark.objects.filter(member=member).exists()
    assert not member.thread_subscriptions.exists()


# ---------------------------------------------------------------------------------------------
# Votes: counted, on the roll as "Deleted member", linked to no choice. In an encrypted ballot
# nobody's choice is ever in clear: the paper stays in the record, and the credential that
# signed it is gone. The clear box of a ballot from before encrypted ones keeps choices in
# clear, with no name.


@pytest.fixture(params=["encrypted", "clear box"])
def founding_ballot(request, admin_member):
    """A founding ballot opened a day ago for every member verified by then, with each box."""
    draft = charter.start_provisional_charter()
    charter.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES, parameters={}
    )
    opened = timezone.now() - timedelta(days=1)
    ballot = charter.open_founding_ballot(admin=admin_member, version=draft, now=opened)
    if request.param == "clear box":
        return open_in_clear_box(ballot, now=opened)
    return give_key(ballot, now=opened)


def test_a_deleted_members_vote_stays_counted_and_on_the_roll(
    member, other_member, admin_member, founding_ballot
):
    charter.cast_vote(member=member, ballot=founding_ballot, choice="yes")
    charter.cast_vote(member=other_member, ballot=founding_ballot, choice="no")
    charter.cast_vote(member=admin_member, ballot=founding_ballot, choice="yes")
    cast_before = charter_selectors.votes_cast(founding_ballot)

    delete(member)

    assert charter_selectors.votes_cast(founding_ballot) == cast_before == 3
    assert charter_selectors.audit_box(founding_ballot).papers == 3
    assert RollEntry.objects.get(ballot=founding_ballot, member=member).voted
    closed = count(founding_ballot, now=founding_ballot.closes_at)
    assert (closed.yes, closed.no, closed.abstain) == (2, 1, 0)
    assert closed.eligible_count == founding_ballot.eligible_count
    assert closed.active_count == 3  # those who voted


def test_a_closed_ballots_result_and_turnout_do_not_change(member, other_member, charter_v1):
    ballot = Ballot.objects.get(draft=charter_v1)
    voter = RollEntry.objects.filter(ballot=ballot, voted=True).first().member
    before = Ballot.objects.filter(pk=ballot.pk).values().get()

    delete(voter)

    assert Ballot.objects.filter(pk=ballot.pk).values().get() == before
    assert charter_selectors.votes_cast(ballot) == ballot.cast


def test_no_row_links_a_deleted_member_to_a_choice(member, founding_ballot):
    charter.cast_vote(member=member, ballot=founding_ballot, choice="no")
    delete(member)

    references = [
        field
        for field in Member._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]
    linked = {
        field.related_model
        for field in references
        if field.related_model._default_manager.filter(**{field.field.name: member}).exists()
    }
    assert linked == {RollEntry}
    assert not VoterCredential.objects.filter(entry__member=member).exists()
    assert {field.name for field in Vote._meta.fields} == {"id", "ballot", "choice"}
    assert {field.name for field in RollEntry._meta.fields} == {"id", "ballot", "member", "voted"}
    relations = {field.related_model for field in RecordFile._meta.fields if field.is_relation}
    assert relations == {Election}


def test_nobody_can_vote_in_the_name_of_a_member_who_left_before_voting(
    member, admin_member, founding_ballot
):
    """Their credential goes with the account: whoever holds the database cannot cast a paper
    in their name, which their tick on the roll would show to no one."""
    entry = RollEntry.objects.get(ballot=founding_ballot, member=member)
    delete(member)

    assert not VoterCredential.objects.filter(entry=entry).exists()
    assert not RollEntry.objects.get(pk=entry.pk).voted
    charter.cast_vote(member=admin_member, ballot=founding_ballot, choice="yes")
    assert VoterCredential.objects.filter(entry__ballot=founding_ballot).count() == (
        founding_ballot.eligible_count - 2
    )


def test_the_published_roll_shows_a_deleted_member_without_a_link(member, charter_v1, admin_member):
    ballot = Ballot.objects.get(draft=charter_v1)
    voter = RollEntry.objects.filter(ballot=ballot, voted=True).first().member
    delete(voter)
    client = Client()
    client.force_login(admin_member)
    page = client.get(ballot.get_absolute_url()).text
    assert "Deleted member" in page and f"/m/{voter.username}/" not in page


# ---------------------------------------------------------------------------------------------
# The charter: acceptances and drafts go, published amendments and co-sponsors stay


def test_acceptances_and_unsubmitted_drafts_go_published_amendments_stay(charter_v1, founders):
    author, sponsor = founders
    assert Acceptance.objects.filter(member__in=founders, version=charter_v1).count() == 2
    common = {"rationale": "Because.", "changes": [addition()], "parameters": {}}
    draft = charter.create_proposal(author=author, title="Draft", **common)
    published = charter.create_proposal(author=author, title="Published", **common)
    charter.submit_proposal(author=author, proposal=published)
    charter.sponsor_proposal(member=sponsor, proposal=published)

    delete(author)
    delete(sponsor)

    assert not Acceptance.objects.filter(member__in=[author, sponsor]).exists()
    assert not Proposal.objects.filter(pk=draft.pk).exists()
    assert Proposal.objects.get(pk=published.pk).author == author
    assert Sponsorship.objects.filter(proposal=published, member=sponsor).exists()
    client = Client()
    client.force_login(MemberFactory())
    page = client.get(published.get_absolute_url()).text
    assert "proposed by Deleted member" in page
    assert f"/m/{sponsor.username}/" not in page


# ---------------------------------------------------------------------------------------------
# Moderation: signals stay, anonymous; claims go back to the queue


def test_signals_stay_and_moderators_see_a_deleted_member(
    charter_v1, member, moderator, moderator_client
):
    post = make_reply(make_thread(), source="Buy my miracle fertiliser!")
    made = signal(post, member, other=True, note="I think this is spam.")

    delete(member)

    made.refresh_from_db()
    assert made.signaller == member and made.note == "I think this is spam."
    page = moderator_client.get(made.case.get_absolute_url()).text
    assert "Deleted member" in page and "Alice Martin" not in page


def test_the_cases_a_deleted_moderator_held_go_back_to_the_queue(charter_v1, moderator):
    post = make_reply(make_thread(), source="Buy my miracle fertiliser!")
    case = signal(post).case
    moderation.claim_case(moderator=moderator, case=case)

    delete(moderator)

    case.refresh_from_db()
    assert case.claimed_by is None and case.is_open
    assert case.events.filter(kind="released", actor=moderator).exists()


def test_removed_posts_leave_no_copy_in_the_signals(charter_v1, member):
    mine = make_reply(make_thread(), author=member, source="Buy my miracle fertiliser!")
    made = signal(mine)

    delete(member, remove_posts=True)

    made.refresh_from_db()
    assert (made.snapshot_source, made.snapshot_html) == ("", "")
    assert Case.objects.filter(post=mine).exists()


def test_kept_posts_keep_their_copies_in_the_signals(charter_v1, member):
    mine = make_reply(make_thread(), author=member, source="Buy my miracle fertiliser!")
    signal(mine)
    delete(member)
    assert Signal.objects.get(post=mine).snapshot_source == "Buy my miracle fertiliser!"


# ---------------------------------------------------------------------------------------------
# Notifications


def test_their_notifications_and_choices_go(member, other_member, thread):
    forum.announce_post(post_id=make_reply(thread, author=other_member).pk)
    Preference.objects.create(member=member, kind=Kind.REPLY, email="never")
    assert Notification.objects.filter(recipient=member).exists()

    delete(member)

    assert not Notification.objects.filter(recipient=member).exists()
    assert not Preference.objects.filter(member=member).exists()
    assert not member.deliveries.exists()


# ---------------------------------------------------------------------------------------------
# The page


def test_the_page_says_what_goes_and_what_stays(member_client):
    page = member_client.get(DELETE_URL).text
    assert "What is deleted" in page and "What stays" in page
    assert 'name="password"' in page and 'name="remove_posts"' in page


def test_a_wrong_password_deletes_nothing(member_client, member):
    response = member_client.post(DELETE_URL, {"password": "not-it", "remove_posts": "on"})
    assert response.status_code == 200 and "That is not your password." in response.text
    member.refresh_from_db()
    assert not member.is_deleted and member.is_active


def test_the_checkbox_removes_the_posts(member_client, member, thread):
    member_client.post(DELETE_URL, {"password": PASSWORD, "remove_posts": "on"})
    assert Post.objects.get(thread=thread, number=1).state == PostState.DELETED


def test_without_the_checkbox_the_posts_stay(member_client, member, thread):
    member_client.post(DELETE_URL, {"password": PASSWORD})
    assert Post.objects.get(thread=thread, number=1).is_visible


def test_password_guesses_are_limited(member_client, member):
    for _attempt in range(5):
        assert member_client.post(DELETE_URL, {"password": "guess"}).status_code == 200
    assert member_client.post(DELETE_URL, {"password": PASSWORD}).status_code == 429
    member.refresh_from_db()
    assert not member.is_deleted


def test_an_admin_is_asked_to_give_up_admin_rights_first(admin_member):
    client = Client()
    client.force_login(admin_member)
    assert "Ask another admin to remove your admin rights first" in client.get(DELETE_URL).text
    response = client.post(DELETE_URL, {"password": PASSWORD})
    assert response.status_code == 403
    admin_member.refresh_from_db()
    assert not admin_member.is_deleted and admin_member.is_superuser


def test_visitors_are_sent_to_sign_in(visitor_client):
    assert visitor_client.get(DELETE_URL)["Location"].startswith("/accounts/login/")
    assert visitor_client.post(DELETE_URL)["Location"].startswith("/accounts/login/")


# ---------------------------------------------------------------------------------------------
# Found on the way (outside this feature's files)


def test_visitors_never_see_the_hidden_text_of_a_post_without_author(thread, visitor_client):
    post = make_reply(thread, source="Hidden words.")
    forum.hide_post(post=post)
    Post.objects.filter(pk=post.pk).update(author=None)
    assert "Hidden words." not in visitor_client.get(thread.get_absolute_url()).text


def test_the_addresses_that_bounced_go_with_the_account(member):
    BouncingAddress.objects.create(member=member, address=member.email, count=3)

    delete(member)

    assert not BouncingAddress.objects.exists()
