"""Members' pictures: the sizes the pages show them at, and where their files are kept.

A picture is stored once per size, as WebP, under a key that changes with each new picture
(`Member.avatar`): its address never shows another picture, so browsers keep it for a year, and
every page that loads a member's row has all it needs to show it, without a query.
"""

from dataclasses import dataclass

from django.urls import reverse

from members.models import Member


@dataclass(frozen=True)
class Shown:
    """An avatar as pages show it: `pixels` wide and high on the page (the CSS's size, rounded
    up), from the stored files of `sizes` (one for ordinary screens, one for dense ones)."""

    css_class: str
    pixels: int
    sizes: tuple[int, int]


# static/css/palabre.css: .avatar is 2.5rem (40px), .avatar--large up to 5.5rem (88px), the
# header's and the thread lists' smaller still; each has a file of at least its size on an
# ordinary screen and of twice its size on a dense one.
SHOWN = {
    "small": Shown("avatar", 40, (48, 96)),
    "large": Shown("avatar avatar--large", 88, (96, 192)),
}
SIZES = sorted({size for shown in SHOWN.values() for size in shown.sizes})


def stored_name(member_pk: int, key: str, size: int) -> str:
    return f"avatars/{member_pk}/{key}-{size}.webp"


def stored_names(member: Member) -> list[str]:
    """The files of the member's current picture (none without one): for their data export, and
    to delete them when the picture changes or the account goes."""
    if not member.avatar:
        return []
    return [stored_name(member.pk, member.avatar, size) for size in SIZES]


def url(member: Member, size: int) -> str:
    return reverse("avatar", args=[member.pk, member.avatar, size])
