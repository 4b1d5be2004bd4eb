"""The clients' ledger (bench/locustfile.py), summed up and set against the database.

Every write a member attempted is in the ledger with what the member was told: acknowledged
(the site said it was done), refused (the site said no: a rate limit, a second vote), or
neither (a 5xx, no answer, a page that did not say). The database must hold every
acknowledged write, and no write that was refused or never attempted; a write that was neither
may or may not be there (a worker killed after the commit, before the answer).
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from bench.figures import percentile, table

ACKNOWLEDGED, REFUSED = "acknowledged", "refused"


@dataclass
class Traffic:
    requests: int
    seconds: float
    five_xx: int
    no_answer: int
    statuses: Counter
    report: str
    errors: Counter = field(default_factory=Counter)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def traffic(requests: list[dict]) -> Traffic:
    """Requests, throughput, latency per kind of request, and what went wrong."""
    if not requests:
        return Traffic(0, 0.0, 0, 0, Counter(), "no request was made")
    started = min(r["at"] for r in requests)
    ended = max(r["at"] + r["ms"] / 1000 for r in requests)
    by_name: dict[str, list[dict]] = {}
    for request in requests:
        by_name.setdefault(request["name"], []).append(request)
    rows = []
    for name, done in [*sorted(by_name.items()), ("all", requests)]:
        times = [r["ms"] for r in done]
        others = Counter(r["status"] for r in done if not 200 <= r["status"] < 400)
        rows.append(
            [
                name,
                len(done),
                f"{percentile(times, 0.5):.0f}",
                f"{percentile(times, 0.95):.0f}",
                f"{max(times):.0f}",
                ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(others.items()))
                or "-",
            ]
        )
    statuses = Counter(r["status"] for r in requests)
    errors = Counter(r["error"] for r in requests if "error" in r)
    seconds = ended - started
    report = table(["request", "count", "p50 ms", "p95 ms", "max ms", "not 2xx/3xx"], rows)
    report += (
        f"\n{len(requests)} requests in {seconds:.1f} s: {len(requests) / seconds:.1f} requests/s"
    )
    return Traffic(
        requests=len(requests),
        seconds=seconds,
        five_xx=sum(n for status, n in statuses.items() if status >= 500),
        no_answer=statuses[0],
        statuses=statuses,
        report=report,
        errors=errors,
    )


@dataclass
class Reckoning:
    kind: str
    attempted: int
    told: set
    told_twice: int
    refused: set
    unsettled: set  # neither acknowledged nor refused
    in_database: set
    duplicated: int = 0

    @property
    def lost(self) -> set:
        return self.told - self.in_database

    @property
    def unexplained(self) -> set:
        """In the database, though no member was told so and none may have been."""
        return self.in_database - self.told - self.unsettled

    @property
    def committed_untold(self) -> set:
        return (self.in_database & self.unsettled) - self.told

    @property
    def exact(self) -> bool:
        return self.in_database == self.told and not self.duplicated and not self.told_twice

    def row(self) -> list:
        return [
            self.kind,
            self.attempted,
            len(self.told),
            len(self.refused),
            len(self.unsettled),
            len(self.in_database),
            len(self.lost),
            len(self.unexplained),
            len(self.committed_untold),
            self.duplicated + self.told_twice,
        ]


RECKONING_HEADERS = [
    "write",
    "attempted",
    "told done",
    "refused",
    "unsettled",
    "in database",
    "lost",
    "unexplained",
    "done, untold",
    "twice",
]


def _sort(writes: list[dict], kind: str, key) -> tuple[int, set, int, set, set]:
    mine = [w for w in writes if w["kind"] == kind]
    told = [key(w) for w in mine if w["outcome"] == ACKNOWLEDGED]
    refused = {key(w) for w in mine if w["outcome"] == REFUSED}
    unsettled = {key(w) for w in mine if w["outcome"] not in (ACKNOWLEDGED, REFUSED)}
    return len(mine), set(told), len(told) - len(set(told)), refused, unsettled


def reckon(writes: list[dict], *, run: str, members: list[str], ballots: list[int]):
    """Each kind of write, client against database; and each ballot's box against its roll."""
    from charter.models import Ballot, RollEntry
    from charter.selectors import audit_box
    from forum.models import Post
    from moderation.models import Signal

    marker = re.compile(rf"bench-{run}-\w+-\d+")
    markers = Counter(
        found
        for source in Post.objects.filter(source__contains=f"bench-{run}-").values_list(
            "source", flat=True
        )
        for found in marker.findall(source)
    )
    posts = Reckoning("post", *_sort(writes, "post", lambda w: w["marker"]), set(markers))
    posts.duplicated = sum(n - 1 for n in markers.values())
    signals = Reckoning(
        "signal",
        *_sort(writes, "signal", lambda w: (w["member"], w["post"])),
        set(
            Signal.objects.filter(signaller__username__in=members).values_list(
                "signaller__username", "post_id"
            )
        ),
    )
    votes = Reckoning(
        "vote",
        *_sort(writes, "vote", lambda w: (w["member"], w["ballot"])),
        set(
            RollEntry.objects.filter(
                ballot_id__in=ballots, member__username__in=members, voted=True
            ).values_list("member__username", "ballot_id")
        ),
    )
    # The site's own audit: an encrypted ballot's papers are in its public record, not Votes.
    audits = {ballot: audit_box(Ballot.objects.get(pk=ballot)) for ballot in ballots}
    boxes = {ballot: (audit.papers, audit.ticks) for ballot, audit in audits.items()}
    return [posts, signals, votes], boxes


def reckoning_report(reckonings: list[Reckoning], boxes: dict[int, tuple[int, int]]) -> str:
    report = table(RECKONING_HEADERS, [r.row() for r in reckonings])
    report += "\nballot boxes (papers in the box / ticks on the roll): " + ", ".join(
        f"#{ballot} {papers}/{ticks}" for ballot, (papers, ticks) in boxes.items()
    )
    return report


def second_votes(writes: list[dict]) -> Counter:
    """What members were told when they voted again in a ballot after being told their vote
    in it was done. (A vote whose first attempt went unanswered may rightly succeed later.)"""
    done: set[tuple[str, int]] = set()
    told: Counter = Counter()
    for write in writes:  # in the order they were attempted
        if write["kind"] != "vote":
            continue
        key = (write["member"], write["ballot"])
        if key in done:
            told[write["outcome"]] += 1
        elif write["outcome"] == ACKNOWLEDGED:
            done.add(key)
    return told
