"""The procedural parameters: numbers that are part of the charter and change only by amendment.

Each charter version stores its own values (a JSON object keyed by `Parameter.key`); a key a
version lacks takes its default here, so a later issue may add a parameter without a migration.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Parameter:
    key: str
    label: Promise
    unit: str  # "days", "count", "percent", "fraction" or "bool"
    default: int | str | bool
    minimum: int = 0
    maximum: int = 1_000

    def display(self, value) -> str:
        if self.unit == "days":
            return ngettext("%(n)s day", "%(n)s days", value) % {"n": value}
        if self.unit == "percent":
            return f"{value} %"
        if self.unit == "fraction":
            return FRACTION_NAMES.get(value, value)
        if self.unit == "bool":
            return str(_("yes") if value else _("no"))
        return str(value)


FRACTION_NAMES = {
    "1/2": _("a simple majority"),
    "3/5": _("three fifths"),
    "2/3": _("two thirds"),
    "3/4": _("three quarters"),
    "4/5": _("four fifths"),
}

PARAMETERS = [
    Parameter("cosponsors", _("Co-sponsors an amendment needs"), "count", 3, 1, 50),
    Parameter("cosponsor_days", _("Days to find co-sponsors"), "days", 14, 1, 90),
    Parameter("discussion_days", _("Days of discussion before the ballot"), "days", 7, 1, 90),
    Parameter("ballot_days", _("Days an amendment ballot lasts"), "days", 7, 2, 60),
    Parameter("eligibility_days", _("Days of membership before one may vote"), "days", 30, 0, 365),
    Parameter("quorum_standard", _("Quorum for standard articles"), "percent", 25, 1, 100),
    Parameter("majority_standard", _("Majority for standard articles"), "fraction", "2/3"),
    Parameter("quorum_entrenched", _("Quorum for entrenched articles"), "percent", 33, 1, 100),
    Parameter("majority_entrenched", _("Majority for entrenched articles"), "fraction", "3/4"),
    Parameter("signals_per_day", _("Signals a member may make in a day"), "count", 20, 1, 1_000),
    Parameter("auto_hide_signallers", _("Members whose signals hide a post"), "count", 3, 1, 100),
    Parameter(
        "accuracy_signals",
        _("Settled signals after which a signaller's accuracy is judged"),
        "count",
        10,
        1,
        1_000,
    ),
    Parameter(
        "accuracy_percent",
        _("Share upheld under which a signaller's signals do not hide a post"),
        "percent",
        25,
        0,
        100,
    ),
    Parameter("appeal_days", _("Days to appeal a decision"), "days", 14, 1, 90),
    Parameter(
        "public_moderator_names", _("Moderator names shown in the public journal"), "bool", False
    ),
]
BY_KEY = {parameter.key: parameter for parameter in PARAMETERS}


def defaults() -> dict:
    return {parameter.key: parameter.default for parameter in PARAMETERS}


def with_defaults(values: dict) -> dict:
    return defaults() | {key: value for key, value in values.items() if key in BY_KEY}
