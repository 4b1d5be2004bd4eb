import io
import re
import stat
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from charter import belenios, rules, selectors
from charter import services as charter
from charter.models import Acceptance, Ballot, BallotState, ProposalState
from charter.services import elections
from demo import charter_content, content, moderation_content
from demo import elections as demo_elections
from demo import logins as demo_logins
from demo import news as demo_news
from forum.models import Category, Post, PostState, Quote, Thanks, Thread
from members.models import Member
from moderation import rules as moderation_rules
from moderation import selectors as moderation_selectors
from moderation.models import (
    Action,
    Appeal,
    AppealState,
    CaseEvent,
    Decision,
    JournalEntry,
    JournalKind,
    Outcome,
    SanctionKind,
    Signal,
)
from moderation.sanctions import Step
from notifications.models import EmailChoice, Kind, Notification, Preference

# One load for the module (tests/demo/conftest.py); each test runs in a savepoint of its own.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_demo")]

# The demo login the README and the load command name; the newest member, too new to vote.
LOGIN = content.MEMBERS[0]["username"]
NEWCOMER = min(content.MEMBERS, key=lambda spec: spec["days_ago_joined"])["username"]
SECOND_MODERATOR = moderation_content.SECOND_MODERATOR["username"]


def test_the_demo_ballot_is_encrypted_with_three_volunteer_trustees(loaded_demo):
    ballot = selectors.open_ballots().get()
    assert ballot.is_encrypted and ballot.state == BallotState.OPEN
    trustees = elections.current_trustees(ballot.election)
    assert len(trustees) == 3 and ballot.election.public_key
    assert {t.member.username for t in trustees} == set(demo_elections.TRUSTEE_VOLUNTEERS)
    for trustee in trustees:
        assert not trustee.member.is_staff and trustee.member != ballot.proposal.author
        key_file = loaded_demo.trustee_keys / f"{trustee.member.username}.key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # The ballots the demo closed were decrypted by their trustees and are in their record.
    for past in Ballot.objects.filter(state=BallotState.CLOSED):
        assert past.is_encrypted and selectors.votes_cast(past) == past.yes + past.no + past.abstain
        belenios.verify(
            uuid=past.election.uuid,
            record=elections.record_files(past.election),
            timestamp=past.election.timestamp,
        )


def test_two_demo_trustees_decrypt_the_open_ballot_with_their_key_files(loaded_demo):
    ballot = selectors.open_ballots().get()
    charter.run_deadlines(now=ballot.closes_at)
    ballot.refresh_from_db()
    assert ballot.state == BallotState.COUNTING
    first, _absent, third = elections.current_trustees(ballot.election)
    for trustee in (first, third):
        key = (loaded_demo.trustee_keys / f"{trustee.member.username}.key").read_text()
        charter.decrypt_as_trustee(member=trustee.member, trustee=trustee, key=key)
    charter.count_decrypted_ballots(now=ballot.closes_at)
    ballot.refresh_from_db()
    votes = next(
        spec["votes"] for spec in charter_content.PROPOSALS if spec["votes"] and not spec["closed"]
    )
    assert ballot.state == BallotState.CLOSED
    assert (ballot.yes, ballot.no, ballot.abstain) == tuple(
        list(votes.values()).count(choice) for choice in ("yes", "no", "abstain")
    )


def test_the_demo_community_loads_once_and_prints_credentials(loaded_demo):
    counts = (Member.objects.count(), Category.objects.count(), Thread.objects.count(),
              Post.objects.count(), Signal.objects.count(),
              JournalEntry.objects.count())  # fmt: skip
    again = io.StringIO()
    call_command("load_demo", trustee_keys=loaded_demo.trustee_keys, stdout=again)
    assert (Member.objects.count(), Category.objects.count(), Thread.objects.count(),
            Post.objects.count(), Signal.objects.count(),
            JournalEntry.objects.count()) == counts  # fmt: skip
    assert counts[0] == len(content.MEMBERS) + 3  # the admin and two moderators
    assert counts[1] == len(content.CATEGORIES) + 1
    # Each amendment that found its co-sponsors has its discussion.
    discussed = [spec for spec in charter_content.PROPOSALS if spec["votes"] or spec["replies"]]
    assert counts[2] == len(content.THREADS) + len(discussed) == 33
    output = loaded_demo.output
    assert "admin / palabre-admin" in output and "moderatrice / palabre-moderatrice" in output
    assert f"{LOGIN} / palabre-membre" in output
    assert f"{NEWCOMER} / palabre-membre" in output
    assert "already loaded" in again.getvalue()
    # Printed by both runs: where each of the open ballot's three trustees finds their key.
    for printed in (output, again.getvalue()):
        trustees = [line for line in printed.splitlines() if line.startswith("  trustee ")]
        assert len(trustees) == 3 and "missing" not in printed
        for username in demo_elections.TRUSTEE_VOLUNTEERS:
            assert f"{username} / palabre-membre: " in printed
            assert f"{loaded_demo.trustee_keys}/{username}.key" in printed
    assert sorted(path.name for path in loaded_demo.trustee_keys.iterdir()) == [
        f"{username}.key" for username in sorted(demo_elections.TRUSTEE_VOLUNTEERS)
    ]


def test_the_demo_charter_follows_the_site_language():
    """The module's demo was loaded with the site in French."""
    current = selectors.current_version()
    assert current.articles.get(number=1).title == "Objet du forum"
    assert selectors.open_ballots().get().proposal.title.startswith("Raccourcir")
    kept = JournalEntry.objects.filter(action=Action.KEEP).first()
    assert "première fois" in kept.rationale
    assert "Respect" in str(kept.articles.get())


def test_load_demo_prints_every_demo_login_and_each_password_signs_in(loaded_demo):
    printed = dict(re.findall(r"^  (\w+) / (\S+)  \(", loaded_demo.output, re.MULTILINE))
    assert set(printed) == set(Member.objects.values_list("username", flat=True))
    for username, password in printed.items():
        assert Client().login(username=username, password=password), username


def test_each_printed_login_says_in_which_language_the_site_speaks_to_it(loaded_demo):
    assert "camille / palabre-membre  (member, site in French)" in loaded_demo.output
    assert "marco / palabre-membre  (member, site in English)" in loaded_demo.output
    assert "admin / palabre-admin  (admin, site in your browser's language)" in loaded_demo.output


def test_what_the_printed_logins_say_is_true_of_the_demo():
    ballot = selectors.open_ballots().get()
    trustees = {t.member.username for t in elections.current_trustees(ballot.election)}
    for login in demo_logins.LOGINS:
        member = Member.objects.get(username=login.username)
        assert member.is_staff == (login.role == "admin"), login
        assert member.is_moderator == (login.role in ("admin", "moderator")), login
        entry = selectors.roll_entry(ballot, member)
        if "ballot awaits" in login.to_try:
            assert rules.why_cannot_vote(member, ballot, entry) is None and not entry.voted
        assert (login.username in trustees) == ("trustee of the open ballot" in login.to_try)
        assert (login.role == "newcomer") == (entry is None), login


def test_the_demo_record_matches_its_digests():
    out = io.StringIO()
    call_command("verify_record", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "ok"
    assert lines[1].startswith("Charter: 2 entries, head ")
    assert lines[2].startswith(f"Moderation journal: {JournalEntry.objects.count()} entries, head ")


def test_the_demo_has_staff_quotes_and_consistent_counters():
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


def test_loading_the_demo_sends_no_email_and_leaves_only_live_news_unread(loaded_demo):
    assert loaded_demo.emails == []
    assert not Preference.objects.exclude(email=EmailChoice.DIGEST).exists()
    assert Preference.objects.count() == Member.objects.count() * len(Kind)
    unread = Notification.objects.filter(recipient__username=LOGIN, read_at__isnull=True)
    assert unread.filter(kind=Kind.BALLOT_OPEN).count() == 1
    assert not unread.filter(kind=Kind.CHARTER_RATIFIED).exists()
    # Moderation that is settled is old news; what awaits a moderator is fresh.
    assert Notification.objects.filter(recipient__username=LOGIN, kind=Kind.SIGNAL_OUTCOME)
    assert not unread.filter(kind=Kind.SIGNAL_OUTCOME).exists()
    waiting = Notification.objects.filter(recipient__username="moderatrice", read_at__isnull=True)
    assert waiting.filter(kind=Kind.NEW_APPEAL).count() == 1
    assert waiting.filter(kind=Kind.NEW_CASE).count() == 2


def test_the_demo_bells_ring_for_a_few_news_each_as_on_a_living_site():
    """Each member has read all but their newest news and what waits for them."""
    for member in Member.objects.all():
        news = Notification.objects.filter(recipient=member)
        unread = news.filter(read_at__isnull=True).count()
        assert unread <= demo_news.UNREAD_NEWEST + 3, (member.username, unread)
        assert unread < news.count() / 2, member.username


def test_the_demo_news_is_dated_at_the_events_it_tells_of(loaded_demo):
    """Not at the minute the demo was loaded: a reply of three weeks ago reads so."""
    at_event = {
        "post": lambda pk: Post.objects.get(pk=pk).created_at,
        "case-event": lambda pk: CaseEvent.objects.get(pk=pk).at,
        "decision": lambda pk: Decision.objects.get(pk=pk).created_at,
    }
    told = Notification.objects.all()
    assert told.count() > 500
    for notification in told:
        family, pk, *news = notification.event_key.split(":")
        if family in at_event:
            assert notification.created_at == at_event[family](pk), notification.event_key
        elif family == "appeal":
            appeal = Appeal.objects.get(pk=pk)
            heard = news == ["heard"]
            assert notification.created_at == (appeal.heard_at if heard else appeal.created_at)
        elif news == ["open"]:
            assert notification.created_at == Ballot.objects.get(pk=pk).opened_at
        assert notification.created_at < loaded_demo.started_at, notification.event_key
    replies = told.filter(kind=Kind.REPLY)
    assert replies.filter(created_at__lt=loaded_demo.started_at - timedelta(days=14)).exists()


def test_the_demo_charter_pages_render_for_the_demo_login():
    client = Client()
    client.force_login(Member.objects.get(username=LOGIN))
    urls = ["/charter/", "/charter/history/", "/charter/proposals/", "/charter/v/1/"]
    assert "catégorie hors sujet" in client.get("/charter/diff/").content.decode()
    urls += [p.get_absolute_url() for p in selectors.proposals()]
    urls += [b.get_absolute_url() for b in Ballot.objects.all()]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_demo_journal_has_settled_cases_and_a_reversal_on_appeal():
    respect = selectors.current_version().articles.get(number=2)
    entries = JournalEntry.objects.select_related("post", "moderator")
    warned = entries.get(sanction=SanctionKind.WARNING)
    assert (warned.outcome, warned.action, warned.moderator.username) == (
        Outcome.UPHELD, Action.HIDE, "moderatrice")  # fmt: skip
    assert list(warned.articles.all()) == [respect] and warned.rationale
    assert warned.post.state == PostState.HIDDEN
    assert entries.filter(outcome=Outcome.DISMISSED).exists()
    kept = entries.filter(action=Action.KEEP)
    assert kept and all(entry.post.state == PostState.VISIBLE for entry in kept)
    reversal = entries.get(kind=JournalKind.APPEAL, outcome=AppealState.OVERTURNED)
    suspension = reversal.decision
    assert suspension.sanction.kind == SanctionKind.SUSPENSION and suspension.sanction.days == 3
    assert suspension.sanction.lifted_at is not None
    assert reversal.moderator.username == SECOND_MODERATOR != suspension.moderator.username
    assert entries.filter(kind=JournalKind.DECISION, decision=suspension).exists()
    assert reversal.post.state == PostState.VISIBLE
    assert not reversal.post.author.is_suspended
    assert Member.objects.get(username=SECOND_MODERATOR).is_moderator


def test_the_demo_queue_holds_a_signal_citing_other_and_a_post_hidden_pending_review():
    moderator = Member.objects.get(username="moderatrice")
    other, held = moderation_selectors.queue(moderator, moderation_selectors.QueueFilters())
    assert other.post.state == PostState.VISIBLE and other.signaller_count == 1
    assert other.other_count == 1 and other.pending_signals[0].note
    assert other.claimed_by is None and other.cited == []
    assert held.post.state == PostState.PENDING and held.signaller_count == 3
    assert held.claimed_by is None
    assert moderation_rules.can_decide(moderator, held, moderation_selectors.signaller_ids(held))
    # Its author was noted, then warned: the decision form suggests the next step.
    previous = moderation_selectors.previous_upheld_decisions(held.post.author)
    steps = moderation_selectors.ladder_in_force()
    assert moderation_selectors.suggested_sanction(previous, steps) == Step(
        SanctionKind.SUSPENSION, 1
    )


def test_the_demo_has_an_appeal_for_another_moderator_to_hear():
    appeal = Appeal.objects.get(state=AppealState.PENDING)
    assert appeal.decision.moderator.username == SECOND_MODERATOR
    signallers = moderation_selectors.signaller_ids(appeal.decision.case)
    moderator = Member.objects.get(username="moderatrice")
    assert moderation_rules.can_hear_appeal(moderator, appeal, signallers)
    assert not moderation_rules.can_hear_appeal(appeal.decision.moderator, appeal, signallers)


def test_the_demo_moderation_happened_after_what_it_is_about_and_in_order():
    for signal in Signal.objects.select_related("post", "signaller", "decision"):
        assert signal.post.created_at < signal.created_at
        assert signal.signaller.date_joined < signal.created_at
        if signal.decision:
            assert signal.created_at < signal.decision.created_at
    for appeal in Appeal.objects.select_related("decision"):
        assert appeal.decision.created_at < appeal.created_at < appeal.decision.appeal_until
        assert appeal.heard_at is None or appeal.created_at < appeal.heard_at
    for thread in Thread.objects.all():
        dates = list(thread.posts.order_by("number").values_list("created_at", flat=True))
        assert dates == sorted(dates), thread.title
        assert thread.last_activity_at == dates[-1], thread.title


def test_the_demo_moderation_pages_show_each_persona_its_part():
    visitor = Client()
    journal = visitor.get("/moderation/journal/").content.decode()
    assert f"{JournalEntry.objects.count()} entries" in journal
    for signaller_or_moderator in ("Camille Martin", "Hélène Dubois", "Sam Kowalski", "Noor"):
        assert signaller_or_moderator not in journal
    assert visitor.get("/moderation/journal/articles/").status_code == 200
    kept = JournalEntry.objects.filter(action=Action.KEEP).first()
    note = escape(kept.rationale.split(".")[0])
    assert note in visitor.get(kept.post.thread.get_absolute_url()).content.decode()
    held = Post.objects.get(state=PostState.PENDING)
    title = escape(held.thread.title)
    page = visitor.get(held.thread.get_absolute_url()).content.decode()
    assert "hidden while the moderators review it" in page
    login = Member.objects.get(username=LOGIN)
    outcomes = [signal.outcome for signal in moderation_selectors.my_signals(login)]
    assert Outcome.UPHELD in outcomes and "" in outcomes  # upheld, and one awaiting a decision
    member = Client()
    member.force_login(login)
    assert title in member.get("/moderation/my-signals/").content.decode()
    moderatrice = Member.objects.get(username="moderatrice")
    moderator = Client()
    moderator.force_login(moderatrice)
    assert title in moderator.get("/moderation/queue/").content.decode()
    appeal = Appeal.objects.get(state=AppealState.PENDING)
    appeals = moderator.get("/moderation/appeals/").content.decode()
    assert escape(appeal.decision.case.post.thread.title) in appeals
    queue = moderation_selectors.queue(moderatrice, moderation_selectors.QueueFilters())
    urls = [appeal.get_absolute_url(), appeal.decision.get_absolute_url()]
    urls += [case.get_absolute_url() for case in queue]
    for url in urls:
        assert moderator.get(url).status_code == 200, url
