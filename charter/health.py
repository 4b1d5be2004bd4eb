"""The charter's checks for /healthz: a deadline well past its time is a fault, and so is a
ballot found void that waits for a new count (`BallotBoxes`).

Every step of `services.run_deadlines` that has a due time is checked: an open ballot past its
close, a reminder not sent 48 hours before a close, an encrypted ballot still counting past its
time to decrypt, a proposal past its co-sponsoring window, a discussion past its end, and a
frozen proposal waiting for a ballot while none runs. Each counts as overdue once it is more
than CHARTER_CLOSE_GRACE_SECONDS late, the slack the beat schedule needs. Four queries, however
many there are.
"""

import dataclasses
from datetime import UTC, datetime, timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from health_check import HealthCheck
from health_check.exceptions import ServiceUnavailable

from charter import belenios, selectors
from charter.models import Ballot, BallotState, Proposal, VoidReason
from charter.models import ProposalState as State


@dataclasses.dataclass
class CharterDeadlines(HealthCheck):
    """Fails while any deadline is overdue: nothing is running the deadlines."""

    async def run(self) -> None:
        # Async, so the queries run on the request's own thread and in its language.
        now = timezone.now()
        cutoff = now - timedelta(seconds=settings.CHARTER_CLOSE_GRACE_SECONDS)
        overdue = [
            *await _overdue_closes(),
            *await _overdue_counts(cutoff),
            *await _overdue_reminders(now, cutoff),
            *await _overdue_proposals(cutoff),
        ]
        if overdue:
            cause = _(
                "Likely cause: neither Celery beat (task charter.tasks.run_deadlines) nor the "
                "run_charter_deadlines command is running."
            )
            raise ServiceUnavailable(" ".join([*overdue, cause]))


@dataclasses.dataclass
class BallotBoxes(HealthCheck):
    """Fails while a ballot found void at its close (its box did not match its roll) waits for
    its question to be counted by another ballot. One query."""

    async def run(self) -> None:
        void = [ballot async for ballot in selectors.unresolved_void_ballots()]
        if void:
            tampered = any(ballot.void_reason != VoidReason.NOT_DECRYPTED for ballot in void)
            cause = (
                _(
                    "Papers went into or out of a ballot box, or ticks onto a roll, other than "
                    "by a vote: someone with access to the database did it, or a fault. This "
                    "check passes once the question is counted by a new ballot."
                )
                if tampered
                else _(
                    "Too few trustees decrypted the count in time. This check passes once the "
                    "question is counted by a new ballot."
                )
            )
            reports = [
                _("Ballot #%(ballot)s was void at its close, %(closed)s. %(why)s")
                % {"ballot": ballot.pk, "closed": _utc(ballot.closed_at), "why": ballot.why_void}
                for ballot in void
            ]
            raise ServiceUnavailable(" ".join([*reports, cause]))


@dataclasses.dataclass
class BallotEngine(HealthCheck):
    """Fails when belenios-tool, which sets up, takes and counts every ballot, is missing on
    this machine (web or worker): no query."""

    async def run(self) -> None:
        if not belenios.available():
            raise ServiceUnavailable(
                _(
                    "belenios-tool is not installed on this machine: no ballot can be prepared, "
                    "voted in or counted here. Install it with scripts/install-system-packages "
                    "--only belenios-tool (Debian's package belenios-tool)."
                )
            )


async def _overdue_closes() -> list[str]:
    ballots = [
        (pk, closes_at)
        async for pk, closes_at in selectors.overdue_ballots()
        .order_by("closes_at", "pk")
        .values_list("pk", "closes_at")
    ]
    if not ballots:
        return []
    return [
        ngettext(
            "%(count)d open ballot is past its close (ballot %(ballots)s, due at %(deadline)s).",
            "%(count)d open ballots are past their close (ballots %(ballots)s, the oldest due "
            "at %(deadline)s).",
            len(ballots),
        )
        % _numbered(ballots)
    ]


async def _overdue_counts(cutoff: datetime) -> list[str]:
    """A ballot still counting past its time to decrypt: the deadline run counts it (enough
    trustees decrypted) or finds it void (too few), so it is not running."""
    ballots = [
        row
        async for row in Ballot.objects.filter(
            state=BallotState.COUNTING, election__decrypt_by__lt=cutoff
        )
        .order_by("election__decrypt_by", "pk")
        .values_list("pk", "election__decrypt_by")
    ]
    if not ballots:
        return []
    return [
        ngettext(
            "%(count)d ballot is still counting past its time to decrypt (ballot %(ballots)s, "
            "due at %(deadline)s).",
            "%(count)d ballots are still counting past their time to decrypt (ballots "
            "%(ballots)s, the oldest due at %(deadline)s).",
            len(ballots),
        )
        % _numbered(ballots)
    ]


async def _overdue_reminders(now: datetime, cutoff: datetime) -> list[str]:
    """The reminder is due `reminder_hours` before the close, or at the opening of a shorter
    ballot; once the close has passed, the close is what is overdue."""
    unreminded = [
        row
        async for row in Ballot.objects.filter(
            state=BallotState.OPEN,
            reminded_at__isnull=True,
            opened_at__lt=cutoff,
            closes_at__gt=now,
        )
        .order_by("closes_at", "pk")
        .values_list("pk", "opened_at", "closes_at")
    ]
    if not unreminded:
        return []
    values = await sync_to_async(selectors.parameters_in_force)()
    before_close = timedelta(hours=values["reminder_hours"])
    ballots = [
        (pk, max(opened_at, closes_at - before_close))
        for pk, opened_at, closes_at in unreminded
        if closes_at < cutoff + before_close
    ]
    if not ballots:
        return []
    return [
        ngettext(
            "%(count)d open ballot has not yet sent its reminder to those who have not voted "
            "(ballot %(ballots)s, due at %(deadline)s).",
            "%(count)d open ballots have not yet sent their reminders to those who have not voted "
            "(ballots %(ballots)s, the oldest due at %(deadline)s).",
            len(ballots),
        )
        % _numbered(ballots)
    ]


def _numbered(ballots: list[tuple[int, datetime]]) -> dict:
    return {
        "count": len(ballots),
        "ballots": ", ".join(f"#{pk}" for pk, _due in ballots),
        "deadline": _utc(min(due for _pk, due in ballots)),
    }


async def _overdue_proposals(cutoff: datetime) -> list[str]:
    found = await Proposal.objects.filter(
        state__in=[State.SEEKING, State.DISCUSSION, State.FROZEN, State.BALLOT]
    ).aaggregate(
        lapses=Count("pk", filter=Q(state=State.SEEKING, sponsors_due_at__lt=cutoff)),
        oldest_lapse=Min("sponsors_due_at", filter=Q(state=State.SEEKING)),
        discussions=Count("pk", filter=Q(state=State.DISCUSSION, discussion_ends_at__lt=cutoff)),
        oldest_discussion=Min("discussion_ends_at", filter=Q(state=State.DISCUSSION)),
        frozen=Count("pk", filter=Q(state=State.FROZEN, discussion_ends_at__lt=cutoff)),
        oldest_frozen=Min("discussion_ends_at", filter=Q(state=State.FROZEN)),
        running=Count("pk", filter=Q(state=State.BALLOT)),
    )
    overdue = []
    if found["lapses"]:
        overdue.append(
            ngettext(
                "%(count)d proposal is past the end of its time to find co-sponsors and has "
                "not lapsed (due at %(deadline)s).",
                "%(count)d proposals are past the end of their time to find co-sponsors and "
                "have not lapsed (the oldest due at %(deadline)s).",
                found["lapses"],
            )
            % {"count": found["lapses"], "deadline": _utc(found["oldest_lapse"])}
        )
    if found["discussions"]:
        overdue.append(
            ngettext(
                "%(count)d proposal's discussion is past its end and its text is not frozen "
                "(due at %(deadline)s).",
                "%(count)d proposals' discussions are past their end and their texts are not "
                "frozen (the oldest due at %(deadline)s).",
                found["discussions"],
            )
            % {"count": found["discussions"], "deadline": _utc(found["oldest_discussion"])}
        )
    # Whether a frozen proposal may open beside running ballots depends on the articles each
    # touches; with none running and room for one, the oldest surely should have opened.
    if found["frozen"] and not found["running"]:
        overdue.append(
            ngettext(
                "%(count)d frozen proposal waits for its ballot while none is open (since "
                "%(deadline)s).",
                "%(count)d frozen proposals wait for their ballot while none is open (the "
                "oldest since %(deadline)s).",
                found["frozen"],
            )
            % {"count": found["frozen"], "deadline": _utc(found["oldest_frozen"])}
        )
    return overdue


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
