"""Mail that members send in: stored as it arrives, then read and posted (or refused) by a
worker. A reply by email becomes a post under every rule a reply from the browser obeys; a
message to a category's address, a new thread (incoming.new_threads)."""

import hashlib
import logging
import re
from datetime import timedelta
from email import policy
from email.parser import BytesHeaderParser

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from core.queueing import queue_after_commit
from forum import rules as forum_rules
from forum import services as forum_services
from forum.models import Post, Thread
from incoming import bounces, new_threads, reading, refusals, tasks
from incoming.addresses import ReplyTarget, read_new_thread_address, read_reply_address
from incoming.models import InboundMessage, Reason, State
from incoming.refusals import Refusal
from members.models import Member
from members.rules import Refused
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.return_paths import is_return_path

logger = logging.getLogger(__name__)

# One id in angle brackets, without blanks: anything else is not an id to trust (_message_id).
_ONE_MESSAGE_ID = re.compile(r"<[^<>\s]{1,900}>")
# A message still waiting this long after it was stored lost its task: the sweep queues it again.
WAITING_GRACE_SECONDS = 30


def receive(raw: bytes, *, sender: str, recipients: list[str]) -> InboundMessage:
    """Store a message as the mail server hands it over, and queue its processing once stored.

    A second delivery of the same message (the mail server retrying after a lost answer) finds
    the first one's row and queues nothing.
    """
    message_id = _message_id(raw)
    with transaction.atomic():
        inbound, created = InboundMessage.objects.get_or_create(
            message_id=message_id,
            defaults={"raw": raw, "sender": sender, "recipients": list(recipients)},
        )
        if created:
            queue_after_commit(tasks.process_message, (inbound.pk,))
    return inbound


def process_waiting() -> None:
    """Queue again the messages stored while the broker was down (or whose task was lost)."""
    since = timezone.now() - timedelta(seconds=WAITING_GRACE_SECONDS)
    waiting = InboundMessage.objects.filter(state=State.RECEIVED, received_at__lt=since)
    calls = [(pk,) for pk in waiting.order_by("received_at").values_list("pk", flat=True)[:500]]
    with transaction.atomic():
        queue_after_commit(tasks.process_message, *calls)


def process(*, message_pk: int) -> None:
    """Post the answer or the new thread a stored message holds, or refuse it and tell the
    sender why; drop an automatic message silently, and count a bounce of the site's email
    against its address. Run twice, the second run finds the message dealt with."""
    with transaction.atomic():
        inbound = (
            InboundMessage.objects.select_for_update()
            .filter(pk=message_pk, state=State.RECEIVED)
            .first()
        )
        if inbound is None:
            return
        # Bounces come from robots, to the return path of the email they bounce: routed
        # before the robots are dropped.
        if return_path := _return_path(inbound.recipients):
            _settle(inbound, state=State.BOUNCE, reason=_bounce(inbound, return_path))
            return
        message = reading.parse(bytes(inbound.raw))
        if reading.is_automatic(message, sender=inbound.sender):
            _settle(inbound, state=State.DROPPED, reason=Reason.AUTO_REPLY)
            return
        outcome = _post_or_refusal(inbound, message)
        if isinstance(outcome, Post):
            _settle(inbound, state=State.POSTED, post=outcome)
            return
        _settle(inbound, state=State.REFUSED, reason=outcome.reason, detail=outcome.detail)
        transaction.on_commit(lambda: _explain(inbound, outcome))


def _return_path(recipients: list[str]) -> str | None:
    return next((each for each in recipients if is_return_path(each)), None)


def _bounce(inbound: InboundMessage, return_path: str) -> Reason:
    """Count a hard bounce against the address its email went to. A soft one counts nothing,
    nor one whose return path the site did not sign for the member's present address: forged,
    or about an address they have changed since."""
    email = notification_selectors.email_bounced_to(return_path)
    if email is None:
        return Reason.UNKNOWN_BOUNCE
    if not bounces.failed_for_good(bytes(inbound.raw)):
        return Reason.SOFT_BOUNCE
    if not notification_services.record_hard_bounce(email=email):
        return Reason.REPEATED_BOUNCE
    return Reason.HARD_BOUNCE


def _post_or_refusal(inbound: InboundMessage, message) -> Post | Refusal:
    """The first of the envelope's recipients that is one of the site's addresses decides."""
    for recipient in inbound.recipients:
        if target := read_reply_address(recipient):
            return _reply(inbound, message, target)
        if slug := read_new_thread_address(recipient):
            return new_threads.start(inbound, message, slug=slug)
    return Refusal(Reason.NO_ADDRESS)


def _reply(inbound: InboundMessage, message, target: ReplyTarget) -> Post | Refusal:
    member = Member.objects.filter(pk=target.member_id, is_active=True).first()
    if member is None:
        return Refusal(Reason.UNKNOWN_MEMBER)
    # The reply address may have been forwarded, or guessed from a leaked email: only the
    # member's own confirmed addresses may write in their name.
    if not reading.from_addresses(message) & _verified_addresses(member):
        return Refusal(Reason.UNVERIFIED_SENDER)
    thread = Thread.objects.select_related("category").filter(pk=target.thread_id).first()
    if thread is None or not forum_rules.can_read_thread(member, thread):
        return Refusal(Reason.UNREADABLE, member=member)
    if target.expired:
        return Refusal(Reason.EXPIRED, member=member, thread=thread)
    with translation.override(member.language or settings.LANGUAGE_CODE):
        if problem := _standing_problem(member, thread):
            return problem
        text = reading.answer(message)
        if problem := refusals.of_the_text(text, member, thread=thread):
            return problem
        try:
            return forum_services.reply(author=member, thread=thread, source=text)
        except forum_rules.PostingRefused as refused:
            return Refusal(Reason.FIRST_DAY, str(refused), member=member, thread=thread)
        except Refused:
            return Refusal(Reason.CANNOT_REPLY, member=member, thread=thread)


def _standing_problem(member: Member, thread: Thread) -> Refusal | None:
    """Why `member` may not reply in `thread`, as the browser's reply form would refuse it."""
    if forum_rules.can_reply(member, thread):
        return None
    if member.is_banned:
        return Refusal(Reason.BANNED, member=member)
    if member.is_suspended:
        # The forum's own words, which say until when.
        detail = str(forum_rules.why_cannot_reply(member, thread))
        return Refusal(Reason.SUSPENDED, detail, member=member, thread=thread)
    if member.must_accept_charter:
        return Refusal(Reason.CHARTER, member=member, thread=thread)
    if thread.locked:
        return Refusal(Reason.LOCKED, member=member, thread=thread)
    return Refusal(Reason.CANNOT_REPLY, member=member, thread=thread)


def _verified_addresses(member: Member) -> set[str]:
    addresses = EmailAddress.objects.filter(user=member, verified=True).values_list(
        "email", flat=True
    )
    return {address.lower() for address in addresses}


def _settle(
    inbound: InboundMessage,
    *,
    state: State,
    reason: Reason | str = "",
    detail: str = "",
    post: Post | None = None,
) -> None:
    inbound.state, inbound.reason, inbound.detail, inbound.post = state, reason, detail, post
    inbound.save(update_fields=["state", "reason", "detail", "post"])


def _explain(inbound: InboundMessage, refusal: Refusal) -> None:
    member, thread, category = refusal.member, refusal.thread, refusal.category
    language = (member.language if member else "") or settings.LANGUAGE_CODE
    thread_url = f"{settings.SITE_URL}{thread.get_absolute_url()}" if thread else ""
    category_url = f"{settings.SITE_URL}{category.get_absolute_url()}" if category else ""
    try:
        refusals.send_explanation(
            inbound, language=language, thread_url=thread_url, category_url=category_url
        )
    except OSError:
        # The refusal is recorded; only the courtesy of telling is lost, and retrying it
        # could tell twice.
        logger.exception("could not tell %s why message %s was refused", inbound.sender, inbound.pk)


def _message_id(raw: bytes) -> str:
    """The Message-ID, or a digest of the bytes for a message without a usable one.

    The header is read as written, not parsed: the parser keeps only the first word of a
    malformed id, and two messages whose ids differ after a space would be taken for one, the
    second dropped as a second delivery of the first."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        message_id = " ".join(str(headers.get("Message-ID", "")).split())
    except (IndexError, ValueError):
        message_id = ""
    if not _ONE_MESSAGE_ID.fullmatch(message_id):
        return "sha256:" + hashlib.sha256(raw).hexdigest()
    return message_id
