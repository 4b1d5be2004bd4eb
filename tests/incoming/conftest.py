import sys

import pytest

from tests.incoming.dkim import RECORDS, Signer, records_file
from tests.live_stack import Service, free_port


@pytest.fixture
def signer(tmp_path, monkeypatch) -> Signer:
    """Signs for example.org, the members' mail domain, whose key the site finds (the live
    stack's processes too: they read the same test's records)."""
    monkeypatch.setenv(RECORDS, str(records_file(tmp_path)))
    signer = Signer(records_file(tmp_path))
    signer.publish("example.org")
    return signer


@pytest.fixture
def lmtp(live_stack, tmp_path):
    """The port of `manage.py receive_mail --lmtp`, run as the site runs it."""
    port = free_port()
    server = Service(
        "receive_mail --lmtp",
        [sys.executable, "manage.py", "receive_mail", "--lmtp", f"127.0.0.1:{port}"],
        live_stack.worker.env,
        tmp_path / "lmtp.log",
        ready="LMTP server listening",
    )
    server.start()
    yield port
    server.stop()
