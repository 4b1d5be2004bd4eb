"""The return path of each email: where mail servers send its bounce (VERP).

`bounce+<delivery>-<signature>@REPLY_DOMAIN`: the envelope sender names the delivery, so a
bounce says which email failed, whatever the bouncing server writes in it. The signature is an
HMAC of the delivery and of the address it went to, under the site's SECRET_KEY: nobody can
silence a member's email by sending bounces for guessed deliveries, and a bounce of an email
sent to an address the member has changed since no longer matches. Lower case only: some mail
servers lower-case the part before the "@".
"""

import base64
import hmac
import re

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "notifications.return_paths"
_RETURN_PATH = re.compile(r"^bounce\+(\d{1,12})-([a-z2-7]{26})@(.+)$")


def return_path(*, delivery_id: int, address: str) -> str:
    return f"bounce+{delivery_id}-{_signature(delivery_id, address)}@{settings.REPLY_DOMAIN}"


def is_return_path(address: str) -> bool:
    """Addressed as a bounce to the site, signed or not: such mail is never answered."""
    local, _, domain = address.strip().lower().rpartition("@")
    return (
        bool(settings.REPLY_DOMAIN)
        and domain == settings.REPLY_DOMAIN.lower()
        and local.startswith("bounce+")
    )


def delivery_named(address: str) -> int | None:
    """The delivery a return path names, not yet checked: see `is_genuine`."""
    match = _RETURN_PATH.match(address.strip().lower())
    if match is None or not is_return_path(address):
        return None
    return int(match[1])


def is_genuine(address: str, *, delivery_id: int, sent_to: str) -> bool:
    """Whether `address` is the return path of the email of `delivery_id` sent to `sent_to`."""
    expected = return_path(delivery_id=delivery_id, address=sent_to).lower()
    return hmac.compare_digest(address.strip().lower().encode(), expected.encode())


def _signature(delivery_id: int, address: str) -> str:
    message = f"{delivery_id}-{address.strip().lower()}"
    digest = salted_hmac(_SALT, message, algorithm="sha256").digest()
    return base64.b32encode(digest[:16]).decode().rstrip("=").lower()
