"""The one form of a refusal, and `require`, which every app's services and views use."""

import pytest
from django.core.exceptions import PermissionDenied

from members.rules import Refused, Remedy, require


def test_require_refuses_what_a_rule_refuses_and_lets_the_rest_through():
    require(True)
    with pytest.raises(PermissionDenied):
        require(False)


def test_a_refusal_is_a_permission_denied_that_carries_its_reason_and_remedy():
    refusal = Refused("Sign in to reply.", remedy=Remedy.SIGN_IN)
    assert isinstance(refusal, PermissionDenied)
    assert str(refusal) == "Sign in to reply."
    assert refusal.remedy == "sign_in"


def test_a_bare_refusal_says_nothing_more_than_forbidden():
    assert str(Refused()) == ""
    assert Refused().remedy is None
