"""The development email backend (EMAIL_URL=consolemail://, the default with DEBUG): each email
printed to the terminal as a person reads it, so that its links can be copied as printed.

Django's own console backend prints the encoded message, as it would go to an SMTP server. Its
MIME encoding (Python's email.policy.default) allows lines of 78 characters at most, so a
text part with a longer line, such as an email-confirmation link, is sent quoted-printable
(or base64): the link is cut by "=" soft line breaks, with "=3D" for each "=" in it, and
cannot be followed as printed. Real mail is right to be encoded so (a mail client decodes it);
only this printout changes. It shows the headers decoded and each text/plain part as text;
other parts (the HTML alternative, attachments) are named with their size.
"""

from email.message import EmailMessage as MIMEMessage

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend

# Headers that only describe the encoding this printout undoes.
ENCODING_HEADERS = {"mime-version", "content-type", "content-transfer-encoding"}


class ReadableConsoleBackend(EmailBackend):
    def write_message(self, message: EmailMessage) -> None:
        self.stream.write(readable(message.message()))
        self.stream.write("\n" + "-" * 79 + "\n")


def readable(mime: MIMEMessage) -> str:
    lines = [
        f"{name}: {value}" for name, value in mime.items() if name.lower() not in ENCODING_HEADERS
    ]
    for part in mime.walk():
        if part.is_multipart():
            continue
        if part.get_content_type() == "text/plain" and not part.is_attachment():
            lines += ["", part.get_content().rstrip("\n")]
        else:
            size = len(part.get_payload(decode=True) or b"")
            name = part.get_filename()
            label = f"{part.get_content_type()}, {name}" if name else part.get_content_type()
            lines += ["", f"[{label}: {size} bytes, not shown]"]
    return "\n".join(lines) + "\n"
