"""A member's personal data across the apps: what they may download, and what deleting their
account erases.

`members` knows no app above it, so each app that keeps personal data registers a `Section`
when it is ready: `export` returns the member's data in that app as JSON-ready values, in a
fixed number of queries whatever its amount, and `erase` removes or unlinks it when the member
deletes their account (see `members.services.delete_account`).

Sections are erased in the reverse order of their registration, as a teardown would: apps
register in the order of INSTALLED_APPS, the apps others build on first, so each app erases
while the rows it reaches through the apps below are still as it knows them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from allauth.account.models import EmailAddress
from django.utils import timezone

from members.models import Member

FORMAT = "palabre-personal-data/1"

Export = Callable[[Member], Any]


class Erase(Protocol):
    def __call__(self, *, member: Member, remove_posts: bool) -> None: ...


@dataclass(frozen=True)
class Section:
    name: str
    export: Export
    erase: Erase


_sections: list[Section] = []


def register(section: Section) -> None:
    if section not in _sections:
        _sections.append(section)


def export(member: Member) -> dict[str, Any]:
    """Everything the site keeps about `member`, section by section, and nobody else's data."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "profile": profile(member),
    }
    for section in _sections:
        data[section.name] = section.export(member)
    return data


def erase(member: Member, *, remove_posts: bool) -> None:
    for section in reversed(_sections):
        section.erase(member=member, remove_posts=remove_posts)


def profile(member: Member) -> dict[str, Any]:
    addresses = EmailAddress.objects.filter(user=member).order_by("-primary", "email")
    return {
        "username": member.username,
        "display_name": member.display_name,
        "email": member.email,
        "email_addresses": list(addresses.values("email", "verified", "primary")),
        "bio": member.bio,
        "language": member.language,
        "time_zone": member.time_zone,
        "theme": member.theme,
        "joined": member.date_joined,
        "email_verified_at": member.email_verified_at,
        "last_login": member.last_login,
        "moderator": member.is_moderator,
        "standing": {
            "must_accept_charter": member.must_accept_charter,
            "suspended_until": member.suspended_until,
            "banned_since": member.banned_at,
        },
    }
