"""Take members' mail in: one message on standard input (a pipe from the mail server), or an
LMTP server that the mail server forwards to."""

import signal
import sys
import threading
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from incoming import services
from incoming.lmtp import controller

# sendmail's exit codes (sysexits.h), which Postfix's pipe transport understands.
EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Receive members' replies by email: one message from standard input, or by LMTP."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--lmtp",
            nargs="?",
            const=settings.INCOMING_LMTP_ADDRESS,
            metavar="HOST:PORT",
            help="run an LMTP server (default %(const)s) instead of reading standard input",
        )
        parser.add_argument(
            "--sender", "-f", default="", help="the envelope sender (Postfix's ${sender})"
        )
        parser.add_argument(
            "recipients",
            nargs="*",
            help="the envelope recipients (Postfix's ${recipient}); else the To and Cc headers",
        )

    def handle(self, *args, lmtp: str | None, sender: str, recipients: list[str], **options):
        if lmtp:
            self._serve(lmtp)
            return
        raw = sys.stdin.buffer.read()
        if len(raw) > settings.INCOMING_MAIL_MAX_BYTES:
            self.stderr.write("message too large")
            sys.exit(EX_DATAERR)
        headers = BytesHeaderParser(policy=default).parsebytes(raw)
        try:
            services.receive(
                raw,
                sender=sender or _header_sender(headers),
                recipients=recipients or _header_recipients(headers),
            )
        except DatabaseError as error:
            # The mail server keeps the message and tries again later.
            self.stderr.write(f"cannot store the message now: {error}")
            sys.exit(EX_TEMPFAIL)

    def _serve(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"--lmtp wants HOST:PORT, not {address!r}")
        server = controller(host, int(port))
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        server.start()
        self.stdout.write(f"LMTP server listening on {host}:{port}", ending="\n")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            server.stop()


def _header_sender(headers: EmailMessage) -> str:
    """Without the envelope, the Return-Path the mail server wrote ("" for <>, an automatic
    message), else the From address."""
    if (return_path := headers.get("Return-Path")) is not None:
        return str(return_path).strip().strip("<>")
    addresses = _addresses(headers, "From")
    return addresses[0] if addresses else ""


def _header_recipients(headers: EmailMessage) -> list[str]:
    """Without the envelope (a bare `receive_mail < message`), the addresses the headers name."""
    found = []
    for name in ("Delivered-To", "X-Original-To", "To", "Cc"):
        found += _addresses(headers, name)
    return found


def _addresses(headers: EmailMessage, name: str) -> list[str]:
    found = []
    for header in headers.get_all(name) or []:
        if not hasattr(header, "addresses"):  # Delivered-To: a bare address
            found.append(str(header).strip())
            continue
        try:
            found += [address.addr_spec for address in header.addresses]
        except (IndexError, ValueError):
            continue
    return found
