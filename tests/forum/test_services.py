import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from forum import services
from forum.models import (
    Category,
    Mention,
    Post,
    PostState,
    Quote,
    ReadMark,
    Thanks,
    Thread,
    ThreadSubscription,
    WatchLevel,
)
from tests.builders.forum import CategoryFactory, make_reply, make_thread
from tests.builders.members import MemberFactory

pytestmark = pytest.mark.django_db


def test_creating_a_thread_makes_its_first_post_and_counts_it(category, member):
    thread = services.create_thread(
        author=member, category=category, title="Compost", source="Who has **worms**?"
    )
    post = thread.posts.get()
    assert post.number == 1
    assert "<strong>worms</strong>" in post.html
    assert thread.post_count == 1 and thread.last_post == post
    category.refresh_from_db()
    assert (category.thread_count, category.post_count, category.last_post) == (1, 1, post)


def test_replies_are_numbered_in_order_and_counted(thread):
    second = make_reply(thread)
    third = make_reply(thread)
    thread.refresh_from_db()
    assert (second.number, third.number) == (2, 3)
    assert thread.post_count == 3 and thread.last_post == third
    assert Category.objects.get(pk=thread.category_id).post_count == 3


def test_two_posts_cannot_share_a_number(thread):
    with pytest.raises(IntegrityError):
        Post.objects.create(thread=thread, number=1, author=thread.author, source="x", html="x")


def test_creating_or_replying_watches_the_thread(thread, other_member):
    make_reply(thread, author=other_member)
    levels = dict(ThreadSubscription.objects.values_list("member__username", "level"))
    assert levels == {"alice": WatchLevel.WATCHING, "bruno": WatchLevel.WATCHING}


def test_replying_does_not_override_a_mute(thread, other_member):
    services.watch_thread(member=other_member, thread=thread, level=WatchLevel.MUTED)
    make_reply(thread, author=other_member)
    assert ThreadSubscription.objects.get(member=other_member).level == WatchLevel.MUTED


def test_a_reply_marks_the_thread_read_for_its_author(thread, other_member):
    make_reply(thread)
    post = make_reply(thread, author=other_member)
    assert ReadMark.objects.get(member=other_member, thread=thread).last_read_number == post.number


def test_nobody_replies_in_a_locked_thread_but_moderators(thread, other_member, moderator):
    thread.locked = True
    thread.save()
    with pytest.raises(PermissionDenied):
        make_reply(thread, author=other_member)
    assert make_reply(thread, author=moderator).number == 2


def test_members_cannot_post_in_a_write_restricted_category(other_member, moderator):
    announcements = CategoryFactory(write_restricted=True)
    with pytest.raises(PermissionDenied):
        services.create_thread(author=other_member, category=announcements, title="Hi", source="x")
    assert (
        services.create_thread(
            author=moderator, category=announcements, title="News", source="Hello"
        ).post_count
        == 1
    )


def test_editing_keeps_the_previous_text_as_a_revision(thread, member):
    post = thread.posts.get()
    services.edit_post(editor=member, post=post, source="Corrected *text*")
    post.refresh_from_db()
    assert post.source == "Corrected *text*" and "<em>text</em>" in post.html
    assert post.is_edited
    assert [r.previous_source for r in post.revisions.all()] == ["The opening post."]


def test_an_edit_that_changes_nothing_keeps_no_revision(thread, member):
    post = thread.posts.get()
    services.edit_post(editor=member, post=post, source=post.source)
    assert not post.revisions.exists() and not post.is_edited


def test_only_the_author_may_edit(thread, other_member, moderator):
    post = thread.posts.get()
    for someone in (other_member, moderator):
        with pytest.raises(PermissionDenied):
            services.edit_post(editor=someone, post=post, source="Hijacked")
    post.refresh_from_db()
    assert post.source == "The opening post."


def test_deleting_is_soft_and_allowed_to_the_author_or_a_moderator(thread, other_member, moderator):
    mine = make_reply(thread, author=other_member)
    theirs = make_reply(thread)
    services.delete_post(member=other_member, post=mine)
    services.delete_post(member=moderator, post=theirs)
    assert set(Post.objects.filter(state=PostState.DELETED).values_list("pk", flat=True)) == {
        mine.pk,
        theirs.pk,
    }
    assert Post.objects.get(pk=mine.pk).source == mine.source


def test_a_member_cannot_delete_someone_elses_post(thread, other_member):
    with pytest.raises(PermissionDenied):
        services.delete_post(member=other_member, post=thread.posts.get())
    assert thread.posts.get().state == PostState.VISIBLE


def test_mentions_of_existing_members_are_recorded_once(thread, member, other_member):
    post = make_reply(thread, author=member, source="@bruno @BRUNO and @ghost, see @alice")
    assert list(Mention.objects.filter(post=post).values_list("member__username", flat=True)) == [
        "bruno"
    ]


def test_editing_a_post_updates_its_mentions(thread, member, other_member, moderator):
    post = make_reply(thread, author=member, source="Hello @bruno")
    services.edit_post(editor=member, post=post, source="Hello @noor")
    assert list(post.mentions.values_list("member__username", flat=True)) == ["noor"]


def test_quoting_a_post_of_the_thread_is_recorded(thread):
    first = thread.posts.get()
    reply = make_reply(thread, source=f"> **alice** [wrote](/p/{first.pk}/):\n> hi\n\nIndeed.")
    assert Quote.objects.filter(post=reply, quoted_post=first).exists()


def test_a_quote_of_a_post_in_another_thread_is_not_recorded(thread):
    elsewhere = make_thread().posts.get()
    reply = make_reply(thread, source=f"> [wrote](/p/{elsewhere.pk}/):\n> hi")
    assert not Quote.objects.filter(post=reply).exists()


def test_a_member_thanks_a_post_once(thread, other_member):
    post = thread.posts.get()
    assert services.thank(member=other_member, post=post) is True
    assert services.thank(member=other_member, post=post) is False
    post.refresh_from_db()
    assert post.thanks_count == 1 and Thanks.objects.count() == 1


def test_the_database_refuses_a_second_thanks(thread, other_member):
    post = thread.posts.get()
    Thanks.objects.create(post=post, member=other_member)
    with pytest.raises(IntegrityError):
        Thanks.objects.create(post=post, member=other_member)


def test_nobody_thanks_their_own_post(thread, member):
    with pytest.raises(PermissionDenied):
        services.thank(member=member, post=thread.posts.get())


def test_withdrawing_thanks_lowers_the_count(thread, other_member):
    post = thread.posts.get()
    services.thank(member=other_member, post=post)
    assert services.withdraw_thanks(member=other_member, post=post) is True
    post.refresh_from_db()
    assert post.thanks_count == 0


def test_read_marks_only_move_forward(thread, other_member):
    posts = {number: make_reply(thread) for number in range(2, 10)}
    services.mark_read(member=other_member, thread=thread, posts=[posts[5]], previous=None)
    services.mark_read(member=other_member, thread=thread, posts=[posts[3]], previous=5)
    assert ReadMark.objects.get(member=other_member, thread=thread).last_read_number == 5
    services.mark_read(member=other_member, thread=thread, posts=[posts[9]], previous=5)
    assert ReadMark.objects.get(member=other_member, thread=thread).last_read_number == 9


def test_recount_repairs_counters(thread):
    make_reply(thread)
    Thread.objects.update(post_count=0, last_post=None)
    Category.objects.update(thread_count=7, post_count=0, last_post=None)
    Post.objects.update(thanks_count=3)
    services.recount()
    thread.refresh_from_db()
    category = Category.objects.get()
    assert thread.post_count == 2 and thread.last_post.number == 2
    assert (category.thread_count, category.post_count) == (1, 2)
    assert category.last_post == thread.last_post
    assert set(Post.objects.values_list("thanks_count", flat=True)) == {0}


def test_suspended_or_inactive_members_cannot_post(thread):
    inactive = MemberFactory(is_active=False)
    with pytest.raises(PermissionDenied):
        make_reply(thread, author=inactive)
