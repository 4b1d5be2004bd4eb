"""A sanction is one value, a step of the ladder: its label, its choice in the decision form,
and the step that follows the heaviest one reached, on the ladder the charter holds now."""

import pytest

from moderation.sanctions import SanctionKind, Step, ladder, step_after

WARNING = Step(SanctionKind.WARNING)
BAN = Step(SanctionKind.BAN)
FOUNDING = ladder([1, 3, 7, 30])


def suspension(days: int) -> Step:
    return Step(SanctionKind.SUSPENSION, days)


def test_the_ladder_climbs_from_a_warning_through_the_suspensions_to_a_ban():
    assert list(FOUNDING) == [
        WARNING,
        suspension(1),
        suspension(3),
        suspension(7),
        suspension(30),
        BAN,
    ]


def test_each_step_has_a_label():
    assert [step.label for step in FOUNDING] == [
        "Warning",
        "Suspension for 1 day",
        "Suspension for 3 days",
        "Suspension for 7 days",
        "Suspension for 30 days",
        "Ban",
    ]


def test_the_decision_form_encodes_each_step_as_one_choice_and_reads_it_back():
    choices = [step.choice for step in FOUNDING]
    assert choices == [
        "warning",
        "suspension-1",
        "suspension-3",
        "suspension-7",
        "suspension-30",
        "ban",
    ]
    assert [Step.from_choice(choice) for choice in choices] == list(FOUNDING)
    assert Step.from_choice("suspension-5") == suspension(5)  # a step of some other ladder


@pytest.mark.parametrize(
    "choice", ["exile", "suspension", "suspension-", "suspension-0", "suspension-07", "ban-3", ""]
)
def test_a_choice_that_encodes_no_step_is_refused(choice):
    with pytest.raises(ValueError):
        Step.from_choice(choice)


def test_the_step_after_the_heaviest_reached_is_suggested():
    assert step_after([], FOUNDING) == WARNING
    assert step_after([suspension(7), WARNING], FOUNDING) == suspension(30)
    assert step_after([BAN], FOUNDING) == BAN


def test_the_step_after_one_reached_on_an_older_ladder_is_the_next_heavier_of_the_ladder_now():
    now = ladder([2, 9])
    assert step_after([suspension(1)], now) == suspension(2)
    assert step_after([suspension(3)], now) == suspension(9)
    assert step_after([suspension(7), WARNING], now) == suspension(9)
    assert step_after([suspension(30)], now) == BAN
    assert step_after([WARNING], now) == suspension(2)
