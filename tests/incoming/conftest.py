import sys

import pytest

from tests.live_stack import Service, free_port


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
