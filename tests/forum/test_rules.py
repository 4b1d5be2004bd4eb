"""Why a member may not reply, or start a thread: the refusals forum/rules.py gives, which the
thread and category pages show."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from forum import services
from forum.models import Thread
from forum.rules import (
    can_delete_post,
    can_read_thread,
    can_reply,
    why_cannot_reply,
    why_cannot_start_thread,
)
from members.rules import Remedy

pytestmark = pytest.mark.django_db


def test_a_member_who_may_reply_meets_no_refusal(member, thread):
    assert why_cannot_reply(member, thread) is None


def test_a_visitor_is_asked_to_sign_in(thread):
    refusal = why_cannot_reply(AnonymousUser(), thread)
    assert str(refusal) == "Sign in to reply."
    assert refusal.remedy == Remedy.SIGN_IN


def test_a_locked_thread_refuses_members_but_not_moderators(member, moderator, thread):
    thread.locked = True
    assert str(why_cannot_reply(member, thread)) == "This thread is locked: no new replies."
    assert why_cannot_reply(moderator, thread) is None


def test_a_suspended_member_is_told_until_when(member, thread):
    member.suspended_until = timezone.now() + timedelta(days=3)
    refusal = why_cannot_reply(member, thread)
    assert str(refusal).startswith("You are suspended until ")
    assert str(refusal).endswith(": you may read, but not reply.")
    assert refusal.remedy is None


def test_a_member_who_must_accept_the_charter_is_asked_to(member, thread):
    member.must_accept_charter = True
    refusal = why_cannot_reply(member, thread)
    assert str(refusal) == "Accept the charter to reply"
    assert refusal.remedy == Remedy.ACCEPT_CHARTER


def test_a_banned_member_is_told_they_cannot_reply_here(member, thread):
    member.banned_at = timezone.now()
    assert str(why_cannot_reply(member, thread)) == "You cannot reply in this category."


def test_a_member_who_may_start_a_thread_meets_no_refusal(member, category):
    assert why_cannot_start_thread(member, category) is None


def test_a_visitor_is_told_nothing_on_a_category_page(category):
    assert why_cannot_start_thread(AnonymousUser(), category) is None


def test_where_only_moderators_write_a_member_is_told_nothing(member, category):
    category.write_restricted = True
    assert why_cannot_start_thread(member, category) is None


def test_a_suspended_member_is_told_until_when_they_may_not_start_threads(member, category):
    member.suspended_until = timezone.now() + timedelta(days=3)
    refusal = why_cannot_start_thread(member, category)
    assert str(refusal).startswith("You are suspended until ")
    assert str(refusal).endswith(": you may read, but not start threads.")
    assert refusal.remedy is None


def test_a_suspended_moderator_is_told_so_even_where_only_moderators_write(moderator, category):
    category.write_restricted = True
    moderator.suspended_until = timezone.now() + timedelta(days=3)
    assert str(why_cannot_start_thread(moderator, category)).startswith("You are suspended until ")


def test_a_member_who_must_accept_the_charter_is_asked_to_before_starting_a_thread(
    member, category
):
    member.must_accept_charter = True
    refusal = why_cannot_start_thread(member, category)
    assert str(refusal) == "Accept the charter to start a thread"
    assert refusal.remedy == Remedy.ACCEPT_CHARTER


# A thread held open (the discussion of a live charter amendment): open to every member who may
# post, whatever its category's restrictions and its lock, until its process releases it.


def test_a_thread_held_open_is_read_and_answered_whatever_its_category_and_lock(member, thread):
    thread.category.read_restricted = thread.category.write_restricted = True
    thread.locked = thread.held_open = True
    assert can_read_thread(member, thread) and can_read_thread(AnonymousUser(), thread)
    assert can_reply(member, thread)
    assert why_cannot_reply(member, thread) is None


def test_a_thread_held_open_still_refuses_a_member_who_may_not_post(member, thread):
    thread.locked = thread.held_open = True
    member.suspended_until = timezone.now() + timedelta(days=3)
    assert str(why_cannot_reply(member, thread)).startswith("You are suspended until ")


def test_a_moderator_deletes_no_one_elses_post_in_a_thread_held_open(member, moderator, thread):
    post = thread.posts.get(number=1)
    assert can_delete_post(moderator, post)
    thread.held_open = True
    post.thread = thread
    assert not can_delete_post(moderator, post)
    assert can_delete_post(post.author, post)


def test_a_released_thread_follows_its_category_and_lock_again(member, thread):
    Thread.objects.filter(pk=thread.pk).update(held_open=True, locked=True)
    services.release_thread(thread_id=thread.pk)
    thread.refresh_from_db()
    assert not thread.held_open
    assert str(why_cannot_reply(member, thread)) == "This thread is locked: no new replies."
