"""The graduated sanctions. A sanction is one value, a `Step` of the ladder, from the choice in
the decision form to the sanction's row and its label, and the step suggested next time.

The ladder's suspensions are the charter's `sanction_ladder`, changed by amendment: `ladder`
makes the steps from the days in force, and a step reached on an older ladder still ranks by
its severity (a warning, then suspensions by their days, then a ban)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")
    BAN = "ban", _("Ban")


SEVERITY = {SanctionKind.WARNING: 0, SanctionKind.SUSPENSION: 1, SanctionKind.BAN: 2}


@dataclass(frozen=True)
class Step:
    """A warning, a suspension for `days`, or a ban."""

    kind: SanctionKind
    days: int | None = None

    @property
    def label(self) -> str:
        if self.kind == SanctionKind.SUSPENSION:
            return ngettext(
                "Suspension for %(days)s day", "Suspension for %(days)s days", self.days
            ) % {"days": self.days}
        return str(SanctionKind(self.kind).label)

    @property
    def choice(self) -> str:
        """The step as the decision form's select encodes it, "suspension-7" for example."""
        return f"{self.kind}-{self.days}" if self.days else str(self.kind)

    @property
    def severity(self) -> tuple[int, int]:
        return SEVERITY[SanctionKind(self.kind)], self.days or 0

    @classmethod
    def from_choice(cls, choice: str) -> "Step":
        """The step `choice` encodes, on any ladder; the form offers only the ladder in force."""
        kind, dash, days = choice.partition("-")
        if kind == SanctionKind.SUSPENSION and days.isdigit() and int(days) > 0:
            step = cls(SanctionKind.SUSPENSION, int(days))
        elif kind in (SanctionKind.WARNING, SanctionKind.BAN) and not dash:
            step = cls(SanctionKind(kind))
        else:
            raise ValueError(choice)
        if step.choice != choice:  # "suspension-07" is not a step's own encoding
            raise ValueError(choice)
        return step


def ladder(suspension_days: Sequence[int]) -> tuple[Step, ...]:
    """Mildest first: a warning, a suspension for each of `suspension_days`, a ban."""
    return (
        Step(SanctionKind.WARNING),
        *(Step(SanctionKind.SUSPENSION, days) for days in suspension_days),
        Step(SanctionKind.BAN),
    )


def step_after(reached: Iterable[Step], steps: Sequence[Step]) -> Step:
    """The first of `steps` (a ladder) heavier than the heaviest of those `reached`, which may
    have been on an older ladder: the first step without any, and a ban after a ban."""
    heaviest = max((step.severity for step in reached), default=None)
    if heaviest is None:
        return steps[0]
    return next((step for step in steps if step.severity > heaviest), steps[-1])
