import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from charter import rules, selectors
from charter.models import Acceptance, Ballot, ProposalState
from demo import charter_content, content
from forum.models import Category, Post, PostState, Quote, Thanks, Thread
from members.models import Member
from notifications.models import EmailChoice, Kind, Notification, Preference

pytestmark = pytest.mark.django_db

# The demo login the README and the load command name; the newest member, too new to vote.
LOGIN = content.MEMBERS[0]["username"]
NEWCOMER = min(content.MEMBERS, key=lambda spec: spec["days_ago_joined"])["username"]


def test_the_demo_community_loads_once_and_prints_credentials(capsys):
    call_command("load_demo")
    counts = (Member.objects.count(), Category.objects.count(), Thread.objects.count(),
              Post.objects.count())  # fmt: skip
    call_command("load_demo")
    assert (Member.objects.count(), Category.objects.count(), Thread.objects.count(),
            Post.objects.count()) == counts  # fmt: skip
    assert counts[0] == len(content.MEMBERS) + 2
    assert counts[1] == len(content.CATEGORIES) + 1
    # Each amendment that found its co-sponsors has its discussion.
    discussed = [spec for spec in charter_content.PROPOSALS if spec["votes"] or spec["replies"]]
    assert counts[2] == len(content.THREADS) + len(discussed) == 33
    output = capsys.readouterr().out
    assert "admin / palabre-admin" in output and "moderatrice / palabre-moderatrice" in output
    assert f"{LOGIN} (or any demo member) / palabre-membre" in output
    assert f"{NEWCOMER} / palabre-membre" in output
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


def test_the_demo_charter_was_founded_then_amended_once_and_everyone_accepted_it():
    call_command("load_demo")
    current = selectors.current_version()
    assert current.number == 2
    assert current.articles.count() == 10
    assert current.articles.filter(entrenched=True).count() == 2
    assert [v.number for v in selectors.ratified_versions()] == [2, 1]
    founding = selectors.founding_ballots().get()
    assert founding.passed and founding.result.number == 1
    assert founding.yes + founding.no + founding.abstain < founding.eligible_count
    amended = current.ratified_by
    assert amended.passed and amended.proposal.state == ProposalState.PASSED
    assert amended.proposal.thread.post_count > 1
    assert not Member.objects.filter(must_accept_charter=True).exists()
    assert Acceptance.objects.filter(version=current).count() == Member.objects.count()


def test_the_demo_has_amendments_in_discussion_in_ballot_and_seeking_co_sponsors():
    call_command("load_demo")
    login = Member.objects.get(username=LOGIN)
    discussed = selectors.proposals(states=[ProposalState.DISCUSSION]).get()
    assert discussed.thread.post_count >= 3
    seeking = selectors.proposals(states=[ProposalState.SEEKING]).get()
    assert seeking.sponsor_count == 1
    assert rules.can_sponsor(login, seeking, selectors.current_version())
    ballot = selectors.open_ballots().get()
    assert ballot.entrenched  # it changes a procedural parameter
    assert 0 < selectors.votes_cast(ballot) < ballot.eligible_count
    assert rules.why_cannot_vote(login, ballot, selectors.roll_entry(ballot, login)) is None
    newcomer = Member.objects.get(username=NEWCOMER)
    assert selectors.roll_entry(ballot, newcomer) is None
    assert "less than 30 days" in rules.why_cannot_vote(newcomer, ballot, None)


def test_loading_the_demo_sends_no_email_and_leaves_only_live_news_unread():
    call_command("load_demo")
    assert mail.outbox == []
    assert not Preference.objects.exclude(email=EmailChoice.DIGEST).exists()
    assert Preference.objects.count() == Member.objects.count() * len(Kind)
    unread = Notification.objects.filter(recipient__username=LOGIN, read_at__isnull=True)
    assert unread.filter(kind=Kind.BALLOT_OPEN).count() == 1
    assert not unread.filter(kind=Kind.CHARTER_RATIFIED).exists()


def test_the_demo_charter_follows_the_site_language(settings):
    settings.LANGUAGE_CODE = "fr"
    call_command("load_demo")
    current = selectors.current_version()
    assert current.articles.get(number=1).title == "Objet du forum"
    assert selectors.open_ballots().get().proposal.title.startswith("Raccourcir")


def test_the_demo_charter_pages_render_for_the_demo_login():
    call_command("load_demo")
    client = Client()
    client.force_login(Member.objects.get(username=LOGIN))
    urls = ["/charter/", "/charter/history/", "/charter/proposals/", "/charter/v/1/"]
    assert "off-topic category" in client.get("/charter/diff/").content.decode()
    urls += [p.get_absolute_url() for p in selectors.proposals()]
    urls += [b.get_absolute_url() for b in Ballot.objects.all()]
    for url in urls:
        assert client.get(url).status_code == 200, url
