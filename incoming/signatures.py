"""Whether a message was sent by the domain its From address names: it carries a valid DKIM
signature (dkimpy) by that domain or by a parent of it, as DMARC's relaxed alignment has it.

Only a signature that covers what the site reads of the message counts: the headers named, and
the whole body (a signature with `l=` lets anyone append text to the signed part). The signing
key is looked up in DNS, or by the function INCOMING_DKIM_TXT_LOOKUP names (the tests').
"""

import logging
from collections.abc import Callable, Iterable

import dkim
import dns.exception
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

Lookup = Callable[..., bytes | None]


def signed_by_domain_of(address: str, raw: bytes, *, covering: Iterable[str]) -> bool:
    """Whether `raw` bears a valid DKIM signature by the domain of `address` (or a parent of
    it) that covers the headers named in `covering` and the whole body."""
    domain = _ascii_domain(address)
    if domain is None:
        return False
    wanted = {name.lower().encode() for name in covering}
    try:
        checker = dkim.DKIM(raw)
    except dkim.DKIMException:
        return False
    count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
    for index in range(count):
        try:
            valid = checker.verify(idx=index, dnsfunc=_lookup())
        except (dkim.DKIMException, dns.exception.DNSException) as error:
            logger.info("DKIM signature %s of a message from %s: %s", index, domain, error)
            continue
        if (
            valid
            and _aligned(checker.domain, domain)
            and wanted <= set(checker.include_headers)
            and b"l" not in checker.signature_fields
        ):
            return True
    return False


def _aligned(signer: bytes, domain: bytes) -> bool:
    """The signing domain is the From domain or a parent of it: whoever holds a domain's DNS
    holds its subdomains'."""
    signer = signer.lower().rstrip(b".")
    return bool(signer) and (domain == signer or domain.endswith(b"." + signer))


def _ascii_domain(address: str) -> bytes | None:
    """The domain of `address` as DNS spells it (an international one in its ASCII form)."""
    domain = address.rpartition("@")[2].strip().rstrip(".").lower()
    if not domain:
        return None
    try:
        return domain.encode("idna")
    except UnicodeError:
        return None


def _lookup() -> Lookup:
    if settings.INCOMING_DKIM_TXT_LOOKUP:
        return import_string(settings.INCOMING_DKIM_TXT_LOOKUP)
    return dkim.get_txt
