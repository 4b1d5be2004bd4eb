"""The addresses members write to: a reply address per member and thread, signed.

`reply+<member>-<thread>-<signature>@REPLY_DOMAIN`: the signature is an HMAC of the member and
the thread under the site's SECRET_KEY, so an address cannot be guessed, nor one member's used
as another's, nor one thread's turned into another's by changing a number. Lower case only:
some mail servers lower-case the part before the "@".
"""

import base64
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "incoming.addresses.reply"
_REPLY = re.compile(r"^reply\+(\d{1,12})-(\d{1,12})-([a-z2-7]{26})@(.+)$")


@dataclass(frozen=True)
class ReplyTarget:
    member_id: int
    thread_id: int


def reply_address(*, member_id: int, thread_id: int) -> str:
    return (
        f"reply+{member_id}-{thread_id}-{_signature(member_id, thread_id)}@{settings.REPLY_DOMAIN}"
    )


def thread_message_id(thread_id: int) -> str:
    """The Message-ID that stands for a whole thread: every email about the thread names it in
    In-Reply-To and References, so mail clients group them, and an answer names it back."""
    return f"<thread-{thread_id}@{settings.REPLY_DOMAIN}>"


def read_reply_address(address: str) -> ReplyTarget | None:
    """The member and thread a reply address names; None if it is not one of the site's, or
    its signature does not match."""
    match = _REPLY.match(address.strip().lower())
    if match is None or not settings.REPLY_DOMAIN or match[4] != settings.REPLY_DOMAIN.lower():
        return None
    member_id, thread_id = int(match[1]), int(match[2])
    if not hmac.compare_digest(match[3], _signature(member_id, thread_id)):
        return None
    return ReplyTarget(member_id=member_id, thread_id=thread_id)


def _signature(member_id: int, thread_id: int) -> str:
    digest = salted_hmac(_SALT, f"{member_id}-{thread_id}", algorithm="sha256").digest()
    return base64.b32encode(digest[:16]).decode().rstrip("=").lower()
