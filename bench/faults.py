"""Faults: the load of bench/load.py while the parts of the stack are killed and restarted.

    make bench-faults      (or .venv/bin/python bench/faults.py --help, once locust is installed)

The same stack, community and members as bench/load.py, for 90 s, while a conductor, at
these times after the load starts:

  10 s  kills the Celery worker (SIGKILL to it, its pool and its beat), starts it 3 s later;
  25 s  stops Redis, which keeps nothing, and starts it empty 5 s later;
  42 s  kills one gunicorn worker (SIGKILL); the master starts another;
  55 s  stops PostgreSQL (pg_ctl stop -m fast: every session ends) and starts it 3 s later.

After each restart it times how long the site takes to answer a page again. Like systemd or
Docker in production, the bench starts the Celery worker again whenever it exits on its own,
and reports each such exit. Once the load is over it waits (3 minutes at most) for the sweeps
to finish what the faults left undone, then counts the emails the mail server accepted.

It fails (exit status 1) unless: the site answers again within 5 s of each restart; the only
5xx are the site's own 503 page, during PostgreSQL's outage; the only requests left unanswered
were in the hands of the killed gunicorn worker; the database holds every write a member was
told is done, once, and none that was refused; every ballot box holds as many papers as its
roll has ticks; every email is delivered, no email twice (one per Message-ID and recipient);
and the posts acknowledged while Redis was down had their emails delivered too.
"""

import argparse
import os
import random
import re
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import table
from bench.ledger import ACKNOWLEDGED
from bench.report import Report, check_the_writes, machine, report_the_run
from bench.stack import BenchStack, wait_for

RECOVERY_SECONDS = 5
SETTLE_SECONDS = 180


@dataclass
class Fault:
    part: str
    what: str
    began: float = 0.0
    restarted: float = 0.0  # when the part was running again
    site_back: float | None = None  # seconds after `restarted` until a page answered 200

    def overlaps(self, request: dict, *, after: float = 0.0) -> bool:
        """Whether `request` was in flight between the fault and `after` s past the restart."""
        ended = request["at"] + request["ms"] / 1000
        return request["at"] <= self.restarted + after and ended >= self.began


class Supervisor(threading.Thread):
    """Starts the Celery worker again when it exits on its own, as systemd or Docker would in
    production, and notes each time with the worker's last words."""

    def __init__(self, stack: BenchStack, worker_lock: threading.Lock):
        super().__init__(name="supervisor", daemon=True)
        self.stack, self.worker_lock = stack, worker_lock
        self.exits: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.5):
            with self.worker_lock:
                status = self.stack.worker.process.poll()
                if status is not None:
                    self.exits.append(f"exit status {status}: {_last_error(self.stack.worker.log)}")
                    try:
                        self.stack.worker.start()
                    except (RuntimeError, TimeoutError) as error:
                        self.exits.append(f"could not start it again: {error}")


def _last_error(log: Path) -> str:
    errors = [line for line in log.read_text().splitlines() if "Unrecoverable error" in line]
    return errors[-1] if errors else "no error logged"


class Conductor(threading.Thread):
    """Breaks and restarts each part in turn, on time, and times the site's recovery."""

    def __init__(self, stack: BenchStack, *, hold: float, worker_lock: threading.Lock):
        super().__init__(name="conductor", daemon=True)
        self.stack, self.hold, self.worker_lock = stack, hold, worker_lock
        self.faults = [
            Fault("celery", "worker, its pool and beat killed (SIGKILL), started again"),
            Fault("redis", "stopped, started again empty"),
            Fault("gunicorn", "one worker killed (SIGKILL), the master starts another"),
            Fault("postgresql", "stopped (fast: every session ends), started again"),
        ]
        self.schedule = [10, 25, 42, 55]
        self.error: BaseException | None = None

    def run(self) -> None:
        started = time.monotonic()
        try:
            for fault, at in zip(self.faults, self.schedule, strict=True):
                time.sleep(max(0.0, started + at - time.monotonic()))
                fault.began = time.time()
                getattr(self, f"_break_{fault.part}")()
                fault.restarted = time.time()
                fault.site_back = wait_for(lambda: self.stack.answers("/") == 200, timeout=30)
                print(
                    f"  {time.monotonic() - started:5.1f} s  {fault.part}: {fault.what}; site"
                    f" back {_seconds(fault.site_back)} after the restart",
                    flush=True,
                )
        except BaseException as error:  # reported by the main thread, which then fails
            self.error = error

    def _break_celery(self) -> None:
        with self.worker_lock:
            self.stack.worker.kill()
            time.sleep(self.hold)
            self.stack.worker.start()

    def _break_redis(self) -> None:
        self.stack.redis.stop()
        time.sleep(self.hold + 2)
        self.stack.redis.start()

    def _break_gunicorn(self) -> None:
        before = self.stack.web_worker_pids()
        os.kill(random.choice(before), signal.SIGKILL)
        if wait_for(lambda: self._replaced(before), timeout=30) is None:
            raise RuntimeError("gunicorn did not replace its killed worker within 30 s")

    def _replaced(self, before: list[int]) -> bool:
        now = self.stack.web_worker_pids()
        return len(now) == len(before) and set(now) != set(before)

    def _break_postgresql(self) -> None:
        self.stack.postgres.stop(mode="fast")
        time.sleep(self.hold)
        self.stack.postgres.start()


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


def main() -> int:
    args = _arguments()
    load_before = os.getloadavg()
    # Sweeps every 5 s and leases of 10 s, so that what the faults leave undone is mended
    # within the bench's patience (production: 60 s and 300 s).
    stack = BenchStack("faults", web_workers=args.web_workers, sweep_seconds=5, lease_seconds=10)
    with stack:
        from bench import community

        report = Report(stack.results)
        built = community.build(members=args.users)
        stack.serve(warm_up=community.visitor_pages(built))
        first_delivery = _last_delivery_id() + 1
        report.part(
            "Load and faults",
            f"{args.users} members for {args.seconds} s against gunicorn ({args.web_workers}"
            f" workers) at {stack.base_url}; each part stays down {args.hold} s",
        )
        run = community.run_id()
        outcome = _load_under_faults(stack, args, built, run)
        report.part("Faults: the site's recovery", _recovery_table(outcome.faults))
        report.line(
            "\nafter the load, the sweeps finished the faults' leftovers in"
            f" {_seconds(outcome.settled)}"
        )
        written = outcome.written
        _traffic, reckonings, boxes = report_the_run(report, written, run=run, built=built)
        failures = _classify_failures(written["requests"], outcome.faults)
        report.part("5xx and unanswered requests, by cause", _failures_table(failures))
        emails = _emails(stack, first_delivery)
        report.part("Emails", emails.report)
        during_redis = _posts_during(written["writes"], _fault(outcome.faults, "redis"))
        late = _undelivered_posts(during_redis)
        report.line(
            f"posts acknowledged while Redis was down: {len(during_redis)}; with an email not"
            f" delivered since: {len(late)}"
        )
        report.line(f"/healthz at the end: {stack.health()}")
        report.line(
            f"the Celery worker exited on its own {len(outcome.exits)} times (started again"
            " by the bench, as a supervisor would in production)"
            + "".join(f"\n  {note}" for note in outcome.exits)
        )
        report.part("Machine", machine(load_before))

        _check_the_recovery(report, outcome.faults, failures)
        check_the_writes(report, reckonings, boxes, written["writes"])
        report.check(
            "the faults' leftovers are finished", outcome.settled is not None, "not in time"
        )
        report.check("no email is sent twice", not emails.twice, f"{emails.twice[:5]}")
        report.check("every email is delivered", not emails.undelivered, f"{emails.undelivered}")
        report.check(
            "the emails of posts made while Redis was down are delivered",
            bool(during_redis) and not late,
            f"{len(during_redis)} posts, {late[:5]} not delivered",
        )
        return report.close()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="members, one locust user each")
    parser.add_argument("--seconds", type=int, default=90, help="how long the load lasts")
    parser.add_argument("--think", default="0.5,2", help="seconds between a member's tasks")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--hold", type=float, default=3, help="seconds a part stays down")
    args = parser.parse_args()
    if args.seconds < 70:
        parser.error("the faults need at least 70 s of load (the last is at 55 s)")
    return args


@dataclass
class Outcome:
    """What the load left under the faults: the clients' ledger, the faults as they happened,
    the worker's exits of its own, and how long the sweeps took to mend the rest."""

    written: dict
    faults: list[Fault]
    exits: list[str]
    settled: float | None


def _load_under_faults(
    stack: BenchStack, args: argparse.Namespace, built: dict, run: str
) -> Outcome:
    """The locust members for `args.seconds` while the conductor breaks the parts and the
    supervisor starts the worker again; then the sweeps' time to finish what was left."""
    worker_lock = threading.Lock()
    supervisor = Supervisor(stack, worker_lock)
    supervisor.start()
    try:
        conductor = Conductor(stack, hold=args.hold, worker_lock=worker_lock)
        conductor.start()
        written = stack.run_locust(
            built, users=args.users, seconds=args.seconds, think=args.think, run=run
        )
        conductor.join(timeout=120)
        if conductor.error is not None or conductor.is_alive():
            raise RuntimeError(f"the conductor failed: {conductor.error!r}")
        settled = wait_for(lambda: _settled(run), timeout=SETTLE_SECONDS, step=1)
    finally:
        # Before the stack stops the worker, so that it is not started again.
        supervisor.done.set()
        supervisor.join(timeout=90)
    return Outcome(written, conductor.faults, supervisor.exits, settled)


def _check_the_recovery(report: Report, faults: list[Fault], failures: dict[str, list]) -> None:
    for fault in faults:
        report.check(
            f"the site answers within {RECOVERY_SECONDS} s of restarting {fault.part}",
            fault.site_back is not None and fault.site_back <= RECOVERY_SECONDS,
            _seconds(fault.site_back),
        )
    report.check(
        "the only 5xx are the 503 page, during PostgreSQL's outage",
        not failures["other 5xx"] and not failures["503 page outside the outage"],
        f"{failures['other 5xx'][:3]} {failures['503 page outside the outage'][:3]}",
    )
    report.check(
        "PostgreSQL's outage was met with the 503 page",
        bool(failures["503 page, database down"]),
        "no request met the outage",
    )
    report.check(
        "the only unanswered requests were in the killed gunicorn worker's hands",
        not failures["no answer, elsewhere"],
        f"{failures['no answer, elsewhere'][:3]}",
    )


def _fault(faults: list[Fault], part: str) -> Fault:
    return next(fault for fault in faults if fault.part == part)


def _recovery_table(faults: list[Fault]) -> str:
    return table(
        ["part", "what", "down s", "site back after restart"],
        [
            [
                f.part,
                f.what,
                f"{f.restarted - f.began:.1f}",
                _seconds(f.site_back),
            ]
            for f in faults
        ],
    )


def _classify_failures(requests: list[dict], faults: list[Fault]) -> dict[str, list]:
    """Each 5xx and unanswered request, by what explains it."""
    database, web = _fault(faults, "postgresql"), _fault(faults, "gunicorn")
    found: dict[str, list] = {
        "503 page, database down": [],
        "503 page outside the outage": [],
        "other 5xx": [],
        "no answer, killed gunicorn worker": [],
        "no answer, elsewhere": [],
    }
    for request in requests:
        status, error = request["status"], request.get("error", "")
        summary = (request["name"], status, error[:120], round(request["at"], 1))
        if status == 0:
            # In flight on the worker that was killed: its connection closes unanswered.
            cause = "killed gunicorn worker" if web.overlaps(request, after=1) else "elsewhere"
            found[f"no answer, {cause}"].append(summary)
        elif status >= 500:
            if not error.startswith("503 page"):
                found["other 5xx"].append(summary)
            elif database.overlaps(request, after=(database.site_back or 0) + 1):
                found["503 page, database down"].append(summary)
            else:
                found["503 page outside the outage"].append(summary)
    return found


def _failures_table(found: dict[str, list]) -> str:
    rows = [
        [cause, len(requests), ", ".join(f"{n}: {c}" for n, c in _by_name(requests)) or "-"]
        for cause, requests in found.items()
    ]
    return table(["cause", "requests", "by request"], rows)


def _by_name(requests: list[tuple]) -> list[tuple[str, int]]:
    return sorted(Counter(name for name, *_ in requests).items())


def _last_delivery_id() -> int:
    from notifications.models import Delivery

    return Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _settled(run: str) -> bool:
    """No post of the run waits to be announced, and no email waits to be sent."""
    from django.db import connection

    from forum.models import Post
    from notifications.models import Delivery, DeliveryState

    connection.close()  # PostgreSQL restarted under this process's connection
    if Post.objects.filter(source__contains=f"bench-{run}-", announced=False).exists():
        return False
    return not Delivery.objects.filter(
        state__in=[DeliveryState.PENDING, DeliveryState.SENDING]
    ).exists()


@dataclass
class Emails:
    report: str
    twice: list
    undelivered: list


def _emails(stack: BenchStack, first_delivery: int) -> Emails:
    """The mail server's messages against the deliveries made during the run."""
    from notifications.models import Delivery, DeliveryState

    copies = Counter((address, message["Message-ID"]) for address, message in stack.mail.received)
    twice = [
        (address, message_id, n, _delivery_of(message_id))
        for (address, message_id), n in copies.items()
        if n > 1
    ]
    deliveries = Delivery.objects.filter(pk__gte=first_delivery)
    states = Counter(deliveries.values_list("state", flat=True))
    sent = set(deliveries.filter(state=DeliveryState.SENT).values_list("pk", flat=True))
    received = {_delivery_of(message_id) for _address, message_id in copies}
    undelivered = sorted(sent - received) + sorted(
        deliveries.exclude(state__in=[DeliveryState.SENT, DeliveryState.SKIPPED]).values_list(
            "pk", flat=True
        )
    )
    attempts = Counter(deliveries.values_list("attempts", flat=True))
    report = (
        f"deliveries made during the run: {sum(states.values())} ({dict(states)}),"
        f" attempts per delivery: {dict(sorted(attempts.items()))}\n"
        f"emails accepted by the mail server: {sum(copies.values())}, distinct:"
        f" {len(copies)}, received more than once: {len(twice)}"
    )
    for address, message_id, n, delivery in twice:
        row = Delivery.objects.filter(pk=delivery).values("attempts", "state", "last_error").first()
        report += f"\n  {n} copies of {message_id} to {address}: delivery {row}"
    return Emails(report, twice, undelivered)


def _delivery_of(message_id: str) -> int | None:
    """The delivery an email carries in its Message-ID, <delivery-ID@host>."""
    found = re.match(r"<delivery-(\d+)@", message_id or "")
    return int(found[1]) if found else None


def _posts_during(writes: list[dict], fault: Fault) -> list[str]:
    """The markers of the posts acknowledged while `fault`'s part was down."""
    return [
        write["marker"]
        for write in writes
        if write["kind"] == "post"
        and write["outcome"] == ACKNOWLEDGED
        and fault.began <= write["at"] <= fault.restarted
    ]


def _undelivered_posts(markers: list[str]) -> list[str]:
    """Those of the posts whose watchers were not told, or whose emails did not all go."""
    from forum.models import Post
    from forum.services import post_event_key
    from notifications.models import DeliveryState, Notification

    late = []
    for marker in markers:
        post = Post.objects.get(source__contains=marker)
        told = Notification.objects.filter(event_key=post_event_key(post.pk))
        emailed = told.filter(delivery__state=DeliveryState.SENT)
        if not told.exists() or emailed.count() != told.count():
            late.append(marker)
    return late


if __name__ == "__main__":
    sys.exit(main())
