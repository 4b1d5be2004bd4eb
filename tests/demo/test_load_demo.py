import pytest
from django.core.management import call_command

from demo import content
from forum.models import Category, Post, PostState, Quote, Thanks, Thread
from members.models import Member

pytestmark = pytest.mark.django_db


def test_the_demo_community_loads_once_and_prints_credentials(capsys):
    call_command("load_demo")
    counts = (Member.objects.count(), Category.objects.count(), Thread.objects.count(),
              Post.objects.count())  # fmt: skip
    call_command("load_demo")
    assert (Member.objects.count(), Category.objects.count(), Thread.objects.count(),
            Post.objects.count()) == counts  # fmt: skip
    assert counts[0] == len(content.MEMBERS) + 2
    assert counts[2] == len(content.THREADS) == 30
    output = capsys.readouterr().out
    assert "admin / palabre-admin" in output and "moderatrice / palabre-moderatrice" in output
    assert "already loaded" in output


def test_the_demo_has_staff_quotes_and_consistent_counters():
    call_command("load_demo")
    assert Member.objects.get(username="admin").is_superuser
    assert Member.objects.get(username="moderatrice").is_moderator
    assert Quote.objects.exists()
    assert Thanks.objects.exists()
    assert Post.objects.filter(state=PostState.DELETED).exists()
    assert Post.objects.filter(edited_at__isnull=False).exists()
    for thread in Thread.objects.all():
        assert thread.post_count == thread.posts.count()
        assert thread.last_post == thread.posts.order_by("-number").first()
