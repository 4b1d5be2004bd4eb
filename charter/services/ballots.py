"""Ballots: opening with a frozen roll, secret votes, reminders, the close and what it ratifies."""

from datetime import datetime, timedelta
from fractions import Fraction
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charter import belenios, parameters, record, rules, selectors
from charter.models import (
    Article,
    Ballot,
    BallotState,
    CharterVersion,
    Choice,
    Proposal,
    RollEntry,
    VersionState,
    VoidReason,
    Vote,
    quorum_reached,
)
from charter.rules import InvalidChange
from charter.services import elections, trustees
from charter.services.amendments import State, move, overtake_proposals, proposers, touched
from charter.services.clear_box import reseal_ballot_box, vacuum_ballot_boxes
from charter.texts import ArticleText, apply_changes, touches_entrenched
from forum.rendering import render_markdown
from members.models import Member
from notifications.models import Kind
from notifications.services import notify

BallotNews = Literal["open", "reminder", "result"]


def ballot_event_key(ballot_id: int, news: BallotNews) -> str:
    """The `event_key` of the notifications of one piece of news about a ballot: a member hears
    of each once."""
    return f"ballot:{ballot_id}:{news}"


def open_amendment_ballots(*, now: datetime) -> int:
    """Put frozen proposals to the vote, oldest first, at most the charter's `max_ballots` at once.

    A proposal touching an article or parameter that an open ballot also touches waits for
    that ballot: if it passes, the waiting proposal is outdated rather than voted on stale text.
    """
    opened = 0
    with transaction.atomic():
        current = selectors.version_in_force(lock=True)
        if current is None or not current.is_ratified:
            return 0
        running = list(Proposal.objects.filter(state=State.BALLOT).prefetch_related("changes"))
        waiting = (
            Proposal.objects.filter(state=State.FROZEN)
            .order_by("discussion_ends_at", "pk")
            .prefetch_related("changes")
        )
        for proposal in waiting:
            if len(running) >= current.settings["max_ballots"]:
                break
            if any(_overlap(proposal, other) for other in running):
                continue
            _open_ballot(proposal, current, now)
            running.append(proposal)
            opened += 1
    return opened


def _overlap(proposal: Proposal, other: Proposal) -> bool:
    return bool(touched(proposal) & touched(other))


def _open_ballot(proposal: Proposal, current: CharterVersion, now: datetime) -> Ballot:
    """The proposal takes a ballot's slot: its trustees are drawn and make the key, and the
    voting opens when the key exists (open_prepared_ballots)."""
    values = current.settings
    articles = selectors.article_texts(current)
    entrenched = touches_entrenched(articles, selectors.changes_of(proposal), proposal.parameters)
    level = "entrenched" if entrenched else "standard"
    ballot = Ballot.objects.create(
        proposal=proposal,
        entrenched=entrenched,
        quorum_percent=values[f"quorum_{level}"],
        majority=values[f"majority_{level}"],
        eligibility_days=values["eligibility_days"],
        eligible_count=0,
    )
    move(proposal, State.BALLOT)
    trustees.prepare_election(ballot, now=now, values=values)
    return ballot


def open_prepared_ballots(*, now: datetime) -> int:
    """Open the voting of every ballot whose trustees have made its key (each deadline run):
    the roll is frozen, each voter gets a credential, and the election enters the record."""
    opened = 0
    ready = Ballot.objects.filter(state=BallotState.SETUP).exclude(election__public_key="")
    for pk in ready.values_list("pk", flat=True):
        with transaction.atomic():
            in_force = selectors.version_in_force(lock=True)
            ballot = (
                Ballot.objects.select_for_update(of=("self",))
                .select_related("proposal")
                .filter(pk=pk, state=BallotState.SETUP)
                .first()
            )
            if ballot is None:
                continue
            if ballot.is_founding:
                days = parameters.defaults()["founding_ballot_days"]
                voters, title, also = selectors.verified_members(at=now), founding_title(), []
            else:
                days = in_force.settings["ballot_days"]
                voters = selectors.eligible_voters(in_force, at=now)
                title, also = ballot.proposal.title, proposers(ballot.proposal)
            ballot.state = BallotState.OPEN
            ballot.opened_at, ballot.closes_at = now, now + timedelta(days=days)
            ballot.save(update_fields=["state", "opened_at", "closes_at"])
            freeze_roll(ballot, voters, title=title, also=also)
            elections.start_voting(ballot.election, voters, now=now)
            opened += 1
    return opened


def freeze_roll(
    ballot: Ballot, voters: QuerySet[Member], *, title: str, also: list[int] = ()
) -> None:
    entries = [RollEntry(ballot=ballot, member_id=pk) for pk in voters.values_list("pk", flat=True)]
    RollEntry.objects.bulk_create(entries, batch_size=1_000)
    Ballot.objects.filter(pk=ballot.pk).update(eligible_count=len(entries))
    ballot.eligible_count = len(entries)
    notify(
        kind=Kind.BALLOT_OPEN,
        recipients=_on_roll(ballot) | Member.objects.filter(pk__in=also),
        actor=None,
        event_key=ballot_event_key(ballot.pk, "open"),
        title=title,
        url=ballot.get_absolute_url(),
    )


def _on_roll(ballot: Ballot) -> QuerySet[Member]:
    return Member.objects.filter(pk__in=RollEntry.objects.filter(ballot=ballot).values("member"))


def cast_vote(
    *, member: Member, ballot: Ballot, choice: str, now: datetime | None = None
) -> str | None:
    """Cast the member's vote; returns the tracker of an encrypted paper (None in a clear box).

    An encrypted ballot: see elections.cast_encrypted_vote. A clear box (a ballot opened
    before encrypted ballots): drop a paper in the box and tick the roll, in one transaction.

    The ballot row is locked first, so a close waits for votes in flight and a vote arriving
    after the close is refused instead of being left out of the tally. The roll is ticked by
    a conditional UPDATE: of simultaneous requests by one member, one ticks it, the others
    find it ticked and add nothing.
    """
    now = now or timezone.now()
    if choice not in Choice.values:
        raise InvalidChange(_("Choose yes, no or abstain."))
    if ballot.is_encrypted:
        return elections.cast_encrypted_vote(member=member, ballot=ballot, choice=choice, now=now)
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.state != BallotState.OPEN or now >= locked.closes_at:
            raise InvalidChange(_("This ballot is closed."))
        # A member suspended after the opening stays on the roll but votes once it ends.
        if suspended := rules.why_suspended(member, now):
            raise InvalidChange(suspended)
        ticked = RollEntry.objects.filter(ballot=locked, member=member, voted=False).update(
            voted=True
        )
        if not ticked:
            entry = RollEntry.objects.filter(ballot=locked, member=member).first()
            raise InvalidChange(rules.why_cannot_vote(member, locked, entry))
        Vote.objects.create(ballot=locked, choice=choice)
    return None


def remind_voters(*, now: datetime) -> int:
    """`reminder_hours` before a close, tell those on the roll who have not voted; once per
    ballot."""
    reminded = 0
    before_close = timedelta(hours=selectors.parameters_in_force()["reminder_hours"])
    due = Ballot.objects.filter(
        state=BallotState.OPEN,
        reminded_at__isnull=True,
        closes_at__lte=now + before_close,
        closes_at__gt=now,
    )
    for ballot in due.select_related("proposal"):
        with transaction.atomic():
            claimed = Ballot.objects.filter(pk=ballot.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            notify(
                kind=Kind.BALLOT_REMINDER,
                recipients=Member.objects.filter(
                    pk__in=RollEntry.objects.filter(ballot=ballot, voted=False).values("member")
                ),
                actor=None,
                event_key=ballot_event_key(ballot.pk, "reminder"),
                title=_ballot_title(ballot),
                url=ballot.get_absolute_url(),
            )
            reminded += 1
    return reminded


def founding_title() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("The founding charter")


def _ballot_title(ballot: Ballot) -> str:
    return ballot.proposal.title if ballot.proposal_id else founding_title()


def close_ballot(*, ballot_id: int, now: datetime | None = None) -> int:
    """Close a ballot due to close, once. An encrypted ballot goes to its count: the trustees
    decrypt the tally (count_decrypted_ballots). A clear box is counted at once: publish the
    result and ratify what passed. Either is void, counting nothing, if its box does not match
    its roll; an encrypted one too if its record does not verify.

    The members are told of the result afterwards, by `announce_results`, in a transaction of
    its own: a ratification tells every member, and writing their notifications here held the
    close, with its locks on the charter and on every member's row, for seconds."""
    now = now or timezone.now()
    with transaction.atomic():
        in_force = selectors.version_in_force(lock=True)
        ballot = (
            Ballot.objects.select_for_update()
            .filter(pk=ballot_id, state=BallotState.OPEN, closes_at__lte=now)
            .first()
        )
        if ballot is None:
            return 0
        if ballot.is_encrypted:
            _end_voting(ballot, now)
            return 1
        reseal_ballot_box(ballot)
        audit = selectors.audit_box(ballot)
        if audit.matches:
            _count_ballot(ballot, in_force, now, selectors.count_votes(ballot))
        else:
            _void_ballot(ballot, VoidReason.BOX_MISMATCH, now, audit)
    vacuum_ballot_boxes()
    return 1


def _end_voting(ballot: Ballot, now: datetime) -> None:
    audit = selectors.audit_box(ballot)
    if not audit.matches:
        _void_ballot(ballot, VoidReason.BOX_MISMATCH, now, audit)
        return
    if elections.end_voting(ballot, now=now) is not None:
        _void_ballot(ballot, VoidReason.RECORD, now)
        return
    ballot.state = BallotState.COUNTING
    ballot.closed_at = now
    ballot.save(update_fields=["state", "closed_at"])


def count_decrypted_ballots(*, now: datetime) -> int:
    """Count each closed encrypted ballot whose trustees decrypted the tally, once (each
    deadline run, and after each decryption); void one whose time to decrypt is over."""
    counted = 0
    for pk in elections.counting_ballots():
        with transaction.atomic():
            in_force = selectors.version_in_force(lock=True)
            ballot = (
                Ballot.objects.select_for_update(of=("self",))
                .select_related("proposal", "draft", "election")
                .filter(pk=pk, state=BallotState.COUNTING)
                .first()
            )
            if ballot is None:
                continue
            try:
                with transaction.atomic():
                    tally = elections.decrypted_result(ballot)
            except belenios.EngineError:
                _void_ballot(ballot, VoidReason.RECORD, ballot.closed_at)
                counted += 1
                continue
            if tally is not None:
                _count_ballot(ballot, in_force, ballot.closed_at, tally)
                counted += 1
            elif now >= ballot.election.decrypt_by:
                _void_ballot(ballot, VoidReason.NOT_DECRYPTED, ballot.closed_at)
                counted += 1
    return counted


def _count_ballot(
    ballot: Ballot, in_force: CharterVersion | None, now: datetime, tally: dict[str, int]
) -> None:
    active_days = selectors.values_in_force(in_force)["active_days"]
    active_since = ballot.closes_at - timedelta(days=active_days)
    ballot.active_count = (
        RollEntry.objects.filter(ballot=ballot)
        .filter(Q(voted=True) | Q(member__last_login__gte=active_since))
        .count()
    )
    ballot.yes, ballot.no, ballot.abstain = tally["yes"], tally["no"], tally["abstain"]
    ballot.passed = ballot_passes(
        yes=ballot.yes,
        no=ballot.no,
        abstain=ballot.abstain,
        active=ballot.active_count,
        quorum_percent=ballot.quorum_percent,
        majority=Fraction(ballot.majority),
    )
    ballot.state = BallotState.CLOSED
    ballot.closed_at = now
    if ballot.passed:
        ballot.result = _ratify(ballot, in_force, now)
    elif ballot.is_founding:
        _set_draft_aside(ballot.draft, VersionState.REJECTED)
    else:
        move(ballot.proposal, State.FAILED, ended_at=now)
    ballot.save()


def _void_ballot(
    ballot: Ballot, reason: VoidReason, now: datetime, audit: selectors.BoxAudit | None = None
) -> None:
    """Nothing is counted from a box that does not match its roll, a record that does not
    verify, or a tally too few trustees decrypted; its question goes to a new ballot: the
    proposal waits, frozen, for the next free slot (the same run of the deadlines opens it);
    the founding draft is set aside, and its copy is the provisional draft again, for an admin
    to put to a new founding ballot."""
    ballot.state = BallotState.VOID
    ballot.closed_at = now
    ballot.void_reason = reason
    if audit is not None:
        ballot.papers_found, ballot.ticks_found = audit.papers, audit.ticks
    if ballot.is_founding:
        _set_draft_aside(ballot.draft, VersionState.VOID)
    else:
        move(ballot.proposal, State.FROZEN)
    ballot.save()


def announce_results() -> int:
    """Tell the members of each closed ballot's result, once (each deadline run).

    The claim and the notifications commit together: a worker that dies after a close leaves
    the ballot to the next run, and a second run adds nothing."""
    announced = 0
    pending = Ballot.objects.filter(
        state__in=[BallotState.CLOSED, BallotState.VOID], result_announced=False
    )
    for pk in pending.values_list("pk", flat=True):
        with transaction.atomic():
            if Ballot.objects.filter(pk=pk, result_announced=False).update(result_announced=True):
                _announce_result(Ballot.objects.select_related("proposal", "result").get(pk=pk))
                announced += 1
    return announced


def ballot_passes(
    *, yes: int, no: int, abstain: int, active: int, quorum_percent: int, majority: Fraction
) -> bool:
    """Quorum: yes, no and abstentions against the active eligible voters; then the majority
    of yes among yes and no. Nobody voting yes passes nothing."""
    if not quorum_reached(cast=yes + no + abstain, active=active, quorum_percent=quorum_percent):
        return False
    return yes > 0 and yes >= majority * (yes + no)


def _ratify(ballot: Ballot, in_force: CharterVersion | None, now: datetime) -> CharterVersion:
    number = (CharterVersion.objects.aggregate(last=Max("number"))["last"] or 0) + 1
    if ballot.is_founding:
        version = ballot.draft
        version.state = VersionState.RATIFIED
        version.number = number
        version.ratified_at = now
        version.save(update_fields=["state", "number", "ratified_at"])
    else:
        version = _apply_amendment(ballot.proposal, in_force, number, now)
        move(ballot.proposal, State.PASSED, ended_at=now)
        overtake_proposals(ballot.proposal, version)
    record.seal(version)
    # Everyone reads and accepts the new version before writing again.
    Member.objects.filter(must_accept_charter=False).update(must_accept_charter=True)
    return version


def _apply_amendment(
    proposal: Proposal, current: CharterVersion, number: int, now: datetime
) -> CharterVersion:
    version = CharterVersion.objects.create(
        state=VersionState.RATIFIED,
        number=number,
        # Only what the members voted on: a parameter a later release added stays unratified.
        parameters=current.parameters | proposal.parameters,
        previous=current,
        ratified_at=now,
    )
    write_articles(
        version, apply_changes(selectors.article_texts(current), selectors.changes_of(proposal))
    )
    return version


def write_articles(version: CharterVersion, texts: list[ArticleText]) -> None:
    """The articles of a version being written (a draft, or a version being ratified)."""
    Article.objects.bulk_create(
        Article(
            version=version,
            identity=text.identity,
            number=text.number,
            title=text.title,
            body=text.body,
            html=render_markdown(text.body).html,
            entrenched=text.entrenched,
        )
        for text in texts
    )


def _set_draft_aside(draft: CharterVersion, state: str) -> None:
    """A draft rejected, or whose ballot was void, is kept as it was voted on; a copy becomes
    the draft to revise and put to a new ballot."""
    draft.state = state
    draft.save(update_fields=["state"])
    revised = CharterVersion.objects.create(
        state=VersionState.PROVISIONAL, parameters=draft.parameters, previous=draft
    )
    write_articles(revised, selectors.article_texts(draft))


def _in_the_record(version: CharterVersion) -> str:
    """The version's digest, for the members to keep: the operator cannot take back a copy."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Version %(number)s is in the record under the digest %(digest)s. Keep it: with "
            "it, anyone can show later whether this text was changed."
        ) % {"number": version.number, "digest": version.digest}


def _announce_result(ballot: Ballot) -> None:
    """One notification per member per ballot: a ratification tells everyone to accept it,
    a void ballot tells its roll why it was not counted."""
    common = {
        "actor": None,
        "event_key": ballot_event_key(ballot.pk, "result"),
        "title": _ballot_title(ballot),
        "url": ballot.get_absolute_url(),
    }
    if ballot.is_void:
        with translation.override(settings.LANGUAGE_CODE):
            why = ballot.why_void
        notify(kind=Kind.BALLOT_VOID, recipients=_roll_and_proposers(ballot), excerpt=why, **common)
        return
    if ballot.passed:
        notify(
            kind=Kind.CHARTER_RATIFIED,
            recipients=Member.objects.filter(is_active=True),
            excerpt=_in_the_record(ballot.result),
            **common | {"url": reverse("charter:accept")},
        )
        return
    notify(kind=Kind.BALLOT_RESULT, recipients=_roll_and_proposers(ballot), **common)


def _roll_and_proposers(ballot: Ballot) -> QuerySet[Member]:
    authors = proposers(ballot.proposal) if ballot.proposal_id else []
    return _on_roll(ballot) | Member.objects.filter(pk__in=authors)
