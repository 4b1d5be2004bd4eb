"""Every operation that changes moderation data, each in one transaction.

Locks are taken in one order, member then post then case, so concurrent signals and decisions
on the same post queue up instead of racing: twenty identical signals leave one, and three
members signalling at once hide the post exactly once.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charter.models import Article
from forum import services as forum
from forum.models import Post
from members import services as members
from members.models import Member
from moderation import rules, selectors
from moderation.models import (
    SUSPENSION_DAYS,
    Action,
    Appeal,
    AppealState,
    Case,
    CaseEvent,
    CaseState,
    Decision,
    EventKind,
    JournalCitation,
    JournalEntry,
    JournalKind,
    Outcome,
    Sanction,
    SanctionKind,
    Signal,
)
from notifications import services as notifications
from notifications.models import Kind

EXCERPT_LENGTH = 300


class ModerationRefused(ValueError):
    """An operation that cannot be done as asked; the message tells the member why."""


# Signals


def signal_post(
    *,
    member: Member,
    post: Post,
    article_ids: list[int],
    other: bool = False,
    note: str = "",
    now: datetime | None = None,
) -> Signal:
    """Signal `post` to the moderators, citing articles of the charter in force (or "other"
    with a note). Opens the post's case (or reopens it if the post was edited since it was
    settled) and hides the post pending review once enough trusted members signalled it."""
    now = now or timezone.now()
    rules.require(rules.can_signal(member, post))
    note = note.strip()
    articles = _cited_articles(article_ids)
    if not articles and not other:
        raise ModerationRefused(_("Choose the article the post breaches, or “other”."))
    if other and not note:
        raise ModerationRefused(_("With “other”, say in a note what the post breaches."))
    parameters = selectors.parameters_in_force()
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        limit = parameters["signals_per_day"]
        if selectors.signals_in_last_day(member, now=now) >= limit:
            raise ModerationRefused(
                ngettext(
                    "You may signal %(limit)s post a day; try again tomorrow.",
                    "You may signal %(limit)s posts a day; try again tomorrow.",
                    limit,
                )
                % {"limit": limit}
            )
        post = Post.objects.select_for_update(of=("self",)).select_related("thread").get(pk=post.pk)
        if not (post.is_visible or post.is_pending_review):
            raise ModerationRefused(_("This post is no longer shown: there is nothing to signal."))
        if Signal.objects.filter(post=post, signaller=member).exists():
            raise ModerationRefused(_("You have already signalled this post."))
        case = _case_for_new_signal(post, now)
        signal = Signal.objects.create(
            case=case,
            post=post,
            signaller=member,
            created_at=now,
            other=other,
            note=note,
            snapshot_source=post.source,
            snapshot_html=post.html,
        )
        signal.articles.set(articles)
        CaseEvent.objects.create(case=case, kind=EventKind.SIGNALLED, actor=member, at=now)
        _hold_if_enough_signallers(case, post, parameters, now)
    return signal


def _cited_articles(article_ids: list[int]) -> list[Article]:
    """The articles cited, which must belong to the ratified charter in force."""
    wanted = set(article_ids)
    if not wanted:
        return []
    articles = list(selectors.citable_articles().filter(pk__in=wanted))
    if len(articles) != len(wanted):
        raise ModerationRefused(_("Cite articles of the charter in force."))
    return articles


def _case_for_new_signal(post: Post, now: datetime) -> Case:
    case = Case.objects.select_for_update().filter(post=post).first()
    if case is None:
        case = Case.objects.create(post=post, opened_at=now)
        _record_opening(case, EventKind.OPENED, now)
    elif not case.is_open:
        if post.edited_at is None or post.edited_at <= case.settled_at:
            raise ModerationRefused(
                _(
                    "The moderators have already decided on this post as it stands: "
                    "see the moderation journal."
                )
            )
        case.state, case.settled_at, case.opened_at = CaseState.OPEN, None, now
        case.save(update_fields=["state", "settled_at", "opened_at"])
        _record_opening(case, EventKind.REOPENED, now)
    return case


def _record_opening(case: Case, kind: EventKind, now: datetime) -> None:
    event = CaseEvent.objects.create(case=case, kind=kind, at=now)
    notifications.notify(
        kind=Kind.NEW_CASE,
        recipients=selectors.moderators().exclude(pk=case.post.author_id),
        actor=None,
        event_key=f"case-event:{event.pk}",
        group_key="moderation-queue",
        title=case.post.thread.title,
        url=case.get_absolute_url(),
    )


def _hold_if_enough_signallers(case: Case, post: Post, parameters: dict, now: datetime) -> None:
    if not post.is_visible:
        return
    signallers = set(
        case.signals.filter(decision__isnull=True).values_list("signaller_id", flat=True)
    )
    trusted = [pk for pk in signallers if selectors.signals_count_toward_hiding(pk, parameters)]
    if len(trusted) < parameters["auto_hide_signallers"] or not forum.hold_for_review(post=post):
        return
    event = CaseEvent.objects.create(case=case, kind=EventKind.HELD, at=now)
    if post.author_id:
        notifications.notify(
            kind=Kind.POST_HELD,
            recipients=[post.author_id],
            actor=None,
            event_key=f"case-event:{event.pk}",
            title=post.thread.title,
            url=post.get_absolute_url(),
        )


# The queue


def claim_case(*, moderator: Member, case: Case, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        case = _locked_case(case)
        if case.claimed_by_id not in (None, moderator.pk):
            raise ModerationRefused(
                _("%(name)s holds this case.") % {"name": case.claimed_by.public_name}
            )
        rules.require(rules.can_claim(moderator, case, selectors.signaller_ids(case)))
        case.claimed_by = moderator
        case.save(update_fields=["claimed_by"])
        CaseEvent.objects.create(case=case, kind=EventKind.CLAIMED, actor=moderator, at=now)


def release_case(*, moderator: Member, case: Case, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        case = _locked_case(case)
        rules.require(rules.can_release(moderator, case))
        _release(case, moderator, EventKind.RELEASED, now)


def step_aside(*, moderator: Member, case: Case, now: datetime | None = None) -> None:
    """Record that a moderator with a conflict of interest leaves the case to others."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _locked_case(case)
        rules.require(rules.can_step_aside(moderator, case, selectors.signaller_ids(case)))
        _release(case, moderator, EventKind.STEPPED_ASIDE, now)


def defer_case(*, moderator: Member, case: Case, note: str, now: datetime | None = None) -> None:
    """Leave the case open for later (or for another moderator), affecting nobody's record."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _locked_case(case)
        rules.require(rules.can_decide(moderator, case, selectors.signaller_ids(case)))
        _release(case, moderator, EventKind.DEFERRED, now, note=note.strip())


def _locked_case(case: Case) -> Case:
    # Nothing nullable is joined: a lock that waited re-reads the case row but not the joined
    # rows, so a joined claimant could be stale (claimed_by is read afresh when needed).
    return Case.objects.select_for_update(of=("self",)).select_related("post").get(pk=case.pk)


def _release(case: Case, moderator: Member, kind: EventKind, now: datetime, note: str = "") -> None:
    if case.claimed_by_id == moderator.pk:
        case.claimed_by = None
        case.save(update_fields=["claimed_by"])
    CaseEvent.objects.create(case=case, kind=kind, actor=moderator, at=now, note=note)


# Decisions


def decide_case(
    *,
    moderator: Member,
    case: Case,
    outcome: str,
    article_ids: list[int],
    rationale: str,
    action: str = "",
    sanction: str = "",
    suspension_days: int | None = None,
    now: datetime | None = None,
) -> Decision:
    """Settle an open case: dismiss it (no breach) or uphold it with an action on the post
    and, optionally, a sanction on its author. Every signal of the case is settled with it;
    the author and the signallers are told, and the journal records it."""
    now = now or timezone.now()
    rationale = rationale.strip()
    articles = _cited_articles(article_ids)
    _check_decision(outcome, articles, rationale, action, sanction, suspension_days)
    with transaction.atomic():
        post = (
            Post.objects.select_for_update(of=("self",))
            .select_related("thread", "author")
            .get(pk=case.post_id)
        )
        case = _locked_case(case)
        rules.require(rules.can_decide(moderator, case, selectors.signaller_ids(case)))
        if sanction and post.author is None:
            raise ModerationRefused(_("The author's account is gone: there is nobody to sanction."))
        upheld = outcome == Outcome.UPHELD
        appeal_days = selectors.parameters_in_force()["appeal_days"]
        decision = Decision.objects.create(
            case=case,
            moderator=moderator,
            created_at=now,
            outcome=outcome,
            action=action if upheld else "",
            rationale=rationale,
            appeal_until=now + timedelta(days=appeal_days) if upheld else None,
        )
        decision.articles.set(articles)
        case.signals.filter(decision__isnull=True).update(decision=decision, outcome=outcome)
        _carry_out(decision, post, moderator)
        forum.thread_changed(thread_id=post.thread_id)  # the decision shows on the post
        if upheld and sanction:
            _sanction(decision, post.author, sanction, suspension_days, now)
        case.state, case.settled_at, case.claimed_by = CaseState.SETTLED, now, None
        case.save(update_fields=["state", "settled_at", "claimed_by"])
        CaseEvent.objects.create(
            case=case, kind=EventKind.DECIDED, actor=moderator, at=now, note=rationale
        )
        _journal(JournalKind.DECISION, decision, moderator, outcome, rationale, articles, now)
        _tell_of_decision(decision, post, articles)
    return decision


def _check_decision(outcome, articles, rationale, action, sanction, suspension_days) -> None:
    if outcome == Outcome.DISMISSED:
        if action or sanction:
            raise ModerationRefused(_("A dismissal takes no action and no sanction."))
        return
    if outcome != Outcome.UPHELD:
        raise ModerationRefused(_("Choose to dismiss or to uphold."))
    if not articles:
        raise ModerationRefused(_("Upholding requires citing at least one article."))
    if not rationale:
        raise ModerationRefused(_("Upholding requires a rationale."))
    if action not in Action.values:
        raise ModerationRefused(_("Choose what to do with the post."))
    if sanction and sanction not in SanctionKind.values:
        raise ModerationRefused(_("Choose a sanction from the list."))
    if (sanction == SanctionKind.SUSPENSION) != (suspension_days is not None):
        raise ModerationRefused(_("A suspension, and only a suspension, needs a length."))
    if suspension_days is not None and suspension_days not in SUSPENSION_DAYS:
        raise ModerationRefused(_("A suspension lasts 1, 3, 7 or 30 days."))


def _carry_out(decision: Decision, post: Post, moderator: Member) -> None:
    if decision.action == Action.HIDE:
        forum.hide_post(post=post)
    elif decision.action == Action.DELETE:
        forum.remove_post(post=post, moderator=moderator)
    elif post.is_pending_review:
        forum.show_post(post=post)


def _sanction(
    decision: Decision, author: Member, kind: str, days: int | None, now: datetime
) -> None:
    Sanction.objects.create(
        decision=decision,
        member=author,
        kind=kind,
        days=days,
        starts_at=now,
        ends_at=now + timedelta(days=days) if days else None,
    )
    _apply_standing(author, now)


def _apply_standing(member: Member, now: datetime) -> None:
    """Set the member's standing from every sanction in force on them."""
    in_force = Sanction.objects.filter(member=member, lifted_at__isnull=True)
    suspended = in_force.filter(kind=SanctionKind.SUSPENSION, ends_at__gt=now)
    banned = in_force.filter(kind=SanctionKind.BAN)
    members.set_standing(
        member=member,
        suspended_until=suspended.aggregate(until=Max("ends_at"))["until"],
        banned_at=banned.aggregate(since=Min("starts_at"))["since"],
    )


def _tell_of_decision(decision: Decision, post: Post, articles: list[Article]) -> None:
    cited = ", ".join(str(article) for article in articles)
    about = {
        "actor": None,
        "event_key": f"decision:{decision.pk}",
        "title": post.thread.title,
        "excerpt": Truncator(
            f"{decision.get_outcome_display()}. {cited}\n{decision.rationale}".strip()
        ).chars(EXCERPT_LENGTH),
    }
    if post.author_id:
        notifications.notify(
            kind=Kind.POST_DECISION,
            recipients=[post.author_id],
            url=decision.get_absolute_url(),
            **about,
        )
    notifications.notify(
        kind=Kind.SIGNAL_OUTCOME,
        recipients=Member.objects.filter(signals__decision=decision),
        url=selectors.my_signals_url(),
        **about,
    )


# Appeals


def appeal_decision(
    *, member: Member, decision: Decision, statement: str, now: datetime | None = None
) -> Appeal:
    """The author's one appeal of an upheld decision, within the window of the charter that
    was in force; a suspended author may appeal."""
    now = now or timezone.now()
    statement = statement.strip()
    if not statement:
        raise ModerationRefused(_("Say why the decision should be overturned."))
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("case__post__thread")
            .get(pk=decision.pk)
        )
        appealed = Appeal.objects.filter(decision=decision).exists()
        if appealed:
            raise ModerationRefused(_("You have already appealed this decision."))
        if decision.is_upheld and now >= decision.appeal_until:
            raise ModerationRefused(_("The time to appeal this decision has ended."))
        rules.require(rules.can_appeal(member, decision, appealed=False, at=now))
        appeal = Appeal.objects.create(
            decision=decision, appellant=member, statement=statement, created_at=now
        )
        CaseEvent.objects.create(
            case=decision.case, kind=EventKind.APPEALED, actor=member, at=now, note=statement
        )
        notifications.notify(
            kind=Kind.NEW_APPEAL,
            recipients=selectors.moderators()
            .exclude(pk=decision.moderator_id)
            .exclude(pk__in=decision.case.signals.values("signaller")),
            actor=member,
            event_key=f"appeal:{appeal.pk}:open",
            group_key="moderation-appeals",
            title=decision.case.post.thread.title,
            url=appeal.get_absolute_url(),
        )
    return appeal


def hear_appeal(
    *,
    moderator: Member,
    appeal: Appeal,
    outcome: str,
    rationale: str,
    now: datetime | None = None,
) -> Appeal:
    """Another moderator confirms or overturns the decision. An overturn restores the post,
    lifts the sanction, and counts the decision's signals as not upheld."""
    now = now or timezone.now()
    rationale = rationale.strip()
    if outcome not in (AppealState.CONFIRMED, AppealState.OVERTURNED):
        raise ModerationRefused(_("Choose to confirm or to overturn the decision."))
    if not rationale:
        raise ModerationRefused(_("Hearing an appeal requires a rationale."))
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("decision__case__post__thread", "decision__case__post__author")
            .get(pk=appeal.pk)
        )
        decision = appeal.decision
        rules.require(
            rules.can_hear_appeal(moderator, appeal, selectors.signaller_ids(decision.case))
        )
        appeal.state, appeal.heard_by, appeal.heard_at = outcome, moderator, now
        appeal.rationale = rationale
        appeal.save(update_fields=["state", "heard_by", "heard_at", "rationale"])
        post = decision.case.post
        if outcome == AppealState.OVERTURNED:
            if decision.action in (Action.HIDE, Action.DELETE):
                forum.show_post(post=post)
            lifted = Sanction.objects.filter(decision=decision, lifted_at__isnull=True).update(
                lifted_at=now
            )
            if lifted:
                _apply_standing(post.author, now)
            decision.signals.update(outcome=Outcome.OVERTURNED)
        forum.thread_changed(thread_id=post.thread_id)  # the decision in force shows on the post
        CaseEvent.objects.create(
            case=decision.case, kind=EventKind.APPEAL_HEARD, actor=moderator, at=now, note=rationale
        )
        _journal(
            JournalKind.APPEAL,
            decision,
            moderator,
            outcome,
            rationale,
            list(decision.articles.all()),
            now,
            appeal=appeal,
        )
        notifications.notify(
            kind=Kind.APPEAL_OUTCOME,
            recipients=[appeal.appellant_id],
            actor=None,
            event_key=f"appeal:{appeal.pk}:heard",
            title=post.thread.title,
            url=decision.get_absolute_url(),
            excerpt=Truncator(f"{appeal.get_state_display()}. {rationale}").chars(EXCERPT_LENGTH),
        )
    return appeal


# The journal


def _journal(
    kind: JournalKind,
    decision: Decision,
    moderator: Member,
    outcome: str,
    rationale: str,
    articles: list[Article],
    now: datetime,
    appeal: Appeal | None = None,
) -> JournalEntry:
    sanction = Sanction.objects.filter(decision=decision).first()
    entry = JournalEntry.objects.create(
        kind=kind,
        created_at=now,
        case=decision.case,
        decision=decision,
        appeal=appeal,
        post_id=decision.case.post_id,
        moderator=moderator,
        outcome=outcome,
        action=decision.action,
        sanction=sanction.kind if sanction else "",
        suspension_days=sanction.days if sanction else None,
        rationale=rationale,
    )
    JournalCitation.objects.bulk_create(
        [JournalCitation(entry=entry, article=article) for article in articles]
    )
    return entry


def forget_member(*, member: Member, remove_posts: bool) -> None:
    """A member deletes their account.

    The moderation record stays whole, as by a deleted member: the signals they made (the
    cases, decisions and signallers' records rest on them, and authors were never told who
    signalled), their appeals, and the decisions and sanctions about their posts. A signal's
    note or an appeal's statement may say something of its writer; it stays with the record
    it explains, and the privacy page says so. The cases they held go back to the queue. If
    they asked for their posts to be removed, the copies signals took of those posts go too;
    what was decided about them stays, in the decisions and the journal.
    """
    now = timezone.now()
    for case in Case.objects.select_for_update().filter(claimed_by=member):
        _release(case, member, EventKind.RELEASED, now)
    if remove_posts:
        Signal.objects.filter(post__author=member).update(snapshot_source="", snapshot_html="")
