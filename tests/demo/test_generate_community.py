"""`manage.py generate_community`: a community of the size asked for, in bulk, holding what the
services would have written (counters, numbering, rendering, search, standing)."""

import io
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from charter import selectors as charter_selectors
from charter.models import Acceptance
from forum import selectors as forum_selectors
from forum import services as forum
from forum.models import Category, Post, ReadMark, Thanks, Thread, ThreadSubscription, WatchLevel
from forum.services.posting import index_post
from members.models import Member
from moderation.models import Case, CaseState, JournalEntry, Signal
from notifications.models import Notification
from tests.demo.generation import generate

pytestmark = pytest.mark.django_db


def counters() -> tuple:
    return (
        sorted(Thread.objects.values_list("pk", "post_count", "last_post")),
        sorted(Category.objects.values_list("pk", "thread_count", "post_count", "last_post")),
        sorted(Post.objects.values_list("pk", "thanks_count")),
    )


def the_community_has_the_size_asked_for_and_the_counters_recount_would_give(manifest):
    assert manifest["preset"] == "large"  # whose every number was overridden
    assert (Member.objects.count(), Category.objects.count(), Thread.objects.count(),
            Post.objects.count()) == (30, 3, 20, 400)  # fmt: skip
    hot = Thread.objects.get(pk=manifest["hot_thread"]["id"])
    assert hot.post_count == manifest["hot_thread"]["posts"] == 120
    assert manifest["hot_thread"]["last_page"] == -(-120 // settings.POSTS_PER_PAGE)
    before = counters()
    call_command("recount_forum", stdout=io.StringIO())
    assert counters() == before
    for thread in Thread.objects.all():
        posts = list(thread.posts.order_by("number").values_list("number", "created_at"))
        assert [number for number, _at in posts] == list(range(1, thread.post_count + 1))
        times = [at for _number, at in posts]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert (thread.created_at, thread.last_activity_at) == (times[0], times[-1])
    assert Thanks.objects.exists() and Post.objects.filter(edited_at__isnull=False).exists()
    output = manifest["output"]
    assert "posts: " in output and " s\n" in output and "rows/s" in output


def each_post_holds_the_html_its_whole_source_renders_to(manifest):
    posts = Post.objects.order_by("pk")
    assert posts.filter(source__contains="\n\n").count() > 100  # posts of several blocks
    assert posts.filter(html__contains='class="mention"').exists()
    assert posts.filter(html__contains="<pre>").exists() and posts.filter(html__contains="<ul>")
    for post in posts[::7]:
        assert post.html == forum.render_post_source(post.source).html


def every_member_may_post_and_has_joined_one_to_three_years_ago(manifest):
    version = charter_selectors.current_version()
    assert version.number == 1 and version.ratified_by.passed
    assert not Member.objects.filter(must_accept_charter=True).exists()
    assert Acceptance.objects.filter(version=version).count() == 30
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 30
    now = timezone.now()
    joined = Member.objects.values_list("date_joined", flat=True)
    assert all(now - timedelta(days=3 * 365 + 1) < at < now - timedelta(days=364) for at in joined)
    assert Member.objects.filter(is_moderator=True).count() >= 3  # the admin and two others


def posters_watch_their_threads_and_have_read_them_to_their_last_post(manifest):
    thread = Thread.objects.order_by("-post_count").first()
    last = {}
    for author, number in thread.posts.order_by("number").values_list("author", "number"):
        last[author] = number
    marks = dict(ReadMark.objects.filter(thread=thread).values_list("member", "last_read_number"))
    assert all(marks[author] >= number for author, number in last.items())
    watching = ThreadSubscription.objects.filter(thread=thread, level=WatchLevel.WATCHING)
    assert set(watching.values_list("member", flat=True)) == set(last)


def the_benchmarked_pages_answer_for_the_manifest_member_and_moderator(manifest):
    member, moderator = Client(), Client()
    assert member.login(**manifest["member"]) and moderator.login(**manifest["moderator"])
    hot = manifest["hot_thread"]
    for url in (
        f"/t/{manifest['thread']['id']}/",
        f"/t/{hot['id']}/?page={hot['last_page']}",
        f"/c/{manifest['category']['slug']}/",
        "/notifications/",
        "/charter/",
        "/moderation/journal/",
    ):
        assert member.get(url).status_code == 200, url
    assert member.get(f"/t/{hot['id']}/?page={hot['last_page'] + 1}").status_code == 404
    found = member.get("/search/", {"q": manifest["search"]["common"]})
    assert found.status_code == 200 and "<mark>" in found.text
    assert moderator.get("/moderation/queue/").status_code == 200
    assert member.get("/moderation/queue/").status_code in (403, 404)


def the_manifest_member_has_news_and_the_moderators_a_queue(manifest):
    told = Notification.objects.filter(recipient__username=manifest["member"]["username"])
    assert 100 < told.count() <= 210
    assert 0 < told.filter(read_at__isnull=True).count() < told.count()
    member = Member.objects.get(username=manifest["member"]["username"])
    hot = Thread.objects.get(pk=manifest["hot_thread"]["id"])
    assert ThreadSubscription.objects.filter(member=member, thread=hot, level=WatchLevel.WATCHING)
    assert ReadMark.objects.get(member=member, thread=hot).last_read_number < hot.post_count
    assert (
        Case.objects.filter(state=CaseState.OPEN).count() == 10 == manifest["counts"]["open_cases"]
    )
    assert Signal.objects.filter(articles__isnull=False).exists()
    assert JournalEntry.objects.count() == 6
    call_command("verify_record", stdout=io.StringIO())  # the record matches its digests


# What a generated community holds, checked on one community (generating takes seconds): the
# pages are visited last, since a visit reads the member's news.
RULES = [
    the_community_has_the_size_asked_for_and_the_counters_recount_would_give,
    each_post_holds_the_html_its_whole_source_renders_to,
    every_member_may_post_and_has_joined_one_to_three_years_ago,
    posters_watch_their_threads_and_have_read_them_to_their_last_post,
    the_manifest_member_has_news_and_the_moderators_a_queue,
    the_benchmarked_pages_answer_for_the_manifest_member_and_moderator,
]


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker, tmp_path_factory) -> dict:
    """The tiny community, generated once for the module (some seconds each time): its tests run
    inside the transaction that generated it, each in a savepoint of its own, and the whole is
    rolled back after the module's last test. Its manifest."""
    with django_db_blocker.unblock():
        generating = transaction.atomic()
        generating.__enter__()
        try:
            yield generate(tmp_path_factory.mktemp("generated"))
        finally:
            transaction.set_rollback(True)
            generating.__exit__(None, None, None)


def test_a_generated_community_holds_what_the_services_would_have_written(generated, subtests):
    manifest = generated
    for rule in RULES:
        with subtests.test(rule.__name__):
            rule(manifest)


def test_a_second_run_and_impossible_sizes_are_refused(generated, tmp_path):
    with pytest.raises(CommandError, match="already has members"):
        generate(tmp_path)
    assert Member.objects.count() == 30
    with pytest.raises(CommandError, match="--posts must cover"):
        call_command("generate_community", "--threads=50", "--posts=40", "--hot-posts=5")


def vectors(posts) -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, search_vector::text FROM forum_post WHERE id = ANY(%s)",
            [[post.pk for post in posts]],
        )
        return dict(cursor.fetchall())


@pytest.mark.postgresql
def test_search_vectors_are_the_forums_own_and_find_the_manifest_words(generated):
    manifest = generated
    assert not Post.objects.filter(search_vector__isnull=True).exists()
    sample = list(Post.objects.select_related("thread").filter(number__lte=2).order_by("pk")[:40])
    generated = vectors(sample)
    for post in sample:
        index_post(post)  # as posting or editing it would
    assert vectors(sample) == generated
    member = Member.objects.get(username=manifest["member"]["username"])
    words = manifest["search"]
    common, _more = forum_selectors.search_posts(words["common"], member)
    rare, _more = forum_selectors.search_posts(words["rare"], member)
    phrase, _more = forum_selectors.search_posts(f'"{words["phrase"]}"', member)
    assert len(common) == forum_selectors.SEARCH_PAGE_SIZE
    assert 0 < len(rare) < len(common)
    assert phrase
