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


def bounce(
    return_path: str,
    *,
    recipient: str,
    action: str = "failed",
    status: str = "5.1.1",
    message_id: str = "<bounce-1@mx.example.net>",
) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one, to `return_path`,
    about the email it could not deliver to `recipient`; lines end with CRLF, as on the wire."""
    diagnostic = {"5": "550 5.1.1 User unknown", "4": "451 4.4.1 Connection timed out"}
    return (
        (
            "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
            f"To: {return_path}\n"
            "Subject: Undelivered Mail Returned to Sender\n"
            "Auto-Submitted: auto-replied\n"
            f"Message-ID: {message_id}\n"
            "MIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="R1"\n'
            "\n"
            "--R1\n"
            "Content-Description: Notification\n"
            "Content-Type: text/plain; charset=us-ascii\n"
            "\n"
            "This is the mail system at host mx.example.net.\n"
            "\n"
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients.\n"
            "\n"
            "--R1\n"
            "Content-Description: Delivery report\n"
            "Content-Type: message/delivery-status\n"
            "\n"
            "Reporting-MTA: dns; mx.example.net\n"
            "Arrival-Date: Mon, 7 Dec 2026 10:00:00 +0000 (UTC)\n"
            "\n"
            f"Final-Recipient: rfc822; {recipient}\n"
            f"Original-Recipient: rfc822;{recipient}\n"
            f"Action: {action}\n"
            f"Status: {status}\n"
            "Remote-MTA: dns; mail.example.org\n"
            f"Diagnostic-Code: smtp; {diagnostic[status[0]]}\n"
            "\n"
            "--R1\n"
            "Content-Description: Undelivered Message Headers\n"
            "Content-Type: text/rfc822-headers\n"
            "\n"
            "From: Palabre <palabre@localhost>\n"
            f"To: {recipient}\n"
            "Subject: [Palabre] Bruno Petit replied\n"
            "\n"
            "--R1--\n"
        )
        .replace("\n", "\r\n")
        .encode()
    )  # as mail servers send it


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
    """Hand `raw` to the LMTP server on `port` as the site's mail server does: on the wire lines
    end with CRLF (RFC 5321), which smtplib leaves to its caller for bytes."""
    on_the_wire = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with smtplib.LMTP("127.0.0.1", port) as client:
        return client.sendmail(sender, [to], on_the_wire)
