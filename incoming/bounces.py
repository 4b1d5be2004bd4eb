"""What a bounce of one of the site's emails says: whether its address failed for good.

A delivery status notification (RFC 3464, what Postfix, Exim, Exchange and most servers send)
is read field by field: a recipient whose Action is "failed" with a 5.x.x Status failed for
good. flufl.bounce's own DSN reader takes every "failed" for permanent, even with a 4.x.x
Status (a message given up after days of temporary failures: the address may well work), so
it reads only the bounces without a DSN part, in the formats servers wrote before RFC 3464.
"""

import email
import logging
from email.iterators import typed_subpart_iterator
from email.message import Message

from flufl.bounce import all_failures

logger = logging.getLogger(__name__)


def failed_for_good(raw: bytes) -> bool:
    # The compat32 parser, whose messages flufl.bounce's detectors are written for.
    message = email.message_from_bytes(raw)
    statuses = _delivery_statuses(message)
    if statuses:
        return any(
            action.startswith("failed") and status.startswith("5.") for action, status in statuses
        )
    try:
        _, permanent = all_failures(message)
    except Exception:
        # Heuristics run on free text that anyone may send: one that chokes on it proves
        # nothing about the address.
        logger.warning("could not read a bounce", exc_info=True)
        return False
    return bool(permanent)


def _delivery_statuses(message: Message) -> list[tuple[str, str]]:
    """The Action and Status of each recipient a DSN reports on, lower-cased."""
    found = []
    for part in typed_subpart_iterator(message, "message", "delivery-status"):
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        # The first block is about the message, the others each about a recipient: only
        # these have an Action.
        for block in blocks:
            action = str(block.get("Action", "")).strip().lower()
            if action:
                status = str(block.get("Status", "")).strip().lower()
                found.append((action, status.split()[0] if status else ""))
    return found
