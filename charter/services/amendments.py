"""Amendment proposals: drafting, co-sponsors, discussion, and the state machine they move in.

Every change of a proposal's state goes through `move`, a conditional UPDATE from the state it
was read in, so deadlines run twice, or late, change nothing the second time.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from charter import rules, selectors
from charter.models import (
    CharterVersion,
    Proposal,
    ProposalState,
    ProposedChange,
    Sponsorship,
)
from charter.parameters import BY_KEY
from charter.rules import InvalidChange
from charter.texts import Change
from forum import services as forum
from forum.models import Category
from forum.rendering import render_markdown
from members.models import Member
from members.rules import require
from notifications.models import Kind
from notifications.services import notify

State = ProposalState


TRANSITIONS: dict[str, set[str]] = {
    State.DRAFT: {State.SEEKING, State.WITHDRAWN, State.OUTDATED},
    State.SEEKING: {State.DISCUSSION, State.LAPSED, State.WITHDRAWN, State.OUTDATED},
    State.DISCUSSION: {State.FROZEN, State.WITHDRAWN, State.OUTDATED},
    State.FROZEN: {State.BALLOT, State.WITHDRAWN, State.OUTDATED},
    # Back to frozen when its ballot is void: it goes to another.
    State.BALLOT: {State.PASSED, State.FAILED, State.FROZEN},
    State.OUTDATED: {State.DRAFT, State.SEEKING, State.DISCUSSION, State.WITHDRAWN},
}

# A proposal in one of these states is over: its discussion is an ordinary thread again.
ENDED = {State.PASSED, State.FAILED, State.LAPSED, State.WITHDRAWN}


def create_proposal(
    *,
    author: Member,
    title: str,
    rationale: str,
    changes: list[Change],
    parameters: dict,
) -> Proposal:
    current = selectors.current_version()
    require(rules.can_propose(author, current))
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
    require(rules.can_revise(author, proposal))
    now = timezone.now()
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        require(rules.can_revise(author, locked))
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
            with translation.override(settings.LANGUAGE_CODE):
                note = _("The author revised the proposal (revision %(revision)s).")
            _post_in_discussion(locked, note % {"revision": locked.revision})
    locked.refresh_from_db()
    return locked


def _resume_after_rebase(proposal: Proposal, now: datetime) -> None:
    """Back to where it was; a rebased text that had its co-sponsors gets a full discussion."""
    if proposal.submitted_at is None:
        move(proposal, State.DRAFT, overtaken_by=None)
    elif proposal.sponsored_at is None:
        # A fresh window: nobody could co-sponsor while it was outdated.
        due = _stage_end(proposal.base, "cosponsor_days", now)
        move(proposal, State.SEEKING, overtaken_by=None, sponsors_due_at=due)
    else:
        ends = _stage_end(proposal.base, "discussion_days", now)
        move(proposal, State.DISCUSSION, overtaken_by=None, discussion_ends_at=ends)
        with translation.override(settings.LANGUAGE_CODE):
            note = _("The proposal was rebased on version %(number)s; its discussion starts again.")
        _post_in_discussion(proposal, note % {"number": proposal.base.number})


def submit_proposal(*, author: Member, proposal: Proposal, now: datetime | None = None) -> Proposal:
    """Publish a draft: it now needs co-sponsors within the charter's deadline."""
    now = now or timezone.now()
    current = selectors.current_version()
    require(rules.can_submit(author, proposal, current))
    due = _stage_end(current, "cosponsor_days", now)
    with transaction.atomic():
        move(proposal, State.SEEKING, submitted_at=now, sponsors_due_at=due)
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
        if locked.state == State.SEEKING and locked.sponsors_due_at <= now:
            raise InvalidChange(_("The time to co-sponsor this proposal is over."))
        require(rules.can_sponsor(member, locked, current, at=now))
        sponsorship, created = Sponsorship.objects.get_or_create(proposal=locked, member=member)
        needed = locked.base.settings["cosponsors"]
        if created and locked.sponsorships.count() >= needed:
            _start_discussion(locked, now)
    proposal.refresh_from_db()
    return sponsorship


def _stage_end(version: CharterVersion, days: str, now: datetime) -> datetime:
    """When a stage that starts `now` ends: after the `days` parameter of `version`."""
    return now + timedelta(days=version.settings[days])


def _start_discussion(proposal: Proposal, now: datetime) -> None:
    proposal.discussion_ends_at = _stage_end(proposal.base, "discussion_days", now)
    thread = forum.start_thread_for(
        author=proposal.author,
        category=_discussion_category(),
        title=proposal.title[: settings.THREAD_TITLE_MAX_LENGTH],
        source=_discussion_opening(proposal),
        # The discussion stays open to every member who may post, whatever an admin does to
        # its category or its lock, until the proposal ends (`move`).
        held_open=True,
        # Its opening is written in the site's language, like the charter it amends.
        language=settings.LANGUAGE_CODE,
    )
    move(
        proposal,
        State.DISCUSSION,
        sponsored_at=now,
        discussion_ends_at=proposal.discussion_ends_at,
        thread=thread,
    )
    tell_sponsors(proposal, "discussion")


def _discussion_category() -> Category:
    # Written into the forum for everyone: in the site's language, not the member's.
    with translation.override(settings.LANGUAGE_CODE):
        return _charter_category()


def _charter_category() -> Category:
    category, _created = Category.objects.get_or_create(
        slug=settings.CHARTER_CATEGORY_SLUG,
        defaults={"name": _("Charter"), "description": _("Amendments to the charter, discussed.")},
    )
    return category


def _discussion_opening(proposal: Proposal) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _discussion_opening_text(proposal)


def _discussion_opening_text(proposal: Proposal) -> str:
    url = proposal.get_absolute_url()
    return _(
        "This thread discusses the amendment proposal [“%(title)s”](%(url)s) until "
        "%(date)s. Its author may revise it meanwhile; then it goes to a secret ballot.\n\n"
        "**Rationale**\n\n%(rationale)s"
    ) % {
        "title": proposal.title,
        "url": url,
        "date": date_format(timezone.localtime(proposal.discussion_ends_at)),
        "rationale": proposal.rationale,
    }


def _post_in_discussion(proposal: Proposal, text: str) -> None:
    if proposal.thread_id is None:
        return
    forum.reply(
        author=proposal.author,
        thread=proposal.thread,
        source=f"*{text}*",
        language=settings.LANGUAGE_CODE,
    )


def withdraw_proposal(*, author: Member, proposal: Proposal) -> Proposal:
    require(rules.can_withdraw(author, proposal))
    with transaction.atomic():
        move(proposal, State.WITHDRAWN, ended_at=timezone.now())
        tell_sponsors(proposal, "withdrawn")
    return proposal


def move(proposal: Proposal, to: str, **fields) -> None:
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
    if to in ENDED and proposal.thread_id:
        forum.release_thread(thread_id=proposal.thread_id)


def _check_amendment(current: CharterVersion, changes: list[Change], parameters: dict) -> None:
    if not changes and not parameters:
        raise InvalidChange(_("An amendment changes at least one article or parameter."))
    in_force = current.settings
    for key, value in checked_parameters(parameters).items():
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


def checked_parameters(values: dict) -> dict:
    checked = {}
    for key, value in values.items():
        parameter = BY_KEY.get(key)
        if parameter is None or not parameter.amendable:
            raise InvalidChange(_("Unknown parameter: %(key)s.") % {"key": key})
        if problem := parameter.problem(value):
            raise InvalidChange(problem)
        checked[key] = value
    return checked


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


def lapse_unsponsored_proposals(*, now: datetime) -> int:
    lapsed = 0
    for proposal in Proposal.objects.filter(state=State.SEEKING, sponsors_due_at__lte=now):
        with transaction.atomic():
            try:
                move(proposal, State.LAPSED, ended_at=now)
            except InvalidChange:
                continue
            tell_sponsors(proposal, "lapsed")
            lapsed += 1
    return lapsed


def end_discussions(*, now: datetime) -> int:
    frozen = 0
    for proposal in Proposal.objects.filter(state=State.DISCUSSION, discussion_ends_at__lte=now):
        try:
            move(proposal, State.FROZEN)
        except InvalidChange:
            continue
        frozen += 1
    return frozen


def touched(proposal: Proposal) -> set[str]:
    articles = {str(change.identity) for change in proposal.changes.all() if change.action != "add"}
    return articles | {f"parameter:{key}" for key in proposal.parameters}


def proposers(proposal: Proposal) -> list[int]:
    return [proposal.author_id, *proposal.sponsorships.values_list("member_id", flat=True)]


def tell_sponsors(proposal: Proposal, news: str) -> None:
    notify(
        kind=Kind.PROPOSAL_NEWS,
        recipients=proposers(proposal),
        actor=None,
        event_key=f"proposal:{proposal.pk}:{news}:{proposal.revision}",
        title=proposal.title,
        url=proposal.get_absolute_url(),
    )


def overtake_proposals(passed: Proposal, version: CharterVersion) -> None:
    """Proposals touching what `passed` changed are outdated; the others move to `version`."""
    changed = touched(passed)
    live = Proposal.objects.filter(
        state__in=[State.DRAFT, State.SEEKING, State.DISCUSSION, State.FROZEN, State.BALLOT]
    ).prefetch_related("changes")
    for proposal in live:
        if proposal.state != State.BALLOT and touched(proposal) & changed:
            move(proposal, State.OUTDATED, overtaken_by=version)
            tell_sponsors(proposal, "outdated")
        else:
            Proposal.objects.filter(pk=proposal.pk).update(base=version)
