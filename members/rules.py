"""Standing rules: what a member may do anywhere on the site, whatever the app."""

from django.contrib.auth.models import AnonymousUser

from members.models import Member


def can_participate(member: Member | AnonymousUser) -> bool:
    """May write (post, reply, thank, signal); reading needs no standing."""
    if not (member.is_authenticated and member.is_active):
        return False
    return not (member.is_suspended or member.is_banned or member.must_accept_charter)


def is_moderator(member: Member | AnonymousUser) -> bool:
    return bool(member.is_authenticated and member.is_moderator)


def can_delete_account(member: Member) -> bool:
    # An admin's rights are removed by another admin first, so the site never loses its last
    # one to a click, and what an admin may do is never done by an account that is gone.
    return member.is_authenticated and not (member.is_staff or member.is_superuser)
