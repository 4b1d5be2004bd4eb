"""A new member's first day: a few threads and posts, counted from the posts themselves."""

from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from forum import rules, services
from forum.models import Post, Thread
from tests.builders.charter import charter_in_force
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db


def newcomer(hours_ago: float = 1, **fields):
    return MemberFactory(date_joined=timezone.now() - timedelta(hours=hours_ago), **fields)


def start(member, category, n=1):
    return [
        services.create_thread(author=member, category=category, title=f"Hello {i}", source="Hi")
        for i in range(n)
    ]


def write(member, thread, n=1):
    return [services.reply(author=member, thread=thread, source=f"Post {i}") for i in range(n)]


def first_day_end(member) -> str:
    return date_format(
        timezone.localtime(member.date_joined + timedelta(days=1)), "DATETIME_FORMAT"
    )


# The rule, at the charter's founding values: 3 threads and 10 posts


def test_a_new_member_may_start_three_threads_in_their_first_day_and_not_a_fourth(category):
    member = newcomer()
    start(member, category, 3)
    with pytest.raises(rules.PostingRefused) as refusal:
        start(member, category)
    assert str(refusal.value) == (
        f"From {first_day_end(member)} you may start another thread: "
        "in their first day, members may start 3 threads."
    )
    assert Thread.objects.filter(author=member).count() == 3


def test_a_new_member_may_write_ten_posts_in_their_first_day_first_posts_included(category, thread):
    member = newcomer()
    start(member, category, 2)
    write(member, thread, 8)
    with pytest.raises(rules.PostingRefused) as refusal:
        write(member, thread)
    assert str(refusal.value) == (
        f"From {first_day_end(member)} you may post again: "
        "in their first day, members may write 10 posts."
    )
    assert Post.objects.filter(author=member).count() == 10


def test_a_new_member_out_of_posts_may_not_start_a_thread_either(category, thread):
    member = newcomer()
    write(member, thread, 10)
    with pytest.raises(rules.PostingRefused, match=r"may write 10 posts\."):
        start(member, category)
    assert not Thread.objects.filter(author=member).exists()


def test_the_limits_are_the_charters_procedural_parameters(category, thread):
    charter_in_force(parameters={"first_day_threads": 1, "first_day_posts": 2})
    member = newcomer()
    start(member, category)
    with pytest.raises(rules.PostingRefused, match=r"may start 1 thread\."):
        start(member, category)
    write(member, thread)
    with pytest.raises(rules.PostingRefused, match=r"may write 2 posts\."):
        write(member, thread)
    assert Post.objects.filter(author=member).count() == 2


def test_deleting_a_post_makes_no_room_for_another(thread):
    charter_in_force(parameters={"first_day_posts": 2})
    member = newcomer()
    for post in write(member, thread, 2):
        services.delete_post(member=member, post=post)
    with pytest.raises(rules.PostingRefused):
        write(member, thread)


def test_each_new_member_has_their_own_allowance(thread):
    charter_in_force(parameters={"first_day_posts": 2})
    first, second = newcomer(), newcomer()
    write(first, thread, 2)
    with pytest.raises(rules.PostingRefused):
        write(first, thread)
    write(second, thread, 2)
    assert Post.objects.filter(author=second).count() == 2


def test_the_first_day_ends_24_hours_after_joining(thread):
    charter_in_force(parameters={"first_day_posts": 2})
    member = newcomer(hours_ago=23)
    write(member, thread, 2)
    joined = member.date_joined
    last_second = joined + timedelta(hours=24, seconds=-1)
    assert rules.first_day_problem(member, now=last_second, starting_thread=False)
    day_after = joined + timedelta(hours=24)
    assert rules.first_day_problem(member, now=day_after, starting_thread=False) is None


def test_a_member_a_day_old_posts_freely(thread):
    charter_in_force(parameters={"first_day_posts": 2})
    member = newcomer(hours_ago=24.01)
    write(member, thread, 3)
    assert Post.objects.filter(author=member).count() == 3


@pytest.mark.parametrize("role", [{"is_moderator": True}, {"is_staff": True}])
def test_moderators_and_admins_are_not_limited_on_their_first_day(thread, role):
    charter_in_force(parameters={"first_day_posts": 2})
    member = newcomer(**role)
    write(member, thread, 3)
    assert Post.objects.filter(author=member).count() == 3


def test_a_thread_opened_by_another_apps_process_is_not_counted_against_its_author(category):
    """The charter opens an amendment's discussion when its last co-sponsor signs: the author
    did not ask for it then, and cannot be refused it."""
    charter_in_force(parameters={"first_day_threads": 1})
    member = newcomer()
    start(member, category)
    services.start_thread_for(author=member, category=category, title="Amendment", source="Text")
    assert Thread.objects.filter(author=member).count() == 2


# The pages


def test_a_refused_reply_says_why_and_keeps_what_was_typed(client, thread):
    charter_in_force(parameters={"first_day_posts": 1})
    member = newcomer()
    write(member, thread)
    client.force_login(member)
    response = client.post(f"/t/{thread.pk}/reply/", {"source": "My careful second post"})
    assert response.status_code == 403
    assert "in their first day, members may write 1 post." in response.text
    assert "My careful second post" in response.text
    assert Post.objects.filter(author=member).count() == 1


def test_a_refused_thread_says_why_and_keeps_what_was_typed(client, category):
    charter_in_force(parameters={"first_day_threads": 1})
    member = newcomer()
    start(member, category)
    client.force_login(member)
    response = client.post(
        f"/c/{category.slug}/new/", {"title": "Second thread", "source": "Its careful text"}
    )
    assert response.status_code == 403
    assert "in their first day, members may start 1 thread." in response.text
    assert "Its careful text" in response.text
    assert Thread.objects.filter(author=member).count() == 1


def test_the_refusal_is_served_in_the_members_language(client, thread):
    charter_in_force(parameters={"first_day_posts": 1})
    member = newcomer(language="fr")
    write(member, thread)
    client.force_login(member)
    response = client.post(f"/t/{thread.pk}/reply/", {"source": "Encore"})
    assert response.status_code == 403
    assert '<html lang="fr"' in response.text
    assert Post.objects.filter(author=member).count() == 1


# Simultaneous posts (PostgreSQL: the member's row lock)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_replies_at_the_limit_do_not_exceed_it():
    thread = make_thread()
    member = newcomer()
    write(member, thread, 8)
    _, errors = run_together(
        [partial(services.reply, author=member, thread=thread, source="Now!")] * 6
    )
    assert len(errors) == 4 and all(isinstance(e, rules.PostingRefused) for e in errors)
    assert Post.objects.filter(author=member).count() == 10


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_threads_at_the_limit_do_not_exceed_it():
    category = CategoryFactory()
    member = newcomer()
    start(member, category, 2)
    _, errors = run_together(
        [
            partial(services.create_thread, author=member, category=category, title="T", source="S")
            for _ in range(6)
        ]
    )
    assert len(errors) == 5 and all(isinstance(e, rules.PostingRefused) for e in errors)
    assert Thread.objects.filter(author=member).count() == 3
