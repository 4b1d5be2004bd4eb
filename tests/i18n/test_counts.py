"""A number before a noun reads in the singular for one and in the plural for more, in English
and in French (whose singular also covers zero); and a word with two senses is translated by
its sense."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import pgettext

from charter import rules
from charter.models import Ballot, VoidReason
from tests.builders.charter import charter_in_force
from tests.builders.members import MemberFactory


def test_a_void_box_counts_one_paper_and_one_member_in_the_singular():
    one = Ballot(void_reason=VoidReason.BOX_MISMATCH, papers_found=1, ticks_found=1)
    two = Ballot(void_reason=VoidReason.BOX_MISMATCH, papers_found=2, ticks_found=2)
    assert "held 1 paper, but 1 member was ticked on the roll" in one.why_void
    assert "held 2 papers, but 2 members were ticked on the roll" in two.why_void


def test_a_void_box_counts_in_french_too():
    one = Ballot(void_reason=VoidReason.BOX_MISMATCH, papers_found=1, ticks_found=1)
    two = Ballot(void_reason=VoidReason.BOX_MISMATCH, papers_found=2, ticks_found=2)
    with translation.override("fr"):
        assert "contenait 1 bulletin, mais 1 membre avait émargé" in one.why_void
        assert "contenait 2 bulletins, mais 2 membres avaient émargé" in two.why_void


def test_a_word_with_two_senses_is_translated_by_its_sense():
    with translation.override("fr"):
        assert pgettext("verb: change the site's language", "Change") == "Changer"
        assert pgettext("noun: a parameter's old and new value", "Change") == "Modification"
        assert pgettext("ballot result", "Failed") == "Rejetée"
        assert pgettext("email delivery state", "Failed") == "Échec"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parameters", "sentence"),
    [
        (
            {"cosponsors": 1, "cosponsor_days": 1, "discussion_days": 1, "ballot_days": 2},
            "1 co-sponsor within 1 day, then 1 day of discussion, then a ballot of 2 days.",
        ),
        (
            {"cosponsors": 2, "cosponsor_days": 2, "discussion_days": 2, "ballot_days": 3},
            "2 co-sponsors within 2 days, then 2 days of discussion, then a ballot of 3 days.",
        ),
    ],
)
def test_the_amendment_procedure_counts_each_number_on_its_own(client, parameters, sentence):
    charter_in_force(parameters=parameters)
    assert f"Under version 1: {sentence}" in client.get("/charter/proposals/").text


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "wording"), [(1, "after 1 day of"), (2, "after 2 days of")])
def test_a_newcomer_is_told_the_days_of_membership_a_vote_needs(days, wording):
    version = charter_in_force(parameters={"eligibility_days": days})
    newcomer = MemberFactory(date_joined=timezone.now() - timedelta(hours=1))
    assert f"Members may take part {wording} membership" in rules.why_not_eligible(
        newcomer, version
    )
