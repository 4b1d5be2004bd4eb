"""Newcomers who sign up at the same instant with look-alike usernames cannot both get them:
the stored skeletons' unique constraint decides (on PostgreSQL, separate connections)."""

from functools import partial

import pytest
from django.test import Client

from members.models import Member
from tests.builders.members import PASSWORD
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

# Several pairs at once, so that some pair surely gets past the form's check together.
LOOK_ALIKES = [("camille", "camiIle"), ("noor", "n0or"), ("marie", "rnarie"), ("oliver", "0liver")]


def sign_up(username: str) -> tuple[str, int]:
    response = Client().post(
        "/accounts/signup/",
        {
            "email": f"{username.lower()}@example.org",
            "username": username,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    return username, response.status_code


def test_look_alike_sign_ups_at_once_do_not_both_succeed(without_rate_limits):
    # The loser of a pair is refused, by the form or by the constraint: which one is chance.
    answers, errors = run_together(
        [partial(sign_up, username) for pair in LOOK_ALIKES for username in pair]
    )
    assert errors == []
    statuses = dict(answers)
    for pair in LOOK_ALIKES:
        assert Member.objects.filter(username__in=pair).count() == 1, pair
        # The winner is sent on (302); the loser sees the form again, saying why (200).
        assert sorted(statuses[username] for username in pair) == [200, 302], pair
