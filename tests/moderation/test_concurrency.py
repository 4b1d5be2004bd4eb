"""Simultaneous signals, decisions, claims and appeals, on PostgreSQL's row locks: one signal
per member and post, a post hidden once however many signal it together, the daily limit
kept, one decision per case, one claim, one appeal; and a journal the database itself keeps
append-only.

Each thread has its own database connection (closed when the thread ends), and a barrier
releases the threads together. The tests are transactional: what a test builds is committed,
so that every thread sees it.
"""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from charter.models import CharterVersion
from forum import services as forum
from forum.models import Post, PostState
from members.models import Member
from moderation import record, services
from moderation.models import (
    Action,
    Appeal,
    Case,
    CaseEvent,
    CaseState,
    Decision,
    EventKind,
    JournalCitation,
    JournalEntry,
    JournalKind,
    Outcome,
    SanctionKind,
    Signal,
)
from moderation.sanctions import Step
from notifications.models import Kind, Notification
from tests.builders.charter import article, charter_in_force
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory
from tests.builders.moderation import appeal, dismiss, signal, uphold
from tests.concurrency import run_together
from tests.live_stack import wait_until

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

ALREADY_SIGNALLED = "You have already signalled this post."


@pytest.fixture
def charter(db) -> CharterVersion:
    """Version 1 of the four-article charter, saying outright that three signallers hide."""
    return charter_in_force(parameters={"auto_hide_signallers": 3})


def a_post(source: str = "Buy my miracle fertiliser!") -> Post:
    """A reply by a new author in a new thread."""
    thread = make_thread(title="Gardening tips", source="Let us talk about tomatoes.")
    return forum.reply(author=MemberFactory(), thread=thread, source=source)


def signals_by(post: Post, signallers: list[Member]) -> list:
    """An action per signaller, signalling `post` and returning the signaller."""

    def action(signaller: Member):
        def run() -> Member:
            signal(post, signaller)
            return signaller

        return run

    return [action(signaller) for signaller in signallers]


def events(post: Post, kind: EventKind) -> int:
    return CaseEvent.objects.filter(case__post=post, kind=kind).count()


def told(member_id: int, kind: Kind) -> int:
    return Notification.objects.filter(recipient_id=member_id, kind=kind).count()


def held_once(post: Post) -> None:
    post.refresh_from_db()
    assert post.state == PostState.PENDING
    assert events(post, EventKind.HELD) == 1
    assert told(post.author_id, Kind.POST_HELD) == 1


# Signals


def test_twenty_simultaneous_signals_by_one_member_leave_one(post):
    signaller = MemberFactory()
    results, errors = run_together(signals_by(post, [signaller] * 20))
    assert results == [signaller]
    assert len(errors) == 19
    assert all(isinstance(error, services.ModerationRefused) for error in errors), errors
    assert {str(error) for error in errors} == {ALREADY_SIGNALLED}
    assert Signal.objects.filter(post=post).count() == 1
    assert Case.objects.filter(post=post).count() == 1
    assert events(post, EventKind.OPENED) == 1
    assert events(post, EventKind.SIGNALLED) == 1


@pytest.mark.usefixtures("without_rate_limits")
def test_twenty_simultaneous_signal_requests_by_one_member_leave_one(post, charter):
    """The same through the view, as a member double-clicking in twenty tabs would."""
    signaller = MemberFactory()
    url = f"/moderation/signal/{post.pk}/"
    on_topic = article(charter, 2).pk

    def tab():
        client = Client(enforce_csrf_checks=True)
        client.force_login(signaller)
        token = get_random_string(32, CSRF_ALLOWED_CHARS)
        client.cookies[settings.CSRF_COOKIE_NAME] = token
        data = {"articles": [on_topic], "csrfmiddlewaretoken": token}
        return lambda: client.post(url, data).status_code

    statuses, errors = run_together([tab() for _ in range(20)])
    assert errors == []  # the test client re-raises what would have been a 500
    # One is thanked and sent back to the post; the others are told they already signalled it.
    assert Counter(statuses) == {302: 1, 200: 19}
    assert Signal.objects.filter(post=post, signaller=signaller).count() == 1
    assert events(post, EventKind.SIGNALLED) == 1


def test_three_members_signalling_at_once_hide_the_post_exactly_once(charter):
    for _ in range(5):
        post = a_post()
        trio = MemberFactory.create_batch(3)
        results, errors = run_together(signals_by(post, trio))
        assert errors == []
        assert sorted(m.pk for m in results) == sorted(m.pk for m in trio)
        held_once(post)
        assert Signal.objects.filter(post=post).count() == 3
        assert events(post, EventKind.OPENED) == 1


def test_ten_members_signalling_at_once_make_one_case_and_hide_the_post_once(charter):
    post = a_post()
    results, errors = run_together(signals_by(post, MemberFactory.create_batch(10)))
    assert errors == []
    assert len(results) == 10
    held_once(post)
    assert Case.objects.filter(post=post).count() == 1
    assert events(post, EventKind.OPENED) == 1
    assert Signal.objects.filter(post=post).count() == 10
    assert events(post, EventKind.SIGNALLED) == 10


def test_the_daily_limit_holds_when_a_member_signals_twelve_posts_at_once():
    charter_in_force(parameters={"signals_per_day": 5})
    posts = [a_post(f"Advert number {n}.") for n in range(12)]
    signaller = MemberFactory()

    def signalling(post: Post):
        return lambda: signal(post, signaller)

    results, errors = run_together([signalling(post) for post in posts])
    assert len(results) == 5
    assert len(errors) == 7
    assert all(isinstance(error, services.ModerationRefused) for error in errors), errors
    assert {str(error) for error in errors} == {"You may signal 5 posts a day; try again tomorrow."}
    assert Signal.objects.filter(signaller=signaller).count() == 5


# The queue and decisions


@pytest.fixture
def held_post(post) -> Post:
    """`post`, signalled by three members and so hidden pending review."""
    for _ in range(3):
        signal(post)
    post.refresh_from_db()
    assert post.state == PostState.PENDING
    return post


def test_two_moderators_deciding_a_case_at_once_make_one_decision(
    held_post, moderator, second_moderator
):
    """One upholds (hide), the other dismisses (show): whoever is first decides, the other is
    refused, and the post ends as the one decision says."""
    case = Case.objects.get(post=held_post)
    results, errors = run_together(
        [lambda: uphold(case, moderator), lambda: dismiss(case, second_moderator)]
    )
    assert len(results) == 1, errors
    assert len(errors) == 1
    assert isinstance(errors[0], PermissionDenied | services.ModerationRefused), errors
    decision = Decision.objects.get(case=case)
    assert decision == results[0]
    assert JournalEntry.objects.filter(case=case).count() == 1
    assert events(held_post, EventKind.DECIDED) == 1
    assert told(held_post.author_id, Kind.POST_DECISION) == 1
    case.refresh_from_db()
    assert case.state == CaseState.SETTLED
    held_post.refresh_from_db()
    if decision.outcome == Outcome.UPHELD:
        assert held_post.state == PostState.HIDDEN
    else:
        assert held_post.state == PostState.VISIBLE
    outcomes = set(Signal.objects.filter(post=held_post).values_list("outcome", flat=True))
    assert outcomes == {decision.outcome}


def test_two_moderators_deciding_alike_at_once_write_one_journal_entry(
    held_post, moderator, second_moderator
):
    case = Case.objects.get(post=held_post)
    results, errors = run_together(
        [lambda: uphold(case, moderator), lambda: uphold(case, second_moderator)]
    )
    assert len(results) == 1, errors
    assert len(errors) == 1
    assert isinstance(errors[0], PermissionDenied | services.ModerationRefused), errors
    assert Decision.objects.filter(case=case).count() == 1
    assert JournalEntry.objects.filter(case=case).count() == 1
    assert JournalCitation.objects.filter(entry__case=case).count() == 1
    assert told(held_post.author_id, Kind.POST_DECISION) == 1


def claiming(case: Case, who: Member):
    """An action claiming `case` for `who`, returning `who` once the claim is theirs."""

    def run() -> Member:
        services.claim_case(moderator=who, case=case)
        return who

    return run


def test_two_moderators_claiming_a_case_at_once_leave_it_to_one(
    held_post, moderator, second_moderator
):
    case = Case.objects.get(post=held_post)
    results, errors = run_together([claiming(case, moderator), claiming(case, second_moderator)])
    assert len(results) == 1, errors
    holder = results[0]
    assert len(errors) == 1
    assert isinstance(errors[0], services.ModerationRefused), errors
    assert str(errors[0]) == f"{holder.public_name} holds this case."
    case.refresh_from_db()
    assert case.claimed_by == holder
    assert events(held_post, EventKind.CLAIMED) == 1


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_moderator_whose_claim_waited_on_anothers_is_told_who_holds_the_case(
    held_post, moderator, second_moderator
):
    """The interleaving pinned: the first claim holds the case's lock, the second waits on
    it, and the first commits only then."""
    case = Case.objects.get(post=held_post)
    first_holds_the_lock = threading.Event()
    second_is_waiting = threading.Event()

    def first() -> Member:
        with transaction.atomic():
            claiming(case, moderator)()
            first_holds_the_lock.set()
            assert second_is_waiting.wait(timeout=30)
        return moderator

    def second() -> str:
        assert first_holds_the_lock.wait(timeout=30)
        try:
            claiming(case, second_moderator)()
        except services.ModerationRefused as refusal:
            return str(refusal)
        return "claimed"

    def watch() -> None:
        assert first_holds_the_lock.wait(timeout=30)
        wait_until(waiting_on_a_lock, timeout=30, what="the second claim to wait on the lock")
        second_is_waiting.set()

    results, errors = run_together([first, second, watch])
    assert errors == []
    assert f"{moderator.public_name} holds this case." in results
    case.refresh_from_db()
    assert case.claimed_by == moderator
    assert events(held_post, EventKind.CLAIMED) == 1


# Appeals


def test_an_author_appealing_twice_at_once_makes_one_appeal(post, moderator):
    signal(post)
    decision = uphold(Case.objects.get(post=post), moderator)
    results, errors = run_together([lambda: appeal(decision), lambda: appeal(decision)])
    assert len(results) == 1, errors
    assert len(errors) == 1
    assert isinstance(errors[0], services.ModerationRefused), errors
    assert str(errors[0]) == "You have already appealed this decision."
    assert Appeal.objects.get(decision=decision) == results[0]
    assert events(post, EventKind.APPEALED) == 1


# The journal, in the database itself


def a_journal_entry(post: Post, moderator: Member, charter: CharterVersion) -> JournalEntry:
    """A decision and its journal line citing article 2, written directly: what is under test
    is the database's triggers, not the services that write the journal."""
    case = Case.objects.create(post=post)
    rationale = "Advertising is off topic here."
    decision = Decision.objects.create(
        case=case,
        moderator=moderator,
        outcome=Outcome.UPHELD,
        action=Action.HIDE,
        rationale=rationale,
        appeal_until=timezone.now() + timedelta(days=14),
    )
    entry = JournalEntry.objects.create(
        kind=JournalKind.DECISION,
        case=case,
        decision=decision,
        post=post,
        moderator=moderator,
        outcome=Outcome.UPHELD,
        action=Action.HIDE,
        rationale=rationale,
    )
    JournalCitation.objects.create(entry=entry, article=article(charter, 2))
    return entry


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE moderation_journalentry SET rationale = 'Rewritten afterwards.'",
        "DELETE FROM moderation_journalentry",
        "UPDATE moderation_journalcitation SET article_id = article_id",
        "DELETE FROM moderation_journalcitation",
    ],
)
def test_postgresql_refuses_to_change_or_remove_journal_rows(post, moderator, charter, statement):
    entry = a_journal_entry(post, moderator, charter)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    kept = JournalEntry.objects.get()
    assert (kept.pk, kept.rationale) == (entry.pk, "Advertising is off topic here.")
    assert list(kept.articles.all()) == [article(charter, 2)]


def test_decisions_made_at_once_enter_the_record_one_after_another(charter):
    """Ten cases decided at the same instant, some sanctioning a member whom the others tell of
    their signal's outcome: every entry names the one before it, and none waits forever."""
    member = MemberFactory()
    own = [a_post(f"My advert {n}.") for n in range(5)]
    Post.objects.filter(pk__in=[post.pk for post in own]).update(author=member)
    others = [a_post(f"Their advert {n}.") for n in range(5)]
    cases = [signal(post).case for post in own] + [signal(post, member).case for post in others]
    moderators = MemberFactory.create_batch(len(cases), is_moderator=True)

    def deciding(case: Case, moderator: Member):
        return lambda: uphold(case, moderator, sanction=Step(SanctionKind.WARNING))

    decisions, errors = run_together(
        [deciding(case, moderator) for case, moderator in zip(cases, moderators, strict=True)]
    )
    assert (len(decisions), errors) == (len(cases), [])
    verification = record.JOURNAL.verify()
    assert (verification.ok, verification.rows) == (True, len(cases))
