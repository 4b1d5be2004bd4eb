"""The emails members receive: multipart, in the recipient's language and time zone."""

import email.policy
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.names import one_line
from notifications import replies, selectors
from notifications.models import Channel, Delivery, Kind, Notification
from notifications.return_paths import Record, Sent, envelope_sender
from notifications.stop_links import DIGEST, stop_emails_token

# All a banned member, who cannot sign in, still hears of by email: moderation's decisions
# on their posts (the ban itself among them, with its link to appeal) and their appeal's outcome.
TOLD_WHEN_BANNED = {Kind.POST_DECISION, Kind.APPEAL_OUTCOME}


class Email(EmailMultiAlternatives):
    """An email whose headers are folded at RFC 5322's limit of 998 characters, not 78.

    Python's email package turns a word longer than a line (a List-Unsubscribe link, its
    signed token in it) into RFC 2047 encoded words, which mail clients read as text, not as
    the link: the unsubscribe button would not work. Unfolded, it stays a link.
    """

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def compose(delivery: Delivery) -> Email | None:
    """The email for a delivery, or None when there is nothing to send any more.

    Every notification email passes here, so here is where it is decided who hears what:
    nothing is sent to an inactive member or one without an address, nothing to an address
    that bounced EMAIL_BOUNCE_LIMIT emails, nothing to a banned member but TOLD_WHEN_BANNED,
    and nothing about notifications the member has read in the meantime.
    """
    member = delivery.recipient
    if not member.is_active or not member.email:
        return None
    if selectors.stopped_address(member) is not None:
        return None
    notifications, stop_kind = _unread(delivery)
    if member.is_banned:
        notifications = [each for each in notifications if each.kind in TOLD_WHEN_BANNED]
    if not notifications:
        return None
    stop_url = absolute(
        reverse(
            "notifications:stop_emails",
            kwargs={"token": stop_emails_token(member_id=member.pk, kind=stop_kind)},
        )
    )
    first = notifications[0]
    unsubscribe_url = ""
    if delivery.channel == Channel.IMMEDIATE and first.unsubscribe_url:
        unsubscribe_url = absolute(first.unsubscribe_url)
    conversations = replies.conversations(member, notifications)
    # A digest speaks of many threads: one Reply-To would carry every answer into one of
    # them, so a digest has none, and each of its entries links to its own thread's address.
    conversation = None
    if delivery.channel == Channel.IMMEDIATE:
        conversation = conversations.get(first.pk)
    with (
        translation.override(member.language or settings.LANGUAGE_CODE),
        timezone.override(member.time_zone or settings.TIME_ZONE),
    ):
        subject, template = _subject_and_template(delivery, notifications)
        context = {
            "member": member,
            "notifications": [_Shown(each, conversations.get(each.pk)) for each in notifications],
            "reply_by_email": conversation is not None,
            "stop_url": stop_url,
            "unsubscribe_url": unsubscribe_url,
            "stop_kind_label": _stop_label(stop_kind),
            "preferences_url": absolute(reverse("notifications:preferences")),
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
        }
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        subject = f"[{settings.SITE_NAME}] {subject}"
    message = Email(
        subject=" ".join(subject.split()),
        body=text,
        to=[member.email],
        # The envelope sender, where bounces go; the From header stays the site's (_headers).
        from_email=envelope_sender(
            Sent(Record.DELIVERY, delivery.pk), address=delivery.recipient.email
        ),
        reply_to=[conversation.reply_address] if conversation else [],
        headers=_headers(
            delivery, unsubscribe_url=unsubscribe_url or stop_url, conversation=conversation
        ),
    )
    message.attach_alternative(html, "text/html")
    return message


def _unread(delivery: Delivery) -> tuple[list[Notification], str]:
    """The notifications a delivery still has to tell about, and the kind its stop link stops."""
    if delivery.channel == Channel.IMMEDIATE:
        notifications = [delivery.notification]
        stop_kind = delivery.notification.kind
    else:
        notifications = list(
            delivery.digest_notifications.filter(read_at__isnull=True)
            .select_related("actor")
            .order_by("group_key", "pk")
        )
        stop_kind = DIGEST
    return [each for each in notifications if not each.is_read], stop_kind


def _subject_and_template(delivery: Delivery, notifications: list[Notification]) -> tuple[str, str]:
    if delivery.channel == Channel.IMMEDIATE:
        return notifications[0].summary, "notifications/email/notification"
    subject = ngettext(
        "Your daily digest: %(count)s notification",
        "Your daily digest: %(count)s notifications",
        len(notifications),
    ) % {"count": len(notifications)}
    return subject, "notifications/email/digest"


def _headers(
    delivery: Delivery, *, unsubscribe_url: str, conversation: replies.Conversation | None
) -> dict[str, str]:
    headers = {
        "From": settings.DEFAULT_FROM_EMAIL,
        # RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs here.
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        # Stable per delivery, so that a resent copy is recognisable as the same message.
        "Message-ID": f"<delivery-{delivery.pk}@{site_domain()}>",
    }
    if conversation is not None:
        # As if every email about the thread answered one first message, which mail clients
        # need not have: they group the thread's emails all the same.
        headers["In-Reply-To"] = conversation.message_id
        headers["References"] = conversation.message_id
    return headers


class _Shown:
    """A notification as an email shows it, with absolute links."""

    def __init__(self, notification: Notification, conversation: replies.Conversation | None):
        self.notification = notification
        self.summary = notification.summary
        self.excerpt = notification.excerpt
        self.news = notification.news
        self.created_at = notification.created_at
        self.url = absolute(notification.url)
        self.reply_url = ""
        if conversation is not None:
            # "Re:" in every language, as RFC 5322 has it: a translated prefix is one that mail
            # clients fail to recognise, and stack.
            subject = quote(f"Re: {one_line(notification.title)}", safe="")
            self.reply_url = f"mailto:{conversation.reply_address}?subject={subject}"


def _stop_label(kind: str) -> str:
    if kind == DIGEST:
        return _("Stop the daily digest")
    return _("Stop emails about “%(kind)s”") % {"kind": Kind(kind).label}


def site_domain() -> str:
    """The site's host name, which the Message-IDs of its emails end with."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    return host.split(":", 1)[0] or "localhost"
