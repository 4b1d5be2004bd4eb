"""The return path of each email: where mail servers send its bounce (VERP).

`bounce+<email>-<signature>@REPLY_DOMAIN`: the envelope sender names the record of the email
(`Sent`), so a bounce says which email failed, whatever the bouncing server writes in it.
`<email>` is a delivery's number (a notification email or a digest), or "l" and a list
email's number (mailing-list mode). The signature is an HMAC of both and of the address the
email went to, under the site's SECRET_KEY: nobody can silence a member's email by sending
bounces for guessed numbers, and a bounce of an email sent to an address the member has
changed since no longer matches. Lower case only: some mail servers lower-case the part before
the "@".
"""

import base64
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "notifications.return_paths"


class Record(StrEnum):
    """The kind of email a return path names, as the prefix of its number."""

    DELIVERY = ""  # notifications.Delivery; unprefixed, as before list emails had their own
    LIST_EMAIL = "l"  # notifications.ListEmail


@dataclass(frozen=True)
class Sent:
    """The record of one email the site sent."""

    record: Record
    pk: int

    def __str__(self) -> str:
        return f"{self.record}{self.pk}"


_PREFIXES = "|".join(re.escape(record) for record in Record)
_RETURN_PATH = re.compile(rf"^bounce\+({_PREFIXES})(\d{{1,12}})-([a-z2-7]{{26}})@(.+)$")


def return_path(sent: Sent, *, address: str) -> str:
    return f"bounce+{sent}-{_signature(sent, address)}@{settings.REPLY_DOMAIN}"


def envelope_sender(sent: Sent, *, address: str) -> str:
    """The email's own return path when the site receives mail (its bounces then say which
    email failed), else the site's address."""
    if not settings.REPLY_DOMAIN:
        return settings.DEFAULT_FROM_EMAIL
    return return_path(sent, address=address)


def is_return_path(address: str) -> bool:
    """Addressed as a bounce to the site, signed or not: such mail is never answered."""
    local, _, domain = address.strip().lower().rpartition("@")
    return (
        bool(settings.REPLY_DOMAIN)
        and domain == settings.REPLY_DOMAIN.lower()
        and local.startswith("bounce+")
    )


def email_named(address: str) -> Sent | None:
    """The email a return path names, not yet checked: see `is_genuine`."""
    match = _RETURN_PATH.match(address.strip().lower())
    if match is None or not is_return_path(address):
        return None
    return Sent(Record(match[1]), int(match[2]))


def is_genuine(address: str, *, sent: Sent, sent_to: str) -> bool:
    """Whether `address` is the return path of the email `sent` to `sent_to`."""
    expected = return_path(sent, address=sent_to).lower()
    return hmac.compare_digest(address.strip().lower().encode(), expected.encode())


def _signature(sent: Sent, address: str) -> str:
    # A delivery's message is its number alone, as before list emails: the return paths of
    # emails already out stay genuine. A list email's "l" sets it apart from a delivery's.
    message = f"{sent}-{address.strip().lower()}"
    digest = salted_hmac(_SALT, message, algorithm="sha256").digest()
    return base64.b32encode(digest[:16]).decode().rstrip("=").lower()
