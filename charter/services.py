"""Every operation that changes the charter.

No function here writes a ratified version: a provisional draft is edited by an admin until its
founding ballot, and after that the text changes only when a ballot passes, which writes a new
version. Proposals move through one state machine (`_move`), each step claimed by a conditional
UPDATE so that deadlines run twice, or late, change nothing the second time.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from charter import rules, selectors
from charter.models import (
    Acceptance,
    Article,
    Ballot,
    BallotState,
    CharterVersion,
    Choice,
    Proposal,
    ProposalState,
    ProposedChange,
    RollEntry,
    Sponsorship,
    VersionState,
    Vote,
)
from charter.parameters import BY_KEY, with_defaults
from charter.texts import Change, apply_changes, touches_entrenched
from forum import services as forum
from forum.models import Category
from forum.rendering import render_markdown
from members.models import Member
from notifications.models import Kind
from notifications.services import notify

State = ProposalState

# The proposal lifecycle: every allowed move, and nothing else.
TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.SEEKING, State.WITHDRAWN, State.OUTDATED},
    State.SEEKING: {State.DISCUSSION, State.LAPSED, State.WITHDRAWN, State.OUTDATED},
    State.DISCUSSION: {State.FROZEN, State.WITHDRAWN, State.OUTDATED},
    State.FROZEN: {State.BALLOT, State.WITHDRAWN, State.OUTDATED},
    State.BALLOT: {State.PASSED, State.FAILED},
    State.OUTDATED: {State.DRAFT, State.SEEKING, State.DISCUSSION, State.WITHDRAWN},
}


class InvalidChange(ValueError):
    """A charter edit or proposal that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class ArticleDraft:
    title: str
    body: str
    entrenched: bool = False
    identity: uuid.UUID | None = None


# ---------------------------------------------------------------------------------------------
# The provisional charter (admins, until its founding ballot)


def start_provisional_charter() -> CharterVersion:
    """The draft an admin edits: the existing one, or a new empty one on a fresh site."""
    with transaction.atomic():
        draft = selectors.draft()
        if draft is None:
            draft = CharterVersion.objects.create(state=VersionState.PROVISIONAL)
    return draft


def edit_provisional_charter(
    *,
    admin: Member,
    version: CharterVersion | None,
    articles: list[ArticleDraft],
    parameters: dict,
) -> CharterVersion:
    """Save the provisional draft, starting it if `version` is None (a fresh site)."""
    rules.require(rules.can_draft(admin))
    if not articles:
        raise InvalidChange(_("A charter needs at least one article."))
    with transaction.atomic():
        version = version or start_provisional_charter()
        locked = CharterVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != VersionState.PROVISIONAL:
            raise InvalidChange(_("Only a provisional draft can be edited; this one is frozen."))
        locked.parameters = _checked_parameters(parameters)
        locked.save(update_fields=["parameters"])
        locked.articles.all().delete()
        Article.objects.bulk_create(
            Article(
                version=locked,
                identity=draft.identity or uuid.uuid4(),
                number=number,
                title=draft.title,
                body=draft.body,
                html=render_markdown(draft.body).html,
                entrenched=draft.entrenched,
            )
            for number, draft in enumerate(articles, start=1)
        )
    return locked


def open_founding_ballot(
    *, admin: Member, version: CharterVersion, now: datetime | None = None
) -> Ballot:
    """Freeze the provisional draft and put it to every verified member."""
    rules.require(rules.can_draft(admin))
    now = now or timezone.now()
    with transaction.atomic():
        locked = CharterVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != VersionState.PROVISIONAL:
            raise InvalidChange(_("This draft is not provisional any more."))
        if selectors.current_version() is not None:
            raise InvalidChange(_("The charter is ratified: it changes only by amendment."))
        if not locked.articles.exists():
            raise InvalidChange(_("A charter needs at least one article."))
        locked.state = VersionState.BALLOT
        locked.save(update_fields=["state"])
        ballot = Ballot.objects.create(
            draft=locked,
            opened_at=now,
            closes_at=now + timedelta(days=settings.CHARTER_FOUNDING_BALLOT_DAYS),
            quorum_percent=settings.CHARTER_FOUNDING_QUORUM_PERCENT,
            majority=settings.CHARTER_FOUNDING_MAJORITY,
            eligibility_days=0,
            eligible_count=0,
        )
        _freeze_roll(ballot, selectors.verified_members(), title=_founding_title())
    return ballot


def _founding_title() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("The founding charter")


def _checked_parameters(values: dict) -> dict:
    checked = {}
    for key, value in values.items():
        parameter = BY_KEY.get(key)
        if parameter is None:
            raise InvalidChange(_("Unknown parameter: %(key)s.") % {"key": key})
        if parameter.unit == "bool":
            if not isinstance(value, bool):
                raise InvalidChange(_("%(label)s must be yes or no.") % {"label": parameter.label})
        elif parameter.unit == "fraction":
            if not (isinstance(value, str) and Fraction(1, 2) <= Fraction(value) < 1):
                raise InvalidChange(
                    _("%(label)s must be a fraction from one half to under one.")
                    % {"label": parameter.label}
                )
        elif not (isinstance(value, int) and parameter.minimum <= value <= parameter.maximum):
            raise InvalidChange(
                _("%(label)s must be a whole number from %(min)s to %(max)s.")
                % {"label": parameter.label, "min": parameter.minimum, "max": parameter.maximum}
            )
        checked[key] = value
    return checked


# ---------------------------------------------------------------------------------------------
# Acceptance


def accept_charter(*, member: Member, version: CharterVersion | None) -> Acceptance | None:
    """Record that `member` read and accepted `version`, the charter in force.

    On a site with no charter yet (`version` None) there is nothing to record, and nothing
    keeps the member from writing.
    """
    with transaction.atomic():
        # Locks out a ratification that would make this acceptance stale as it is recorded.
        in_force = selectors.version_in_force(lock=True)
        if getattr(in_force, "pk", None) != getattr(version, "pk", None):
            raise InvalidChange(_("A newer version of the charter is in force: accept that one."))
        acceptance = None
        if version is not None:
            acceptance, _created = Acceptance.objects.get_or_create(member=member, version=version)
        Member.objects.filter(pk=member.pk).update(must_accept_charter=False)
    member.must_accept_charter = False
    return acceptance


# ---------------------------------------------------------------------------------------------
# Proposals


def create_proposal(
    *,
    author: Member,
    title: str,
    rationale: str,
    changes: list[Change],
    parameters: dict,
) -> Proposal:
    current = selectors.current_version()
    rules.require(rules.can_propose(author, current))
    with transaction.atomic():
        proposal = Proposal(
            author=author,
            title=title,
            rationale=rationale,
            rationale_html=render_markdown(rationale).html,
            base=current,
        )
        _check_amendment(current, changes, parameters)
        proposal.parameters = parameters
        proposal.save()
        _store_changes(proposal, changes)
    return proposal


def revise_proposal(
    *,
    author: Member,
    proposal: Proposal,
    title: str,
    rationale: str,
    changes: list[Change],
    parameters: dict,
) -> Proposal:
    """The author's new text. An outdated proposal is rebased on the current version by it."""
    rules.require(rules.can_revise(author, proposal))
    now = timezone.now()
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        rules.require(rules.can_revise(author, locked))
        if locked.state == State.DISCUSSION and locked.discussion_ends_at <= now:
            raise InvalidChange(_("The discussion is over: the text is frozen for the ballot."))
        current = selectors.current_version()
        _check_amendment(current, changes, parameters)
        locked.title = title
        locked.rationale = rationale
        locked.rationale_html = render_markdown(rationale).html
        locked.parameters = parameters
        locked.base = current
        locked.revision += 1
        locked.save()
        locked.changes.all().delete()
        _store_changes(locked, changes)
        if locked.state == State.OUTDATED:
            _resume_after_rebase(locked, now)
        elif locked.state == State.DISCUSSION and locked.thread_id:
            _post_in_discussion(
                locked,
                _("The author revised the proposal (revision %(revision)s).")
                % {"revision": locked.revision},
            )
    locked.refresh_from_db()
    return locked


def _resume_after_rebase(proposal: Proposal, now: datetime) -> None:
    """Back to where it was; a rebased text that had its co-sponsors gets a full discussion."""
    if proposal.submitted_at is None:
        _move(proposal, State.DRAFT, overtaken_by=None)
    elif proposal.sponsored_at is None:
        # A fresh window: nobody could co-sponsor while it was outdated.
        days = proposal.base.settings["cosponsor_days"]
        _move(
            proposal,
            State.SEEKING,
            overtaken_by=None,
            sponsors_due_at=now + timedelta(days=days),
        )
    else:
        days = proposal.base.settings["discussion_days"]
        _move(
            proposal,
            State.DISCUSSION,
            overtaken_by=None,
            discussion_ends_at=now + timedelta(days=days),
        )
        _post_in_discussion(
            proposal,
            _("The proposal was rebased on version %(number)s; its discussion starts again.")
            % {"number": proposal.base.number},
        )


def submit_proposal(*, author: Member, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """Publish a draft: it now needs co-sponsors within the charter's deadline."""
    now = now or timezone.now()
    current = selectors.current_version()
    rules.require(rules.can_submit(author, proposal, current))
    days = current.settings["cosponsor_days"]
    with transaction.atomic():
        _move(proposal, State.SEEKING, submitted_at=now, sponsors_due_at=now + timedelta(days=days))
        notify(
            kind=Kind.PROPOSAL_SPONSORS,
            recipients=Member.objects.filter(is_active=True),
            actor=author,
            event_key=f"proposal:{proposal.pk}:seeking",
            title=proposal.title,
            url=proposal.get_absolute_url(),
        )
    return proposal


def sponsor_proposal(
    *, member: Member, proposal: Proposal, now: datetime | None = None
) -> Sponsorship:
    """Co-sponsor; the last co-sponsor needed opens the discussion."""
    now = now or timezone.now()
    current = selectors.current_version()
    with transaction.atomic():
        # Concurrent co-sponsors queue here, so the discussion opens exactly once.
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        rules.require(rules.can_sponsor(member, locked, current))
        if locked.sponsors_due_at <= now:
            raise InvalidChange(_("The time to co-sponsor this proposal is over."))
        sponsorship, created = Sponsorship.objects.get_or_create(proposal=locked, member=member)
        needed = locked.base.settings["cosponsors"]
        if created and locked.sponsorships.count() >= needed:
            _start_discussion(locked, now)
    proposal.refresh_from_db()
    return sponsorship


def _start_discussion(proposal: Proposal, now: datetime) -> None:
    days = proposal.base.settings["discussion_days"]
    proposal.discussion_ends_at = now + timedelta(days=days)
    thread = forum.start_thread_for(
        author=proposal.author,
        category=_discussion_category(),
        title=proposal.title[: settings.THREAD_TITLE_MAX_LENGTH],
        source=_discussion_opening(proposal),
    )
    _move(
        proposal,
        State.DISCUSSION,
        sponsored_at=now,
        discussion_ends_at=proposal.discussion_ends_at,
        thread=thread,
    )
    _tell_sponsors(proposal, "discussion")


def _discussion_category() -> Category:
    category, _created = Category.objects.get_or_create(
        slug=settings.CHARTER_CATEGORY_SLUG,
        defaults={"name": _("Charter"), "description": _("Amendments to the charter, discussed.")},
    )
    return category


def _discussion_opening(proposal: Proposal) -> str:
    url = proposal.get_absolute_url()
    return _(
        "This thread discusses the amendment proposal [“%(title)s”](%(url)s) until "
        "%(date)s. Its author may revise it meanwhile; then it goes to a secret ballot.\n\n"
        "**Rationale**\n\n%(rationale)s"
    ) % {
        "title": proposal.title,
        "url": url,
        "date": timezone.localtime(proposal.discussion_ends_at).strftime("%Y-%m-%d"),
        "rationale": proposal.rationale,
    }


def _post_in_discussion(proposal: Proposal, text: str) -> None:
    if proposal.thread_id is None:
        return
    forum.reply(author=proposal.author, thread=proposal.thread, source=f"*{text}*")


def withdraw_proposal(*, author: Member, proposal: Proposal) -> Proposal:
    rules.require(rules.can_withdraw(author, proposal))
    with transaction.atomic():
        _move(proposal, State.WITHDRAWN, ended_at=timezone.now())
        _tell_sponsors(proposal, "withdrawn")
    return proposal


def _move(proposal: Proposal, to: str, **fields) -> None:
    """The one way a proposal changes state: a conditional UPDATE from the state it was read in.

    Raises InvalidChange when the move is not in TRANSITIONS or when someone else moved the
    proposal first, so two workers running the same deadline cannot both act on it.
    """
    if to not in TRANSITIONS.get(proposal.state, set()):
        raise InvalidChange(
            _("A proposal cannot go from “%(old)s” to “%(new)s”.")
            % {"old": State(proposal.state).label, "new": State(to).label}
        )
    moved = Proposal.objects.filter(pk=proposal.pk, state=proposal.state).update(state=to, **fields)
    if not moved:
        raise InvalidChange(_("This proposal changed meanwhile; reload the page."))
    proposal.state = to
    for name, value in fields.items():
        setattr(proposal, name, value)


def _check_amendment(current: CharterVersion, changes: list[Change], parameters: dict) -> None:
    if not changes and not parameters:
        raise InvalidChange(_("An amendment changes at least one article or parameter."))
    in_force = current.settings
    for key, value in _checked_parameters(parameters).items():
        if in_force[key] == value:
            raise InvalidChange(
                _("%(label)s is already %(value)s.")
                % {"label": BY_KEY[key].label, "value": BY_KEY[key].display(value)}
            )
    existing = set(current.articles.values_list("identity", flat=True))
    for change in changes:
        if change.action in ("change", "remove") and change.identity not in existing:
            raise InvalidChange(_("An article this proposal changes is not in the charter."))
        if change.action == "add" and change.identity in existing:
            raise InvalidChange(_("An added article cannot reuse an existing one."))
    if len(existing) + sum(c.action == "add" for c in changes) == sum(
        c.action == "remove" for c in changes
    ):
        raise InvalidChange(_("A charter needs at least one article."))


def _store_changes(proposal: Proposal, changes: list[Change]) -> None:
    ProposedChange.objects.bulk_create(
        ProposedChange(
            proposal=proposal,
            action=change.action,
            identity=change.identity,
            position=change.position,
            title=change.title,
            body=change.body,
            entrenched=change.entrenched,
        )
        for change in changes
    )


# ---------------------------------------------------------------------------------------------
# Deadlines: each step claims its rows, so a late run, or two runs at once, act once.


def run_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    """Everything due by `now`, in the order the rules need (a ballot that closes frees a slot)."""
    now = now or timezone.now()
    done = {
        "lapsed": lapse_unsponsored_proposals(now=now),
        "frozen": end_discussions(now=now),
        "closed": sum(close_ballot(ballot_id=pk, now=now) for pk in selectors.due_ballots(now)),
    }
    done["opened"] = open_amendment_ballots(now=now)
    done["reminded"] = remind_voters(now=now)
    done["resealed"] = reseal_open_ballot_boxes()
    return done


def lapse_unsponsored_proposals(*, now: datetime) -> int:
    lapsed = 0
    for proposal in Proposal.objects.filter(state=State.SEEKING, sponsors_due_at__lte=now):
        with transaction.atomic():
            try:
                _move(proposal, State.LAPSED, ended_at=now)
            except InvalidChange:
                continue
            _tell_sponsors(proposal, "lapsed")
            lapsed += 1
    return lapsed


def end_discussions(*, now: datetime) -> int:
    frozen = 0
    for proposal in Proposal.objects.filter(state=State.DISCUSSION, discussion_ends_at__lte=now):
        try:
            _move(proposal, State.FROZEN)
        except InvalidChange:
            continue
        frozen += 1
    return frozen


def open_amendment_ballots(*, now: datetime) -> int:
    """Put frozen proposals to the vote, oldest first, at most CHARTER_MAX_BALLOTS at once.

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
            if len(running) >= settings.CHARTER_MAX_BALLOTS:
                break
            if any(_overlap(proposal, other) for other in running):
                continue
            _open_ballot(proposal, current, now)
            running.append(proposal)
            opened += 1
    return opened


def _touched(proposal: Proposal) -> set[str]:
    articles = {str(change.identity) for change in proposal.changes.all() if change.action != "add"}
    return articles | {f"parameter:{key}" for key in proposal.parameters}


def _overlap(proposal: Proposal, other: Proposal) -> bool:
    return bool(_touched(proposal) & _touched(other))


def _open_ballot(proposal: Proposal, current: CharterVersion, now: datetime) -> Ballot:
    values = current.settings
    articles = selectors.article_texts(current)
    entrenched = touches_entrenched(articles, selectors.changes_of(proposal), proposal.parameters)
    level = "entrenched" if entrenched else "standard"
    ballot = Ballot.objects.create(
        proposal=proposal,
        opened_at=now,
        closes_at=now + timedelta(days=values["ballot_days"]),
        entrenched=entrenched,
        quorum_percent=values[f"quorum_{level}"],
        majority=values[f"majority_{level}"],
        eligibility_days=values["eligibility_days"],
        eligible_count=0,
    )
    _move(proposal, State.BALLOT)
    voters = selectors.eligible_voters(current, at=now)
    _freeze_roll(ballot, voters, title=proposal.title, also=_proposers(proposal))
    return ballot


def _freeze_roll(
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
        event_key=f"ballot:{ballot.pk}:open",
        title=title,
        url=ballot.get_absolute_url(),
    )


def _on_roll(ballot: Ballot) -> QuerySet[Member]:
    return Member.objects.filter(pk__in=RollEntry.objects.filter(ballot=ballot).values("member"))


def _proposers(proposal: Proposal) -> list[int]:
    return [proposal.author_id, *proposal.sponsorships.values_list("member_id", flat=True)]


def cast_vote(*, member: Member, ballot: Ballot, choice: str, now: datetime | None = None) -> None:
    """Drop a ballot paper in the box and tick the member on the roll, in one transaction.

    The ballot row is locked first, so a close waits for votes in flight and a vote arriving
    after the close is refused instead of being left out of the tally. The roll is ticked by
    a conditional UPDATE: of simultaneous requests by one member, one ticks it, the others
    find it ticked and add nothing.
    """
    now = now or timezone.now()
    if choice not in Choice.values:
        raise InvalidChange(_("Choose yes, no or abstain."))
    with transaction.atomic():
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.state != BallotState.OPEN or now >= locked.closes_at:
            raise InvalidChange(_("This ballot is closed."))
        ticked = RollEntry.objects.filter(ballot=locked, member=member, voted=False).update(
            voted=True
        )
        if not ticked:
            entry = RollEntry.objects.filter(ballot=locked, member=member).first()
            raise InvalidChange(rules.why_cannot_vote(member, locked, entry))
        Vote.objects.create(ballot=locked, choice=choice)


def reseal_ballot_box(ballot: Ballot) -> None:
    """Rewrite the box and the roll of `ballot` so that the database's own bookkeeping no
    longer pairs a paper with its voter. Call with the ballot row locked.

    A vote ticks the roll and drops its paper in one transaction, so on PostgreSQL both rows
    carry that transaction's id (xmin) and sit at matching places on disk (ctid). Rewriting
    every paper, sorted by choice, and every roll row in one transaction gives them all the
    same id and an order that says nothing of who voted first.
    """
    choices = sorted(Vote.objects.filter(ballot=ballot).values_list("choice", flat=True))
    Vote.objects.filter(ballot=ballot).delete()
    Vote.objects.bulk_create([Vote(ballot=ballot, choice=choice) for choice in choices])
    RollEntry.objects.filter(ballot=ballot).update(voted=F("voted"))
    Ballot.objects.filter(pk=ballot.pk).update(papers_resealed=len(choices))
    ballot.papers_resealed = len(choices)


def reseal_open_ballot_boxes() -> int:
    """Reseal the boxes that received papers since their last reseal (each deadline run)."""
    resealed = 0
    fresh = (
        Ballot.objects.filter(state=BallotState.OPEN)
        .annotate(voted=Count("roll", filter=Q(roll__voted=True)))
        .filter(voted__gt=F("papers_resealed"))
        .values_list("pk", flat=True)
    )
    for pk in fresh:
        with transaction.atomic():
            ballot = Ballot.objects.select_for_update().get(pk=pk)
            reseal_ballot_box(ballot)
            resealed += 1
    if resealed:
        _vacuum_ballot_boxes()
    return resealed


def _vacuum_ballot_boxes() -> None:
    """Let PostgreSQL reclaim the old row versions, which still hold the pairing until then."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {Vote._meta.db_table}, {RollEntry._meta.db_table}")


def remind_voters(*, now: datetime) -> int:
    """48 hours before a close, tell those on the roll who have not voted; once per ballot."""
    reminded = 0
    due = Ballot.objects.filter(
        state=BallotState.OPEN,
        reminded_at__isnull=True,
        closes_at__lte=now + timedelta(hours=settings.CHARTER_REMINDER_HOURS),
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
                event_key=f"ballot:{ballot.pk}:reminder",
                title=_ballot_title(ballot),
                url=ballot.get_absolute_url(),
            )
            reminded += 1
    return reminded


def _ballot_title(ballot: Ballot) -> str:
    return ballot.proposal.title if ballot.proposal_id else _founding_title()


def close_ballot(*, ballot_id: int, now: datetime | None = None) -> int:
    """Count a ballot due to close, publish the result, and ratify what passed. Runs once."""
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
        reseal_ballot_box(ballot)
        tally = selectors.count_votes(ballot)
        active_since = ballot.closes_at - timedelta(days=settings.CHARTER_ACTIVE_DAYS)
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
            _reject_founding_draft(ballot.draft)
        else:
            _move(ballot.proposal, State.FAILED, ended_at=now)
        ballot.save()
        _announce_result(ballot)
    _vacuum_ballot_boxes()
    return 1


def ballot_passes(
    *, yes: int, no: int, abstain: int, active: int, quorum_percent: int, majority: Fraction
) -> bool:
    """Quorum: yes, no and abstentions against the active eligible voters; then the majority
    of yes among yes and no. Nobody voting yes passes nothing."""
    if (yes + no + abstain) * 100 < quorum_percent * active:
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
        _move(ballot.proposal, State.PASSED, ended_at=now)
        _overtake_proposals(ballot.proposal, version)
    # Everyone reads and accepts the new version before writing again.
    Member.objects.filter(must_accept_charter=False).update(must_accept_charter=True)
    return version


def _apply_amendment(
    proposal: Proposal, current: CharterVersion, number: int, now: datetime
) -> CharterVersion:
    version = CharterVersion.objects.create(
        state=VersionState.RATIFIED,
        number=number,
        parameters=with_defaults(current.parameters) | proposal.parameters,
        previous=current,
        ratified_at=now,
    )
    texts = apply_changes(selectors.article_texts(current), selectors.changes_of(proposal))
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
    return version


def _overtake_proposals(passed: Proposal, version: CharterVersion) -> None:
    """Proposals touching what `passed` changed are outdated; the others move to `version`."""
    touched = _touched(passed)
    live = Proposal.objects.filter(
        state__in=[State.DRAFT, State.SEEKING, State.DISCUSSION, State.FROZEN, State.BALLOT]
    ).prefetch_related("changes")
    for proposal in live:
        if proposal.state != State.BALLOT and _touched(proposal) & touched:
            _move(proposal, State.OUTDATED, overtaken_by=version)
            _tell_sponsors(proposal, "outdated")
        else:
            Proposal.objects.filter(pk=proposal.pk).update(base=version)


def _reject_founding_draft(draft: CharterVersion) -> None:
    """The failed draft is kept as it was voted on; a copy becomes the draft to revise."""
    draft.state = VersionState.REJECTED
    draft.save(update_fields=["state"])
    revised = CharterVersion.objects.create(
        state=VersionState.PROVISIONAL, parameters=draft.parameters, previous=draft
    )
    Article.objects.bulk_create(
        Article(
            version=revised,
            identity=article.identity,
            number=article.number,
            title=article.title,
            body=article.body,
            html=article.html,
            entrenched=article.entrenched,
        )
        for article in draft.articles.all()
    )


def _announce_result(ballot: Ballot) -> None:
    """One notification per member per ballot: a ratification tells everyone to accept it."""
    common = {
        "actor": None,
        "event_key": f"ballot:{ballot.pk}:result",
        "title": _ballot_title(ballot),
        "url": ballot.get_absolute_url(),
    }
    if ballot.passed:
        notify(
            kind=Kind.CHARTER_RATIFIED,
            recipients=Member.objects.filter(is_active=True),
            **common | {"url": reverse("charter:accept")},
        )
        return
    proposers = _proposers(ballot.proposal) if ballot.proposal_id else []
    notify(
        kind=Kind.BALLOT_RESULT,
        recipients=_on_roll(ballot) | Member.objects.filter(pk__in=proposers),
        **common,
    )


def _tell_sponsors(proposal: Proposal, news: str) -> None:
    notify(
        kind=Kind.PROPOSAL_NEWS,
        recipients=_proposers(proposal),
        actor=None,
        event_key=f"proposal:{proposal.pk}:{news}:{proposal.revision}",
        title=proposal.title,
        url=proposal.get_absolute_url(),
    )
