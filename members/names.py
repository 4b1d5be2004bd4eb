"""Members' names: what a username or a display name may be made of, and when two look alike.

A name signs posts, so it must not pass for another member's, a moderator's or the site's own
labels. Two names look alike when their confusable skeletons match: Unicode's UTS #39 skeleton
(through the `disarm` library, which folds with the current `confusables.txt`), case folded,
with digits folded too ("1" is "l", "0" is "O") and "rn" read as "m". Each member's skeletons
are stored (`Member.username_skeleton`, `Member.name_skeleton`) under unique constraints, so
that two members who sign up at the same instant cannot both take look-alike names.
"""

import unicodedata

import disarm
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

INVISIBLE = _("A name cannot contain invisible or control characters.")
RESERVED = _("This name is reserved.")
TOO_ALIKE = _("This name looks too much like another member's.")

# Characters that show nothing, or change how the rest reads: controls (Cc), formats (Cf:
# bidi overrides, zero-width spaces and joiners, soft hyphens), surrogates (Cs), private use
# (Co) and unassigned code points (Cn).
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
# Letters and marks that render as blank space although their category says otherwise:
# the Hangul fillers, the combining grapheme joiner, Khmer's inherent vowels, Mongolian's
# free variation selectors, the variation selectors, and the blank Braille pattern.
BLANK_CHARACTERS = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def one_line(text: str) -> str:
    """`text` on one line: every run of whitespace (line and paragraph separators, tabs,
    no-break spaces) becomes one space, none at either end. For names and titles, which
    emails and lists show on one line."""
    return " ".join(text.split())


def refuse_invisible(value: str) -> None:
    """A validator: no character that shows nothing or reorders what follows it."""
    if any(
        unicodedata.category(character) in INVISIBLE_CATEGORIES or character in BLANK_CHARACTERS
        for character in value
    ):
        raise ValidationError(INVISIBLE, code="invisible")


def skeleton(name: str) -> str:
    """What `name` looks like: two names look alike when their skeletons are equal."""
    # UTS #39 maps "m" to "rn"; disarm keeps them apart on purpose, a name may not.
    return disarm.skeleton_key(name, digit_policy="tr39").replace("rn", "m")


def reserved_skeletons() -> set[str]:
    """What no member's name may look like: the site's name, its roles', and the labels it
    shows in a member's place, in every language of the site."""
    names = {settings.SITE_NAME, "Palabre", "admin", "moderator"}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.update(
                {
                    # What a deleted account shows (Member.public_name), and a notification
                    # whose actor is gone (Notification.summary).
                    gettext("Deleted member"),
                    gettext("Someone"),
                    # The roles (members.models.Role).
                    gettext("moderator"),
                    gettext("admin"),
                    gettext("superuser"),
                }
            )
    return {skeleton(name) for name in names}


def refuse_reserved(key: str) -> None:
    """Refuse the skeleton `key` of a new name if it shows nothing or is a reserved name's."""
    if not key:
        raise ValidationError(INVISIBLE, code="invisible")
    if key in reserved_skeletons():
        raise ValidationError(RESERVED, code="reserved")
