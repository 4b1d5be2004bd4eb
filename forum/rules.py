"""Who may do what in the forum: flat checks, each returning a boolean."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from forum.models import Category, Post, Thread
from members.models import Member
from members.rules import can_participate, is_moderator

Person = Member | AnonymousUser


def can_read_category(member: Person, category: Category) -> bool:
    return not category.read_restricted or is_moderator(member)


def can_start_thread(member: Person, category: Category) -> bool:
    if not can_participate(member) or not can_read_category(member, category):
        return False
    return not category.write_restricted or is_moderator(member)


def can_reply(member: Person, thread: Thread) -> bool:
    if not can_start_thread(member, thread.category):
        return False
    return not thread.locked or is_moderator(member)


def can_edit_post(member: Person, post: Post) -> bool:
    # A post hidden pending review may be mended by its author; one hidden by a decision may not.
    if not can_participate(member) or not (post.is_visible or post.is_pending_review):
        return False
    return post.author_id == member.pk


def can_delete_post(member: Person, post: Post) -> bool:
    if not can_participate(member) or post.is_deleted:
        return False
    return post.author_id == member.pk or is_moderator(member)


def can_thank(member: Person, post: Post) -> bool:
    if not can_participate(member) or not post.is_visible:
        return False
    return post.author_id is not None and post.author_id != member.pk


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
