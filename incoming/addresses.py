"""The addresses members write to: a reply address per member and thread, signed.

`reply+<member>-<thread>-<day>-<signature>@REPLY_DOMAIN`: the signature is an HMAC of the
member, the thread and the day the address was given (counted from 1970-01-01) under the site's
SECRET_KEY, so an address cannot be guessed, nor one member's used as another's, nor one
thread's turned into another's by changing a number, nor made younger. An address expires
REPLY_ADDRESS_DAYS after it was given: an old email forwarded or leaked stops speaking for its
member. Lower case only: some mail servers lower-case the part before the "@".

`new+<category slug>@REPLY_DOMAIN`: a category's address, where its watchers start a thread.
It is not secret: who may write there is decided by the message (its sender, its DKIM
signature), not by the address.
"""

import base64
import hmac
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

_SALT = "incoming.addresses.reply"
_REPLY = re.compile(r"^reply\+(\d{1,12})-(\d{1,12})-(\d{1,6})-([a-z2-7]{26})@(.+)$")
_EPOCH = date(1970, 1, 1)
_NEW_THREAD = re.compile(r"^new\+([a-z0-9_-]{1,80})@(.+)$")


@dataclass(frozen=True)
class ReplyTarget:
    member_id: int
    thread_id: int
    # When the address was given, not where it leads: two addresses of different days name the
    # same target.
    given_on: date = field(default=_EPOCH, compare=False)

    @property
    def expired(self) -> bool:
        return timezone.localdate() - self.given_on > timedelta(days=settings.REPLY_ADDRESS_DAYS)


def reply_address(*, member_id: int, thread_id: int, given_on: date | None = None) -> str:
    """The address `member_id` answers `thread_id` at, as given today (or on `given_on`)."""
    day = ((given_on or timezone.localdate()) - _EPOCH).days
    signature = _signature(member_id, thread_id, day)
    return f"reply+{member_id}-{thread_id}-{day}-{signature}@{settings.REPLY_DOMAIN}"


def thread_message_id(thread_id: int) -> str:
    """The Message-ID that stands for a whole thread: every email about the thread names it in
    In-Reply-To and References, so mail clients group them, and an answer names it back."""
    return f"<thread-{thread_id}@{settings.REPLY_DOMAIN}>"


def read_reply_address(address: str) -> ReplyTarget | None:
    """The member and thread a reply address names, and the day it was given (whether it has
    expired is the caller's question); None if it is not one of the site's, or its signature
    does not match."""
    match = _REPLY.match(address.strip().lower())
    if match is None or not settings.REPLY_DOMAIN or match[5] != settings.REPLY_DOMAIN.lower():
        return None
    member_id, thread_id, day = int(match[1]), int(match[2]), int(match[3])
    if not hmac.compare_digest(match[4], _signature(member_id, thread_id, day)):
        return None
    return ReplyTarget(
        member_id=member_id, thread_id=thread_id, given_on=_EPOCH + timedelta(days=day)
    )


def new_thread_address(category_slug: str) -> str:
    return f"new+{category_slug.lower()}@{settings.REPLY_DOMAIN}"


def read_new_thread_address(address: str) -> str | None:
    """The slug of the category a new-thread address names (lower case: compare it as such);
    None if it is not one of the site's."""
    match = _NEW_THREAD.match(address.strip().lower())
    if match is None or not settings.REPLY_DOMAIN or match[2] != settings.REPLY_DOMAIN.lower():
        return None
    return match[1]


def _signature(member_id: int, thread_id: int, day: int) -> str:
    digest = salted_hmac(_SALT, f"{member_id}-{thread_id}-{day}", algorithm="sha256").digest()
    return base64.b32encode(digest[:16]).decode().rstrip("=").lower()
