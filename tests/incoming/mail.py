"""Emails as members' mail clients write them."""

from email.headerregistry import Address
from email.message import EmailMessage

from incoming.addresses import reply_address


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
