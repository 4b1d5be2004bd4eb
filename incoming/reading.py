"""What a member's email says: whether it was written by a person at all, who sent it, and the
answer itself without the quoted history and the signature."""

import email
import email.policy
from email.message import EmailMessage

from mailparser_reply import EmailReplyParser
from markdownify import markdownify

# The languages whose "On … wrote:" lines and signatures are recognised: the site's.
REPLY_LANGUAGES = ["en", "fr"]


def parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def is_automatic(message: EmailMessage, *, sender: str) -> bool:
    """Written by a machine (an out-of-office notice, a bounce, a list): answering it could
    start a loop between two robots (RFC 3834)."""
    if not sender.strip("<> "):
        return True
    if _header(message, "Auto-Submitted").lower() not in ("", "no"):
        return True
    return _header(message, "Precedence").lower() in ("bulk", "junk", "list")


def from_addresses(message: EmailMessage) -> set[str]:
    """The From header's addresses, lower-cased; none when it cannot be read."""
    try:
        header = message["From"]
        addresses = header.addresses if header is not None else ()
    except (IndexError, ValueError, AttributeError):
        return set()
    return {address.addr_spec.lower() for address in addresses if address.addr_spec}


def subject(message: EmailMessage) -> str:
    """The Subject header, decoded; "" when it cannot be read."""
    return _header(message, "Subject")


def answer(message: EmailMessage) -> str:
    """The text the member wrote: the plain part, else the HTML part in Markdown, without what
    it quotes nor the signature."""
    text = _body_as_markdown(message)
    if not text.strip():
        return ""
    replies = EmailReplyParser(languages=REPLY_LANGUAGES).read(text).replies
    # The member's own words come before any "On … wrote:": a first part that starts with one
    # is the quoted message, with nothing written above it.
    if not replies or replies[0].headers:
        return ""
    return replies[0].body.strip()


def _body_as_markdown(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, UnicodeError, KeyError):
        return ""  # a charset Python does not know, or a part that lies about its encoding
    if not isinstance(content, str):
        return ""
    if body.get_content_subtype() == "html":
        return markdownify(content, heading_style="ATX", strip=["img"])
    return content


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "")).strip()
    except (IndexError, ValueError):
        return ""
