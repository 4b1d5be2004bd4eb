"""A new thread by email: a member writes to a category's address (new+<slug>@REPLY_DOMAIN)
and the message becomes their thread there, under every rule the browser's new-thread form
obeys, if they watch the category.

The address is public, so the message itself must prove who wrote it: it comes from an
address a member confirmed, and that address's domain signed it (DKIM), covering what the site
reads of it. Until that is proven, anyone may have sent it: the refusal says nothing of the
category nor of who is a member (incoming.refusals words it once for all such cases).
"""

from email.message import EmailMessage

from allauth.account.models import EmailAddress
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from forum import rules as forum_rules
from forum import services as forum_services
from forum.forms import TITLE_MIN_LENGTH
from forum.models import Category, CategorySubscription, Post, WatchLevel
from incoming import reading, refusals, signatures
from incoming.addresses import new_thread_address, read_new_thread_address
from incoming.models import InboundMessage, Reason
from incoming.refusals import Refusal
from members.models import Member
from members.names import one_line
from members.rules import Refused

# A header that appears twice could be read by the site in one copy and signed in the other.
SINGLE_HEADERS = ("From", "To", "Cc", "Subject", "Message-ID")


def start(inbound: InboundMessage, message: EmailMessage, *, slug: str) -> Post | Refusal:
    """The first post of the thread `message` starts in the category `slug` names, or why not."""
    member = _proven_sender(inbound, message, slug=slug)
    if isinstance(member, Refusal):
        return member
    with translation.override(member.language or settings.LANGUAGE_CODE):
        return _thread_or_refusal(member, message, slug=slug)


def _proven_sender(
    inbound: InboundMessage, message: EmailMessage, *, slug: str
) -> Member | Refusal:
    if any(len(message.get_all(name) or ()) > 1 for name in SINGLE_HEADERS):
        return Refusal(Reason.UNAUTHENTICATED)
    senders = reading.from_addresses(message)
    naming = _headers_naming(message, slug)
    if len(senders) != 1 or not naming:
        return Refusal(Reason.UNAUTHENTICATED)
    [sender] = senders
    # The signature must cover the category's address: else any signed message a member ever
    # sent could be sent here by its recipient, and posted in their name. And the Message-ID:
    # else their own message could be sent again under another id, and posted twice.
    covering = {"From", "Subject", "Message-ID", *naming}
    if not signatures.signed_by_domain_of(sender, bytes(inbound.raw), covering=covering):
        return Refusal(Reason.UNAUTHENTICATED)
    # One member at most: a confirmed address is unique (ACCOUNT_UNIQUE_EMAIL).
    confirmed = (
        EmailAddress.objects.filter(email__iexact=sender, verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if confirmed is None:
        return Refusal(Reason.UNKNOWN_SENDER)
    return confirmed.user


def _headers_naming(message: EmailMessage, slug: str) -> set[str]:
    """Which of To and Cc name the category's address."""
    naming = set()
    for name in ("To", "Cc"):
        try:
            header = message[name]
            addresses = header.addresses if header is not None else ()
        except (IndexError, ValueError, AttributeError):
            continue
        if any(read_new_thread_address(address.addr_spec) == slug for address in addresses):
            naming.add(name)
    return naming


def _thread_or_refusal(member: Member, message: EmailMessage, *, slug: str) -> Post | Refusal:
    # Addresses are lower case, slugs need not be.
    category = Category.objects.filter(slug__iexact=slug).first()
    if category is None or not forum_rules.can_read_category(member, category):
        return Refusal(Reason.UNKNOWN_CATEGORY, member=member)
    if not _watches(member, category):
        return Refusal(Reason.NOT_WATCHING, member=member, category=category)
    if problem := _standing_problem(member, category):
        return problem
    title = one_line(reading.subject(message))
    if len(title) < TITLE_MIN_LENGTH:
        return Refusal(Reason.NO_TITLE, member=member, category=category)
    if len(title) > settings.THREAD_TITLE_MAX_LENGTH:
        return Refusal(Reason.TITLE_TOO_LONG, member=member, category=category)
    text = reading.answer(message)
    if problem := refusals.of_the_text(text, member, category=category):
        return problem
    try:
        thread = forum_services.create_thread(
            author=member, category=category, title=title, source=text
        )
    except forum_rules.PostingRefused as refused:
        return Refusal(Reason.FIRST_DAY, str(refused), member=member, category=category)
    except Refused:
        return Refusal(Reason.CANNOT_START, member=member, category=category)
    return thread.last_post


def _watches(member: Member, category: Category) -> bool:
    return CategorySubscription.objects.filter(
        member=member, category=category, level=WatchLevel.WATCHING
    ).exists()


def _standing_problem(member: Member, category: Category) -> Refusal | None:
    """Why `member` may not start a thread in `category`, as the browser's form would refuse it."""
    if forum_rules.can_start_thread(member, category):
        return None
    if member.is_banned:
        return Refusal(Reason.BANNED, member=member)
    if member.is_suspended:
        # The forum's own words, which say until when.
        why = forum_rules.why_cannot_start_thread(member, category)
        return Refusal(Reason.SUSPENDED, str(why or ""), member=member, category=category)
    if member.must_accept_charter:
        return Refusal(Reason.CHARTER, member=member, category=category)
    return Refusal(Reason.CANNOT_START, member=member, category=category)


def address_notice(category: Category, member: Member, watch_level: str | None) -> str:
    """A category's page tells a member who watches it, and may start a thread there, where
    to write to start one by email (forum.extensions)."""
    if (
        not settings.REPLY_DOMAIN
        or watch_level != WatchLevel.WATCHING
        or not forum_rules.can_start_thread(member, category)
    ):
        return ""
    return render_to_string(
        "incoming/new_thread_address.html", {"address": new_thread_address(category.slug)}
    )
