"""DKIM as the tests sign: a key of their own, published in a records file that the site's key
lookup reads instead of DNS (the test settings name `txt_record` in INCOMING_DKIM_TXT_LOOKUP,
and the live stack's processes are given it too), so that no test asks the network and a
worker in another process finds the same keys."""

import base64
import json
import os
from functools import cache
from pathlib import Path

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# Names the records file: {"<selector>._domainkey.<domain>": "<TXT record>"}.
RECORDS = "PALABRE_TEST_DKIM_RECORDS"
SELECTOR = "tests"


def txt_record(name: bytes, timeout: float = 5) -> bytes | None:
    """The lookup dkimpy makes, answered from the records file."""
    path = os.environ.get(RECORDS)
    if not path or not Path(path).exists():
        return None
    record = json.loads(Path(path).read_text()).get(name.decode().lower().rstrip("."))
    return record.encode() if record else None


def records_file(directory: Path) -> Path:
    """Where a test's records are kept: its own directory, which the live stack's processes
    are pointed at too."""
    return directory / "dkim-records.json"


@cache
def _private_key() -> rsa.RSAPrivateKey:
    # One per test session: making an RSA key takes a moment.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Signer:
    """Signs as a domain's mail provider does, with the key published for the domains given."""

    def __init__(self, records: Path):
        self.records = records

    def publish(self, domain: str) -> None:
        public = (
            _private_key()
            .public_key()
            .public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        records = json.loads(self.records.read_text()) if self.records.exists() else {}
        records[f"{SELECTOR}._domainkey.{domain}"] = (
            f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}"
        )
        self.records.write_text(json.dumps(records))

    def sign(
        self,
        raw: bytes,
        *,
        domain: str = "example.org",
        length: bool = False,
        headers: list[str] | None = None,
    ) -> bytes:
        """`raw` with a DKIM-Signature of `domain` on top, over `headers` (by default all that
        dkimpy signs) and the body (its first bytes only, with `length`)."""
        private = _private_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        signature = dkim.sign(
            raw,
            SELECTOR.encode(),
            domain.encode(),
            private,
            length=length,
            include_headers=[name.lower().encode() for name in headers] if headers else None,
            linesep=b"\n",
        )
        return signature + raw
