"""The charter's operations, each rule of DESIGN.md "Charter" in a test, the clock passed in."""

from datetime import timedelta
from typing import get_args

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from charter import selectors, services
from charter.models import (
    Acceptance,
    Article,
    Ballot,
    BallotState,
    CharterVersion,
    Proposal,
    ProposalState,
    Sponsorship,
    VersionState,
    Vote,
)
from charter.services.ballots import BallotNews
from charter.services.elections import papers_in_box
from charter.texts import Change
from members.models import Member
from notifications.models import Kind, Notification
from tests.builders.charter import ARTICLES, addition, article, count, open_founding, reword
from tests.builders.elections import decrypt, give_key
from tests.builders.members import MemberFactory

pytestmark = pytest.mark.django_db

State = ProposalState


@pytest.fixture
def voter_factory(elder_factory, charter_v1):
    """Members who joined 60 days ago and accepted version 1, unless told otherwise."""

    def make(*, accepted: bool = True, **fields):
        member = elder_factory(**fields)
        if accepted:
            services.accept_charter(member=member, version=charter_v1)
        return member

    return make


@pytest.fixture
def amendment(charter_v1, founders, propose):
    """A proposal by the first founder, co-sponsored by the three others, in discussion."""

    def make(changes, *, parameters=None, at=None, author=0) -> Proposal:
        others = [f for i, f in enumerate(founders) if i != author]
        return propose(founders[author], changes, parameters=parameters, sponsors=others, at=at)

    return make


@pytest.fixture
def ballot_on(amendment, put_to_ballot):
    """The open ballot on an amendment making `changes`."""

    def make(changes, *, parameters=None) -> Ballot:
        return put_to_ballot(amendment(changes, parameters=parameters))

    return make


@pytest.fixture
def ballot(ballot_on, charter_v1) -> Ballot:
    return ballot_on([reword(charter_v1, 2, "Posts stay on topic.")])


def vote(ballot: Ballot, **choices) -> None:
    """`vote(ballot, yes=[a, b], no=[c])`: each member casts a vote as the ballot opens."""
    for choice, members in choices.items():
        for member in members:
            services.cast_vote(member=member, ballot=ballot, choice=choice, now=ballot.opened_at)


def texts(version: CharterVersion) -> list[tuple]:
    return list(
        version.articles.values_list("pk", "identity", "number", "title", "body", "entrenched")
    )


# The quorum: yes, no and abstain against the active eligible voters


def test_the_quorum_counts_only_voters_active_within_twelve_months(
    ballot_on, charter_v1, voter_factory, founders, now
):
    for _ in range(8):
        voter_factory(last_login=now - timedelta(days=400))
    ballot = ballot_on([reword(charter_v1, 2, "Posts stay on topic.")])
    Member.objects.filter(pk__in=[f.pk for f in founders]).update(last_login=now)
    vote(ballot, yes=founders[:2])
    count(ballot, now=ballot.closes_at)
    # 2 votes of 12 on the roll is under 25 %, but 2 of the 4 active ones is half.
    assert (ballot.eligible_count, ballot.active_count) == (12, 4)
    assert ballot.passed


def test_members_who_signed_in_within_twelve_months_count_against_the_quorum(
    ballot_on, charter_v1, voter_factory, founders, now
):
    for _ in range(8):
        voter_factory(last_login=now - timedelta(days=300))
    ballot = ballot_on([reword(charter_v1, 2, "Posts stay on topic.")])
    vote(ballot, yes=founders[:2])
    count(ballot, now=ballot.closes_at)
    assert (ballot.active_count, ballot.passed) == (10, False)  # 2 of 10 is under 25 %


def test_abstentions_count_toward_the_quorum(ballot_on, charter_v1, voter_factory, founders, now):
    for _ in range(8):
        voter_factory(last_login=now)
    ballot = ballot_on([reword(charter_v1, 2, "Posts stay on topic.")])
    vote(ballot, yes=founders[:1], abstain=founders[1:])
    count(ballot, now=ballot.closes_at)
    # 4 of 12 active voters took part (33 %), and the only yes-or-no is a yes.
    assert (ballot.yes, ballot.no, ballot.abstain, ballot.active_count) == (1, 0, 3, 12)
    assert ballot.passed


def test_abstentions_do_not_count_toward_the_majority(ballot, founders):
    vote(ballot, yes=founders[:1], no=founders[1:2], abstain=founders[2:])
    # 1 yes of 2 yes-or-no, whatever the abstentions
    assert not count(ballot, now=ballot.closes_at).passed


def test_two_thirds_of_yes_and_no_pass_a_standard_amendment(ballot, founders):
    vote(ballot, yes=founders[:2], no=founders[2:3])
    assert count(ballot, now=ballot.closes_at).passed


def test_one_yes_and_one_no_fail_a_standard_amendment(ballot, founders):
    vote(ballot, yes=founders[:1], no=founders[1:2])
    assert not count(ballot, now=ballot.closes_at).passed


def test_an_amendment_to_standard_articles_uses_the_standard_thresholds(ballot):
    assert (ballot.entrenched, ballot.quorum_percent, ballot.majority) == (False, 25, "2/3")


ENTRENCHING = {
    "touching an entrenched article": lambda v1: ([reword(v1, 4, "By vote only.")], {}),
    "making an article entrenched": lambda v1: (
        [Change("change", article(v1, 1).identity, "Respect", "Be kind.", entrenched=True)],
        {},
    ),
    "changing a parameter": lambda v1: ([], {"cosponsors": 4}),
}


@pytest.mark.parametrize("kind", ENTRENCHING)
def test_an_amendment_uses_the_entrenched_thresholds_when(kind, ballot_on, charter_v1):
    changes, parameters = ENTRENCHING[kind](charter_v1)
    ballot = ballot_on(changes, parameters=parameters)
    assert (ballot.entrenched, ballot.quorum_percent, ballot.majority) == (True, 33, "3/4")


def test_two_thirds_fail_an_amendment_to_an_entrenched_article(ballot_on, charter_v1, founders):
    ballot = ballot_on([reword(charter_v1, 4, "By vote only.")])
    vote(ballot, yes=founders[:2], no=founders[2:3])
    assert not count(ballot, now=ballot.closes_at).passed


def test_three_quarters_pass_an_amendment_to_an_entrenched_article(ballot_on, charter_v1, founders):
    ballot = ballot_on([reword(charter_v1, 4, "By vote only.")])
    vote(ballot, yes=founders[:3], no=founders[3:])
    assert count(ballot, now=ballot.closes_at).passed


def test_a_passed_parameter_change_is_in_the_next_version_only(ballot_on, charter_v1, founders):
    ballot = ballot_on([], parameters={"cosponsors": 2})
    vote(ballot, yes=founders)
    version = count(ballot, now=ballot.closes_at).result
    assert version.settings["cosponsors"] == 2
    charter_v1.refresh_from_db()
    assert charter_v1.settings["cosponsors"] == 3


# Founding


@pytest.fixture
def draft(admin_member) -> CharterVersion:
    draft = services.start_provisional_charter()
    return services.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES, parameters={}
    )


@pytest.fixture
def founding(admin_member, draft, now):
    """The founding ballot on the draft, its key made and voting open at `now`."""

    def open_ballot() -> Ballot:
        return open_founding(admin_member, draft, now=now)

    return open_ballot


def test_every_verified_member_is_on_the_founding_roll(founding, founders, admin_member, now):
    newcomer = MemberFactory(date_joined=now - timedelta(hours=1))
    MemberFactory(email_verified_at=None)
    ballot = founding()
    on_roll = set(Member.objects.filter(pk__in=ballot.roll.values("member")))
    assert on_roll == {*founders, admin_member, newcomer}
    assert ballot.eligible_count == 6


def test_the_founding_ballot_lasts_14_days_and_needs_half_and_two_thirds(founding, now):
    ballot = founding()
    assert ballot.closes_at - ballot.opened_at == timedelta(days=14)
    assert (ballot.quorum_percent, ballot.majority) == (50, "2/3")


def test_a_founding_ballot_short_of_half_the_active_members_fails(
    founding, founders, admin_member, now
):
    Member.objects.update(last_login=now)  # the 4 founders and the admin: 5 active
    ballot = founding()
    vote(ballot, yes=founders[:2])
    count(ballot, now=ballot.closes_at)
    assert (ballot.active_count, ballot.passed) == (5, False)  # 2 of 5 is 40 %


def test_a_founding_ballot_with_half_the_members_and_two_thirds_ratifies_version_1(
    founding, founders, draft, now
):
    ballot = founding()
    vote(ballot, yes=founders[:2], no=founders[2:3])
    assert count(ballot, now=ballot.closes_at).passed
    draft.refresh_from_db()
    assert (draft.state, draft.number, ballot.result) == (VersionState.RATIFIED, 1, draft)


def test_a_failed_founding_draft_is_kept_as_rejected_and_a_revised_copy_is_drafted(
    founding, founders, draft
):
    ballot = founding()
    vote(ballot, yes=founders[:1], no=founders[1:])
    count(ballot, now=ballot.closes_at)
    draft.refresh_from_db()
    revised = selectors.draft()
    assert draft.state == VersionState.REJECTED
    assert (revised.state, revised.previous) == (VersionState.PROVISIONAL, draft)
    assert [a[1:] for a in texts(revised)] == [a[1:] for a in texts(draft)]
    assert selectors.current_version() is None


def test_a_revised_founding_draft_may_go_to_a_new_ballot(founding, founders, admin_member, now):
    vote(ballot := founding(), no=founders)
    count(ballot, now=ballot.closes_at)
    revised = services.edit_provisional_charter(
        admin=admin_member, version=selectors.draft(), articles=ARTICLES[:2], parameters={}
    )
    second = services.open_founding_ballot(admin=admin_member, version=revised, now=now)
    assert (second.draft, second.state) == (revised, BallotState.SETUP)


def test_the_draft_cannot_be_edited_once_it_goes_to_ballot(founding, draft, admin_member):
    founding()
    with pytest.raises(services.InvalidChange):
        services.edit_provisional_charter(
            admin=admin_member, version=draft, articles=ARTICLES[:1], parameters={}
        )
    assert draft.articles.count() == 4


def test_once_ratified_the_charter_has_no_more_founding_ballots(charter_v1, admin_member):
    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin_member, version=draft, articles=ARTICLES, parameters={}
    )
    with pytest.raises(services.InvalidChange):
        services.open_founding_ballot(admin=admin_member, version=draft)


# The roll, frozen at the opening


def test_a_member_who_joins_after_the_opening_is_not_on_the_roll_and_cannot_vote(
    ballot, voter_factory
):
    latecomer = voter_factory(date_joined=ballot.opened_at + timedelta(hours=1))
    assert not ballot.roll.filter(member=latecomer).exists()
    with pytest.raises(services.InvalidChange, match="joined after"):
        vote(ballot, yes=[latecomer])


def test_a_member_who_becomes_eligible_during_the_ballot_is_not_added_to_the_roll(
    amendment, put_to_ballot, charter_v1, voter_factory
):
    proposal = amendment([reword(charter_v1, 2, "Posts stay on topic.")])
    opens = proposal.discussion_ends_at
    newcomer = voter_factory(date_joined=opens - timedelta(days=27))
    ballot = put_to_ballot(proposal)
    past_30_days = ballot.opened_at + timedelta(days=4)
    with pytest.raises(services.InvalidChange, match="less than 30 days"):
        services.cast_vote(member=newcomer, ballot=ballot, choice="yes", now=past_30_days)
    assert ballot.eligible_count == ballot.roll.count() == 4


def test_a_member_who_accepts_the_charter_after_the_opening_is_not_added_to_the_roll(
    amendment, put_to_ballot, charter_v1, voter_factory
):
    proposal = amendment([reword(charter_v1, 2, "Posts stay on topic.")])
    late_reader = voter_factory(accepted=False)
    ballot = put_to_ballot(proposal)
    acceptance = services.accept_charter(member=late_reader, version=charter_v1)
    # The ballot opened on the test clock, days ahead: the acceptance comes after it.
    acceptance.accepted_at = ballot.opened_at + timedelta(hours=1)
    acceptance.save()
    with pytest.raises(services.InvalidChange, match="not accepted"):
        vote(ballot, yes=[late_reader])


def test_a_member_suspended_after_the_opening_stays_on_the_roll_and_votes_once_it_ends(
    ballot, founders
):
    suspended = founders[3]
    suspended.suspended_until = ballot.opened_at + timedelta(days=1)
    suspended.save()
    assert ballot.roll.filter(member=suspended).exists()
    with pytest.raises(services.InvalidChange, match="suspended"):
        services.cast_vote(member=suspended, ballot=ballot, choice="no", now=ballot.opened_at)
    services.cast_vote(
        member=suspended, ballot=ballot, choice="no", now=ballot.opened_at + timedelta(days=2)
    )
    assert count(ballot, now=ballot.closes_at).no == 1


# Co-sponsorship and acceptance, once each


def test_a_member_co_sponsors_a_proposal_once(charter_v1, founders, propose):
    proposal = propose(founders[0], [reword(charter_v1, 1, "Be kind.")], sponsors=founders[1:2])
    services.sponsor_proposal(member=founders[1], proposal=proposal)
    assert proposal.sponsorships.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Sponsorship.objects.create(proposal=proposal, member=founders[1])


def test_the_last_co_sponsor_needed_opens_the_discussion(charter_v1, founders, propose, now):
    proposal = propose(founders[0], [reword(charter_v1, 1, "Be kind.")], sponsors=founders[1:3])
    assert proposal.state == State.SEEKING
    services.sponsor_proposal(member=founders[3], proposal=proposal, now=now)
    assert proposal.state == State.DISCUSSION
    assert proposal.discussion_ends_at == now + timedelta(days=7)
    assert proposal.thread is not None


def test_a_member_accepts_a_version_once(charter_v1, founders):
    services.accept_charter(member=founders[0], version=charter_v1)
    assert Acceptance.objects.filter(member=founders[0], version=charter_v1).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Acceptance.objects.create(member=founders[0], version=charter_v1)


def test_accepting_the_charter_lifts_the_duty_to_accept_it(charter_v1, voter_factory):
    member = voter_factory(accepted=False, must_accept_charter=True)
    services.accept_charter(member=member, version=charter_v1)
    member.refresh_from_db()
    assert not member.must_accept_charter


def test_only_the_version_in_force_can_be_accepted(ballot, founders, voter_factory):
    old_v1 = ballot.proposal.base
    vote(ballot, yes=founders)
    count(ballot, now=ballot.closes_at)
    with pytest.raises(services.InvalidChange):
        services.accept_charter(member=voter_factory(accepted=False), version=old_v1)


def test_ratifying_the_founding_charter_asks_every_member_to_accept_it(founders, ratify_founding):
    bystander = MemberFactory(must_accept_charter=False)
    ratify_founding(founders)
    bystander.refresh_from_db()
    assert bystander.must_accept_charter


def test_ratifying_an_amendment_asks_every_member_to_accept_it(ballot, founders):
    assert not Member.objects.filter(pk__in=[f.pk for f in founders], must_accept_charter=True)
    vote(ballot, yes=founders)
    count(ballot, now=ballot.closes_at)
    assert not Member.objects.filter(must_accept_charter=False).exists()


# Voting: once, secretly, before the close


def test_a_member_votes_once(ballot, founders):
    vote(ballot, yes=founders[:1])
    with pytest.raises(services.InvalidChange, match="final"):
        vote(ballot, no=founders[:1])
    assert papers_in_box(ballot.election) == 1


def test_a_vote_at_or_after_the_closing_time_is_refused(ballot, founders):
    for moment in (ballot.closes_at, ballot.closes_at + timedelta(hours=1)):
        with pytest.raises(services.InvalidChange, match="closed"):
            services.cast_vote(member=founders[0], ballot=ballot, choice="yes", now=moment)
    assert papers_in_box(ballot.election) == 0


def test_the_tally_is_empty_until_the_trustees_decrypt_it(ballot, founders):
    vote(ballot, yes=founders[:2], no=founders[2:3])
    ballot.refresh_from_db()
    assert (ballot.yes, ballot.no, ballot.abstain, ballot.passed, ballot.cast) == (None,) * 5
    assert selectors.votes_cast(ballot) == 3
    services.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at)
    ballot.refresh_from_db()
    assert ballot.state == BallotState.COUNTING
    assert (ballot.yes, ballot.no, ballot.abstain, ballot.passed, ballot.cast) == (None,) * 5
    decrypt(ballot, now=ballot.closes_at)
    assert (ballot.yes, ballot.no, ballot.abstain, ballot.passed) == (2, 1, 0, True)


def test_the_ballot_box_holds_the_choice_and_nothing_else():
    """The clear box's paper (a ballot opened before encrypted ones): its own rule."""
    assert {f.name for f in Vote._meta.concrete_fields} == {"id", "ballot", "choice"}
    assert Vote._meta.pk.get_internal_type() == "UUIDField"


def test_the_roll_records_who_voted(ballot, founders):
    vote(ballot, abstain=founders[:1])
    voted = set(ballot.roll.filter(voted=True).values_list("member", flat=True))
    assert voted == {founders[0].pk}


# Ratified versions are never written


def test_a_ratified_version_cannot_be_edited(charter_v1, admin_member):
    before = texts(charter_v1)
    with pytest.raises(services.InvalidChange):
        services.edit_provisional_charter(
            admin=admin_member, version=charter_v1, articles=ARTICLES[:1], parameters={}
        )
    assert texts(charter_v1) == before


def test_a_passed_amendment_makes_version_2_and_leaves_version_1_as_it_was(
    ballot, charter_v1, founders
):
    before = texts(charter_v1)
    vote(ballot, yes=founders)
    count(ballot, now=ballot.closes_at)
    v2 = selectors.current_version()
    assert (v2.number, v2.previous, ballot.result) == (2, charter_v1, v2)
    assert texts(charter_v1) == before
    assert article(v2, 2).body == "Posts stay on topic."
    assert article(v2, 2).identity == article(charter_v1, 2).identity


def test_an_article_keeps_its_identity_when_an_amendment_renumbers_it(
    ballot_on, charter_v1, founders
):
    ballot = ballot_on([Change("remove", article(charter_v1, 1).identity)])
    vote(ballot, yes=founders)
    v2 = count(ballot, now=ballot.closes_at).result
    assert [a.identity for a in v2.articles.all()] == [
        a.identity for a in charter_v1.articles.filter(number__gt=1)
    ]
    assert list(v2.articles.values_list("number", flat=True)) == [1, 2, 3]


# Conflicts: outdated proposals and rebasing


@pytest.fixture
def rivals(ballot, charter_v1, founders, propose, now):
    """While the ballot on article 2 runs: a rival on article 2 in discussion, one seeking
    co-sponsors, and a bystander on article 3 in discussion."""
    during = ballot.opened_at + timedelta(days=1)

    def on(number: int, **kwargs) -> Proposal:
        return propose(
            founders[1], [reword(charter_v1, number, "Another text.")], at=during, **kwargs
        )

    others = [founders[0], founders[2], founders[3]]
    return {
        "discussed": on(2, sponsors=others),
        "seeking": on(2, sponsors=others[:1]),
        "bystander": on(3, sponsors=others),
    }


@pytest.fixture
def version_2(ballot, rivals, founders) -> CharterVersion:
    vote(ballot, yes=founders)
    count(ballot, now=ballot.closes_at)
    for proposal in rivals.values():
        proposal.refresh_from_db()
    return ballot.result


@pytest.mark.parametrize("rival", ["discussed", "seeking"])
def test_a_live_proposal_on_the_same_article_is_outdated_by_the_amendment(rival, rivals, version_2):
    outdated = rivals[rival]
    assert (outdated.state, outdated.overtaken_by) == (State.OUTDATED, version_2)
    assert outdated.base.number == 1


def test_an_unsubmitted_draft_on_the_same_article_is_outdated_by_the_amendment(
    ballot, charter_v1, founders, propose
):
    draft = propose(founders[1], [reword(charter_v1, 2, "Another text.")], submit=False)
    vote(ballot, yes=founders)
    assert count(ballot, now=ballot.closes_at).passed
    draft.refresh_from_db()
    assert (draft.state, draft.overtaken_by) == (State.OUTDATED, ballot.result)


def test_a_live_proposal_on_another_article_moves_to_the_new_version(rivals, version_2):
    bystander = rivals["bystander"]
    assert (bystander.state, bystander.base, bystander.overtaken_by) == (
        State.DISCUSSION,
        version_2,
        None,
    )


def test_an_outdated_proposal_does_not_go_to_ballot(rivals, version_2):
    services.run_deadlines(now=rivals["discussed"].discussion_ends_at + timedelta(days=30))
    rivals["discussed"].refresh_from_db()
    assert rivals["discussed"].state == State.OUTDATED
    assert not Ballot.objects.filter(proposal=rivals["discussed"]).exists()


def test_a_later_roll_holds_those_who_accepted_any_ratified_version(
    rivals, version_2, founders, put_to_ballot
):
    """Having to accept version 2 gates posting, never voting: those who accepted only
    version 1 are on the roll too."""
    services.accept_charter(member=founders[0], version=version_2)
    roll = put_to_ballot(rivals["bystander"]).roll.values_list("member", flat=True)
    assert set(roll) == {founder.pk for founder in founders}


def rebase(proposal: Proposal, version: CharterVersion) -> Proposal:
    services.accept_charter(member=proposal.author, version=version)
    return services.revise_proposal(
        author=proposal.author,
        proposal=proposal,
        title="An amendment, rebased",
        rationale="Still better.",
        changes=[reword(version, 2, "Posts stay on topic, and on time.")],
        parameters={},
    )


def test_rebasing_a_co_sponsored_proposal_gives_it_a_full_discussion_again(rivals, version_2):
    # revise_proposal takes no `now`: the new discussion starts on the real clock.
    rebased = rebase(rivals["discussed"], version_2)
    assert (rebased.state, rebased.base, rebased.overtaken_by) == (
        State.DISCUSSION,
        version_2,
        None,
    )
    expected_end = timezone.now() + timedelta(days=7)
    assert abs(rebased.discussion_ends_at - expected_end) < timedelta(minutes=1)
    assert rebased.revision == 2


def test_rebasing_a_proposal_that_lacked_co_sponsors_returns_it_to_seeking_them(rivals, version_2):
    rebased = rebase(rivals["seeking"], version_2)
    assert (rebased.state, rebased.base, rebased.overtaken_by) == (State.SEEKING, version_2, None)


# The proposal's state machine: illegal moves raise


def test_a_proposal_cannot_be_submitted_twice(charter_v1, founders, propose):
    proposal = propose(founders[0], [reword(charter_v1, 1, "Be kind.")])
    with pytest.raises(PermissionDenied):
        services.submit_proposal(author=founders[0], proposal=proposal)
    assert Proposal.objects.get(pk=proposal.pk).state == State.SEEKING


def test_a_passed_proposal_cannot_be_withdrawn(ballot, founders):
    vote(ballot, yes=founders)
    count(ballot, now=ballot.closes_at)
    with pytest.raises(PermissionDenied):
        services.withdraw_proposal(author=founders[0], proposal=Proposal.objects.get())


def test_a_proposal_cannot_be_withdrawn_during_its_ballot(ballot, founders):
    with pytest.raises(PermissionDenied):
        services.withdraw_proposal(author=founders[0], proposal=ballot.proposal)


def test_a_frozen_proposal_cannot_be_revised(amendment, charter_v1, founders):
    proposal = amendment([reword(charter_v1, 1, "Be kind.")])
    services.end_discussions(now=proposal.discussion_ends_at)
    proposal.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.revise_proposal(
            author=founders[0],
            proposal=proposal,
            title="Late",
            rationale="Too late.",
            changes=[reword(charter_v1, 1, "Be very kind.")],
            parameters={},
        )


def test_a_proposal_in_discussion_cannot_be_co_sponsored_again(amendment, charter_v1):
    proposal = amendment([reword(charter_v1, 1, "Be kind.")])
    with pytest.raises(PermissionDenied):
        services.sponsor_proposal(member=MemberFactory(), proposal=proposal)


def test_a_withdrawn_proposal_cannot_be_submitted_again(charter_v1, founders, propose):
    proposal = propose(founders[0], [reword(charter_v1, 1, "Be kind.")])
    services.withdraw_proposal(author=founders[0], proposal=proposal)
    with pytest.raises(PermissionDenied):
        services.submit_proposal(author=founders[0], proposal=proposal)


ILLEGAL_MOVES = [
    (State.DRAFT, State.DISCUSSION),
    (State.SEEKING, State.FROZEN),
    (State.SEEKING, State.BALLOT),
    (State.DISCUSSION, State.BALLOT),
    (State.DISCUSSION, State.LAPSED),
    (State.BALLOT, State.WITHDRAWN),
    (State.BALLOT, State.OUTDATED),
    (State.OUTDATED, State.BALLOT),
    (State.OUTDATED, State.FROZEN),
    *[(end, to) for end in ("passed", "failed", "lapsed", "withdrawn") for to in State.values],
]


@pytest.mark.parametrize(("start", "to"), ILLEGAL_MOVES)
def test_an_illegal_move_of_a_proposal_raises(start, to):
    # `_move` is the one way a proposal changes state; the table is checked before the database.
    with pytest.raises(services.InvalidChange):
        services.move(Proposal(state=start), to)


def test_a_move_from_a_state_the_proposal_has_left_raises(charter_v1, founders, propose):
    proposal = propose(founders[0], [reword(charter_v1, 1, "Be kind.")])
    stale = Proposal.objects.get(pk=proposal.pk)
    services.withdraw_proposal(author=founders[0], proposal=proposal)
    with pytest.raises(services.InvalidChange):
        services.move(stale, State.LAPSED)
    assert Proposal.objects.get(pk=proposal.pk).state == State.WITHDRAWN


# At most three amendment ballots at once; one article in one ballot at a time


def open_ballots() -> set[Proposal]:
    return {b.proposal for b in Ballot.objects.filter(state=BallotState.OPEN)}


def give_keys(*, now) -> None:
    """The trustees of every ballot being prepared make its key: its voting opens at `now`."""
    for ballot in Ballot.objects.filter(state=BallotState.SETUP):
        give_key(ballot, now=now)


def test_at_most_three_amendment_ballots_run_at_once(amendment, charter_v1, now):
    first = amendment([reword(charter_v1, 1, "Be kind.")])
    day_later = now + timedelta(days=1)
    second, third, fourth = (
        amendment(changes, at=day_later)
        for changes in (
            [reword(charter_v1, 2, "Stay on topic.")],
            [reword(charter_v1, 3, "No ads.")],
            [addition()],
        )
    )
    for proposal in (first, fourth):
        services.run_deadlines(now=proposal.discussion_ends_at)
        give_keys(now=proposal.discussion_ends_at)
    assert open_ballots() == {first, second, third}
    fourth.refresh_from_db()
    assert fourth.state == State.FROZEN
    first.refresh_from_db()
    closes = count(first.ballot, now=first.ballot.closes_at).closes_at
    services.run_deadlines(now=closes)  # the first is counted: the fourth takes its slot
    give_keys(now=closes)
    assert open_ballots() == {second, third, fourth}


@pytest.fixture
def first_and_rival(amendment, put_to_ballot, now):
    """A ballot on `first`, then a `rival` frozen a day after it opened (its ballot's key
    given if it got a ballot); returns both."""

    def make(first: dict, rival: dict) -> tuple[Ballot, Proposal]:
        proposal = amendment(**first)
        rival = amendment(**rival, at=now + timedelta(days=1), author=1)
        ballot = put_to_ballot(proposal)
        services.run_deadlines(now=rival.discussion_ends_at)
        give_keys(now=rival.discussion_ends_at)
        rival.refresh_from_db()
        return ballot, rival

    return make


def test_a_frozen_proposal_waits_while_a_ballot_on_the_same_article_runs(
    first_and_rival, charter_v1
):
    ballot, same = first_and_rival(
        {"changes": [reword(charter_v1, 2, "Posts stay on topic.")]},
        {"changes": [reword(charter_v1, 2, "Stay on topic.")]},
    )
    assert same.state == State.FROZEN
    assert open_ballots() == {ballot.proposal}
    count(ballot, now=ballot.closes_at)  # nobody voted: it fails, and the waiting one's turn comes
    services.run_deadlines(now=ballot.closes_at)
    give_keys(now=ballot.closes_at)
    assert open_ballots() == {same}


def test_a_frozen_proposal_on_another_article_does_not_wait(first_and_rival, charter_v1):
    ballot, other = first_and_rival(
        {"changes": [reword(charter_v1, 2, "Posts stay on topic.")]},
        {"changes": [reword(charter_v1, 3, "No ads.")]},
    )
    assert open_ballots() == {ballot.proposal, other}


def test_a_proposal_on_the_same_parameter_waits_too(first_and_rival):
    _, rival = first_and_rival(
        {"changes": [], "parameters": {"cosponsors": 4}},
        {"changes": [], "parameters": {"cosponsors": 2}},
    )
    assert rival.state == State.FROZEN


def test_a_frozen_proposal_waiting_on_a_ballot_that_passes_is_outdated(
    first_and_rival, charter_v1, founders
):
    ballot, same = first_and_rival(
        {"changes": [reword(charter_v1, 2, "Posts stay on topic.")]},
        {"changes": [reword(charter_v1, 2, "Stay on topic.")]},
    )
    vote(ballot, yes=founders)
    count(ballot, now=ballot.closes_at)
    services.run_deadlines(now=ballot.closes_at)
    same.refresh_from_db()
    assert (same.state, same.overtaken_by) == (State.OUTDATED, ballot.result)
    assert not Ballot.objects.filter(proposal=same).exists()


# Notifications: at most three per member per ballot


def notices(ballot: Ballot, member: Member) -> list[str]:
    return sorted(
        Notification.objects.filter(
            recipient=member,
            event_key__in=[
                services.ballot_event_key(ballot.pk, news) for news in get_args(BallotNews)
            ],
        ).values_list("kind", flat=True)
    )


def test_each_member_hears_of_a_ballot_at_most_three_times(ballot, founders, elder_factory):
    outsider = elder_factory()  # not on the roll: never accepted version 1
    vote(ballot, yes=founders[:1])
    reminder_time = ballot.closes_at - timedelta(hours=47)
    services.run_deadlines(now=reminder_time)
    services.run_deadlines(now=reminder_time + timedelta(hours=1))
    count(ballot, now=ballot.closes_at)
    services.run_deadlines(now=ballot.closes_at)
    services.run_deadlines(now=ballot.closes_at + timedelta(days=1))
    assert ballot.passed
    assert notices(ballot, founders[0]) == [Kind.BALLOT_OPEN, Kind.CHARTER_RATIFIED]
    assert notices(ballot, founders[1]) == sorted(
        [Kind.BALLOT_OPEN, Kind.BALLOT_REMINDER, Kind.CHARTER_RATIFIED]
    )
    assert notices(ballot, outsider) == [Kind.CHARTER_RATIFIED]
    assert max(len(notices(ballot, m)) for m in Member.objects.all()) == 3


def test_the_reminder_goes_only_to_those_on_the_roll_who_have_not_voted(ballot, founders):
    vote(ballot, no=founders[:2])
    services.run_deadlines(now=ballot.closes_at - timedelta(hours=48))
    reminded = Notification.objects.filter(kind=Kind.BALLOT_REMINDER).values_list(
        "recipient", flat=True
    )
    assert set(reminded) == {founders[2].pk, founders[3].pk}


def test_a_failed_ballot_s_result_goes_to_the_roll(ballot, founders):
    vote(ballot, no=founders[:1])
    count(ballot, now=ballot.closes_at)
    services.announce_results()
    told = Notification.objects.filter(event_key=services.ballot_event_key(ballot.pk, "result"))
    assert set(told.values_list("recipient", flat=True)) == {f.pk for f in founders}
    assert set(told.values_list("kind", flat=True)) == {Kind.BALLOT_RESULT}


def test_the_articles_of_every_version_stay_in_the_database(ballot, founders, charter_v1):
    vote(ballot, yes=founders)
    count(ballot, now=ballot.closes_at)
    assert Article.objects.filter(version=charter_v1).count() == 4
    assert Article.objects.filter(version=ballot.result).count() == 4
