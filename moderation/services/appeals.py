"""An author appeals an upheld decision, once; another moderator hears the appeal, and an
overturn undoes what the decision did."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import services as forum
from forum.models import Post
from members.models import Member
from members.rules import require
from moderation import rules, selectors
from moderation.appeal_links import ban_appeal_url
from moderation.models import (
    Action,
    Appeal,
    AppealState,
    CaseEvent,
    Decision,
    EventKind,
    JournalKind,
    Outcome,
    Sanction,
)
from moderation.rules import ModerationRefused
from moderation.services.decisions import apply_standing
from moderation.services.journal import lock_journal, record_in_journal, tell
from notifications import services as notifications
from notifications.models import EmailChoice, Kind


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
            .select_related("case__post__thread", "sanction")
            .get(pk=decision.pk)
        )
        appealed = Appeal.objects.filter(decision=decision).exists()
        if appealed:
            raise ModerationRefused(_("You have already appealed this decision."))
        if decision.is_upheld and now >= decision.appeal_until:
            raise ModerationRefused(_("The time to appeal this decision has ended."))
        require(rules.can_appeal(member, decision, appealed=False, at=now))
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
    """Another moderator confirms or overturns the decision."""
    now = now or timezone.now()
    rationale = rationale.strip()
    if outcome not in (AppealState.CONFIRMED, AppealState.OVERTURNED):
        raise ModerationRefused(_("Choose to confirm or to overturn the decision."))
    if not rationale:
        raise ModerationRefused(_("Hearing an appeal requires a rationale."))
    with transaction.atomic():
        lock_journal()
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("decision__case__post__thread", "decision__case__post__author")
            .get(pk=appeal.pk)
        )
        decision = appeal.decision
        require(rules.can_hear_appeal(moderator, appeal, selectors.signaller_ids(decision.case)))
        appeal.state, appeal.heard_by, appeal.heard_at = outcome, moderator, now
        appeal.rationale = rationale
        appeal.save(update_fields=["state", "heard_by", "heard_at", "rationale"])
        post = decision.case.post
        if outcome == AppealState.OVERTURNED:
            _overturn(decision, now)
        forum.thread_changed(thread_id=post.thread_id)  # the decision in force shows on the post
        CaseEvent.objects.create(
            case=decision.case, kind=EventKind.APPEAL_HEARD, actor=moderator, at=now, note=rationale
        )
        articles = list(decision.articles.all())
        record_in_journal(
            JournalKind.APPEAL, decision, moderator, outcome, rationale, articles, now, appeal
        )
        _tell_appellant(appeal, post, rationale)
    return appeal


def _tell_appellant(appeal: Appeal, post: Post, rationale: str) -> None:
    """The appellant, the post's author, learns the outcome; one still banned, who cannot sign
    in, by email whatever they chose, with a link that opens the decision and the hearing
    without signing in."""
    url, email = appeal.decision.get_absolute_url(), None
    if post.author is not None and post.author.is_banned:
        url = ban_appeal_url(decision=appeal.decision, member_id=appeal.appellant_id)
        email = EmailChoice.IMMEDIATELY
    tell(
        [appeal.appellant_id],
        post,
        kind=Kind.APPEAL_OUTCOME,
        event_key=f"appeal:{appeal.pk}:heard",
        url=url,
        excerpt=f"{appeal.get_state_display()}. {rationale}",
        email=email,
    )


def _overturn(decision: Decision, now: datetime) -> None:
    """Restore the post, lift the sanction, and count the decision's signals as not upheld.
    A picture removed stays removed (its files are gone): its member may choose it again."""
    post = decision.case.post
    if decision.action in (Action.HIDE, Action.DELETE):
        forum.show_post(post=post)
    lifted = Sanction.objects.filter(decision=decision, lifted_at__isnull=True).update(
        lifted_at=now
    )
    if lifted:
        apply_standing(post.author, now)
    decision.signals.update(outcome=Outcome.OVERTURNED)
