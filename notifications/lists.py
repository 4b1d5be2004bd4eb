"""Mailing-list mode: every post of the categories a member watches, as its own email, threaded
in their mail client like a mailing list's, and answerable.

`notifications` knows no app above it: the forum says what a post's email holds (a `Letter`)
through the function it registers here, and the app that receives mail says where the post's
thread is and where answers go (notifications.replies). Who receives it, and that nobody
receives it twice, is notifications.services' part.
"""

from collections.abc import Callable
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address
from email.utils import parseaddr, quote

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from members.names import one_line
from notifications.emails import Email, absolute, site_domain
from notifications.models import ListEmail
from notifications.replies import ListConversation
from notifications.return_paths import Record, Sent, envelope_sender
from notifications.stop_links import stop_list_token


@dataclass(frozen=True)
class Letter:
    """A post as its emails in mailing-list mode show it."""

    post_id: int
    # The post before it in its thread; None for a thread's first post.
    previous_post_id: int | None
    author_name: str
    thread_title: str
    category_name: str
    category_slug: str
    # The post's Markdown source, and its rendered and sanitised HTML with absolute links.
    text: str
    html: str
    url: str

    @property
    def is_reply(self) -> bool:
        return self.previous_post_id is not None


# The post an event key names, or None when it is not a post to send (any more).
Describe = Callable[[str], Letter | None]

_describers: list[Describe] = []


def register(describe: Describe) -> None:
    if describe not in _describers:
        _describers.append(describe)


def letter_of(event_key: str) -> Letter | None:
    for describe in _describers:
        if found := describe(event_key):
            return found
    return None


def post_message_id(post_id: int) -> str:
    return f"<post-{post_id}@{site_domain()}>"


def compose(list_email: ListEmail, letter: Letter, conversation: ListConversation | None) -> Email:
    """The email of `letter` to the member of `list_email`, in their language: from the post's
    author (by name, at the site's address), answering the post before it."""
    member = list_email.recipient
    reply_address = conversation.reply_addresses.get(member.pk, "") if conversation else ""
    unsubscribe_url = absolute(
        reverse("notifications:stop_list", kwargs={"token": stop_list_token(member_id=member.pk)})
    )
    with translation.override(member.language or settings.LANGUAGE_CODE):
        context = {
            "letter": letter,
            "url": absolute(letter.url),
            "reply_by_email": bool(reply_address),
            "unsubscribe_url": unsubscribe_url,
            "preferences_url": absolute(reverse("notifications:preferences")),
        }
        text = render_to_string("notifications/email/list_post.txt", context)
        html = render_to_string("notifications/email/list_post.html", context)
    message = Email(
        subject=_subject(letter),
        body=text,
        # The envelope sender, where bounces go; the From header is the author's (_headers).
        from_email=envelope_sender(Sent(Record.LIST_EMAIL, list_email.pk), address=member.email),
        to=[member.email],
        reply_to=[reply_address] if reply_address else [],
        headers=_headers(letter, conversation, unsubscribe_url=unsubscribe_url),
    )
    message.attach_alternative(html, "text/html")
    return message


def _subject(letter: Letter) -> str:
    # "Re:" in every language and ahead of the list's name, where mail clients put it: an
    # answer's subject then reads as the list's next email's, and no client stacks a second.
    subject = f"[{one_line(letter.category_name)}] {one_line(letter.thread_title)}"
    return f"Re: {subject}" if letter.is_reply else subject


def _sender(author_name: str) -> str:
    """The author's name at the site's address. The name is quoted as a display name (commas,
    quotes, angle brackets inert), and on one line, so no header can be slipped in after it."""
    site_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return str(Address(display_name=one_line(author_name), addr_spec=site_address))


def _phrase(text: str) -> str:
    """`text` as a header's phrase: quoted, or encoded words (RFC 2047) when not ASCII, which
    may not stand inside quotes."""
    text = one_line(text)
    if text.isascii():
        return f'"{quote(text)}"'
    # On one line: the header is folded when the email is written.
    return " ".join(Header(text, "utf-8").encode().split())


def _headers(
    letter: Letter, conversation: ListConversation | None, *, unsubscribe_url: str
) -> dict[str, str]:
    thread = [conversation.message_id] if conversation else []
    parent = [post_message_id(letter.previous_post_id)] if letter.is_reply else thread
    post_address = conversation.post_address if conversation else ""
    headers = {
        "From": _sender(letter.author_name),
        "Message-ID": post_message_id(letter.post_id),
        # RFC 2919: the category is the list; mail clients file and filter by this.
        "List-Id": f"{_phrase(letter.category_name)} <{letter.category_slug}.{site_domain()}>",
        # RFC 2369: where a member writes to start a thread, or NO when mail cannot.
        "List-Post": f"<mailto:{post_address}>" if post_address else "NO",
        # RFC 8058: one click, a POST without cookies, ends mailing-list mode.
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Precedence": "list",
        "Auto-Submitted": "auto-generated",
    }
    if parent:
        headers["In-Reply-To"] = " ".join(parent)
        # The thread first, then the post answered: clients that build threads from References
        # put every post under the thread, even one whose previous post they never received.
        headers["References"] = " ".join(dict.fromkeys(thread + parent))
    return headers
