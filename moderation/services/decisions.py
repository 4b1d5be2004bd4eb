"""A moderator settles an open case: dismisses it, or upholds it with an action on the post and
perhaps a sanction, a step of the ladder, on its author."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.models import Article
from charter.selectors import parameters_in_force
from forum import services as forum
from forum.models import Post
from members import services as members
from members.models import Member
from members.rules import require
from moderation import rules, selectors
from moderation.appeal_links import ban_appeal_url
from moderation.models import (
    Action,
    Case,
    CaseEvent,
    CaseState,
    Decision,
    EventKind,
    JournalKind,
    Outcome,
    Sanction,
    SanctionKind,
)
from moderation.rules import ModerationRefused
from moderation.sanctions import Step
from moderation.services.journal import lock_journal, record_in_journal, tell
from moderation.services.queue import locked_case
from moderation.services.signals import cited_articles
from notifications.models import EmailChoice, Kind


def decide_case(
    *,
    moderator: Member,
    case: Case,
    outcome: str,
    article_ids: list[int],
    rationale: str,
    action: str = "",
    sanction: Step | None = None,
    now: datetime | None = None,
) -> Decision:
    """Settle an open case: dismiss it (no breach) or uphold it with an action on the post
    and, optionally, a sanction on its author. Every signal of the case is settled with it;
    the author and the signallers are told, and the journal records it."""
    now = now or timezone.now()
    rationale = rationale.strip()
    articles = cited_articles(article_ids)
    _check_decision(outcome, articles, rationale, action, sanction)
    with transaction.atomic():
        lock_journal()
        post = (
            Post.objects.select_for_update(of=("self",))
            .select_related("thread", "author")
            .get(pk=case.post_id)
        )
        case = locked_case(case, now)
        require(rules.can_decide(moderator, case, selectors.signaller_ids(case), at=now))
        if sanction is not None and post.author is None:
            raise ModerationRefused(_("The author's account is gone: there is nobody to sanction."))
        removing_picture = outcome == Outcome.UPHELD and action == Action.PICTURE
        if removing_picture and not (post.author and post.author.avatar):
            raise ModerationRefused(_("The post's author has no picture to remove."))
        upheld = outcome == Outcome.UPHELD
        appeal_days = parameters_in_force()["appeal_days"]
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
        banned = upheld and sanction is not None and sanction.kind == SanctionKind.BAN
        if upheld and sanction is not None:
            _sanction(decision, post.author, sanction, now)
        case.state, case.settled_at = CaseState.SETTLED, now
        case.claimed_by, case.claim_lapses_at = None, None
        case.save(update_fields=["state", "settled_at", "claimed_by", "claim_lapses_at"])
        CaseEvent.objects.create(
            case=case, kind=EventKind.DECIDED, actor=moderator, at=now, note=rationale
        )
        record_in_journal(
            JournalKind.DECISION, decision, moderator, outcome, rationale, articles, now
        )
        _tell_of_decision(decision, post, articles, banned=banned)
    return decision


def _check_decision(
    outcome: str, articles: list[Article], rationale: str, action: str, sanction: Step | None
) -> None:
    if outcome == Outcome.DISMISSED:
        if action or sanction is not None:
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
    if sanction is not None and sanction not in selectors.ladder_in_force():
        raise ModerationRefused(_("Choose a sanction from the list."))


def _carry_out(decision: Decision, post: Post, moderator: Member) -> None:
    if decision.action == Action.HIDE:
        forum.hide_post(post=post)
    elif decision.action == Action.DELETE:
        forum.remove_post(post=post, moderator=moderator)
    else:
        if decision.action == Action.PICTURE:
            # Its files go; an overturned decision cannot bring them back, but the member
            # may choose a picture again (moderation.services.appeals).
            members.remove_avatar(member=post.author)
        if post.is_pending_review:
            forum.show_post(post=post)


def _sanction(decision: Decision, author: Member, step: Step, now: datetime) -> None:
    Sanction.objects.create(
        decision=decision,
        member=author,
        kind=step.kind,
        days=step.days,
        starts_at=now,
        ends_at=now + timedelta(days=step.days) if step.days else None,
    )
    apply_standing(author, now)


def apply_standing(member: Member, now: datetime) -> None:
    """Set the member's standing from every sanction in force on them."""
    in_force = Sanction.objects.filter(member=member, lifted_at__isnull=True)
    suspended = in_force.filter(kind=SanctionKind.SUSPENSION, ends_at__gt=now)
    banned = in_force.filter(kind=SanctionKind.BAN)
    members.set_standing(
        member=member,
        suspended_until=suspended.aggregate(until=Max("ends_at"))["until"],
        banned_at=banned.aggregate(since=Min("starts_at"))["since"],
    )


def _tell_of_decision(
    decision: Decision, post: Post, articles: list[Article], *, banned: bool
) -> None:
    """The author learns the decision; a banned author, who cannot sign in, by email whatever
    they chose, with the signed link that opens the decision and their appeal."""
    cited = ", ".join(str(article) for article in articles)
    summary = f"{decision.get_outcome_display()}. {cited}\n{decision.rationale}".strip()
    event_key = f"decision:{decision.pk}"
    if post.author_id:
        url, excerpt, email = decision.get_absolute_url(), summary, None
        if banned:
            url = ban_appeal_url(decision=decision, member_id=post.author_id)
            notice = _(
                "Your account is banned. The link of this email opens the decision and lets "
                "you appeal it, once, without signing in."
            )
            excerpt = f"{notice}\n{summary}"
            email = EmailChoice.IMMEDIATELY
        tell(
            [post.author_id],
            post,
            kind=Kind.POST_DECISION,
            event_key=event_key,
            url=url,
            excerpt=excerpt,
            email=email,
        )
    tell(
        Member.objects.filter(signals__decision=decision),
        post,
        kind=Kind.SIGNAL_OUTCOME,
        event_key=event_key,
        url=selectors.my_signals_url(),
        excerpt=summary,
    )
