"""Every operation that changes moderation data, each in one transaction, by subject:
`signals` (a member signals a post, which opens its case and may hold the post for review),
`queue` (moderators claim, release, step aside from or defer a case; claims lapse),
`decisions` (a case settled, with its sanction), `appeals` (an author appeals, another
moderator hears it), `journal` (what they publish and whom they tell) and `accounts` (an admin
deactivates, reactivates or changes the role of an account, in the journal). Views, tests and
the demo use this package's names.

Locks are taken in one order, member then post then case, so concurrent signals and decisions
on the same post queue up instead of racing: twenty identical signals leave one, and three
members signalling at once hide the post exactly once. What writes to the journal holds it
before anything else (`journal.lock_journal`): entries enter its chain one at a time.
"""

from django.utils import timezone

from members.models import Member
from moderation.models import Case, EventKind, Signal
from moderation.rules import ModerationRefused
from moderation.services.accounts import change_role, deactivate_account, reactivate_account
from moderation.services.appeals import appeal_decision, hear_appeal
from moderation.services.decisions import decide_case
from moderation.services.journal import case_event_key
from moderation.services.queue import (
    claim_case,
    defer_case,
    lapse_claims,
    release,
    release_case,
    step_aside,
)
from moderation.services.signals import signal_post

__all__ = [
    "ModerationRefused",
    "appeal_decision",
    "case_event_key",
    "change_role",
    "claim_case",
    "deactivate_account",
    "decide_case",
    "defer_case",
    "forget_member",
    "hear_appeal",
    "lapse_claims",
    "reactivate_account",
    "release_case",
    "signal_post",
    "step_aside",
]


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
        release(case, member, EventKind.RELEASED, now)
    if remove_posts:
        Signal.objects.filter(post__author=member).update(snapshot_source="", snapshot_html="")
