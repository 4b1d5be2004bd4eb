"""The close of a clear-box ballot, timed: `close_ballot` under a clock that times every query
and names the project function that ran it, then `announce_results` apart; and the tables of
what it found. (An encrypted ballot's close is timed by bench/ballots_encrypted.py.)"""

import math
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.figures import table
from bench.standalone import DELIVER, QUEUE, ROOT, queued_tasks


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


CLOSE_COLUMNS = [
    "ballot", "voters", "papers", "close s", "in tx s", "commit", "publish", "vacuum",
    "announce s",
    "queries", "told", "emails", "messages",
]  # fmt: skip


@dataclass
class Close:
    label: str
    voters: int
    papers: int
    total: float = 0.0
    in_transaction: float = 0.0
    commit: float = 0.0
    publish: float = 0.0
    vacuum: float = 0.0
    announce: float = 0.0
    told: int = 0
    deliveries: int = 0
    messages: int = 0
    # (function, SQL statement's first words) -> [queries, seconds]
    queries: dict = field(default_factory=dict)

    @property
    def query_count(self) -> int:
        return sum(count for count, _ in self.queries.values())

    def row(self) -> list[str]:
        return [
            self.label,
            f"{self.voters:,}",
            f"{self.papers:,}",
            f"{self.total:.3f}",
            f"{self.in_transaction:.3f}",
            ms(self.commit),
            ms(self.publish),
            ms(self.vacuum),
            f"{self.announce:.3f}",
            str(self.query_count),
            f"{self.told:,}",
            f"{self.deliveries:,}",
            f"{self.messages:,}",
        ]

    def by_function(self) -> dict[str, list]:
        totals: dict[str, list] = {}
        for (function, _statement), (count, seconds) in self.queries.items():
            entry = totals.setdefault(function, [0, 0.0])
            entry[0] += count
            entry[1] += seconds
        return totals


class QueryClock:
    """An execute wrapper: times every query and names the project function that ran it, and
    marks the moment the close's transaction has committed (an on_commit callback registered
    before any of the close's own, so it runs first)."""

    PROJECT = (str(ROOT / "charter"), str(ROOT / "notifications"))

    def __init__(self):
        self.queries: list[tuple[str, str, float, float]] = []
        self.committed: float | None = None
        self._watching = False

    def __call__(self, execute, sql, params, many, context):
        from django.db import connection, transaction

        if connection.in_atomic_block and not self._watching:
            self._watching = True
            transaction.on_commit(self._commit)
        begin = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((self._caller(), sql, begin, time.perf_counter()))

    def _commit(self) -> None:
        self.committed = time.perf_counter()

    def _caller(self) -> str:
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename.startswith(self.PROJECT):
                return f"{frame.f_globals['__name__']}.{frame.f_code.co_name}"
            frame = frame.f_back
        return "?"


def statement(sql: str) -> str:
    """The kind of a query and its table: 'INSERT notifications_notification'."""
    verb = sql.split()[0].upper()
    named = re.search(r'\b(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    return f"{verb} {named[1]}" if named else verb


def timed_close(ballot, cast: Counter, broker, *, label: str, profiler=None) -> Close:
    from django.db import connection

    from charter import services
    from charter.models import Ballot

    assert not ballot.is_encrypted, (
        f"ballot #{ballot.pk} is encrypted: this bench is the clear box's"
    )
    broker.delete(QUEUE)  # only the close's own messages are counted below
    clock = QueryClock()
    with connection.execute_wrapper(clock):
        if profiler:
            profiler.start()
        begin = time.perf_counter()
        closed = services.close_ballot(ballot_id=ballot.pk, now=ballot.closes_at)
        end = time.perf_counter()
        if profiler:
            profiler.stop()
    assert closed == 1, "close_ballot closed nothing"
    assert clock.committed is not None, "the close's transaction did not commit"

    ballot = Ballot.objects.get(pk=ballot.pk)
    assert ballot.passed, f"ballot #{ballot.pk} did not pass"
    assert (ballot.yes, ballot.no, ballot.abstain) == (cast["yes"], cast["no"], cast["abstain"]), (
        "the tally is not what was cast"
    )
    assert ballot.papers_resealed == cast.total()
    close = Close(label=label, voters=ballot.eligible_count, papers=cast.total())
    _split(close, clock, begin, end)
    _announce(close, ballot, broker)
    print(
        f"{label}: ballot #{ballot.pk} closed in {close.total:.3f} s (in the transaction"
        f" {close.in_transaction:.3f} s, commit {ms(close.commit)} ms, publishing"
        f" {ms(close.publish)} ms, VACUUM {ms(close.vacuum)} ms); {close.query_count} queries;"
        f" then announced in {close.announce:.3f} s: {close.told:,} members told,"
        f" {close.deliveries:,} emails planned, {close.messages} messages",
        flush=True,
    )
    return close


def _split(close: Close, clock: QueryClock, begin: float, end: float) -> None:
    """The close's time, from `begin` to `end`: in its transaction, its commit, the publishing
    on commit and the VACUUM after it; and its queries by function and statement."""
    close.total = end - begin
    in_transaction = [q for q in clock.queries if q[2] < clock.committed]
    after = [q for q in clock.queries if q[2] >= clock.committed]
    last_in_transaction = max(q[3] for q in in_transaction)
    close.in_transaction = last_in_transaction - begin
    close.commit = clock.committed - last_in_transaction
    vacuum = [q for q in after if q[1].startswith("VACUUM")]
    close.vacuum = sum(q[3] - q[2] for q in vacuum)
    close.publish = (vacuum[0][2] if vacuum else end) - clock.committed
    for function, sql, began, ended in clock.queries:
        entry = close.queries.setdefault((function, statement(sql)), [0, 0.0])
        entry[0] += 1
        entry[1] += ended - began


def _announce(close: Close, ballot, broker) -> None:
    """The result announced after the close, as the deadline run does, timed apart."""
    from charter import services
    from notifications.models import Delivery, Notification

    key = services.ballot_event_key(ballot.pk, "result")
    assert not Notification.objects.filter(event_key=key).exists(), "the close told the members"
    begin = time.perf_counter()
    announced = services.announce_results()
    close.announce = time.perf_counter() - begin
    assert announced == 1, "announce_results announced nothing"
    close.told = Notification.objects.filter(event_key=key).count()
    close.deliveries = Delivery.objects.filter(notification__event_key=key).count()
    messages = queued_tasks(broker)
    close.messages = messages[DELIVER]
    assert close.messages == math.ceil(close.deliveries / 50), messages
    broker.delete(QUEUE)


def query_comparison(small: Close, large: Close) -> str:
    """Queries per function and statement, at both sizes: what grows, and by how much."""
    keys = sorted(set(small.queries) | set(large.queries))
    rows = []
    for key in keys:
        a, b = small.queries.get(key, [0, 0.0])[0], large.queries.get(key, [0, 0.0])[0]
        rows.append([key[0], key[1], str(a), str(b), "" if a == b else "grows"])
    return (
        f"Queries of close_ballot: {small.query_count} with {small.voters:,} voters,"
        f" {large.query_count} with {large.voters:,}\n"
        + table(
            ["function", "statement", f"{small.voters:,}", f"{large.voters:,}", ""],
            rows,
        )
    )


def breakdown(closes: list[Close]) -> str:
    """Where the close's time goes, median over the runs: SQL per function, and the rest."""
    functions = sorted({name for close in closes for name in close.by_function()})
    rows = []
    for name in functions:
        seconds = [close.by_function().get(name, [0, 0.0])[1] for close in closes]
        count = closes[-1].by_function().get(name, [0, 0.0])[0]
        rows.append([name, str(count), ms(statistics.median(seconds))])
    rows.sort(key=lambda row: -float(row[2]))
    sql = statistics.median(
        sum(seconds for _, seconds in close.queries.values()) for close in closes
    )
    total = statistics.median(close.total for close in closes)
    return (
        f"SQL time of close_ballot by the function that ran it, median of {len(closes)} runs"
        f" ({closes[-1].voters:,} voters)\n"
        + table(["function", "queries", "SQL ms"], rows)
        + f"\nall SQL: {ms(sql)} ms of {ms(total)} ms; the rest ({ms(total - sql)} ms) is Python"
        " (Django building and reading rows, the services), the COMMIT and the on-commit"
        " publishing"
    )
