"""Loading the demo on a database of its own, in French (tests/demo/test_load_demo.py loads it
once in English for all its tests)."""

import pytest
from django.core.management import call_command

from charter import selectors
from demo import content
from demo import elections as demo_elections
from moderation.models import Action, JournalEntry

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


def test_the_demo_charter_follows_the_site_language(settings):
    settings.LANGUAGE_CODE = "fr"
    call_command("load_demo")
    current = selectors.current_version()
    assert current.articles.get(number=1).title == "Objet du forum"
    assert selectors.open_ballots().get().proposal.title.startswith("Raccourcir")
    kept = JournalEntry.objects.filter(action=Action.KEEP).first()
    assert "première fois" in kept.rationale
    assert "Respect" in str(kept.articles.get())
