"""Who hears of what happens in the forum: the rules of DESIGN.md's "Notifications"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from forum import services
from forum.models import Post, PostState, WatchLevel
from notifications.models import Kind, Notification
from tests.builders.forum import CategoryFactory, make_reply, make_thread
from tests.builders.members import MemberFactory

pytestmark = pytest.mark.django_db


def kinds_for(member) -> list[str]:
    return list(Notification.objects.filter(recipient=member).values_list("kind", flat=True))


def reply_and_announce(thread, *, author, source="A reply.") -> Post:
    post = services.reply(author=author, thread=thread, source=source)
    services.announce_post(post_id=post.pk)
    return post


def test_a_reply_notifies_the_threads_watchers_but_not_its_author(thread, member, other_member):
    reply_and_announce(thread, author=other_member)
    assert kinds_for(member) == [Kind.REPLY]
    assert kinds_for(other_member) == []


def test_the_watchers_are_told_after_the_reply_commits_not_in_the_request(
    thread, member, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = services.reply(author=other_member, thread=thread, source="Later.")
    assert kinds_for(member) == []
    assert Post.objects.get(pk=post.pk).announced is False
    for callback in callbacks:
        callback()
    assert kinds_for(member) == [Kind.REPLY]
    assert Post.objects.get(pk=post.pk).announced is True


def test_the_notification_leads_to_the_exact_post_and_groups_by_thread(
    thread, member, other_member
):
    post = reply_and_announce(thread, author=other_member, source="See the *seed list*.")
    notification = Notification.objects.get(recipient=member)
    assert notification.url == f"/p/{post.pk}/"
    assert notification.group_key == services.thread_group_key(thread.pk)
    assert notification.title == thread.title
    assert notification.excerpt == "See the *seed list*."
    assert notification.actor == other_member


def test_a_member_who_muted_the_thread_hears_nothing_even_when_mentioned(
    thread, member, other_member
):
    services.watch_thread(member=member, thread=thread, level=WatchLevel.MUTED)
    reply_and_announce(thread, author=other_member, source="@alice what do you think?")
    assert kinds_for(member) == []


def test_a_member_who_does_not_watch_hears_only_of_mentions_and_quotes(
    thread, member, other_member
):
    services.watch_thread(member=member, thread=thread, level=WatchLevel.NORMAL)
    reply_and_announce(thread, author=other_member, source="Nothing for alice here.")
    assert kinds_for(member) == []
    reply_and_announce(thread, author=other_member, source="But @alice, look.")
    assert kinds_for(member) == [Kind.MENTION]


def test_a_watcher_who_is_mentioned_hears_of_the_post_once_as_a_mention(
    thread, member, other_member
):
    reply_and_announce(thread, author=other_member, source="@alice agreed.")
    assert kinds_for(member) == [Kind.MENTION]


def test_quoting_a_post_notifies_its_author_once(thread, member, other_member):
    first = thread.posts.get(number=1)
    reply_and_announce(
        thread, author=other_member, source=f"> **alice** [wrote](/p/{first.pk}/):\n> Hi\n\nYes."
    )
    assert kinds_for(member) == [Kind.QUOTE]


def test_a_new_thread_notifies_the_categorys_watchers(category, member, other_member):
    services.watch_category(member=member, category=category, level=WatchLevel.WATCHING)
    thread = services.create_thread(
        author=other_member, category=category, title="Tool library", source="Anyone?"
    )
    services.announce_post(post_id=thread.last_post_id)
    notification = Notification.objects.get(recipient=member)
    assert notification.kind == Kind.NEW_THREAD
    assert notification.place == category.name


def test_only_moderators_hear_of_posts_in_a_category_only_they_can_read(
    member, other_member, moderator
):
    restricted = CategoryFactory(read_restricted=True)
    for each in (member, moderator):
        services.watch_category(member=each, category=restricted, level=WatchLevel.WATCHING)
    thread = make_thread(category=restricted, author=MemberFactory(is_moderator=True))
    services.announce_post(post_id=thread.last_post_id)
    assert kinds_for(moderator) == [Kind.NEW_THREAD]
    assert kinds_for(member) == []


def test_an_edit_that_adds_a_mention_notifies_only_the_newly_mentioned(
    thread, member, other_member
):
    carla = MemberFactory(username="carla")
    post = reply_and_announce(thread, author=other_member, source="Hello @carla.")
    assert kinds_for(carla) == [Kind.MENTION]
    services.edit_post(editor=other_member, post=post, source="Hello @carla and @alice.")
    assert kinds_for(carla) == [Kind.MENTION]
    assert kinds_for(member) == [Kind.REPLY]  # already told of this post as a watcher


def test_announcing_a_post_twice_tells_each_watcher_once(thread, member, other_member):
    post = services.reply(author=other_member, thread=thread, source="Twice?")
    assert services.announce_post(post_id=post.pk) == 1
    assert services.announce_post(post_id=post.pk) == 0
    assert Notification.objects.filter(recipient=member).count() == 1


def test_a_post_deleted_before_its_announcement_is_announced_to_nobody(
    thread, member, other_member
):
    post = services.reply(author=other_member, thread=thread, source="Oops.")
    Post.objects.filter(pk=post.pk).update(state=PostState.DELETED)
    assert services.announce_post(post_id=post.pk) == 0
    assert kinds_for(member) == []


def test_the_sweep_announces_posts_whose_task_was_lost(
    thread, member, other_member, django_capture_on_commit_callbacks
):
    lost = services.reply(author=other_member, thread=thread, source="Lost message.")
    fresh = services.reply(author=other_member, thread=thread, source="Just posted.")
    Post.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.announce_pending_posts() == 1
    assert Post.objects.get(pk=lost.pk).announced is True
    assert Post.objects.get(pk=fresh.pk).announced is False


def test_inactive_members_are_not_notified(thread, member, other_member):
    member.is_active = False
    member.save()
    reply_and_announce(thread, author=other_member)
    assert kinds_for(member) == []


def test_the_stop_watching_link_stops_replies_but_not_mentions(thread, member, other_member):
    token = services.stop_watching_token(member_id=member.pk, thread_id=thread.pk)
    named, watched = services.read_stop_watching_token(token)
    services.stop_watching(member=named, thread=watched)
    reply_and_announce(thread, author=other_member, source="Quiet.")
    assert kinds_for(member) == []
    make_reply(thread, author=other_member, source="@alice still there?")
    assert kinds_for(member) == [Kind.MENTION]
