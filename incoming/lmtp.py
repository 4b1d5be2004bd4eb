"""The LMTP server the site's mail server hands members' mail to (aiosmtpd).

LMTP answers each recipient on its own once the message is in: 250 when it is stored, 451
(try again later) when it could not be, so that the mail server keeps it and retries rather
than bouncing it. A message over INCOMING_MAIL_MAX_BYTES is refused with 552 before anything
is stored.
"""

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, close_old_connections

from incoming import services

logger = logging.getLogger(__name__)


class Handler:
    async def handle_DATA(self, server, session, envelope) -> str:
        try:
            await sync_to_async(_store)(
                envelope.original_content or envelope.content,
                sender=envelope.mail_from or "",
                recipients=list(envelope.rcpt_tos),
            )
        except DatabaseError:
            logger.exception("could not store a message from %s", envelope.mail_from)
            return "\r\n".join("451 4.3.0 Cannot store the message now" for _ in envelope.rcpt_tos)
        return "\r\n".join("250 2.0.0 Message stored" for _ in envelope.rcpt_tos)


def _store(raw: bytes, *, sender: str, recipients: list[str]) -> None:
    # A long-running server outlives connections the database closed meanwhile.
    close_old_connections()
    services.receive(raw, sender=sender, recipients=recipients)


class LMTPController(Controller):
    def factory(self) -> LMTP:
        return LMTP(self.handler, data_size_limit=settings.INCOMING_MAIL_MAX_BYTES)


def controller(host: str, port: int) -> LMTPController:
    return LMTPController(Handler(), hostname=host, port=port, ready_timeout=10)
