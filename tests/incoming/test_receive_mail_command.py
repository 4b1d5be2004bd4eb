"""receive_mail takes a message from a pipe, or over LMTP, and answers as mail servers expect."""

import io
import smtplib
import sys

import pytest
from django.core.management import call_command
from django.db import OperationalError

from incoming import services
from incoming.lmtp import controller
from incoming.models import InboundMessage
from tests.incoming.mail import reply_to
from tests.live_stack import free_port

pytestmark = pytest.mark.django_db


def piped(monkeypatch, raw: bytes, *args: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("receive_mail", *args)


def test_a_piped_message_is_stored_with_its_envelope(
    monkeypatch, thread, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        piped(monkeypatch, reply_to(thread, other_member), "-f", other_member.email)

    inbound = InboundMessage.objects.get()
    assert inbound.sender == other_member.email
    assert inbound.state == "posted"  # recipients read from the headers


def test_the_mail_server_is_told_to_retry_while_the_database_is_down(
    monkeypatch, thread, other_member
):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(services, "receive", down)
    with pytest.raises(SystemExit) as exit:
        piped(monkeypatch, reply_to(thread, other_member), "-f", other_member.email)
    assert exit.value.code == 75  # EX_TEMPFAIL


def test_the_lmtp_server_refuses_a_message_over_the_size_limit(settings, thread, other_member):
    settings.INCOMING_MAIL_MAX_BYTES = 10_000
    server = controller("127.0.0.1", free_port())
    server.start()
    try:
        with (
            smtplib.LMTP("127.0.0.1", server.port) as client,
            pytest.raises(smtplib.SMTPResponseException) as refused,
        ):
            client.sendmail(
                other_member.email,
                ["reply@testserver"],
                reply_to(thread, other_member, "x" * 20_000),
            )
    finally:
        server.stop()
    assert refused.value.smtp_code == 552
    assert not InboundMessage.objects.exists()
