"""Each rule of moderation/rules.py, with the cases it allows and the cases it refuses."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from forum import services as forum
from forum.models import PostState
from moderation import rules, selectors
from moderation.models import AppealState
from moderation.sanctions import SanctionKind, Step
from tests.builders.forum import CategoryFactory, make_thread, new_post
from tests.builders.members import MemberFactory
from tests.builders.moderation import appeal, dismiss, signal, uphold

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(charter):
    """The post's author joins once the charter is ratified: nothing keeps them from writing."""
    return MemberFactory(username="author")


@pytest.fixture
def signaller(charter):
    return MemberFactory(username="signaller")


@pytest.fixture
def case(post, signaller):
    return signal(post, signaller).case


def signallers(case) -> set[int]:
    return selectors.signaller_ids(case)


def set_state(post, state: PostState):
    post.state = state
    post.deleted_by = None
    return post


# can_signal


def test_a_member_may_signal_another_members_post(post, signaller):
    assert rules.can_signal(signaller, post)


def test_a_member_cannot_signal_their_own_post(post, author):
    assert not rules.can_signal(author, post)


def test_a_visitor_cannot_signal(post):
    assert not rules.can_signal(AnonymousUser(), post)


@pytest.mark.parametrize(
    "standing",
    [
        {"suspended_until": timezone.now() + timedelta(days=1)},
        {"must_accept_charter": True},
        {"banned_at": timezone.now()},
        {"is_active": False},
    ],
    ids=["suspended", "must-accept-the-charter", "banned", "inactive"],
)
def test_a_member_who_may_not_participate_cannot_signal(post, standing):
    assert not rules.can_signal(MemberFactory(**standing), post)


def test_a_member_whose_suspension_ended_may_signal_again(post):
    member = MemberFactory(suspended_until=timezone.now() - timedelta(minutes=1))
    assert rules.can_signal(member, post)


@pytest.mark.parametrize("state", [PostState.HIDDEN, PostState.DELETED])
def test_a_hidden_or_deleted_post_cannot_be_signalled(post, signaller, state):
    assert not rules.can_signal(signaller, set_state(post, state))


def test_a_post_hidden_pending_review_may_still_be_signalled(post, signaller):
    assert rules.can_signal(signaller, set_state(post, PostState.PENDING))


def test_only_those_who_may_read_a_restricted_category_may_signal_its_posts(signaller):
    staff_room = CategoryFactory(read_restricted=True)
    moderator = MemberFactory(is_moderator=True)
    post = make_thread(category=staff_room, author=moderator).posts.get()
    forum_moderator = MemberFactory(is_moderator=True)
    assert not rules.can_signal(signaller, post)
    assert rules.can_signal(forum_moderator, post)


# can_see_signallers


def test_a_moderator_may_see_who_signalled_anothers_post(case, moderator):
    assert rules.can_see_signallers(moderator, case)


def test_the_author_never_sees_who_signalled_their_post_even_as_a_moderator(case, author):
    assert not rules.can_see_signallers(author, case)
    author.is_moderator = True
    assert not rules.can_see_signallers(author, case)


def test_a_member_who_is_not_a_moderator_never_sees_who_signalled(case, other_member):
    assert not rules.can_see_signallers(other_member, case)


# is_new_member


@pytest.mark.parametrize(("days", "new"), [(0, True), (6.99, True), (7, False), (30, False)])
def test_a_member_of_less_than_signal_weight_days_is_new(days, new):
    now = timezone.now()
    member = MemberFactory(date_joined=now - timedelta(days=days))
    assert rules.is_new_member(member, at=now, parameters={"signal_weight_days": 7}) is new


# has_conflict


def test_the_posts_author_has_a_conflict_of_interest(case, author):
    assert rules.has_conflict(author, case, signallers(case))


def test_a_signaller_has_a_conflict_of_interest(case, signaller):
    assert rules.has_conflict(signaller, case, signallers(case))


def test_a_moderator_who_neither_wrote_nor_signalled_the_post_has_no_conflict(case, moderator):
    assert not rules.has_conflict(moderator, case, signallers(case))


# can_claim


def test_a_moderator_may_claim_an_unclaimed_open_case(case, moderator):
    assert rules.can_claim(moderator, case, signallers(case))


def test_a_member_who_is_not_a_moderator_cannot_claim(case, other_member):
    assert not rules.can_claim(other_member, case, signallers(case))


def test_a_moderator_cannot_claim_a_case_about_their_own_post(charter):
    moderator = MemberFactory(is_moderator=True)
    post = forum.reply(author=moderator, thread=make_thread(), source="My reply.")
    case = signal(post).case
    assert not rules.can_claim(moderator, case, signallers(case))


def test_a_moderator_cannot_claim_a_case_they_signalled(post, moderator):
    case = signal(post, moderator).case
    assert not rules.can_claim(moderator, case, signallers(case))


def held_by(case, moderator, *, hours_left: float = 24):
    """`moderator` claimed `case`; the claim lapses in `hours_left` (ago, if negative)."""
    case.claimed_by = moderator
    case.claim_lapses_at = timezone.now() + timedelta(hours=hours_left)


def test_a_moderator_cannot_claim_a_case_already_claimed(case, moderator, second_moderator):
    held_by(case, second_moderator)
    assert not rules.can_claim(moderator, case, signallers(case))


def test_a_settled_case_cannot_be_claimed(case, moderator, second_moderator):
    dismiss(case, second_moderator)
    case.refresh_from_db()
    assert not rules.can_claim(moderator, case, signallers(case))


# can_release


def test_a_case_whose_claim_lapsed_may_be_claimed_and_decided_by_another(
    case, moderator, second_moderator
):
    held_by(case, second_moderator, hours_left=-0.01)
    assert not rules.is_held(case)
    assert rules.can_claim(moderator, case, signallers(case))
    assert rules.can_decide(moderator, case, signallers(case))
    assert not rules.can_release(second_moderator, case)


def test_a_claim_holds_until_the_moment_it_lapses(case, moderator, second_moderator):
    held_by(case, second_moderator)
    lapses = case.claim_lapses_at
    assert rules.is_held(case, at=lapses - timedelta(seconds=1))
    assert not rules.can_decide(moderator, case, signallers(case), at=lapses - timedelta(seconds=1))
    assert not rules.is_held(case, at=lapses)
    assert rules.can_decide(moderator, case, signallers(case), at=lapses)


def test_the_moderator_holding_a_case_may_release_it(case, moderator):
    held_by(case, moderator)
    assert rules.can_release(moderator, case)


def test_a_moderator_cannot_release_a_case_another_holds(case, moderator, second_moderator):
    held_by(case, second_moderator)
    assert not rules.can_release(moderator, case)


def test_an_unclaimed_case_cannot_be_released(case, moderator):
    assert not rules.can_release(moderator, case)


def test_a_member_no_longer_moderator_cannot_release_a_case_they_held(case, moderator):
    held_by(case, moderator)
    moderator.is_moderator = False
    assert not rules.can_release(moderator, case)


# can_decide


def test_a_moderator_may_decide_an_unclaimed_case(case, moderator):
    assert rules.can_decide(moderator, case, signallers(case))


def test_a_moderator_may_decide_a_case_they_hold(case, moderator):
    held_by(case, moderator)
    assert rules.can_decide(moderator, case, signallers(case))


def test_a_moderator_cannot_decide_a_case_claimed_by_another(case, moderator, second_moderator):
    held_by(case, second_moderator)
    assert not rules.can_decide(moderator, case, signallers(case))


def test_a_member_who_is_not_a_moderator_cannot_decide(case, other_member):
    assert not rules.can_decide(other_member, case, signallers(case))


def test_a_moderator_cannot_decide_a_case_they_signalled(post, moderator):
    case = signal(post, moderator).case
    assert not rules.can_decide(moderator, case, signallers(case))


def test_a_moderator_cannot_decide_a_case_about_their_own_post(case, author):
    author.is_moderator = True
    assert not rules.can_decide(author, case, signallers(case))


def test_a_settled_case_cannot_be_decided_again(case, moderator, second_moderator):
    dismiss(case, second_moderator)
    case.refresh_from_db()
    assert not rules.can_decide(moderator, case, signallers(case))


# can_step_aside


def test_a_moderator_with_a_conflict_may_step_aside(post, moderator):
    case = signal(post, moderator).case
    assert rules.can_step_aside(moderator, case, signallers(case))


def test_a_moderator_without_a_conflict_has_nothing_to_step_aside_from(case, moderator):
    assert not rules.can_step_aside(moderator, case, signallers(case))


def test_a_signaller_who_is_not_a_moderator_cannot_step_aside(case, signaller):
    assert not rules.can_step_aside(signaller, case, signallers(case))


def test_nobody_steps_aside_from_a_settled_case(post, moderator, second_moderator):
    case = signal(post, moderator).case
    dismiss(case, second_moderator)
    case.refresh_from_db()
    assert not rules.can_step_aside(moderator, case, signallers(case))


# can_read_decision


@pytest.fixture
def decision(case, second_moderator):
    return uphold(case, second_moderator)


def test_the_author_may_read_the_decision_on_their_post(decision, author):
    assert rules.can_read_decision(author, decision)


def test_a_moderator_may_read_any_decision(decision, moderator):
    assert rules.can_read_decision(moderator, decision)


def test_another_member_cannot_read_a_decision_addressed_to_the_author(decision, signaller):
    assert not rules.can_read_decision(signaller, decision)


def test_a_visitor_cannot_read_a_decision_addressed_to_the_author(decision):
    assert not rules.can_read_decision(AnonymousUser(), decision)


# can_read_post_decision


def test_why_a_post_was_hidden_is_for_its_author_and_the_moderators(
    post, decision, author, moderator, signaller
):
    assert rules.can_read_post_decision(author, post, decision)
    assert rules.can_read_post_decision(moderator, post, decision)
    assert not rules.can_read_post_decision(signaller, post, decision)
    assert not rules.can_read_post_decision(AnonymousUser(), post, decision)


def test_a_note_on_a_post_kept_is_everyones_to_read(case, post, second_moderator, signaller):
    decision = uphold(case, second_moderator, action="keep")
    assert rules.can_read_post_decision(signaller, post, decision)
    assert rules.can_read_post_decision(AnonymousUser(), post, decision)


# can_appeal


def test_the_author_may_appeal_an_upheld_decision_within_the_window(decision, author):
    assert rules.can_appeal(author, decision, appealed=False)


def test_the_author_may_appeal_only_once(decision, author):
    assert not rules.can_appeal(author, decision, appealed=True)


def test_the_author_may_appeal_until_the_window_closes_and_not_after(decision, author):
    last_moment = decision.appeal_until - timedelta(seconds=1)
    assert rules.can_appeal(author, decision, appealed=False, at=last_moment)
    assert not rules.can_appeal(author, decision, appealed=False, at=decision.appeal_until)


def test_a_suspended_author_may_still_appeal(case, second_moderator, author):
    decision = uphold(case, second_moderator, sanction=Step(SanctionKind.SUSPENSION, 7))
    author.refresh_from_db()
    assert author.is_suspended
    assert rules.can_appeal(author, decision, appealed=False)


def test_a_banned_author_may_appeal_the_ban_and_no_other_decision(case, second_moderator, author):
    earlier = uphold(signal(new_post(author)).case, second_moderator)
    ban = uphold(case, second_moderator, sanction=Step(SanctionKind.BAN))
    author.refresh_from_db()
    assert rules.can_appeal(author, ban, appealed=False)
    assert not rules.can_appeal(author, earlier, appealed=False)


def test_an_inactive_author_cannot_appeal(decision, author):
    author.is_active = False
    assert not rules.can_appeal(author, decision, appealed=False)


def test_nobody_but_the_author_may_appeal(decision, signaller, moderator):
    assert not rules.can_appeal(signaller, decision, appealed=False)
    assert not rules.can_appeal(moderator, decision, appealed=False)
    assert not rules.can_appeal(AnonymousUser(), decision, appealed=False)


def test_a_dismissal_cannot_be_appealed(case, second_moderator, author):
    decision = dismiss(case, second_moderator)
    assert not rules.can_appeal(author, decision, appealed=False)


# can_hear_appeal


@pytest.fixture
def pending_appeal(decision):
    return appeal(decision)


def test_another_moderator_may_hear_an_appeal(pending_appeal, moderator):
    ids = signallers(pending_appeal.decision.case)
    assert rules.can_hear_appeal(moderator, pending_appeal, ids)


def test_the_moderator_who_decided_cannot_hear_the_appeal(pending_appeal, second_moderator):
    ids = signallers(pending_appeal.decision.case)
    assert not rules.can_hear_appeal(second_moderator, pending_appeal, ids)


def test_a_moderator_who_signalled_the_post_cannot_hear_the_appeal(post, moderator):
    case = signal(post, moderator).case
    pending = appeal(uphold(case, MemberFactory(is_moderator=True)))
    assert not rules.can_hear_appeal(moderator, pending, signallers(case))


def test_the_author_cannot_hear_the_appeal_of_a_decision_on_their_own_post(pending_appeal, author):
    author.is_moderator = True
    ids = signallers(pending_appeal.decision.case)
    assert not rules.can_hear_appeal(author, pending_appeal, ids)


def test_a_member_who_is_not_a_moderator_cannot_hear_an_appeal(pending_appeal, other_member):
    ids = signallers(pending_appeal.decision.case)
    assert not rules.can_hear_appeal(other_member, pending_appeal, ids)


def test_an_appeal_already_heard_cannot_be_heard_again(pending_appeal, moderator):
    pending_appeal.state = AppealState.CONFIRMED
    ids = signallers(pending_appeal.decision.case)
    assert not rules.can_hear_appeal(moderator, pending_appeal, ids)


# can_see_moderator_names


def test_moderator_names_are_shown_to_moderators_only_by_default(moderator, other_member):
    assert rules.can_see_moderator_names(moderator, public_names=False)
    assert not rules.can_see_moderator_names(other_member, public_names=False)
    assert not rules.can_see_moderator_names(AnonymousUser(), public_names=False)


def test_a_charter_making_moderator_names_public_shows_them_to_everyone(other_member):
    assert rules.can_see_moderator_names(other_member, public_names=True)
    assert rules.can_see_moderator_names(AnonymousUser(), public_names=True)
