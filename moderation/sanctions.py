"""The graduated sanctions. A sanction is one value, a `Step` of the ladder, from the choice in
the decision form to the sanction's row and its label, and the step suggested next time."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

SUSPENSION_DAYS = (1, 3, 7, 30)


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")
    BAN = "ban", _("Ban")


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

    @classmethod
    def from_choice(cls, choice: str) -> "Step":
        for step in LADDER:
            if step.choice == choice:
                return step
        raise ValueError(choice)


# Mildest first.
LADDER = (
    Step(SanctionKind.WARNING),
    *(Step(SanctionKind.SUSPENSION, days) for days in SUSPENSION_DAYS),
    Step(SanctionKind.BAN),
)


def step_after(reached: Iterable[Step]) -> Step:
    """The step after the heaviest of those `reached`: the first without any, and a ban after
    a ban."""
    heaviest = max((LADDER.index(step) for step in reached), default=-1)
    return LADDER[min(heaviest + 1, len(LADDER) - 1)]
