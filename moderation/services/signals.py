"""A member signals a post: the signal opens the post's case (or reopens it after an edit), and
enough trusted signallers hold the post for review."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from charter.models import Article
from charter.selectors import parameters_in_force
from forum import services as forum
from forum.models import Post
from members.models import Member
from members.rules import require
from moderation import rules, selectors
from moderation.models import Case, CaseEvent, CaseState, EventKind, Signal
from moderation.rules import ModerationRefused
from moderation.services.journal import case_event_key, tell
from notifications import services as notifications
from notifications.models import Kind


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
    require(rules.can_signal(member, post))
    note = note.strip()
    articles = cited_articles(article_ids)
    if not articles and not other:
        raise ModerationRefused(_("Choose the article the post breaches, or “other”."))
    if other and not note:
        raise ModerationRefused(_("With “other”, say in a note what the post breaches."))
    parameters = parameters_in_force()
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
            by_new_member=rules.is_new_member(member, at=now, parameters=parameters),
            snapshot_source=post.source,
            snapshot_html=post.html,
        )
        signal.articles.set(articles)
        CaseEvent.objects.create(case=case, kind=EventKind.SIGNALLED, actor=member, at=now)
        _hold_if_enough_signallers(case, post, parameters, now)
        # The post now shows the signaller that they signalled it, and moderators its case.
        forum.thread_changed(thread_id=post.thread_id)
    return signal


def cited_articles(article_ids: list[int]) -> list[Article]:
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
        event_key=case_event_key(event.pk),
        group_key="moderation-queue",
        title=case.post.thread.title,
        url=case.get_absolute_url(),
    )


def _hold_if_enough_signallers(case: Case, post: Post, parameters: dict, now: datetime) -> None:
    if not post.is_visible:
        return
    pending = case.signals.filter(decision__isnull=True).only("signaller_id", "by_new_member")
    trusted = {s.signaller_id for s in pending if rules.signals_count_toward_hiding(s, parameters)}
    if len(trusted) < parameters["auto_hide_signallers"] or not forum.hold_for_review(post=post):
        return
    event = CaseEvent.objects.create(case=case, kind=EventKind.HELD, at=now)
    if post.author_id:
        tell(
            [post.author_id],
            post,
            kind=Kind.POST_HELD,
            event_key=case_event_key(event.pk),
            url=post.get_absolute_url(),
        )
