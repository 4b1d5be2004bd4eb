"""Every number of the members' procedure is a parameter of their charter, changed only by their
amendment: no setting or environment variable bends it, and the charter page lists them all."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from charter import selectors, services
from charter.models import CharterVersion, VersionState
from charter.parameters import PARAMETERS, defaults, draft_defaults
from charter.rules import InvalidChange
from tests.builders.charter import ARTICLES, charter_in_force, count, open_founding, reword
from tests.builders.members import signed_in

pytestmark = pytest.mark.django_db


def founding_ballot(admin, parameters=None):
    """The founding ballot on a draft with `parameters`, its key made and voting open."""
    draft = services.edit_provisional_charter(
        admin=admin, version=None, articles=ARTICLES, parameters=parameters or {}
    )
    return open_founding(admin, draft, now=timezone.now())


def test_no_setting_shortens_or_lowers_the_founding_ballot(settings, admin_member):
    settings.CHARTER_FOUNDING_BALLOT_DAYS = 1
    settings.CHARTER_FOUNDING_QUORUM_PERCENT = 1
    settings.CHARTER_FOUNDING_MAJORITY = "1/2"
    ballot = founding_ballot(admin_member)
    assert ballot.closes_at - ballot.opened_at == timedelta(days=14)
    assert (ballot.quorum_percent, ballot.majority) == (50, "2/3")


def test_the_founding_ballot_is_held_by_the_founding_values_not_the_drafts(admin_member):
    """The admin writes the draft's numbers; the ballot that ratifies them is not theirs to set."""
    with pytest.raises(InvalidChange):
        founding_ballot(admin_member, parameters={"quorum_founding": 1})
    ballot = founding_ballot(admin_member, parameters={"quorum_standard": 10})
    assert ballot.quorum_percent == defaults()["quorum_founding"] == 50


def test_no_setting_stops_amendment_ballots(settings, charter_v1, founders, propose, put_to_ballot):
    settings.CHARTER_MAX_BALLOTS = 0
    proposal = propose(founders[0], [reword(charter_v1, 1, "Kindly.")], sponsors=founders[1:])
    assert put_to_ballot(proposal).is_open


def test_ballots_open_at_once_are_the_charters_max_ballots(
    founders, ratify_founding, propose, put_to_ballot
):
    version = ratify_founding(founders, parameters={"max_ballots": 1})
    first, second = (
        propose(founders[0], [reword(version, number, "New words.")], sponsors=founders[1:])
        for number in (1, 2)
    )
    assert put_to_ballot(first).is_open
    second.refresh_from_db()
    services.run_deadlines(now=second.discussion_ends_at + timedelta(seconds=1))
    second.refresh_from_db()
    assert second.state == "frozen"


def test_the_reminder_comes_the_charters_reminder_hours_before_the_close(
    settings, founders, ratify_founding, propose, put_to_ballot
):
    settings.CHARTER_REMINDER_HOURS = 100
    version = ratify_founding(founders, parameters={"reminder_hours": 24})
    ballot = put_to_ballot(
        propose(founders[0], [reword(version, 1, "Kindly.")], sponsors=founders[1:])
    )
    assert services.remind_voters(now=ballot.closes_at - timedelta(hours=25)) == 0
    assert services.remind_voters(now=ballot.closes_at - timedelta(hours=23)) == 1


def test_voters_count_as_active_within_the_charters_active_days(
    settings, founders, ratify_founding, propose, put_to_ballot
):
    settings.CHARTER_ACTIVE_DAYS = 365
    version = ratify_founding(founders, parameters={"active_days": 30})
    ballot = put_to_ballot(
        propose(founders[0], [reword(version, 1, "Kindly.")], sponsors=founders[1:])
    )
    for voter in founders[:3]:
        services.cast_vote(member=voter, ballot=ballot, choice="yes", now=ballot.opened_at)
    away = founders[3]
    away.last_login = ballot.closes_at - timedelta(days=40)
    away.save(update_fields=["last_login"])
    count(ballot, now=ballot.closes_at)
    assert ballot.active_count == 3


def test_the_charter_page_lists_every_procedural_parameter_with_its_value(
    founders, ratify_founding
):
    ratified = draft_defaults()
    ratify_founding(founders, parameters=ratified | {"appeal_days": 21, "sanction_ladder": [2, 9]})
    page = signed_in(founders[0]).get("/charter/").text
    for parameter in PARAMETERS:
        assert escape(str(parameter.label)) in page
    assert "21 days" in page
    assert "warning, 2 days, 9 days, ban" in page
    assert "not yet ratified" not in page


def test_a_parameter_the_members_never_voted_on_is_shown_as_not_yet_ratified(client):
    """A later release adds a parameter: it takes its founding value, and says so."""
    values = draft_defaults()
    del values["signal_weight_days"]
    charter_in_force(parameters=values)
    page = client.get("/charter/").text
    row = page[page.index("signals count towards hiding a post") :]
    assert "7 days" in row[:200]
    assert "founding value, not yet ratified" in row[:300]
    assert page.count("founding value, not yet ratified") == 1


def test_an_amendment_ratifies_only_what_the_members_voted_on(
    founders, ratify_founding, propose, put_to_ballot
):
    version = ratify_founding(founders, parameters={"cosponsors": 3})
    proposal = propose(founders[0], [], parameters={"appeal_days": 21}, sponsors=founders[1:])
    ballot = put_to_ballot(proposal)
    for voter in founders:
        services.cast_vote(member=voter, ballot=ballot, choice="yes", now=ballot.opened_at)
    count(ballot, now=ballot.closes_at)
    amended = selectors.current_version()
    assert amended.number == version.number + 1
    assert amended.parameters == {"cosponsors": 3, "appeal_days": 21}
    assert CharterVersion.objects.get(pk=version.pk).state == VersionState.RATIFIED


@pytest.mark.parametrize(
    ("ladder", "accepted"),
    [([1, 3, 7, 30], True), ([2, 14], True), ([], False), ([7, 3], False), ([0, 3], False)],
)
def test_a_sanction_ladder_is_one_to_eight_ever_longer_suspensions(ladder, accepted):
    parameter = next(p for p in PARAMETERS if p.key == "sanction_ladder")
    assert (parameter.problem(ladder) is None) is accepted


def test_the_founding_values_are_designs_table():
    """The founding values of the parameters this release added, as DESIGN.md's table has them."""
    values = defaults()
    assert values["max_ballots"] == 3
    assert (values["founding_ballot_days"], values["quorum_founding"]) == (14, 50)
    assert values["majority_founding"] == "2/3"
    assert (values["active_days"], values["reminder_hours"]) == (365, 48)
    assert (values["trustees"], values["trustee_threshold"]) == (3, 2)
    assert (values["trustee_setup_hours"], values["decryption_days"]) == (48, 7)
    assert values["signal_weight_days"] == 7
    assert values["sanction_ladder"] == [1, 3, 7, 30]
    assert values["claim_hours"] == 48
    assert (values["first_day_threads"], values["first_day_posts"]) == (3, 10)
