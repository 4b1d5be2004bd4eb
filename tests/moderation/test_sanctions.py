"""A sanction is one value, a step of the ladder: its label, its choice in the decision form,
and the step that follows the heaviest one reached."""

import pytest

from moderation.sanctions import LADDER, SanctionKind, Step, step_after

WARNING = Step(SanctionKind.WARNING)
BAN = Step(SanctionKind.BAN)


def test_the_ladder_climbs_from_a_warning_through_the_suspensions_to_a_ban():
    assert list(LADDER) == [
        WARNING,
        Step(SanctionKind.SUSPENSION, 1),
        Step(SanctionKind.SUSPENSION, 3),
        Step(SanctionKind.SUSPENSION, 7),
        Step(SanctionKind.SUSPENSION, 30),
        BAN,
    ]


def test_each_step_has_a_label():
    assert [step.label for step in LADDER] == [
        "Warning",
        "Suspension for 1 day",
        "Suspension for 3 days",
        "Suspension for 7 days",
        "Suspension for 30 days",
        "Ban",
    ]


def test_the_decision_form_encodes_each_step_as_one_choice_and_reads_it_back():
    choices = [step.choice for step in LADDER]
    assert choices == [
        "warning",
        "suspension-1",
        "suspension-3",
        "suspension-7",
        "suspension-30",
        "ban",
    ]
    assert [Step.from_choice(choice) for choice in choices] == list(LADDER)
    with pytest.raises(ValueError):
        Step.from_choice("suspension-5")


def test_the_step_after_the_heaviest_reached_is_suggested():
    assert step_after([]) == WARNING
    assert step_after([Step(SanctionKind.SUSPENSION, 7), WARNING]) == Step(
        SanctionKind.SUSPENSION, 30
    )
    assert step_after([BAN]) == BAN
