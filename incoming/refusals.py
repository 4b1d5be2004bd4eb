"""The one short email that tells the sender of a refused message why, and what to do.

Never to an automatic message (those are dropped before they get here), always marked
`Auto-Submitted: auto-replied` so that a robot at the other end does not answer it, and at most
one per sender address an hour, counted in the shared cache (Redis when there is one), so that
two mail robots cannot keep each other busy through the site.
"""

import hashlib
import logging
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.rate_limits import member_may
from forum.forms import POST_MIN_LENGTH, TITLE_MIN_LENGTH
from forum.models import Category, Thread
from incoming.models import InboundMessage, Reason
from members.models import Member

logger = logging.getLogger(__name__)

EXPLANATION_INTERVAL_SECONDS = 3_600


@dataclass(frozen=True)
class Refusal:
    reason: Reason
    detail: str = ""
    # Set once the sender is known to be the member: the explanation is then in their
    # language and may point at the thread or the category.
    member: Member | None = None
    thread: Thread | None = None
    category: Category | None = None


def of_the_text(text: str, member: Member, **place) -> Refusal | None:
    """Why `member` may not post `text` now, as the site's forms would refuse it: a text too
    short or too long, or too many posts of late. `place` is the refusal's thread or category."""
    if len(text) < POST_MIN_LENGTH:
        return Refusal(Reason.TOO_SHORT, member=member, **place)
    if len(text) > settings.POST_MAX_LENGTH:
        return Refusal(Reason.TOO_LONG, member=member, **place)
    if not member_may("posting", member):
        return Refusal(Reason.RATE_LIMITED, member=member, **place)
    return None


def explanation(reason: str) -> str:
    """Why, and what to do, in the active language."""
    # Until a new thread's sender is proven, anyone may have sent it from anywhere: one text
    # for every such refusal, which says nothing of the category nor of who is a member.
    unproven = _(
        "A new thread by email is accepted only from an address that a member has confirmed "
        "on the site, in a message that its mail provider signed (DKIM) and that names the "
        "category's address in To or Cc. Start your thread on the site, or write from such "
        "an address."
    )
    texts = {
        Reason.NO_ADDRESS: _(
            "The address you wrote to is not a reply address of this site, or it was altered. "
            "Reply to a notification email without changing its address, or reply on the site."
        ),
        Reason.EXPIRED: _(
            "The address you wrote to has expired: reply to a more recent email about this "
            "thread, or reply on the site."
        ),
        Reason.UNKNOWN_MEMBER: _(
            "The address you wrote to belongs to an account that no longer exists or is closed."
        ),
        Reason.UNVERIFIED_SENDER: _(
            "A reply address works only from the addresses its member has confirmed on the "
            "site. Reply from that address, or add and confirm this one in your account."
        ),
        Reason.BANNED: _("Your account is banned: it cannot post."),
        Reason.SUSPENDED: _(
            "You are suspended: you may read, but not post until your suspension ends."
        ),
        Reason.CHARTER: _(
            "The charter has changed: accept it on the site, then send your email again."
        ),
        Reason.UNREADABLE: _("The thread you answered does not exist or is not open to you."),
        Reason.LOCKED: _("This thread is locked: no new replies."),
        Reason.CANNOT_REPLY: _("You cannot reply in this thread."),
        Reason.FIRST_DAY: _("New members may write only a few posts in their first day."),
        Reason.RATE_LIMITED: _(
            "You have posted a lot in a short time: wait a few minutes, then send it again."
        ),
        Reason.TOO_LONG: _(
            "Your email is longer than the %(limit)s characters a post may have: shorten it "
            "and send it again."
        )
        % {"limit": settings.POST_MAX_LENGTH},
        Reason.TOO_SHORT: _(
            "We found no text in your email once any quoted message was taken off: write "
            "above the quoted message."
        ),
        Reason.UNAUTHENTICATED: unproven,
        Reason.UNKNOWN_SENDER: unproven,
        Reason.UNKNOWN_CATEGORY: _(
            "No category of the site that is open to you has the address you wrote to. Each "
            "category's page shows its address."
        ),
        Reason.NOT_WATCHING: _(
            "A thread is started by email only in a category you watch: watch it on the site, "
            "then send your email again."
        ),
        Reason.CANNOT_START: _("You cannot start a thread in this category."),
        Reason.NO_TITLE: _(
            "Your email has no subject: its subject becomes the thread's title. Send it again "
            "with a subject of at least %(limit)s characters."
        )
        % {"limit": TITLE_MIN_LENGTH},
        Reason.TITLE_TOO_LONG: _(
            "Your subject is longer than the %(limit)s characters a thread's title may have: "
            "shorten it and send your email again."
        )
        % {"limit": settings.THREAD_TITLE_MAX_LENGTH},
    }
    return str(texts[Reason(reason)])


def send_explanation(
    inbound: InboundMessage, *, language: str, thread_url: str = "", category_url: str = ""
) -> None:
    """Tell the envelope sender why `inbound` was refused, unless they were told of another
    refusal within the hour. `thread_url` and `category_url` only once the sender is known to
    be the member who may read them."""
    recipient = _plain_address(inbound.sender)
    if recipient is None:
        return
    key = "incoming:explained:" + hashlib.sha256(recipient.lower().encode()).hexdigest()
    if not cache.add(key, 1, EXPLANATION_INTERVAL_SECONDS):
        return
    with translation.override(language):
        context = {
            "why": inbound.detail or explanation(inbound.reason),
            "thread_url": thread_url,
            "category_url": category_url,
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
        }
        subject = _("[%(site)s] Your email could not be posted") % {"site": settings.SITE_NAME}
        body = render_to_string("incoming/email/refusal.txt", context)
    headers = {"Auto-Submitted": "auto-replied"}
    original = _message_id_header(inbound.message_id)
    if original:
        headers |= {"In-Reply-To": original, "References": original}
    EmailMessage(
        subject=" ".join(subject.split()), body=body.strip(), to=[recipient], headers=headers
    ).send()
    InboundMessage.objects.filter(pk=inbound.pk).update(explained_at=timezone.now())


def _plain_address(sender: str) -> str | None:
    """The envelope sender as a bare address, or None if it is not exactly one: it goes into
    a header, where a line break or a second address must never get."""
    sender = sender.strip().strip("<>")
    if not sender or any(char in sender for char in "\r\n,;<>\"'() \t"):
        return None
    try:
        address = Address(addr_spec=sender)
    except (HeaderParseError, ValueError, IndexError):
        return None
    return address.addr_spec if address.username and address.domain else None


def _message_id_header(message_id: str) -> str:
    """The refused message's own id, for mail clients to thread the answer under it; not the
    digest that stands in for a missing one."""
    if message_id.startswith("<") and message_id.endswith(">") and "\n" not in message_id:
        return message_id
    return ""
