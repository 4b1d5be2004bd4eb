"""`{% avatar member "small" %}`: a member's picture, or the initial of their name."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from members import avatars
from members.models import Member

register = template.Library()


@register.simple_tag
def avatar(member: Member | None, shown: str = "small") -> SafeString:
    """The member's picture as pages show it `shown` (members.avatars.SHOWN), from the row
    already loaded: no query. Without a picture, the initial of their name; for a deleted
    member (or a post whose author is gone), a question mark. Either way it stands beside the
    member's name, so it says nothing more to a screen reader."""
    look = avatars.SHOWN[shown]
    if member is None or member.is_deleted:
        return format_html('<span class="{}" aria-hidden="true">?</span>', look.css_class)
    if not member.avatar:
        return format_html(
            '<span class="{}" aria-hidden="true">{}</span>',
            look.css_class,
            member.public_name[:1].upper(),
        )
    one_x, two_x = (avatars.url(member, size) for size in look.sizes)
    return format_html(
        '<img class="{}" src="{}" srcset="{} 1x, {} 2x" alt="" width="{}" height="{}"'
        ' loading="lazy">',
        look.css_class,
        one_x,
        one_x,
        two_x,
        look.pixels,
        look.pixels,
    )
