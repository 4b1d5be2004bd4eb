"""What a bench prints: its figures and checks as it goes, kept with its logs afterwards."""

import os
import sys
from pathlib import Path

from bench import ledger


class Report:
    """Printed as it goes, and kept in the bench's results directory with its logs."""

    def __init__(self, results: Path):
        self.results, self.lines, self.failures = results, [], []
        self.checked = False

    def line(self, text: str) -> None:
        print(text, flush=True)
        self.lines.append(text)

    def part(self, title: str, body: str) -> None:
        self.line(f"\n== {title}\n{body}")

    def check(self, requirement: str, holds: bool, otherwise: str) -> None:
        if not self.checked:
            self.line("\n== Checks")
            self.checked = True
        verdict = "ok  " if holds else "FAIL"
        self.line(f"{verdict}  {requirement}" + ("" if holds else f": {otherwise}"))
        if not holds:
            self.failures.append(requirement)

    def close(self) -> int:
        verdict = "FAILED: " + "; ".join(self.failures) if self.failures else "all checks hold"
        self.line(f"\n{verdict}\n(report, ledger and logs in {self.results})")
        (self.results / "report.txt").write_text("\n".join(self.lines) + "\n")
        return 1 if self.failures else 0


def machine(load_before: tuple[float, float, float]) -> str:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgresql = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, Django {django.get_version()},"
        f" PostgreSQL {postgresql}; load average (1, 5, 15 min) before: "
        + " ".join(f"{n:.2f}" for n in load_before)
        + ", after: "
        + " ".join(f"{n:.2f}" for n in os.getloadavg())
        + " (other work on the machine slows every figure)"
    )


def report_the_run(report: Report, written: dict, *, run: str, built: dict):
    """Traffic and the writes against the database, printed; the figures for the checks."""
    traffic = ledger.traffic(written["requests"])
    report.part("Traffic (client side: from sending a request to its whole answer)", traffic.report)
    reckonings, boxes = ledger.reckon(
        written["writes"],
        run=run,
        members=[member["username"] for member in built["members"]],
        ballots=built["ballots"],
    )
    report.part(
        "Writes: what the members were told, against the database",
        ledger.reckoning_report(reckonings, boxes)
        + "\n(unsettled: neither done nor refused, e.g. a 5xx or no answer; done, untold: such a"
        " write that the database holds)",
    )
    return traffic, reckonings, boxes


def check_the_writes(report: Report, reckonings: list, boxes: dict, writes: list[dict]) -> None:
    """What must hold of the writes under load and under faults alike."""
    for reckoning in reckonings:
        report.check(
            f"{reckoning.kind}s: every one a member was told is done is in the database, once",
            not reckoning.lost and not reckoning.duplicated and not reckoning.told_twice,
            f"lost {sorted(reckoning.lost)[:5]}, twice {reckoning.duplicated}"
            f" in the database, {reckoning.told_twice} told twice",
        )
        report.check(
            f"{reckoning.kind}s: the database holds none that was refused or never tried",
            not reckoning.unexplained,
            f"{sorted(reckoning.unexplained)[:5]}",
        )
        report.check(f"{reckoning.kind}s: some were done", bool(reckoning.told), "none")
    report.check(
        "each ballot box holds one paper per tick on its roll",
        all(papers == ticks for papers, ticks in boxes.values()),
        str(boxes),
    )
    again = ledger.second_votes(writes)
    report.check(
        "a second vote in a ballot is refused",
        again[ledger.ACKNOWLEDGED] == 0,
        f"{again[ledger.ACKNOWLEDGED]} told done",
    )
    report.line(
        f"      (second votes tried: {sum(again.values())}, refused: {again[ledger.REFUSED]})"
    )
