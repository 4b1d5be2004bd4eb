"""Standing rules: what a member may do anywhere on the site, whatever the app; and the one
form of a refusal, which every app's rules and services use."""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from members.models import Member


class Remedy(StrEnum):
    """What a refused member can do about it, for the page to link to."""

    SIGN_IN = "sign_in"
    ACCEPT_CHARTER = "accept_charter"


class Refused(PermissionDenied):
    """Something a member may not do, or not now. The message, when there is one, tells them
    why; a refusal that escapes a view is answered with the 403 page."""

    def __init__(self, reason: str = "", *, remedy: Remedy | None = None) -> None:
        super().__init__(reason)
        self.remedy = remedy


def require(allowed: bool) -> None:
    if not allowed:
        raise Refused


def can_participate(member: Member | AnonymousUser) -> bool:
    """May write (post, reply, thank, signal); reading needs no standing."""
    if not (member.is_authenticated and member.is_active):
        return False
    return not (member.is_suspended or member.is_banned or member.must_accept_charter)


def can_choose_avatar(member: Member | AnonymousUser) -> bool:
    """A picture is shown to others beside the member's posts: chosen by those who may post.
    Removing one is always allowed."""
    return can_participate(member)


def is_moderator(member: Member | AnonymousUser) -> bool:
    return bool(member.is_authenticated and member.is_moderator)


def can_delete_account(member: Member) -> bool:
    # An admin's rights are removed by another admin first, so the site never loses its last
    # one to a click, and what an admin may do is never done by an account that is gone.
    return member.is_authenticated and not (member.is_staff or member.is_superuser)
