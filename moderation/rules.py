"""Who may do what in moderation: flat checks, each returning a boolean, and the refusal its
services give when an operation cannot be done as asked.

The services check them again inside their transactions; views use them to show or hide
actions. A moderator with a conflict of interest (the post is theirs, or they signalled it)
may read a case but neither decide it nor hear its appeal.
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from forum.models import Post
from forum.rules import can_read_thread
from members.models import Member, Role
from members.rules import Refused, can_participate, is_moderator
from moderation.models import Action, Appeal, Case, Decision, Outcome, Signal
from moderation.sanctions import SanctionKind

Person = Member | AnonymousUser


class ModerationRefused(Refused):
    """An operation that cannot be done as asked; the message tells the member why."""


def can_signal(member: Person, post: Post) -> bool:
    if not can_participate(member) or post.author_id == member.pk:
        return False
    if not (post.is_visible or post.is_pending_review):
        return False
    return can_read_thread(member, post.thread)


def is_new_member(member: Member, *, at: datetime, parameters: dict) -> bool:
    """A member for less than the charter's `signal_weight_days`: their signals hide nothing."""
    return at < member.date_joined + timedelta(days=parameters["signal_weight_days"])


def signals_count_toward_hiding(signal: Signal, parameters: dict) -> bool:
    """A signal hides its post with others unless a new member made it (`by_new_member`) or its
    signaller's last settled signals were mostly not upheld; either way it is still recorded
    and shown to the moderators."""
    if signal.by_new_member:
        return False
    window = parameters["accuracy_signals"]
    outcomes = list(
        Signal.objects.filter(signaller_id=signal.signaller_id, decision__isnull=False)
        .order_by("-decision__created_at", "-pk")
        .values_list("outcome", flat=True)[:window]
    )
    if len(outcomes) < window:
        return True
    upheld = outcomes.count(Outcome.UPHELD)
    return upheld * 100 >= parameters["accuracy_percent"] * window


def can_see_signallers(member: Person, case: Case) -> bool:
    """Who signalled a post, and each signaller's record, are the moderators' to know and never
    its author's, whatever their role: a moderator whose post it is sees the case as its author
    would, the signals without names (as the journal shows them)."""
    return is_moderator(member) and member.pk != case.post.author_id


def has_conflict(member: Person, case: Case, signaller_ids: set[int]) -> bool:
    return member.pk == case.post.author_id or member.pk in signaller_ids


def is_held(case: Case, *, at: datetime | None = None) -> bool:
    """Claimed, and the claim has not lapsed: a moderator who vanished holds nothing for long."""
    return case.claimed_by_id is not None and (at or timezone.now()) < case.claim_lapses_at


def can_claim(
    member: Person, case: Case, signaller_ids: set[int], *, at: datetime | None = None
) -> bool:
    if not is_moderator(member) or not case.is_open or has_conflict(member, case, signaller_ids):
        return False
    return not is_held(case, at=at)


def can_release(member: Person, case: Case, *, at: datetime | None = None) -> bool:
    if not is_moderator(member) or not case.is_open:
        return False
    return case.claimed_by_id == member.pk and is_held(case, at=at)


def can_decide(
    member: Person, case: Case, signaller_ids: set[int], *, at: datetime | None = None
) -> bool:
    """Deciding needs no claim, but a case someone else holds is theirs to decide until their
    claim lapses."""
    if not is_moderator(member) or not case.is_open or has_conflict(member, case, signaller_ids):
        return False
    return case.claimed_by_id == member.pk or not is_held(case, at=at)


def can_step_aside(member: Person, case: Case, signaller_ids: set[int]) -> bool:
    return is_moderator(member) and case.is_open and has_conflict(member, case, signaller_ids)


def can_read_decision(member: Person, decision: Decision) -> bool:
    """The rationale addressed to the author: theirs and the moderators' to read."""
    return is_moderator(member) or (
        member.is_authenticated and decision.case.post.author_id == member.pk
    )


# Decisions that leave the post as it was: their note under it is public.
KEPT_WITH_A_NOTE = (Action.KEEP, Action.PICTURE)


def can_read_post_decision(member: Person, post: Post, decision: Decision) -> bool:
    """Under the post: a note on a post kept is everyone's to read; why a post was hidden or
    deleted, its author's and the moderators'."""
    if decision.action in KEPT_WITH_A_NOTE or is_moderator(member):
        return True
    return member.is_authenticated and post.author_id == member.pk


def is_ban(decision: Decision) -> bool:
    sanction = getattr(decision, "sanction", None)  # the reverse one-to-one, when there is one
    return sanction is not None and sanction.kind == SanctionKind.BAN


def can_appeal(
    member: Person, decision: Decision, *, appealed: bool, at: datetime | None = None
) -> bool:
    """Once, by the author, within the window; a suspended author may still appeal, and a
    banned one may appeal the ban itself (through the ban email's link: they cannot sign in)."""
    if not (member.is_authenticated and member.is_active):
        return False
    if member.is_banned and not is_ban(decision):
        return False
    if decision.case.post.author_id != member.pk or not decision.is_upheld or appealed:
        return False
    return (at or timezone.now()) < decision.appeal_until


def can_hear_appeal(member: Person, appeal: Appeal, signaller_ids: set[int]) -> bool:
    """Another moderator hears it: not the one who decided, nor the author, nor a signaller."""
    if not is_moderator(member) or not appeal.is_pending:
        return False
    if member.pk == appeal.decision.moderator_id:
        return False
    return not has_conflict(member, appeal.decision.case, signaller_ids)


def can_see_moderator_names(member: Person, *, public_names: bool) -> bool:
    return public_names or is_moderator(member)


def can_change_account(admin: Person, member: Member) -> bool:
    """An admin deactivates or reactivates another's account, never their own (another admin
    does, so the site never loses its last admin to a click), nor a deleted one. An admin's
    account is a superuser's to change."""
    if not (admin.is_authenticated and admin.is_active and admin.is_staff):
        return False
    if admin.pk == member.pk or member.is_deleted:
        return False
    return admin.is_superuser or not (member.is_staff or member.is_superuser)


def can_change_role(admin: Person, member: Member, role: Role) -> bool:
    """Any admin appoints moderators; only a superuser makes or unmakes admins."""
    return can_change_account(admin, member) and (role == Role.MODERATOR or admin.is_superuser)
