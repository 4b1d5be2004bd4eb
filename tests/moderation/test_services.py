"""Moderation's operations, one test per rule of DESIGN.md "Moderation", the clock passed in."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from charter import services as charter_services
from charter.models import CharterVersion, VersionState
from forum import services as forum
from forum.models import Post, PostState
from members.rules import can_participate
from moderation import selectors, services, tasks
from moderation.models import (
    Action,
    Appeal,
    AppealState,
    Case,
    CaseState,
    Decision,
    EventKind,
    JournalCitation,
    JournalEntry,
    JournalIsAppendOnly,
    JournalKind,
    Outcome,
    Sanction,
    SanctionKind,
    Signal,
)
from moderation.sanctions import Step
from moderation.services import queue as queue_services
from notifications.models import EmailChoice, Kind, Notification
from tests.builders.charter import (
    article,
    charter_in_force,
    open_amendment_ballot,
    ratify_amendment,
    reword,
)
from tests.builders.forum import make_thread, new_post
from tests.builders.members import PASSWORD, MemberFactory, elders
from tests.builders.moderation import appeal, dismiss, signal, uphold

pytestmark = pytest.mark.django_db

Refused = services.ModerationRefused


def refreshed(instance):
    instance.refresh_from_db()
    return instance


def case_of(post: Post) -> Case:
    return Case.objects.get(post=post)


def kinds(case: Case) -> list[str]:
    return list(case.events.values_list("kind", flat=True))


def build_record(signaller, moderator, outcomes: list[str], *, start) -> None:
    """`signaller` signals one new post per outcome, each decided by `moderator` an hour after
    the previous, in the order given (the last is the most recent)."""
    for hour, outcome in enumerate(outcomes):
        at = start + timedelta(hours=hour)
        case = signal(new_post(), signaller, now=at).case
        if outcome == Outcome.UPHELD:
            uphold(case, moderator, action=Action.KEEP, now=at + timedelta(minutes=1))
        else:
            dismiss(case, moderator, now=at + timedelta(minutes=1))


# Signal


def test_a_member_signals_a_post_once(post):
    member = MemberFactory()
    signal(post, member)
    with pytest.raises(Refused, match="already signalled"):
        signal(post, member, articles=(3,))
    assert Signal.objects.filter(post=post, signaller=member).count() == 1


def test_the_database_refuses_a_second_signal_by_the_same_member_on_a_post(post):
    member = MemberFactory()
    first = signal(post, member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signal.objects.create(
            case=first.case, post=post, signaller=member, snapshot_source="x", snapshot_html="x"
        )


def test_a_member_cannot_signal_their_own_post(post, author):
    with pytest.raises(PermissionDenied):
        signal(post, author)
    assert not Case.objects.filter(post=post).exists()


def test_a_member_signals_at_most_20_posts_a_day(charter):
    posts = list(make_thread(replies=21).posts.order_by("number"))[1:]
    member = MemberFactory()
    start = timezone.now()
    for post in posts[:20]:
        signal(post, member, now=start)
    with pytest.raises(Refused, match="20 posts a day"):
        signal(posts[20], member, now=start + timedelta(hours=23, minutes=59))
    signal(posts[20], member, now=start + timedelta(hours=24))
    assert Signal.objects.filter(signaller=member).count() == 21


def test_the_daily_signal_limit_is_the_charters_signals_per_day():
    charter_in_force(parameters={"signals_per_day": 2})
    member = MemberFactory()
    posts = [new_post() for _ in range(3)]
    signal(posts[0], member)
    signal(posts[1], member)
    with pytest.raises(Refused, match="2 posts a day"):
        signal(posts[2], member)


def test_other_needs_a_note(post):
    member = MemberFactory()
    with pytest.raises(Refused, match="note"):
        signal(post, member, articles=(), other=True, note="   ")
    with pytest.raises(Refused, match="Choose the article"):
        signal(post, member, articles=())
    sent = signal(post, member, articles=(), other=True, note="Copied from another site.")
    assert (sent.other, sent.note, sent.articles.count()) == (True, "Copied from another site.", 0)


def test_a_signal_cites_articles_of_the_ratified_charter_in_force(post, charter):
    amended = ratify_amendment(charter, [reword(charter, 2, "Posts stay on topic.")])
    member = MemberFactory()
    with pytest.raises(Refused, match="charter in force"):
        services.signal_post(member=member, post=post, article_ids=[article(charter, 2).pk])
    with pytest.raises(Refused, match="charter in force"):
        services.signal_post(member=member, post=post, article_ids=[-1])
    sent = services.signal_post(member=member, post=post, article_ids=[article(amended, 2).pk])
    assert list(sent.articles.all()) == [article(amended, 2)]


def test_a_signal_snapshots_the_text_as_signalled(post, author):
    sent = signal(post)
    forum.edit_post(editor=author, post=post, source="I sell nothing.")
    sent.refresh_from_db()
    assert sent.snapshot_source == "Buy my miracle fertiliser!"
    assert "miracle fertiliser" in sent.snapshot_html
    assert refreshed(post).source == "I sell nothing."


def test_a_signal_stores_the_articles_it_cites_and_their_version(post, charter):
    sent = signal(post, articles=(2, 3))
    assert set(sent.articles.all()) == {article(charter, 2), article(charter, 3)}
    assert {cited.version for cited in sent.articles.all()} == {charter}


# Case


def test_all_signals_on_a_post_form_one_case(post):
    signals = [signal(post) for _ in range(3)]
    assert Case.objects.filter(post=post).count() == 1
    assert {s.case_id for s in signals} == {case_of(post).pk}
    assert case_of(post).signals.count() == 3


def test_a_new_signal_on_a_settled_post_edited_since_reopens_its_case(post, author, moderator):
    case = signal(post).case
    dismiss(case, moderator)
    forum.edit_post(editor=author, post=refreshed(post), source="Buy my fertiliser, it is great!")
    reopened = signal(post).case
    assert reopened.pk == case.pk
    assert reopened.state == CaseState.OPEN and reopened.settled_at is None
    assert kinds(reopened)[-2:] == [EventKind.REOPENED, EventKind.SIGNALLED]
    assert reopened.signals.filter(decision__isnull=True).count() == 1


def test_a_new_signal_on_a_settled_post_not_edited_since_is_refused(post, moderator):
    case = signal(post).case
    dismiss(case, moderator)
    with pytest.raises(Refused, match="already decided on this post as it stands"):
        signal(post)
    assert refreshed(case).state == CaseState.SETTLED
    assert case.signals.count() == 1


def test_a_case_keeps_its_history(post, moderator, second_moderator):
    signaller = MemberFactory()
    conflicted = MemberFactory(is_moderator=True)
    case = signal(post, signaller).case
    signal(post, conflicted)
    services.claim_case(moderator=moderator, case=case)
    services.release_case(moderator=moderator, case=case)
    services.step_aside(moderator=conflicted, case=case)
    services.defer_case(moderator=moderator, case=case, note="Waiting for the thread to calm.")
    decision = uphold(case, moderator)
    heard = services.hear_appeal(
        moderator=second_moderator,
        appeal=appeal(decision),
        outcome=AppealState.CONFIRMED,
        rationale="Advertising it was.",
    )
    events = list(case.events.values_list("kind", "actor"))
    assert events == [
        (EventKind.OPENED, None),
        (EventKind.SIGNALLED, signaller.pk),
        (EventKind.SIGNALLED, conflicted.pk),
        (EventKind.CLAIMED, moderator.pk),
        (EventKind.RELEASED, moderator.pk),
        (EventKind.STEPPED_ASIDE, conflicted.pk),
        (EventKind.DEFERRED, moderator.pk),
        (EventKind.DECIDED, moderator.pk),
        (EventKind.APPEALED, post.author_id),
        (EventKind.APPEAL_HEARD, heard.heard_by_id),
    ]
    assert case.events.get(kind=EventKind.DEFERRED).note == "Waiting for the thread to calm."


# Auto-hide


def test_a_post_is_hidden_pending_review_when_3_distinct_members_signalled_it(post):
    signal(post)
    signal(post)
    assert refreshed(post).state == PostState.VISIBLE
    signal(post)
    assert refreshed(post).state == PostState.PENDING
    assert EventKind.HELD in kinds(case_of(post))


def test_the_number_of_signallers_that_hides_a_post_is_the_charters():
    charter_in_force(parameters={"auto_hide_signallers": 2})
    post = new_post()
    signal(post)
    assert refreshed(post).state == PostState.VISIBLE
    signal(post)
    assert refreshed(post).state == PostState.PENDING


def newcomers(count: int, *, days: float) -> list:
    return [MemberFactory(date_joined=timezone.now() - timedelta(days=days)) for _ in range(count)]


def test_signals_of_members_of_less_than_signal_weight_days_are_recorded_but_hide_nothing(post):
    for member in newcomers(3, days=6.9):
        signal(post, member)
    assert refreshed(post).state == PostState.VISIBLE  # three accounts of the week hide nothing
    recorded = Signal.objects.filter(post=post)
    assert recorded.count() == 3 and all(s.by_new_member for s in recorded)
    assert case_of(post).is_open
    for member in newcomers(3, days=7.01):
        signal(post, member)
    assert refreshed(post).state == PostState.PENDING


def test_the_membership_a_signal_needs_to_count_is_the_charters_signal_weight_days():
    charter_in_force(parameters={"signal_weight_days": 0})
    post = new_post()
    for member in newcomers(3, days=0.01):
        signal(post, member)
    assert refreshed(post).state == PostState.PENDING


def test_a_signal_counts_by_its_signallers_membership_when_it_was_made(post):
    """A signal made in a member's first week stays weightless after the week."""
    joined = timezone.now() - timedelta(days=10)
    early = [MemberFactory(date_joined=joined) for _ in range(3)]
    signal(post, early[0], now=joined + timedelta(days=1))
    signal(post, early[1])
    signal(post, early[2])
    assert refreshed(post).state == PostState.VISIBLE
    signal(post)
    assert refreshed(post).state == PostState.PENDING


@pytest.fixture
def poor_record(charter, second_moderator):
    """A member whose last 10 settled signals were all dismissed, two days ago."""
    member = MemberFactory(username="crier")
    start = timezone.now() - timedelta(days=2)
    build_record(member, second_moderator, [Outcome.DISMISSED] * 10, start=start)
    return member


def test_signals_of_a_member_whose_last_10_settled_signals_were_mostly_dismissed_do_not_hide_posts(
    post, poor_record
):
    signal(post, poor_record)
    signal(post)
    signal(post)
    assert refreshed(post).state == PostState.VISIBLE  # 2 of the 3 signallers count
    signal(post)
    assert refreshed(post).state == PostState.PENDING


@pytest.mark.parametrize(
    ("outcomes", "counts"),
    [
        ([Outcome.DISMISSED] * 9, True),  # too few settled signals to judge
        ([Outcome.UPHELD] * 3 + [Outcome.DISMISSED] * 7, True),  # 30 %
        ([Outcome.UPHELD] * 2 + [Outcome.DISMISSED] * 8, False),  # 20 %
        ([Outcome.UPHELD] * 5 + [Outcome.DISMISSED] * 10, False),  # 33 % in all, 0 % of the last 10
    ],
    ids=["9-settled", "30-percent", "20-percent", "last-10-only"],
)
def test_a_signallers_accuracy_is_judged_on_their_last_10_settled_signals(
    post, second_moderator, outcomes, counts
):
    member = MemberFactory()
    build_record(member, second_moderator, outcomes, start=timezone.now() - timedelta(days=2))
    signal(post, member)
    signal(post)
    signal(post)
    expected = PostState.PENDING if counts else PostState.VISIBLE
    assert refreshed(post).state == expected


@pytest.mark.parametrize(("upheld", "counts"), [(1, True), (0, False)])
def test_a_signaller_with_exactly_the_charters_accuracy_percent_upheld_counts(
    second_moderator, upheld, counts
):
    charter_in_force(parameters={"accuracy_signals": 4, "accuracy_percent": 25})
    member = MemberFactory()
    outcomes = [Outcome.UPHELD] * upheld + [Outcome.DISMISSED] * (4 - upheld)
    build_record(member, second_moderator, outcomes, start=timezone.now() - timedelta(days=2))
    post = new_post()
    signal(post, member)
    signal(post)
    signal(post)
    expected = PostState.PENDING if counts else PostState.VISIBLE
    assert refreshed(post).state == expected


def test_the_author_is_told_once_that_their_post_is_hidden_pending_review(post, author):
    for _ in range(4):
        signal(post)
    told = Notification.objects.filter(recipient=author, kind=Kind.POST_HELD)
    assert told.count() == 1
    assert told.get().actor is None


def test_the_author_may_edit_a_post_pending_review_and_it_stays_hidden_until_decided(
    post, author, moderator
):
    for _ in range(3):
        case = signal(post).case
    forum.edit_post(editor=author, post=refreshed(post), source="Tomatoes like sun.")
    assert (refreshed(post).state, post.source) == (PostState.PENDING, "Tomatoes like sun.")
    dismiss(case, moderator)
    assert refreshed(post).state == PostState.VISIBLE


# Decision


@pytest.fixture
def case(post):
    return signal(post).case


@pytest.fixture
def held_case(post):
    """The case of a post that three members signalled: hidden pending review."""
    for _ in range(3):
        case = signal(post).case
    assert refreshed(post).state == PostState.PENDING
    return case


def test_upholding_requires_citing_at_least_one_article(case, moderator):
    with pytest.raises(Refused, match="at least one article"):
        uphold(case, moderator, articles=())
    assert not Decision.objects.exists() and refreshed(case).is_open


def test_upholding_requires_a_rationale(case, moderator):
    with pytest.raises(Refused, match="rationale"):
        uphold(case, moderator, rationale="  ")
    assert not Decision.objects.exists() and refreshed(case).is_open


def test_dismissing_unhides_the_post_settles_the_signals_and_sanctions_nobody(
    held_case, post, author, moderator
):
    decision = dismiss(held_case, moderator)
    assert refreshed(post).state == PostState.VISIBLE
    assert set(held_case.signals.values_list("outcome", "decision")) == {
        (Outcome.DISMISSED, decision.pk)
    }
    assert refreshed(held_case).state == CaseState.SETTLED
    assert not Sanction.objects.exists()
    assert (refreshed(author).suspended_until, author.banned_at) == (None, None)


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (Action.KEEP, PostState.VISIBLE),
        (Action.HIDE, PostState.HIDDEN),
        (Action.DELETE, PostState.DELETED),
    ],
)
def test_upholding_acts_on_the_post_as_named(held_case, post, moderator, action, state):
    uphold(held_case, moderator, action=action)
    post.refresh_from_db()
    assert post.state == state
    assert post.deleted_by == (moderator if action == Action.DELETE else None)
    assert set(held_case.signals.values_list("outcome", flat=True)) == {Outcome.UPHELD}


def test_deferring_leaves_the_case_open_and_changes_nobodys_record(held_case, post, moderator):
    services.claim_case(moderator=moderator, case=held_case)
    services.defer_case(moderator=moderator, case=held_case, note="Let us ask the author.")
    held_case.refresh_from_db()
    assert (held_case.state, held_case.claimed_by) == (CaseState.OPEN, None)
    assert not Decision.objects.exists()
    assert set(held_case.signals.values_list("decision", "outcome")) == {(None, "")}
    assert selectors.signaller_records(selectors.signaller_ids(held_case)) == {}
    assert refreshed(post).state == PostState.PENDING


def test_a_moderator_cannot_decide_a_case_about_their_own_post_and_steps_aside(charter, moderator):
    own = MemberFactory(is_moderator=True)
    case = signal(new_post(own)).case
    with pytest.raises(PermissionDenied):
        uphold(case, own)
    services.step_aside(moderator=own, case=case)
    assert case.events.filter(kind=EventKind.STEPPED_ASIDE, actor=own).exists()
    uphold(case, moderator)  # another moderator may


def test_a_moderator_cannot_decide_a_case_they_signalled_and_steps_aside(post, moderator):
    conflicted = MemberFactory(is_moderator=True)
    case = signal(post, conflicted).case
    with pytest.raises(PermissionDenied):
        dismiss(case, conflicted)
    services.step_aside(moderator=conflicted, case=case)
    assert case.events.filter(kind=EventKind.STEPPED_ASIDE, actor=conflicted).exists()
    assert refreshed(case).is_open


def test_a_moderator_without_a_conflict_cannot_step_aside(case, moderator):
    with pytest.raises(PermissionDenied):
        services.step_aside(moderator=moderator, case=case)


def test_a_case_claimed_by_one_moderator_cannot_be_decided_by_another(
    case, moderator, second_moderator
):
    services.claim_case(moderator=second_moderator, case=case)
    with pytest.raises(PermissionDenied):
        uphold(case, moderator)
    with pytest.raises(Refused, match=second_moderator.public_name):
        services.claim_case(moderator=moderator, case=case)
    uphold(case, second_moderator)
    assert refreshed(case).claimed_by is None


# Claims lapse


CLAIM_HOURS = timedelta(hours=48)


def claimed_long_ago(post, moderator, *, hours: float = 49) -> Case:
    """`post`'s case, claimed by `moderator` `hours` ago and not decided since."""
    claimed_at = timezone.now() - timedelta(hours=hours)
    case = signal(post, now=claimed_at - timedelta(minutes=5)).case
    services.claim_case(moderator=moderator, case=case, now=claimed_at)
    assert refreshed(case).claim_lapses_at == claimed_at + CLAIM_HOURS
    return case


def lapse_events(case: Case) -> list[tuple]:
    return list(case.events.filter(kind=EventKind.CLAIM_LAPSED).values_list("actor", "note"))


def test_a_claim_lapses_after_claim_hours_without_a_decision_and_the_case_returns_to_the_queue(
    post, moderator, second_moderator
):
    case = claimed_long_ago(post, second_moderator)
    unclaimed = selectors.queue(moderator, selectors.QueueFilters(claimed="unclaimed"))
    assert [each.pk for each in unclaimed] == [case.pk] and unclaimed[0].holder is None
    services.claim_case(moderator=moderator, case=case)
    assert refreshed(case).claimed_by == moderator
    assert kinds(case)[-2:] == [EventKind.CLAIM_LAPSED, EventKind.CLAIMED]
    assert lapse_events(case) == [(None, "")]  # naming nobody
    assert not JournalEntry.objects.exists()


def test_another_moderator_decides_a_case_whose_claim_lapsed(post, moderator, second_moderator):
    case = claimed_long_ago(post, second_moderator)
    uphold(case, moderator)
    assert kinds(case)[-2:] == [EventKind.CLAIM_LAPSED, EventKind.DECIDED]
    assert [entry.moderator for entry in JournalEntry.objects.all()] == [moderator]


def test_a_claim_younger_than_claim_hours_still_holds(post, moderator, second_moderator):
    case = claimed_long_ago(post, second_moderator, hours=47)
    with pytest.raises(Refused, match=second_moderator.public_name):
        services.claim_case(moderator=moderator, case=case)
    with pytest.raises(PermissionDenied):
        uphold(case, moderator)


def test_the_claim_lapse_is_the_charters_claim_hours(moderator, second_moderator):
    charter_in_force(parameters={"claim_hours": 2})
    claimed_at = timezone.now() - timedelta(hours=3)
    case = signal(new_post(), now=claimed_at).case
    services.claim_case(moderator=second_moderator, case=case, now=claimed_at)
    assert refreshed(case).claim_lapses_at == claimed_at + timedelta(hours=2)
    services.claim_case(moderator=moderator, case=case)


def test_lapsing_claims_lets_each_lapsed_claim_go_once_naming_nobody(
    post, moderator, second_moderator
):
    lapsed = claimed_long_ago(post, second_moderator)
    held = signal(new_post()).case
    services.claim_case(moderator=moderator, case=held)
    assert tasks.lapse_claims() == 1  # as beat runs it
    assert (refreshed(lapsed).claimed_by, lapsed.claim_lapses_at) == (None, None)
    assert lapse_events(lapsed) == [(None, "")]
    assert refreshed(held).claimed_by == moderator
    assert services.lapse_claims() == 0
    assert lapse_events(lapsed) == [(None, "")]
    assert not JournalEntry.objects.exists()


def test_beat_lets_lapsed_claims_go(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["lapse-moderation-claims"]
    assert schedule["task"] == tasks.lapse_claims.name


def test_a_late_sweep_leaves_a_claim_made_since_the_lapse(post, moderator, second_moderator):
    case = claimed_long_ago(post, second_moderator)
    seen_by_the_sweep = (case.pk, second_moderator.pk, refreshed(case).claim_lapses_at)
    services.claim_case(moderator=moderator, case=case)  # between the sweep's read and write
    assert not queue_services._let_lapsed_claim_go(*seen_by_the_sweep)
    assert refreshed(case).claimed_by == moderator
    assert len(lapse_events(case)) == 1


def suggestion(author) -> Step:
    previous = selectors.previous_upheld_decisions(author)
    return selectors.suggested_sanction(previous, selectors.ladder_in_force())


def test_the_suggested_sanction_climbs_the_ladder(author, moderator):
    posts = [new_post(author) for _ in range(6)]
    ladder = []
    for post in posts:
        step = suggestion(author)
        ladder.append(step)
        case = signal(post).case
        uphold(case, moderator, action=Action.KEEP, sanction=step)
    assert ladder == [
        Step(SanctionKind.WARNING),
        Step(SanctionKind.SUSPENSION, 1),
        Step(SanctionKind.SUSPENSION, 3),
        Step(SanctionKind.SUSPENSION, 7),
        Step(SanctionKind.SUSPENSION, 30),
        Step(SanctionKind.BAN),
    ]
    assert suggestion(author) == Step(SanctionKind.BAN)
    assert len(selectors.previous_upheld_decisions(author)) == 6


def test_the_suggested_sanction_ignores_decisions_overturned_on_appeal(
    author, moderator, second_moderator
):
    first, second = new_post(author), new_post(author)
    uphold(signal(first).case, moderator, action=Action.KEEP, sanction=Step(SanctionKind.WARNING))
    overturned = uphold(signal(second).case, moderator, sanction=Step(SanctionKind.SUSPENSION, 1))
    assert suggestion(author) == Step(SanctionKind.SUSPENSION, 3)
    services.hear_appeal(
        moderator=second_moderator,
        appeal=appeal(overturned),
        outcome=AppealState.OVERTURNED,
        rationale="A quotation, not an advertisement.",
    )
    assert suggestion(author) == Step(SanctionKind.SUSPENSION, 1)


def test_dismissed_decisions_are_not_previous_upheld_decisions(author, moderator):
    dismiss(signal(new_post(author)).case, moderator)
    assert selectors.previous_upheld_decisions(author) == []
    assert suggestion(author) == Step(SanctionKind.WARNING)


# Sanctions


def suspend(case, moderator, days: int = 3, **kwargs) -> Decision:
    return uphold(case, moderator, sanction=Step(SanctionKind.SUSPENSION, days), **kwargs)


def test_a_decision_gives_only_a_step_of_the_sanction_ladder_in_force(moderator):
    charter_in_force(parameters={"sanction_ladder": [2, 9]})
    author = MemberFactory()
    with pytest.raises(Refused, match="from the list"):
        suspend(signal(new_post(author)).case, moderator, days=7)
    assert not Sanction.objects.exists()
    assert suspend(signal(new_post(author)).case, moderator, days=9).sanction.days == 9
    assert suggestion(author) == Step(SanctionKind.BAN)


def test_the_next_step_suggested_after_a_sanction_of_an_older_ladder_is_on_the_ladder_now(
    author, moderator
):
    suspend(signal(new_post(author)).case, moderator, days=3)  # on the founding ladder
    CharterVersion.objects.create(  # an amendment's version, its ladder [2, 9] in force
        state=VersionState.RATIFIED,
        number=2,
        parameters={"sanction_ladder": [2, 9]},
        ratified_at=timezone.now(),
    )
    assert suggestion(author) == Step(SanctionKind.SUSPENSION, 9)


@pytest.mark.parametrize(
    ("days", "allowed"), [(1, True), (9, True), (365, True), (0, False), (366, False)]
)
def test_the_database_holds_a_suspension_within_the_ladders_bounds(
    case, author, moderator, days, allowed
):
    decision = uphold(case, moderator)
    now = timezone.now()
    suspension = Sanction(
        decision=decision,
        member=author,
        kind=SanctionKind.SUSPENSION,
        days=days,
        starts_at=now,
        ends_at=now + timedelta(days=days),
    )
    if allowed:
        suspension.save()
        return
    with pytest.raises(IntegrityError), transaction.atomic():
        suspension.save()


def test_a_suspended_member_cannot_post_reply_or_signal(case, post, author, moderator):
    suspend(case, moderator)
    author.refresh_from_db()
    assert author.is_suspended and not can_participate(author)
    with pytest.raises(PermissionDenied):
        forum.reply(author=author, thread=post.thread, source="Let me explain.")
    with pytest.raises(PermissionDenied):
        forum.create_thread(
            author=author, category=post.thread.category, title="Hello", source="Again."
        )
    with pytest.raises(PermissionDenied):
        signal(new_post(), author)


def test_a_suspended_member_cannot_vote_in_an_open_ballot_whose_roll_they_are_on(charter):
    voters = elders()
    suspended, other = voters[0], voters[1]
    ballot = open_amendment_ballot(charter, voters, [reword(charter, 2, "Stay on topic.")])
    assert ballot.roll.filter(member=suspended).exists()
    moderator = MemberFactory(is_moderator=True)
    after_opening = ballot.opened_at + timedelta(minutes=1)
    case = signal(new_post(suspended)).case
    decision = suspend(case, moderator, days=7, now=after_opening)
    suspended.refresh_from_db()
    with pytest.raises(charter_services.InvalidChange, match="suspended"):
        charter_services.cast_vote(
            member=suspended, ballot=ballot, choice="yes", now=after_opening + timedelta(hours=1)
        )
    charter_services.cast_vote(
        member=other, ballot=ballot, choice="yes", now=after_opening + timedelta(hours=1)
    )
    assert ballot.roll.filter(voted=True).count() == 1
    services.appeal_decision(
        member=suspended,
        decision=decision,
        statement="I was not advertising.",
        now=after_opening + timedelta(hours=2),
    )


def test_a_suspended_member_can_still_appeal(case, author, moderator):
    decision = suspend(case, moderator, days=30)
    author.refresh_from_db()
    assert author.is_suspended
    lodged = appeal(decision)
    assert (lodged.appellant, lodged.state) == (author, AppealState.PENDING)


@pytest.mark.parametrize(("hours_ago", "suspended"), [(23, True), (25, False)])
def test_a_suspension_ends_by_itself_at_its_time(post, author, moderator, hours_ago, suspended):
    decided_at = timezone.now() - timedelta(hours=hours_ago)
    case = signal(post, now=decided_at - timedelta(minutes=5)).case
    suspend(case, moderator, days=1, action=Action.KEEP, now=decided_at)
    author.refresh_from_db()
    assert author.suspended_until == decided_at + timedelta(days=1)
    assert author.is_suspended is suspended
    assert can_participate(author) is not suspended


def test_a_ban_keeps_the_member_from_signing_in(case, author, moderator, visitor_client):
    decision = uphold(case, moderator, sanction=Step(SanctionKind.BAN))
    assert refreshed(author).banned_at == decision.created_at
    response = visitor_client.post(
        "/accounts/login/", {"login": author.username, "password": PASSWORD}
    )
    # Answered as a wrong password is (tests/moderation/test_banned_sign_in.py compares them).
    assert response.status_code == 200
    assert "account/login.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in visitor_client.session


def test_a_ban_ends_the_session_of_a_member_signed_in(case, author, moderator, client):
    client.force_login(author)
    assert client.get("/").wsgi_request.user == author
    uphold(case, moderator, sanction=Step(SanctionKind.BAN))
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated
    assert "_auth_user_id" not in client.session


# Appeal


@pytest.fixture
def decision(case, moderator):
    return uphold(case, moderator, action=Action.HIDE)


def test_a_decision_is_appealed_once(decision):
    appeal(decision)
    with pytest.raises(Refused, match="already appealed"):
        appeal(decision, statement="And again.")
    assert Appeal.objects.filter(decision=decision).count() == 1


def test_the_database_refuses_a_second_appeal_of_a_decision(decision, author):
    appeal(decision)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(decision=decision, appellant=author, statement="And again.")


def test_an_appeal_is_made_within_14_days(case, moderator):
    decided_at = timezone.now() - timedelta(days=20)
    decision = uphold(case, moderator, now=decided_at)
    assert decision.appeal_until == decided_at + timedelta(days=14)
    with pytest.raises(Refused, match="time to appeal"):
        appeal(decision, now=decided_at + timedelta(days=14))
    appeal(decision, now=decided_at + timedelta(days=14) - timedelta(seconds=1))


def test_the_appeal_window_is_the_charters_appeal_days(moderator):
    charter_in_force(parameters={"appeal_days": 3})
    decided_at = timezone.now()
    decision = uphold(signal(new_post()).case, moderator, now=decided_at)
    with pytest.raises(Refused, match="time to appeal"):
        appeal(decision, now=decided_at + timedelta(days=3))
    appeal(decision, now=decided_at + timedelta(days=3) - timedelta(minutes=1))


def test_a_dismissal_cannot_be_appealed(case, moderator):
    decision = dismiss(case, moderator)
    with pytest.raises(PermissionDenied):
        appeal(decision)


def test_only_the_author_may_appeal(decision):
    with pytest.raises(PermissionDenied):
        services.appeal_decision(member=MemberFactory(), decision=decision, statement="Unfair!")


def hear(lodged: Appeal, moderator, outcome: str = AppealState.OVERTURNED) -> Appeal:
    return services.hear_appeal(
        moderator=moderator, appeal=lodged, outcome=outcome, rationale="On second reading."
    )


def test_an_appeal_is_heard_by_another_moderator_than_the_one_who_decided(
    decision, moderator, second_moderator
):
    lodged = appeal(decision)
    with pytest.raises(PermissionDenied):
        hear(lodged, moderator)
    assert refreshed(lodged).is_pending
    assert hear(lodged, second_moderator).heard_by == second_moderator


def test_a_moderator_who_signalled_the_post_cannot_hear_its_appeal(post, moderator):
    conflicted = MemberFactory(is_moderator=True)
    signal(post, conflicted)
    lodged = appeal(uphold(case_of(post), moderator))
    with pytest.raises(PermissionDenied):
        hear(lodged, conflicted)
    assert refreshed(lodged).is_pending


def test_an_appeal_is_heard_once(decision, second_moderator):
    lodged = appeal(decision)
    hear(lodged, second_moderator, AppealState.CONFIRMED)
    with pytest.raises(PermissionDenied):
        hear(lodged, MemberFactory(is_moderator=True))
    assert refreshed(lodged).state == AppealState.CONFIRMED


@pytest.mark.parametrize("action", [Action.HIDE, Action.DELETE])
def test_an_overturn_restores_the_post(case, post, moderator, second_moderator, action):
    decision = uphold(case, moderator, action=action)
    assert refreshed(post).state != PostState.VISIBLE
    hear(appeal(decision), second_moderator)
    post.refresh_from_db()
    assert (post.state, post.deleted_by) == (PostState.VISIBLE, None)


def test_an_overturn_lifts_the_suspension(case, author, moderator, second_moderator):
    decision = suspend(case, moderator, days=7)
    assert refreshed(author).is_suspended
    heard = hear(appeal(decision), second_moderator)
    author.refresh_from_db()
    assert author.suspended_until is None and can_participate(author)
    assert Sanction.objects.get(decision=decision).lifted_at == heard.heard_at


def test_an_overturn_keeps_another_suspension_in_force(post, author, moderator, second_moderator):
    longer = suspend(signal(post).case, moderator, days=30)
    shorter = suspend(signal(new_post(author)).case, moderator, days=3)
    assert refreshed(author).suspended_until == longer.sanction.ends_at
    hear(appeal(longer), second_moderator)
    author.refresh_from_db()
    assert author.suspended_until == shorter.sanction.ends_at
    assert author.is_suspended


def test_an_overturn_marks_the_decisions_signals_overturned(held_case, moderator, second_moderator):
    decision = uphold(held_case, moderator)
    hear(appeal(decision), second_moderator)
    assert list(decision.signals.values_list("outcome", flat=True)) == [Outcome.OVERTURNED] * 3


def test_a_confirmation_changes_nothing_on_the_post_nor_the_sanction(
    case, post, author, moderator, second_moderator
):
    decision = suspend(case, moderator, days=7, action=Action.HIDE)
    until = refreshed(author).suspended_until
    hear(appeal(decision), second_moderator, AppealState.CONFIRMED)
    assert refreshed(post).state == PostState.HIDDEN
    assert refreshed(author).suspended_until == until
    assert Sanction.objects.get(decision=decision).lifted_at is None
    assert list(decision.signals.values_list("outcome", flat=True)) == [Outcome.UPHELD]


# Notifications


def test_the_author_learns_every_decision_on_their_post(post, author, moderator):
    dismiss(signal(post).case, moderator)
    forum.edit_post(editor=author, post=refreshed(post), source="Buy it, really!")
    upheld = uphold(signal(post).case, moderator, action=Action.KEEP, rationale="Still selling.")
    told = Notification.objects.filter(recipient=author, kind=Kind.POST_DECISION).order_by("pk")
    assert told.count() == 2
    last = told.last()
    assert last.event_key == f"decision:{upheld.pk}"
    assert "Article 2: On topic" in last.excerpt and "Still selling." in last.excerpt
    assert last.url == upheld.get_absolute_url()


def test_each_signaller_learns_the_outcome_of_their_signal(post, moderator):
    signallers = [signal(post).signaller for _ in range(2)]
    decision = dismiss(case_of(post), moderator)
    told = Notification.objects.filter(
        kind=Kind.SIGNAL_OUTCOME, event_key=f"decision:{decision.pk}"
    )
    assert set(told.values_list("recipient", flat=True)) == {s.pk for s in signallers}
    assert all(n.excerpt.startswith("Dismissed") for n in told)


def test_the_appellant_learns_the_outcome_of_the_appeal(decision, author, second_moderator):
    heard = hear(appeal(decision), second_moderator)
    told = Notification.objects.get(recipient=author, kind=Kind.APPEAL_OUTCOME)
    assert told.event_key == f"appeal:{heard.pk}:heard"
    assert "On second reading." in told.excerpt


def test_moderators_learn_of_a_new_case_in_their_digest_except_the_posts_author(
    charter, moderator, second_moderator
):
    own = MemberFactory(is_moderator=True)
    bystander = MemberFactory()
    signal(new_post(own))
    told = Notification.objects.filter(kind=Kind.NEW_CASE)
    assert set(told.values_list("recipient", flat=True)) == {moderator.pk, second_moderator.pk}
    assert set(told.values_list("email", flat=True)) == {EmailChoice.DIGEST}
    assert not told.filter(recipient__in=[own, bystander]).exists()


def test_no_notification_to_the_author_names_a_signaller(post, author, moderator, second_moderator):
    signallers = [
        MemberFactory(username=f"signaller{n}", display_name=f"Signalling Person {n}")
        for n in range(3)
    ]
    for member in signallers:
        signal(post, member)
    hear(appeal(uphold(case_of(post), moderator)), second_moderator, AppealState.CONFIRMED)
    told = list(Notification.objects.filter(recipient=author))
    assert {n.kind for n in told} == {Kind.POST_HELD, Kind.POST_DECISION, Kind.APPEAL_OUTCOME}
    names = [name for m in signallers for name in (m.username, m.display_name)]
    for notification in told:
        assert notification.actor is None
        text = " ".join(
            [
                notification.summary,
                notification.title,
                notification.place,
                notification.url,
                notification.excerpt,
                notification.event_key,
                notification.group_key,
            ]
        )
        assert not [name for name in names if name in text]


def test_hiding_a_post_blanks_the_excerpt_of_earlier_notifications_about_it(charter, moderator):
    bruno = MemberFactory(username="bruno")
    thread = make_thread(source="Who has seeds?")
    hidden = forum.reply(author=MemberFactory(), thread=thread, source="@bruno buy my fertiliser")
    forum.announce_post(post_id=hidden.pk)  # the thread's watchers hear of it
    kept = forum.reply(author=MemberFactory(), thread=thread, source="@bruno I have seeds")
    about_hidden = Notification.objects.filter(event_key=forum.post_event_key(hidden.pk))
    assert set(about_hidden.values_list("recipient", flat=True)) == {bruno.pk, thread.author_id}
    assert all("fertiliser" in n.excerpt for n in about_hidden)
    uphold(signal(hidden).case, moderator, action=Action.HIDE)
    assert set(about_hidden.values_list("excerpt", flat=True)) == {""}
    assert "seeds" in Notification.objects.get(event_key=forum.post_event_key(kept.pk)).excerpt


# Journal


def test_every_decision_writes_one_journal_entry_with_its_articles_and_their_versions(
    post, charter, moderator
):
    decision = uphold(
        signal(post).case, moderator, articles=(2, 3), sanction=Step(SanctionKind.WARNING)
    )
    entry = JournalEntry.objects.get(decision=decision)
    assert (entry.kind, entry.outcome, entry.action, entry.sanction) == (
        JournalKind.DECISION,
        Outcome.UPHELD,
        Action.HIDE,
        SanctionKind.WARNING,
    )
    assert entry.rationale == "Advertising is off topic here."
    cited = [c.article for c in entry.citations.order_by("article__number")]
    assert cited == [article(charter, 2), article(charter, 3)]
    assert {a.version for a in cited} == {charter}


def test_a_dismissal_writes_one_journal_entry(case, moderator):
    decision = dismiss(case, moderator)
    entry = JournalEntry.objects.get(decision=decision)
    assert (entry.kind, entry.outcome, entry.citations.count()) == (
        JournalKind.DECISION,
        Outcome.DISMISSED,
        0,
    )


@pytest.mark.parametrize("outcome", [AppealState.CONFIRMED, AppealState.OVERTURNED])
def test_every_appeal_outcome_writes_one_journal_entry(
    decision, charter, second_moderator, outcome
):
    heard = hear(appeal(decision), second_moderator, outcome)
    entry = JournalEntry.objects.get(kind=JournalKind.APPEAL)
    assert (entry.appeal, entry.decision, entry.outcome) == (heard, decision, outcome)
    assert (entry.moderator, entry.rationale) == (second_moderator, "On second reading.")
    assert [c.article for c in entry.citations.all()] == [article(charter, 2)]
    assert JournalEntry.objects.filter(decision=decision).count() == 2


@pytest.fixture
def entry(decision) -> JournalEntry:
    return JournalEntry.objects.get(decision=decision)


def test_a_journal_entry_cannot_be_saved_again(entry):
    entry.rationale = "Rewritten."
    with pytest.raises(JournalIsAppendOnly):
        entry.save()
    assert refreshed(entry).rationale == "Advertising is off topic here."


def test_a_journal_entry_cannot_be_deleted(entry):
    with pytest.raises(JournalIsAppendOnly):
        entry.delete()
    with pytest.raises(JournalIsAppendOnly):
        JournalEntry.objects.delete()
    with pytest.raises(JournalIsAppendOnly):
        JournalEntry.objects.filter(pk=entry.pk).delete()
    assert JournalEntry.objects.filter(pk=entry.pk).exists()


def test_journal_entries_cannot_be_updated_in_bulk(entry):
    with pytest.raises(JournalIsAppendOnly):
        JournalEntry.objects.update(rationale="Rewritten.")
    with pytest.raises(JournalIsAppendOnly):
        JournalEntry.objects.filter(pk=entry.pk).update(rationale="Rewritten.")
    assert refreshed(entry).rationale == "Advertising is off topic here."


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE moderation_journalentry SET rationale = 'Rewritten.'",
        "UPDATE moderation_journalcitation SET article_id = article_id",
    ],
    ids=["entry", "citation"],
)
def test_the_database_refuses_to_update_the_journal(entry, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert refreshed(entry).rationale == "Advertising is off topic here."


@pytest.mark.parametrize(
    "table", ["moderation_journalcitation", "moderation_journalentry"], ids=["citation", "entry"]
)
def test_the_database_refuses_to_delete_from_the_journal(entry, table):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
    assert JournalEntry.objects.filter(pk=entry.pk).exists()
    assert JournalCitation.objects.filter(entry=entry).exists()


def test_the_journal_shows_the_words_cited_after_the_article_is_amended(entry, charter):
    cited = article(charter, 2)
    old_body = cited.body
    amended = ratify_amendment(charter, [reword(charter, 2, "Posts stay on topic, always.")])
    assert article(amended, 2).identity == cited.identity
    assert article(amended, 2).body == "Posts stay on topic, always."
    shown = selectors.journal(selectors.JournalFilters()).get(pk=entry.pk)
    citation = shown.citations.get()
    assert citation.article == cited
    assert (citation.article.version, citation.article.body) == (charter, old_body)
