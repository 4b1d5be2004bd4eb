"""The procedural parameters: every number that shapes the members' procedure, part of the
charter and changed only by amendment (DESIGN.md, "Procedural parameters and their founding
values").

Each charter version stores the values its members ratified (a JSON object keyed by
`Parameter.key`). A key a version lacks was added by a later release: it takes its founding value
here, and the charter page lists it as not yet ratified until an amendment sets it. No site setting
or environment variable changes any of them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Parameter:
    key: str
    label: Promise
    unit: str  # "days", "hours", "count", "percent", "fraction", "bool" or "ladder"
    default: int | str | bool | list[int]
    minimum: int = 0
    maximum: int = 1_000
    # The founding ballot's own numbers are held once, before any charter is in force: no
    # amendment can reach them, so no form offers them.
    amendable: bool = True

    def display(self, value) -> str:
        if self.unit == "days":
            return ngettext("%(n)s day", "%(n)s days", value) % {"n": value}
        if self.unit == "hours":
            return ngettext("%(n)s hour", "%(n)s hours", value) % {"n": value}
        if self.unit == "ladder":
            return ladder_display(value)
        if self.unit == "percent":
            return f"{value} %"
        if self.unit == "fraction":
            return FRACTION_NAMES.get(value, value)
        if self.unit == "bool":
            return str(_("yes") if value else _("no"))
        return str(value)

    def problem(self, value) -> str | None:
        """Why `value` cannot be this parameter's; None if it can."""
        if self.unit == "bool":
            if isinstance(value, bool):
                return None
            return _("%(label)s must be yes or no.") % self.names
        if self.unit == "fraction":
            if isinstance(value, str) and value in FRACTION_NAMES:
                return None
            return _("%(label)s must be a fraction from one half to under one.") % self.names
        if self.unit == "ladder":
            return self._ladder_problem(value)
        if isinstance(value, int) and not isinstance(value, bool) and self._in_range(value):
            return None
        return _("%(label)s must be a whole number from %(min)s to %(max)s.") % self.names

    @property
    def names(self) -> dict:
        return {"label": self.label, "min": self.minimum, "max": self.maximum}

    def _in_range(self, value: int) -> bool:
        return self.minimum <= value <= self.maximum

    def _ladder_problem(self, days) -> str | None:
        if not isinstance(days, list) or not 1 <= len(days) <= 8:
            return _("The ladder has from one to eight suspensions.")
        if not all(isinstance(n, int) and self._in_range(n) for n in days):
            return (
                ngettext(
                    "Each suspension lasts from %(min)s to %(max)s day.",
                    "Each suspension lasts from %(min)s to %(max)s days.",
                    self.maximum,
                )
                % self.names
            )
        if days != sorted(set(days)):
            return _("Each suspension is longer than the one before.")
        return None


FRACTION_NAMES = {
    "1/2": _("a simple majority"),
    "3/5": _("three fifths"),
    "2/3": _("two thirds"),
    "3/4": _("three quarters"),
    "4/5": _("four fifths"),
}


def ladder_display(days: Sequence[int]) -> str:
    steps = [str(_("warning"))]
    steps += [ngettext("%(n)s day", "%(n)s days", n) % {"n": n} for n in days]
    return ", ".join([*steps, str(_("ban"))])


PARAMETERS = [
    Parameter("cosponsors", _("Co-sponsors an amendment needs"), "count", 3, 1, 50),
    Parameter("cosponsor_days", _("Days to find co-sponsors"), "days", 14, 1, 90),
    Parameter("discussion_days", _("Days of discussion before the ballot"), "days", 7, 1, 90),
    Parameter("ballot_days", _("Days an amendment ballot lasts"), "days", 7, 2, 60),
    Parameter("max_ballots", _("Amendment ballots open at once, at most"), "count", 3, 1, 20),
    Parameter(
        "founding_ballot_days",
        _("Days the founding ballot lasts"),
        "days",
        14,
        14,
        14,
        amendable=False,
    ),
    Parameter(
        "quorum_founding",
        _("Quorum of the founding ballot"),
        "percent",
        50,
        50,
        50,
        amendable=False,
    ),
    Parameter(
        "majority_founding",
        _("Majority of the founding ballot"),
        "fraction",
        "2/3",
        amendable=False,
    ),
    Parameter("eligibility_days", _("Days of membership before one may vote"), "days", 30, 0, 365),
    Parameter(
        "active_days",
        _("Days since their last sign-in within which voters count towards the quorum"),
        "days",
        365,
        30,
        3_650,
    ),
    Parameter(
        "reminder_hours",
        _("Hours before a ballot closes when those who have not voted are reminded"),
        "hours",
        48,
        1,
        336,
    ),
    Parameter("trustees", _("Trustees who hold a ballot's decryption key"), "count", 3, 1, 15),
    Parameter("trustee_threshold", _("Trustees needed to decrypt the count"), "count", 2, 1, 15),
    Parameter(
        "trustee_setup_hours", _("Hours a trustee has to make their key"), "hours", 48, 1, 336
    ),
    Parameter(
        "decryption_days", _("Days the trustees have to decrypt the count"), "days", 7, 1, 60
    ),
    Parameter("quorum_standard", _("Quorum for standard articles"), "percent", 25, 1, 100),
    Parameter("majority_standard", _("Majority for standard articles"), "fraction", "2/3"),
    Parameter("quorum_entrenched", _("Quorum for entrenched articles"), "percent", 33, 1, 100),
    Parameter("majority_entrenched", _("Majority for entrenched articles"), "fraction", "3/4"),
    Parameter("signals_per_day", _("Signals a member may make in a day"), "count", 20, 1, 1_000),
    Parameter("auto_hide_signallers", _("Members whose signals hide a post"), "count", 3, 1, 100),
    Parameter(
        "signal_weight_days",
        _("Days of membership before one's signals count towards hiding a post"),
        "days",
        7,
        0,
        365,
    ),
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
    Parameter(
        "sanction_ladder",
        _("Graduated sanctions: the suspensions between a warning and a ban"),
        "ladder",
        [1, 3, 7, 30],
        1,
        365,
    ),
    Parameter("appeal_days", _("Days to appeal a decision"), "days", 14, 1, 90),
    Parameter(
        "claim_hours",
        _("Hours a moderator's claim on a case lasts without a decision"),
        "hours",
        48,
        1,
        720,
    ),
    Parameter(
        "first_day_threads", _("Threads a member may start on their first day"), "count", 3, 1, 100
    ),
    Parameter(
        "first_day_posts", _("Posts a member may write on their first day"), "count", 10, 1, 1_000
    ),
    Parameter(
        "public_moderator_names", _("Moderator names shown in the public journal"), "bool", False
    ),
]
BY_KEY = {parameter.key: parameter for parameter in PARAMETERS}


AMENDABLE = [parameter for parameter in PARAMETERS if parameter.amendable]


def defaults() -> dict:
    """The founding values, written in DESIGN.md: a new charter starts from them, a parameter a
    version lacks takes its own, and the founding ballot is held by theirs."""
    return {parameter.key: parameter.default for parameter in PARAMETERS}


def draft_defaults() -> dict:
    """What a new draft proposes: the founding values of the parameters members vote on."""
    return {parameter.key: parameter.default for parameter in AMENDABLE}


def with_defaults(values: dict) -> dict:
    return defaults() | {key: value for key, value in values.items() if key in BY_KEY}


def not_yet_ratified(values: dict) -> set[str]:
    """The keys of the parameters a version's members never voted on (added by a later release);
    the founding ballot's own, held once by their founding values, are not voted on at all."""
    return {parameter.key for parameter in AMENDABLE if parameter.key not in values}
