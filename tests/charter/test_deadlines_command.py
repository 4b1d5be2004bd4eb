"""`run_charter_deadlines --every 30` shares its terminal with `make run`'s server, where the
sign-up emails are printed: it speaks only when a deadline did something."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from charter.management.commands import run_charter_deadlines
from charter.models import ProposalState
from tests.builders.charter import reword

pytestmark = pytest.mark.django_db


class Stopped(Exception):
    """Ends the command's loop after its first round."""


@pytest.fixture
def one_round(monkeypatch):
    """Runs `run_charter_deadlines --every 30` for one round; returns what it printed."""

    def stop(seconds):
        raise Stopped

    monkeypatch.setattr(run_charter_deadlines.time, "sleep", stop)

    def run() -> str:
        out = io.StringIO()
        with pytest.raises(Stopped):
            call_command("run_charter_deadlines", every=30, stdout=out)
        return out.getvalue()

    return run


def test_kept_running_it_says_nothing_when_nothing_was_due(
    charter_v1, founders, propose, one_round
):
    propose(founders[0], [reword(charter_v1, 3, "No spam at all.")])
    assert one_round() == ""


def test_kept_running_it_says_what_a_deadline_did(charter_v1, founders, propose, one_round, now):
    unsponsored = propose(
        founders[0], [reword(charter_v1, 3, "No spam at all.")], at=now - timedelta(days=15)
    )
    assert one_round() == "lapsed: 1\n"
    unsponsored.refresh_from_db()
    assert unsponsored.state == ProposalState.LAPSED


def test_run_once_it_says_when_nothing_was_due(charter_v1):
    out = io.StringIO()
    call_command("run_charter_deadlines", stdout=out)
    assert out.getvalue() == "Nothing was due.\n"
