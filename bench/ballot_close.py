"""Closing a ballot with 10,000 voters: does it take under a second?

The target measured: "closing a ballot with 10,000 voters: under 1 s". The close is
`charter.services.close_ballot`, which the Celery beat task `charter.tasks.run_deadlines` calls
for each ballot due: in one transaction it reseals the box (rewrites every paper and every roll
row), counts, and ratifies what passed (and then asks every member to accept the new version);
after the commit it VACUUMs the box and the roll. The same deadline run then tells the members
of the result, in a transaction of its own (`charter.services.announce_results` calling
`notifications.services.notify`: the rows in the transaction, the emails queued on commit as
`deliver_emails` tasks of 50); its time is measured and reported beside the close's.

  A. Amendment ballots on a community of 10,000 members with a ratified charter in force
     (`--repeat` of them, each on a fresh ballot), and the founding ballot that ratified it:
     wall time of `close_ballot` (its transaction, its commit and the VACUUM), split by step,
     with its SQL queries per function; then the wall time of `announce_results` (the
     notifications, their commit and the publishing of the email tasks to Redis).
  B. The same close on a community of 1,000 (`--small`), for the number of queries.
  C. A real Celery worker (prefork, 2 processes) closes one more ballot in its deadline run and
     sends the result's emails (dummy backend): the task's time as the worker logs it, then
     seconds until every email is sent. The target is about A (the close in the task that
     closes it); C is what follows it.

Every vote goes through `charter.services.cast_vote`, one call per voter, as a member's request
would; between the votes and the close, the box is resealed once as the deadline runs do while
a ballot is open, and a few late votes follow. The timeline lies in the past (the services take
`now=`), so that the worker of part C finds its ballot due.

Run under a throwaway PostgreSQL (it starts its own Redis):
    scripts/postgres-for-tests .venv/bin/python bench/ballot_close.py
"""

import argparse
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import standalone  # noqa: E402 - once the project is on the path
from bench.stack import section  # noqa: E402
from bench.standalone import table  # noqa: E402

QUEUE = "celery"  # Celery's default queue: a Redis list of JSON messages under this key.
DELIVER = "notifications.tasks.deliver_emails"
TARGET_SECONDS = 1.0
TURNOUT = 0.85
# Of those who vote: 70 % yes, 20 % no, 10 % abstain, so every ballot passes and ratifies.
CHOICES = ["yes"] * 14 + ["no"] * 4 + ["abstain"] * 2
LATE_VOTES = 50  # cast after the last reseal, as votes in the deadline run's last 30 s would be
DAYS_PER_AMENDMENT = 17  # submitted, co-sponsored, 7 days of discussion, 7 of ballot, a day off
STANDARD_ARTICLES = [1, 2, 3, 4, 5]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=10_000, help="members, all on the roll")
    parser.add_argument("--small", type=int, default=1_000, help="members of part B")
    parser.add_argument("--repeat", type=int, default=3, help="amendment ballots closed (A)")
    parser.add_argument("--no-worker", action="store_true", help="skip part C")
    parser.add_argument(
        "--send-budget", type=float, default=180.0, help="seconds to watch the emails go (C)"
    )
    parser.add_argument(
        "--profile",
        choices=["auto", "always", "never"],
        default="auto",
        help="close one more ballot under pyinstrument (auto: when the median misses 1 s)",
    )
    args = parser.parse_args()
    if not 0 < args.small < args.voters:
        parser.error("--small must be between 0 and --voters")

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        sys.exit(
            "DATABASE_URL must point at PostgreSQL; run:\n"
            "  scripts/postgres-for-tests .venv/bin/python bench/ballot_close.py"
        )
    sys.path.insert(0, str(ROOT))
    from tests.live_stack import RedisServer

    workdir = Path(tempfile.mkdtemp(prefix="palabre-bench-"))
    redis = RedisServer(workdir)
    try:
        redis.start()
        configure_environment(redis.url)
        run(args, redis.url, workdir)
    finally:
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def configure_environment(redis_url: str) -> None:
    """Before django.setup(): the test settings, with Redis as broker (so no eager tasks)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ["REDIS_URL"] = redis_url
    os.environ["EMAIL_URL"] = "dummymail://"
    # The sweeps look for work older than this: an hour keeps the deliveries planned while
    # the bench builds its ballots out of part C's figures.
    os.environ["NOTIFICATIONS_SWEEP_SECONDS"] = "3600"
    os.environ.setdefault("LOG_LEVEL", "WARNING")


# Figures


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


# The benchmark


def run(args: argparse.Namespace, redis_url: str, workdir: Path) -> None:
    import celery
    import django

    django.setup()

    started = time.perf_counter()
    load_at_start = os.getloadavg()
    section("Setup")
    broker, pg_version = standalone.prepare(
        redis_url, why="the email tasks would run inside the close"
    )
    # One slot per amendment ballot: B, A's repeats, the profiled one and C's.
    days_back = 20 + DAYS_PER_AMENDMENT * (args.repeat + 3)
    site = build_community(args.voters, start=django_now() - timedelta(days=days_back))
    print(
        f"{args.voters:,} members (an admin and {args.voters - 1:,} others, verified, joined"
        f" {days_back + 400} days ago) built in {site.seconds:.1f} s"
    )

    section(f"Founding ballot, {args.voters:,} voters")
    founding = close_founding_ballot(site, broker)

    section(f"B. An amendment ballot on a community of {args.small:,}")
    small = close_small_amendment(site, args.small, broker)

    section(f"A. Amendment ballots, {args.voters:,} voters, {args.repeat} runs")
    closes = [close_amendment(site, broker, label=f"run {n + 1}") for n in range(args.repeat)]
    median = statistics.median(close.total for close in closes)

    profile = None
    if args.profile == "always" or (args.profile == "auto" and median > TARGET_SECONDS):
        section(f"Profile: one more {args.voters:,}-voter close under pyinstrument")
        profile = profile_close(site, broker)

    worker_figures = None
    if not args.no_worker:
        section("C. A Celery worker (prefork, 2 processes) closes a ballot and sends the result")
        worker_figures = measure_worker(site, broker, args.send_budget, workdir)

    section("Summary")
    print(
        f"machine: {os.cpu_count()} cores ({platform.machine()}, {platform.system()}), "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {pg_version}, Redis {broker.info('server')['redis_version']}, "
        f"Celery {celery.__version__}"
    )
    print(
        "load average (1, 5, 15 min) at start: {:.2f} {:.2f} {:.2f}, at end: {:.2f} {:.2f} {:.2f}"
        " (other work on the machine skews every figure)".format(*load_at_start, *os.getloadavg())
    )
    print()
    print(
        "close_ballot, wall time of the call (transaction + commit + on-commit work + VACUUM),"
        " seconds; then announce_results, apart\n"
        + table(CLOSE_COLUMNS, [close.row() for close in [founding, small, *closes]])
        + "\n(commit, publish, vacuum in ms; announce: announce_results' whole call, its own"
        " transaction; told: notifications it wrote; emails: deliveries planned; messages:"
        " deliver_emails tasks published to Redis)"
    )
    print()
    print(query_comparison(small, closes[-1]))
    print()
    print(breakdown(closes))
    if profile:
        print()
        print(profile)
    if worker_figures:
        print()
        print(worker_figures)
    times = [close.total for close in closes]
    print(
        f"\nclose_ballot, amendment ballot, {args.voters:,} voters, {len(times)} runs:"
        f" median {statistics.median(times):.3f} s, min {min(times):.3f} s,"
        f" max {max(times):.3f} s (founding ballot: {founding.total:.3f} s); the announcement"
        f" after it: median {statistics.median(close.announce for close in closes):.3f} s"
    )
    verdict = "ok" if median < TARGET_SECONDS else "FAIL"
    print(
        f"{verdict}: median close {median:.3f} s against the target of {TARGET_SECONDS:.0f} s"
        " (the whole close_ballot call, as the deadline task runs it; the announcement and C's"
        " emails come after, apart)"
    )
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")


def django_now() -> datetime:
    from django.utils import timezone

    return timezone.now()


# The community


@dataclass
class Site:
    admin: object
    members: list  # every member, the admin first
    start: datetime  # the bench's clock: each step moves it on
    seconds: float

    @property
    def proposers(self) -> list:
        """The author and the co-sponsors of every amendment."""
        return self.members[1:5]


def build_community(voters: int, *, start: datetime) -> Site:
    """Members as the site's sign-up leaves them once verified, written in bulk."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from members.models import Member

    began = time.perf_counter()
    password = make_password("bench-member")  # one hash for all: hashing is not measured
    joined = start - timedelta(days=400)

    def member(username: str, **fields) -> Member:
        return Member(
            username=username,
            email=f"{username}@bench.palabre.test",
            password=password,
            date_joined=joined,
            # Active in the last 12 months at every close: each counts toward the quorum.
            last_login=start - timedelta(days=1),
            **fields,
        )

    Member.objects.bulk_create(
        [member("admin", is_staff=True, is_superuser=True)]
        + [member(f"voter{n:05}") for n in range(1, voters)],
        batch_size=1_000,
    )
    members = list(Member.objects.order_by("pk"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=m, email=m.email, verified=True, primary=True) for m in members],
        batch_size=1_000,
    )
    # Statistics for the planner, as a site that grew to this size would have.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Site(admin=members[0], members=members, start=start, seconds=time.perf_counter() - began)


def accept(version, members: list) -> None:
    """What `charter.services.accept_charter` writes for each member (an acceptance row, and
    nothing left to accept): the admin and the proposers through the service, the others in
    bulk. `members` starts with them."""
    from charter import services
    from charter.models import Acceptance
    from members.models import Member

    through_service, rest = members[:5], members[5:]
    for member in through_service:
        services.accept_charter(member=member, version=version)
    # The service's get_or_create: the founding draft, once ratified, is the same version.
    Acceptance.objects.bulk_create(
        [Acceptance(member=m, version=version) for m in rest],
        batch_size=1_000,
        ignore_conflicts=True,
    )
    Member.objects.filter(pk__in=[m.pk for m in rest]).update(must_accept_charter=False)
    pks = [m.pk for m in members]
    accepted = Acceptance.objects.filter(version=version, member__in=pks).count()
    assert accepted == len(members), f"{accepted} acceptances for {len(members)} members"
    assert not Member.objects.filter(pk__in=pks, must_accept_charter=True).exists()


def vote(ballot, voters: list) -> Counter:
    """Most of the roll votes through cast_vote; the box is resealed as the deadline runs
    would while the ballot is open; then the last few vote. Returns the choices cast."""
    from charter import services

    chooser = random.Random(ballot.pk)
    voting = [m for m in voters if chooser.random() < TURNOUT]
    choices = [chooser.choice(CHOICES) for _ in voting]
    cast_at = ballot.opened_at + timedelta(hours=1)
    began = time.perf_counter()
    early = len(voting) - LATE_VOTES
    for member, choice in zip(voting[:early], choices[:early], strict=True):
        services.cast_vote(member=member, ballot=ballot, choice=choice, now=cast_at)
    voted = time.perf_counter()
    services.reseal_open_ballot_boxes()
    resealed = time.perf_counter()
    for member, choice in zip(voting[early:], choices[early:], strict=True):
        services.cast_vote(member=member, ballot=ballot, choice=choice, now=cast_at)
    print(
        f"ballot #{ballot.pk}: {len(voting):,} of {len(voters):,} on the roll voted through"
        f" cast_vote ({(voted - began) / early * 1000:.1f} ms a vote);"
        f" the deadline run's reseal of {early:,} papers took {resealed - voted:.2f} s;"
        f" {LATE_VOTES} late votes after it",
        flush=True,
    )
    return Counter(choices)


def close_founding_ballot(site: Site, broker) -> "Close":
    from bench.community import ARTICLES
    from charter import selectors, services
    from charter.parameters import defaults

    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=site.admin,
        version=draft,
        articles=[services.ArticleDraft(*article) for article in ARTICLES],
        parameters=defaults(),
    )
    # Until the founding ballot passes, members accept the provisional text.
    accept(draft, site.members)
    ballot = services.open_founding_ballot(admin=site.admin, version=draft, now=site.start)
    cast = vote(ballot, site.members)
    close = timed_close(ballot, cast, broker, label="founding")
    assert selectors.current_version() is not None, "the founding ballot did not ratify"
    site.start = ballot.closes_at + timedelta(days=1)
    return close


def open_amendment(site: Site, number: int):
    """An amendment to a standard article, through the services, put to its ballot."""
    from charter import selectors, services
    from charter.models import Ballot
    from charter.texts import Change

    current = selectors.current_version()
    article = next(a for a in selectors.article_texts(current) if a.number == number)
    author, *sponsors = site.proposers
    proposal = services.create_proposal(
        author=author,
        title=f"Reword article {number}",
        rationale="Clearer words.",
        changes=[Change("change", article.identity, article.title, f"{article.body} Amended.")],
        parameters={},
    )
    services.submit_proposal(author=author, proposal=proposal, now=site.start)
    for sponsor in sponsors:
        services.sponsor_proposal(
            member=sponsor, proposal=proposal, now=site.start + timedelta(hours=1)
        )
    proposal.refresh_from_db()
    opened_at = proposal.discussion_ends_at
    assert services.end_discussions(now=opened_at) == 1, "the discussion did not end"
    assert services.open_amendment_ballots(now=opened_at) == 1, "the ballot did not open"
    ballot = Ballot.objects.get(proposal=proposal)
    site.start = ballot.closes_at + timedelta(days=1)
    return ballot


def amendment_ballot(site: Site, roll: list):
    """An open amendment ballot with `roll` on its roll and most of them having voted; each
    amends another article than the last, so nothing is outdated by the previous one."""
    from charter import selectors

    number = selectors.current_version().number
    ballot = open_amendment(site, STANDARD_ARTICLES[number % len(STANDARD_ARTICLES)])
    assert ballot.eligible_count == len(roll), f"{ballot.eligible_count} on the roll"
    return ballot, vote(ballot, roll)


def accept_in_force(members: list) -> None:
    """After a ratification everyone accepts the new version, as they must before writing."""
    from charter import selectors

    accept(selectors.current_version(), members)


def close_small_amendment(site: Site, small: int, broker) -> "Close":
    """Part B: the same close where only `small` members are active. The others are switched
    off (inactive members are on no roll and told nothing) and back on afterwards."""
    from members.models import Member

    community, others = site.members[:small], site.members[small:]
    Member.objects.filter(pk__in=[m.pk for m in others]).update(is_active=False)
    accept_in_force(community)
    ballot, cast = amendment_ballot(site, community)
    close = timed_close(ballot, cast, broker, label=f"amendment, {small:,}")
    Member.objects.filter(pk__in=[m.pk for m in others]).update(is_active=True)
    accept_in_force(site.members)
    return close


def close_amendment(site: Site, broker, *, label: str) -> "Close":
    ballot, cast = amendment_ballot(site, site.members)
    close = timed_close(ballot, cast, broker, label=f"amendment, {label}")
    accept_in_force(site.members)
    return close


# The close, timed

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
    from notifications.models import Delivery, Notification

    broker.delete(QUEUE)  # only the close's own messages are counted below
    clock = QueryClock()
    key = f"ballot:{ballot.pk}:result"
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
    assert not Notification.objects.filter(event_key=key).exists(), "the close told the members"
    begin = time.perf_counter()
    announced = services.announce_results()
    close.announce = time.perf_counter() - begin
    assert announced == 1, "announce_results announced nothing"
    close.told = Notification.objects.filter(event_key=key).count()
    close.deliveries = Delivery.objects.filter(notification__event_key=key).count()
    messages = Counter(json.loads(raw)["headers"]["task"] for raw in broker.lrange(QUEUE, 0, -1))
    close.messages = messages[DELIVER]
    assert close.messages == math.ceil(close.deliveries / 50), messages
    broker.delete(QUEUE)
    print(
        f"{label}: ballot #{ballot.pk} closed in {close.total:.3f} s (in the transaction"
        f" {close.in_transaction:.3f} s, commit {ms(close.commit)} ms, publishing"
        f" {ms(close.publish)} ms, VACUUM {ms(close.vacuum)} ms); {close.query_count} queries;"
        f" then announced in {close.announce:.3f} s: {close.told:,} members told,"
        f" {close.deliveries:,} emails planned, {close.messages} messages",
        flush=True,
    )
    return close


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


def profile_close(site: Site, broker) -> str:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return (
            "pyinstrument is not installed: .venv/bin/pip install pyinstrument, then run again"
            " (or --profile always)"
        )
    ballot, cast = amendment_ballot(site, site.members)
    profiler = Profiler(interval=0.001)
    close = timed_close(ballot, cast, broker, label="profiled", profiler=profiler)
    accept_in_force(site.members)
    stamp = django_now().strftime("%Y%m%d-%H%M%S")
    saved = ROOT / "var" / "bench" / f"ballot_close-{stamp}-profile.html"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(profiler.output_html())
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    return (
        f"pyinstrument, close_ballot with {close.voters:,} voters ({close.total:.3f} s under the"
        f" profiler; HTML in {saved.relative_to(ROOT)})\n{text}"
    )


# Part C


def measure_worker(site: Site, broker, budget: float, workdir: Path) -> str:
    """A worker started with a ballot due: its first deadline run (sent when the worker is
    ready) closes it, then announces the result; then its deliver_emails tasks send it."""
    from django.db.models import Count

    from charter.models import Ballot, BallotState
    from config.celery import app
    from notifications.models import Delivery, DeliveryState
    from tests.live_stack import Service

    ballot, cast = amendment_ballot(site, site.members)
    assert ballot.closes_at < django_now(), "part C's ballot is not due yet"
    key = f"ballot:{ballot.pk}:result"
    broker.delete(QUEUE)
    log = workdir / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork"]
    command += ["--concurrency=2", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
    worker = Service("celery worker", command, dict(os.environ), log, ready="ready.")
    began = time.time()
    worker.start()
    try:
        print(f"worker ready in {time.time() - began:.1f} s", flush=True)

        def closed() -> Ballot | None:
            found = Ballot.objects.get(pk=ballot.pk)
            return found if found.state == BallotState.CLOSED else None

        states: dict[str, int] = {}

        def all_sent() -> bool:
            states.clear()
            states.update(
                Delivery.objects.filter(notification__event_key=key)
                .values_list("state")
                .annotate(n=Count("pk"))
            )
            total = site_deliveries(key)
            return total > 0 and states.get(DeliveryState.SENT, 0) >= total

        while (found := closed()) is None and time.time() - began < 120:
            time.sleep(0.1)
        assert found is not None, "the worker did not close the ballot"
        assert found.yes == cast["yes"], "the worker's tally is not what was cast"
        # closed_at is the worker's clock when its deadline run started the close.
        start = found.closed_at.timestamp()
        seen_closed = time.time() - start
        while (
            not Ballot.objects.filter(pk=ballot.pk, result_announced=True).exists()
            and time.time() - start < budget
        ):
            time.sleep(0.1)
        seen_announced = time.time() - start
        finished = None
        while time.time() - start < budget:
            if all_sent():
                finished = time.time() - start
                break
            time.sleep(0.5)
        elapsed = time.time() - start
        print(f"delivery states after {elapsed:.1f} s: {states}", flush=True)
    finally:
        worker.stop()
    app.control.purge()
    lines = log.read_text().splitlines()
    errors = [line for line in lines if "ERROR" in line]
    runtimes = task_runtimes(lines)
    deadlines = runtimes.get("charter.tasks.run_deadlines", [])
    emails = runtimes.get(DELIVER, [])
    sent = states.get(DeliveryState.SENT, 0)
    total = site_deliveries(key)
    return (
        f"C. Celery worker (prefork, concurrency 2), {ballot.eligible_count:,} voters,"
        " seconds from the close's start (the ballot's closed_at)\n"
        + table(
            ["step", "seconds"],
            [
                ["ballot seen closed by this process", f"{seen_closed:.2f}"],
                ["result seen announced (notifications committed)", f"{seen_announced:.2f}"],
                [
                    f"{total:,} emails sent (dummy backend)",
                    f"{finished:.1f}" if finished is not None else "not within budget",
                ],
            ],
        )
        + "\nrun_deadlines in the worker (Celery's 'succeeded in', the close and the rest of the"
        f" deadline run): {', '.join(f'{s:.3f} s' for s in deadlines) or 'not logged'}"
        + (
            f"\ndeliver_emails: {len(emails):,} tasks of up to 50, median"
            f" {ms(statistics.median(emails))} ms each, {sum(emails):.1f} s in all"
            if emails
            else ""
        )
        + f"\n{sent:,} of {total:,} emails sent in {elapsed:.1f} s"
        + (f"\nworker errors ({len(errors)}), first: {errors[0]}" if errors else "")
    )


def site_deliveries(key: str) -> int:
    from notifications.models import Delivery

    return Delivery.objects.filter(notification__event_key=key).count()


def task_runtimes(lines: list[str]) -> dict[str, list[float]]:
    """From the worker's log: "Task <name>[<id>] succeeded in <seconds>s: <result>"."""
    found = re.compile(r"Task ([\w.]+)\[[^\]]+\] succeeded in ([\d.e-]+)s")
    runtimes: dict[str, list[float]] = {}
    for line in lines:
        if match := found.search(line):
            runtimes.setdefault(match[1], []).append(float(match[2]))
    return runtimes


if __name__ == "__main__":
    main()
