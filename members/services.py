from datetime import datetime

from members.models import Member


def update_profile(*, member: Member, **changes: str) -> Member:
    for field, value in changes.items():
        setattr(member, field, value)
    member.save(update_fields=list(changes))
    return member


def choose_language(*, member: Member, language: str) -> Member:
    return update_profile(member=member, language=language)


def set_standing(
    *, member: Member, suspended_until: datetime | None, banned_at: datetime | None
) -> None:
    """Record the sanctions in force on `member`, as moderation computed them."""
    Member.objects.filter(pk=member.pk).update(suspended_until=suspended_until, banned_at=banned_at)
    member.suspended_until, member.banned_at = suspended_until, banned_at
