"""Who may do what in the forum: flat checks returning a boolean, or the reason why not."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forum.models import Category, Post, PostState, Thread, Upload
from members import procedure
from members.models import Member
from members.rules import Refused, Remedy, can_participate, is_moderator
from members.rules import require as require  # forum.services calls it as rules.require

Person = Member | AnonymousUser


def can_read_category(member: Person, category: Category) -> bool:
    return not category.read_restricted or is_moderator(member)


def can_read_thread(member: Person, thread: Thread) -> bool:
    """A thread held open is read as if its category were public."""
    return thread.held_open or can_read_category(member, thread.category)


def can_start_thread(member: Person, category: Category) -> bool:
    if not can_participate(member) or not can_read_category(member, category):
        return False
    return not category.write_restricted or is_moderator(member)


def why_cannot_start_thread(member: Person, category: Category) -> Refused | None:
    """The refusal shown on a category's page to a member who may not start a thread there now;
    None if they may, and for those to whom the page has nothing to say: visitors, and
    members where only moderators write."""
    if can_start_thread(member, category) or not member.is_authenticated:
        return None
    if category.write_restricted and not member.is_moderator:
        return None
    if member.is_suspended:
        until = date_format(timezone.localtime(member.suspended_until), "DATETIME_FORMAT")
        return Refused(
            _("You are suspended until %(date)s: you may read, but not start threads.")
            % {"date": until}
        )
    if member.must_accept_charter:
        return Refused(_("Accept the charter to start a thread"), remedy=Remedy.ACCEPT_CHARTER)
    return None


def can_reply(member: Person, thread: Thread) -> bool:
    # Held open: neither the category's restrictions nor a lock can silence the thread.
    if thread.held_open:
        return can_participate(member)
    if not can_start_thread(member, thread.category):
        return False
    return not thread.locked or is_moderator(member)


def why_cannot_lock(thread: Thread) -> str | None:
    if thread.held_open:
        return _(
            "This thread is held open for every member who may post while the process it "
            "belongs to runs, such as the discussion of a charter amendment: it cannot be "
            "locked meanwhile."
        )
    return None


def why_cannot_reply(member: Person, thread: Thread) -> Refused | None:
    """The refusal shown under a thread to a member who may not reply; None if they may."""
    if can_reply(member, thread):
        return None
    if not member.is_authenticated:
        return Refused(_("Sign in to reply."), remedy=Remedy.SIGN_IN)
    if thread.locked and not thread.held_open and not member.is_moderator:
        return Refused(_("This thread is locked: no new replies."))
    if member.is_suspended:
        until = date_format(timezone.localtime(member.suspended_until), "DATETIME_FORMAT")
        return Refused(
            _("You are suspended until %(date)s: you may read, but not reply.") % {"date": until}
        )
    if member.must_accept_charter:
        return Refused(_("Accept the charter to reply"), remedy=Remedy.ACCEPT_CHARTER)
    return Refused(_("You cannot reply in this category."))


def can_edit_post(member: Person, post: Post) -> bool:
    # A post hidden pending review may be mended by its author; one hidden by a decision may not.
    if not can_participate(member) or not (post.is_visible or post.is_pending_review):
        return False
    return post.author_id == member.pk


def can_delete_post(member: Person, post: Post) -> bool:
    if not can_participate(member) or post.is_deleted:
        return False
    if post.author_id == member.pk:
        return True
    # In a thread held open, moderators act on a post through a case, which the journal
    # records, not by deleting it with nothing to show for it.
    return is_moderator(member) and not post.thread.held_open


def can_thank(member: Person, post: Post) -> bool:
    if not can_participate(member) or not post.is_visible:
        return False
    return post.author_id is not None and post.author_id != member.pk


def can_upload(member: Person) -> bool:
    return can_participate(member)


def can_see_upload(member: Person, upload: Upload) -> bool:
    """An upload is seen as the post that took it: hidden with it, and by those who may read
    its thread. Its owner and the moderators (who judge the post's signalled copies) always
    may; until a post takes it, no one else."""
    if member.is_authenticated and (upload.owner_id == member.pk or is_moderator(member)):
        return True
    post = upload.post
    if post is None or post.state not in (PostState.VISIBLE, PostState.PENDING):
        return False
    return can_read_thread(member, post.thread)


FIRST_DAY = timedelta(days=1)


def is_first_day(member: Member, now: datetime) -> bool:
    """Whether `member` is in their first day, when what they may post is limited; moderators
    and admins, trusted by appointment, never are."""
    if member.is_moderator or member.is_staff:
        return False
    return now < member.date_joined + FIRST_DAY


def first_day_problem(member: Member, *, now: datetime, starting_thread: bool) -> str | None:
    """Why `member` may not post (or, `starting_thread`, start a thread) now; None if they may.

    In their first day a member may start `first_day_threads` threads and write
    `first_day_posts` posts (procedural parameters of the charter), a thread's first post
    included. Deleted posts count: deleting one does not make room for another.
    """
    if not is_first_day(member, now):
        return None
    limits = procedure.in_force()
    ends = date_format(timezone.localtime(member.date_joined + FIRST_DAY), "DATETIME_FORMAT")
    if starting_thread:
        limit = limits["first_day_threads"]
        started = Thread.objects.filter(author=member, created_at__gte=member.date_joined)
        if started.count() >= limit:
            return ngettext(
                "From %(time)s you may start another thread: "
                "in their first day, members may start %(limit)s thread.",
                "From %(time)s you may start another thread: "
                "in their first day, members may start %(limit)s threads.",
                limit,
            ) % {"limit": limit, "time": ends}
    limit = limits["first_day_posts"]
    if Post.objects.filter(author=member, created_at__gte=member.date_joined).count() >= limit:
        return ngettext(
            "From %(time)s you may post again: "
            "in their first day, members may write %(limit)s post.",
            "From %(time)s you may post again: "
            "in their first day, members may write %(limit)s posts.",
            limit,
        ) % {"limit": limit, "time": ends}
    return None


class PostingRefused(Refused):
    """A post the member may not write now; the message says why, and when they may."""
