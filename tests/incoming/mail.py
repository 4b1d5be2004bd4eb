"""Emails as members' mail clients write them, and send them to the LMTP server."""

import base64
import smtplib
from email.headerregistry import Address
from email.message import EmailMessage

from incoming.addresses import new_thread_address, reply_address


def reply_to(
    thread,
    member,
    body: str = "Thanks, that works for me.",
    *,
    sender: str | None = None,
    message_id: str | None = "<answer-1@mail.example.org>",
    html: bool = False,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    # Quoted as mail clients quote a display name, whatever it holds.
    message["From"] = Address(display_name=member.display_name, addr_spec=sender or member.email)
    message["To"] = reply_address(member_id=member.pk, thread_id=thread.pk)
    message["Subject"] = f"Re: {thread.title}"
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, subtype="html" if html else "plain")
    return message.as_bytes()


def new_thread_in(
    category,
    member,
    subject: str = "Seed swap in March",
    body: str = "Who brings what? I have beans.",
    *,
    sender: str | None = None,
    to: str | None = None,
    message_id: str | None = "<new-1@mail.example.org>",
    html: bool = False,
) -> bytes:
    """A message to a category's address (or to `to`), unsigned: tests sign it
    (tests.incoming.dkim)."""
    message = EmailMessage()
    message["From"] = Address(display_name=member.display_name, addr_spec=sender or member.email)
    message["To"] = to or new_thread_address(category.slug)
    # A subject of several lines can only be written as an encoded word, as a mail client
    # would: set in its place once the message is written out.
    message["Subject"] = "SUBJECT" if len(subject.splitlines()) > 1 else subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body, subtype="html" if html else "plain")
    encoded = f"=?utf-8?b?{base64.b64encode(subject.encode()).decode()}?="
    return message.as_bytes().replace(b"Subject: SUBJECT\n", f"Subject: {encoded}\n".encode(), 1)


def send(port: int, raw: bytes, *, sender: str, to: str) -> dict:
    """Hand `raw` to the LMTP server on `port` as the site's mail server does."""
    with smtplib.LMTP("127.0.0.1", port) as client:
        return client.sendmail(sender, [to], raw)
