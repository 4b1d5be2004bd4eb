"""Loading the demo, each test on a database of its own: running it twice, and in French."""

import pytest
from django.core.management import call_command

from charter import selectors
from demo import charter_content, content
from demo import elections as demo_elections
from forum.models import Category, Post, Thread
from members.models import Member
from moderation.models import Action, JournalEntry, Signal

pytestmark = pytest.mark.django_db

# The demo login the README and the load command name; the newest member, too new to vote.
LOGIN = content.MEMBERS[0]["username"]
NEWCOMER = min(content.MEMBERS, key=lambda spec: spec["days_ago_joined"])["username"]


@pytest.fixture(autouse=True)
def trustee_keys(tmp_path, monkeypatch):
    """The open ballot's key files go to the test's own directory, not the worktree's var/."""
    directory = tmp_path / "demo-trustees"
    monkeypatch.setattr(demo_elections, "default_key_directory", lambda: directory)
    return directory


def test_the_demo_community_loads_once_and_prints_credentials(capsys, trustee_keys):
    call_command("load_demo")
    counts = (Member.objects.count(), Category.objects.count(), Thread.objects.count(),
              Post.objects.count(), Signal.objects.count(),
              JournalEntry.objects.count())  # fmt: skip
    call_command("load_demo")
    assert (Member.objects.count(), Category.objects.count(), Thread.objects.count(),
            Post.objects.count(), Signal.objects.count(),
            JournalEntry.objects.count()) == counts  # fmt: skip
    assert counts[0] == len(content.MEMBERS) + 3  # the admin and two moderators
    assert counts[1] == len(content.CATEGORIES) + 1
    # Each amendment that found its co-sponsors has its discussion.
    discussed = [spec for spec in charter_content.PROPOSALS if spec["votes"] or spec["replies"]]
    assert counts[2] == len(content.THREADS) + len(discussed) == 33
    output = capsys.readouterr().out
    assert "admin / palabre-admin" in output and "moderatrice / palabre-moderatrice" in output
    assert f"{LOGIN} / palabre-membre" in output
    assert f"{NEWCOMER} / palabre-membre" in output
    assert "already loaded" in output
    trustees = [line for line in output.splitlines() if line.startswith("  trustee ")]
    # Printed by both runs: where each of the open ballot's three trustees finds their key.
    assert len(trustees) == 6 and "missing" not in output
    for username in demo_elections.TRUSTEE_VOLUNTEERS:
        assert f"{username} / palabre-membre: " in output
        assert f"/demo-trustees/{username}.key" in output
    assert sorted(path.name for path in trustee_keys.iterdir()) == [
        f"{username}.key" for username in sorted(demo_elections.TRUSTEE_VOLUNTEERS)
    ]


def test_the_demo_charter_follows_the_site_language(settings):
    settings.LANGUAGE_CODE = "fr"
    call_command("load_demo")
    current = selectors.current_version()
    assert current.articles.get(number=1).title == "Objet du forum"
    assert selectors.open_ballots().get().proposal.title.startswith("Raccourcir")
    kept = JournalEntry.objects.filter(action=Action.KEEP).first()
    assert "première fois" in kept.rationale
    assert "Respect" in str(kept.articles.get())
