"""Reply fan-out: does a reply cost the same whatever the number of watchers of its thread?

The requirement measured: "a reply in a thread with 5,000 watchers creates their notifications
with bulk inserts in a background task, not in the request; the request's own time does not grow
with the number of watchers".

  A. Request time: POST /t/<id>/reply/ through Django's test Client, to a thread with no watchers
     and to one with 5,000, interleaved. Celery publishes to a real Redis and no worker runs, so
     the announce task is only queued by the request.
  B. Fan-out: forum.services.announce_post (what the task runs) called in-process for a fresh
     reply, split into notify (SQL inserts), commit, and queueing the emails: one
     deliver_emails message per batch of up to 50 deliveries (DELIVERIES_PER_TASK).
  C. A real Celery worker (prefork, 2 processes): from the reply's commit until the 5,000
     notifications exist, then how many emails (dummy backend) it sends within a time budget.

Run under a throwaway PostgreSQL (it creates its own Redis):
    scripts/postgres-for-tests .venv/bin/python bench/fanout.py
"""

import argparse
import base64
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import standalone  # noqa: E402 - once the project is on the path
from bench.stack import section  # noqa: E402
from bench.standalone import table  # noqa: E402

REDIS_SERVER = "/usr/bin/redis-server"
QUEUE = "celery"  # Celery's default queue: a Redis list of JSON messages under this key.
DELIVER = "notifications.tasks.deliver_emails"  # takes a list of delivery ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--watchers", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=30, help="timed replies per thread (A)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed replies per thread (A)")
    parser.add_argument("--repeat", type=int, default=3, help="announce_post runs per thread (B)")
    parser.add_argument("--no-worker", action="store_true", help="skip part C")
    parser.add_argument(
        "--send-budget", type=float, default=40.0, help="seconds to watch the emails go (C)"
    )
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        sys.exit(
            "DATABASE_URL must point at PostgreSQL; run:\n"
            "  scripts/postgres-for-tests .venv/bin/python bench/fanout.py"
        )
    workdir = Path(tempfile.mkdtemp(prefix="palabre-bench-"))
    redis = None
    try:
        redis, redis_url = start_redis(workdir)
        configure_environment(redis_url)
        run(args, redis_url, workdir)
    finally:
        if redis is not None:
            stop(redis)
        shutil.rmtree(workdir, ignore_errors=True)


# Processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(workdir)]
    command += ["--save", "", "--appendonly", "no", "--logfile", str(workdir / "redis.log")]
    process = subprocess.Popen(command, cwd=workdir, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"redis-server exited at once; see {workdir / 'redis.log'}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    stop(process)
    sys.exit("redis-server did not answer within 10 s")


def stop(process: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM (a Celery worker's warm shutdown), then SIGKILL to the group this bench started."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def configure_environment(redis_url: str) -> None:
    """Before django.setup(): the test settings, with Redis as broker (so no eager tasks)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ["REDIS_URL"] = redis_url
    # DEBUG is off, so only the listed hosts are served; the test Client calls itself this.
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # The worker of part C sends its emails nowhere.
    os.environ["EMAIL_URL"] = "dummymail://"
    # The sweeps look for work older than this: an hour keeps them out of the measurements.
    os.environ["NOTIFICATIONS_SWEEP_SECONDS"] = "3600"
    # One poster replies many times a minute on purpose: the posting rate limit stays out.
    os.environ["RATE_LIMIT_POSTING"] = ""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))


# Figures


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def stamp(marks: list[float]) -> None:
    """An on_commit callback: registered first, it runs first, once COMMIT has returned."""
    marks.append(time.perf_counter())


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


# The benchmark


def run(args: argparse.Namespace, redis_url: str, workdir: Path) -> None:
    import celery
    import django

    django.setup()

    from config.celery import app

    started = time.perf_counter()
    load_at_start = os.getloadavg()
    section("Setup")
    broker, pg_version = standalone.prepare(redis_url, why="the tasks would run inside the request")
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    data = build_data(args.watchers)
    print(
        f"{args.watchers:,} watchers and a poster, thread #{data.quiet.pk} (no watcher) "
        f"and #{data.busy.pk} ({args.watchers:,} watchers), built in {data.seconds:.1f} s"
    )
    discard_queue(app)

    section("A. Request time, Celery publishing to Redis, no worker running")
    request_figures = measure_requests(args, data, broker)
    discard_queue(app)

    section("B. announce_post in-process (the task's body), committed, deliver_emails queued")
    fanout_figures = measure_fanout(args, data, broker)
    discard_queue(app)

    worker_figures = None
    if not args.no_worker:
        section("C. A Celery worker (prefork, 2 processes) drains the announcement")
        worker_figures = measure_worker(args, data, workdir)

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
    print(request_figures)
    print()
    print(fanout_figures)
    if worker_figures:
        print()
        print(worker_figures)
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")


class Data:
    def __init__(self, *, category, poster, quiet, busy, watchers: int, seconds: float):
        self.category, self.poster, self.quiet, self.busy = category, poster, quiet, busy
        self.watchers, self.seconds = watchers, seconds

    def threads(self) -> list[tuple[str, object]]:
        """(label, thread): the poster watches both, but is never told of their own post."""
        return [("0 watchers", self.quiet), (f"{self.watchers:,} watchers", self.busy)]


def build_data(watchers: int) -> Data:
    from datetime import timedelta

    from django.utils import timezone

    from forum import services
    from forum.models import Category, ThreadSubscription, WatchLevel
    from members.models import Member

    started = time.perf_counter()
    category = Category.objects.create(name="Bench", slug="bench")
    # No charter on the bench's site, so nothing to accept; joined long ago, so past a new
    # member's first-day limits.
    poster = Member.objects.create(
        username="poster",
        email="poster@example.test",
        password="!",
        is_active=True,
        must_accept_charter=False,
        date_joined=timezone.now() - timedelta(days=30),
    )
    Member.objects.bulk_create(
        [
            Member(username=f"watcher{n}", email=f"watcher{n}@example.test", password="!")
            for n in range(watchers)
        ],
        batch_size=1_000,
    )
    # The poster starts both threads, so watches both; the poster is never told of their own post.
    quiet = services.create_thread(
        author=poster, category=category, title="A quiet thread", source="Nobody watches this."
    )
    busy = services.create_thread(
        author=poster, category=category, title="A busy thread", source="Everybody watches this."
    )
    ThreadSubscription.objects.bulk_create(
        [
            ThreadSubscription(member_id=pk, thread=busy, level=WatchLevel.WATCHING)
            for pk in Member.objects.exclude(pk=poster.pk).values_list("pk", flat=True)
        ],
        batch_size=1_000,
    )
    for thread, expected in [(quiet, 1), (busy, watchers + 1)]:
        count = ThreadSubscription.objects.filter(thread=thread, level=WatchLevel.WATCHING).count()
        assert count == expected, f"thread {thread.pk}: {count} watchers, expected {expected}"
    return Data(
        category=category,
        poster=poster,
        quiet=quiet,
        busy=busy,
        watchers=watchers,
        seconds=time.perf_counter() - started,
    )


def queued_tasks(broker) -> Counter:
    """The task names of the messages waiting in Redis."""
    return Counter(json.loads(raw)["headers"]["task"] for raw in broker.lrange(QUEUE, 0, -1))


def queued_batches(broker, task: str = DELIVER) -> list[list[int]]:
    """The delivery ids of each `task` message waiting in Redis (Celery's message protocol 2:
    a JSON body [args, kwargs, embed], base64-encoded by the Redis transport)."""
    batches = []
    for raw in broker.lrange(QUEUE, 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] != task:
            continue
        body = message["body"]
        if message["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args, kwargs, _ = json.loads(body)
        batches.append(list(args[0] if args else kwargs["delivery_ids"]))
    return batches


def discard_queue(app) -> None:
    discarded = app.control.purge()
    print(f"(discarded {discarded:,} messages left in Redis)")


def measure_requests(args: argparse.Namespace, data: Data, broker) -> str:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from forum.models import Post
    from notifications.models import Notification

    client = Client(enforce_csrf_checks=True)
    client.force_login(data.poster)
    # The form page sets the CSRF cookie; its value is a valid form token.
    assert client.get(f"/t/{data.quiet.pk}/reply/").status_code == 200
    token = client.cookies["csrftoken"].value

    def post(thread, text: str) -> float:
        begin = time.perf_counter()
        response = client.post(
            f"/t/{thread.pk}/reply/", {"source": text, "csrfmiddlewaretoken": token}
        )
        elapsed = time.perf_counter() - begin
        assert response.status_code == 302, f"reply: HTTP {response.status_code}"
        return elapsed

    threads = data.threads()
    for n in range(args.warmup):
        for _, thread in threads:
            post(thread, f"Warm-up reply {n}.")
    notifications_before = Notification.objects.count()
    posts_before = Post.objects.count()
    queued_before = broker.llen(QUEUE)

    times: dict[str, list[float]] = {label: [] for label, _ in threads}
    for n in range(args.requests):
        # Interleaved, the order swapped each round, so drift hits both alike.
        for label, thread in threads if n % 2 == 0 else threads[::-1]:
            times[label].append(post(thread, f"Timed reply {n}, with a little **Markdown**."))

    queries = {}
    for label, thread in threads:
        with CaptureQueriesContext(connection) as captured:
            post(thread, "A reply whose queries are counted.")
        queries[label] = len(captured.captured_queries)

    made = Post.objects.count() - posts_before
    told = Notification.objects.count() - notifications_before
    waiting = queued_tasks(broker)
    print(
        f"{made} replies posted; {told} notifications written during the requests; "
        f"waiting in Redis: {dict(waiting)} (was {queued_before} before the timed replies)"
    )
    assert told == 0, "notifications were written in the request (eager task?)"
    assert waiting["forum.tasks.announce_post"] >= made, "the announce tasks were not published"

    rows = []
    medians = {}
    for label, _ in threads:
        values = times[label]
        medians[label] = statistics.median(values)
        rows.append(
            [
                label,
                str(len(values)),
                ms(medians[label]),
                ms(percentile(values, 0.95)),
                ms(statistics.mean(values)),
                ms(min(values)),
                ms(max(values)),
                str(queries[label]),
            ]
        )
    quiet_label, busy_label = (label for label, _ in threads)
    ratio = medians[busy_label] / medians[quiet_label]
    result = (
        "A. POST /t/<id>/reply/ (test Client, CSRF checked; Celery publishes to Redis)\n"
        + table(
            ["thread", "n", "median ms", "p95 ms", "mean ms", "min ms", "max ms", "queries"],
            rows,
        )
        + f"\nmedian ratio {busy_label} / 0 watchers: {ratio:.2f}"
        + f"\n(no notification written in the requests; {waiting['forum.tasks.announce_post']}"
        " announce_post messages waited in Redis)"
    )
    print(result)
    return result


def measure_fanout(args: argparse.Namespace, data: Data, broker) -> str:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from forum import services
    from notifications.models import Delivery, Notification
    from notifications.services import DELIVERIES_PER_TASK

    rows = []
    for label, thread in data.threads():
        runs = []
        for n in range(args.repeat):
            post = services.reply(author=data.poster, thread=thread, source=f"Fan-out {n}.")
            broker.delete(QUEUE)  # only the messages queued by announce_post are counted below
            marks: list[float] = []
            with CaptureQueriesContext(connection) as captured:
                with transaction.atomic():
                    transaction.on_commit(partial(stamp, marks))
                    begin = time.perf_counter()
                    told = services.announce_post(post_id=post.pk)
                    notified = time.perf_counter()
                done = time.perf_counter()
            key = busy_key = f"post:{post.pk}"  # the busy thread's comes last
            sql = sum(float(query["time"]) for query in captured.captured_queries)
            run = {
                "told": told,
                "notifications": Notification.objects.filter(event_key=key).count(),
                "deliveries": Delivery.objects.filter(notification__event_key=key).count(),
                "batches": queued_batches(broker),
                "notify": notified - begin,
                "commit": marks[0] - notified,
                "queue": done - marks[0],
                "total": done - begin,
                "queries": len(captured.captured_queries),
                "sql": sql,
            }
            batches = run.pop("batches")
            run["queued"] = len(batches)
            ids = [delivery_id for batch in batches for delivery_id in batch]
            runs.append(run)
            print(
                f"{label}, run {n + 1}: {run['notifications']:,} notifications, "
                f"{run['deliveries']:,} deliveries, {run['queued']:,} deliver_emails queued "
                f"({len(ids):,} ids, largest batch {max(map(len, batches), default=0)}); "
                f"notify {ms(run['notify'])} ms ({run['queries']} queries, "
                f"{ms(run['sql'])} ms of it in SQL), commit {ms(run['commit'])} ms, "
                f"queueing {ms(run['queue'])} ms",
                flush=True,
            )
            assert run["told"] == run["notifications"] == run["deliveries"] == len(ids), run
            assert run["queued"] == math.ceil(run["deliveries"] / DELIVERIES_PER_TASK), run
            assert all(len(batch) <= DELIVERIES_PER_TASK for batch in batches), "batch too large"
            assert len(set(ids)) == len(ids), "a delivery id queued twice"
            assert set(ids) == set(
                Delivery.objects.filter(notification__event_key=key).values_list("pk", flat=True)
            ), "the queued ids are not the post's deliveries"

        def median(field: str, runs: list[dict] = runs) -> float:
            return statistics.median(each[field] for each in runs)

        total = median("total")
        rows.append(
            [
                label,
                f"{runs[-1]['notifications']:,}",
                f"{runs[-1]['deliveries']:,}",
                ms(median("notify")),
                ms(median("commit")),
                f"{runs[-1]['queued']:,}",
                ms(median("queue")),
                f"{total:.3f}",
                str(runs[-1]["queries"]),
                f"{runs[-1]['notifications'] / total:,.0f}" if runs[-1]["notifications"] else "-",
            ]
        )
    result = (
        f"B. forum.services.announce_post, in-process, median of {args.repeat} runs\n"
        + table(
            [
                "thread",
                "notifications",
                "deliveries",
                "notify ms",
                "commit ms",
                "messages",
                "queue emails ms",
                "total s",
                "queries",
                "notified/s",
            ],
            rows,
        )
        + "\n(notify: the SQL and Python in the transaction; queue emails: on commit, one"
        f" deliver_emails message published to Redis per {DELIVERIES_PER_TASK} deliveries;"
        " messages: how many)" + "\n" + measure_deliver(busy_key)
    )
    print(result)
    return result


def measure_deliver(event_key: str, count: int = 50) -> str:
    """What one delivery costs in-process (dummy backend), to compare with part C's rate."""
    from notifications import services
    from notifications.models import Delivery, DeliveryState

    ids = list(
        Delivery.objects.filter(notification__event_key=event_key).values_list("pk", flat=True)
    )
    times = []
    for delivery_id in ids[:count]:
        begin = time.perf_counter()
        state = services.deliver(delivery_id=delivery_id)
        times.append(time.perf_counter() - begin)
        assert state == DeliveryState.SENT, f"delivery {delivery_id}: {state}"
    return (
        f"notifications.services.deliver in-process (dummy email backend), {len(times)} emails:"
        f" median {ms(statistics.median(times))} ms, p95 {ms(percentile(times, 0.95))} ms each"
    )


def measure_worker(args: argparse.Namespace, data: Data, workdir: Path) -> str:
    from django.db import transaction
    from django.db.models import Count

    from config.celery import app
    from forum import services
    from notifications.models import Delivery, DeliveryState, Notification
    from notifications.services import DELIVERIES_PER_TASK

    log = workdir / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork"]
    command += ["--concurrency=2", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
    with log.open("w") as output:
        worker = subprocess.Popen(
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        started = time.perf_counter()
        while not app.control.ping(timeout=0.5):
            if worker.poll() is not None or time.perf_counter() - started > 60:
                print(log.read_text()[-3_000:])
                sys.exit("the Celery worker did not start")
        print(f"worker ready in {time.perf_counter() - started:.1f} s")
        # Let the sweeps it sends when ready (nothing to do) pass first.
        time.sleep(1)

        marks: list[float] = []
        with transaction.atomic():
            transaction.on_commit(partial(stamp, marks))
            post = services.reply(author=data.poster, thread=data.busy, source="Worker reply.")
        committed = marks[0]
        key = f"post:{post.pk}"

        def wait_for(
            condition: Callable[[], bool], budget: float, every: float = 0.05
        ) -> float | None:
            while time.perf_counter() - committed < budget:
                if condition():
                    return time.perf_counter() - committed
                time.sleep(every)
            return None

        notified = wait_for(
            lambda: Notification.objects.filter(event_key=key).count() >= data.watchers, 60
        )
        planned = wait_for(
            lambda: Delivery.objects.filter(notification__event_key=key).count() >= data.watchers,
            60,
        )
        states: dict[str, int] = {}

        def all_sent() -> bool:
            states.clear()
            states.update(
                Delivery.objects.filter(notification__event_key=key)
                .values_list("state")
                .annotate(n=Count("pk"))
            )
            return states.get(DeliveryState.SENT, 0) >= data.watchers

        finished = wait_for(all_sent, args.send_budget, every=0.5)
        elapsed = time.perf_counter() - committed
        sent = states.get(DeliveryState.SENT, 0)
        print(f"delivery states after {elapsed:.1f} s: {states}")
    finally:
        stop(worker)
    lines = log.read_text().splitlines()
    errors = [line for line in lines if "ERROR" in line]
    if errors:
        print(f"worker errors ({len(errors)}), first: {errors[0]}")
    runtimes = task_runtimes(lines)
    # Sanity: the claim-by-update lets no delivery go twice, even across the warm shutdown.
    deliveries = Delivery.objects.filter(notification__event_key=key)
    after_stop = dict(deliveries.values_list("state").annotate(n=Count("pk")))
    twice = deliveries.filter(attempts__gt=1).count()
    print(f"after the worker stopped: {after_stop}; deliveries attempted twice: {twice}")

    def seconds(value: float | None) -> str:
        return f"{value:.2f}" if value is not None else "not within budget"

    sending = finished if finished is not None else elapsed
    rate = sent / (sending - (planned or 0)) if sent and sending > (planned or 0) else 0
    batches = math.ceil(data.watchers / DELIVERIES_PER_TASK)

    def runtime_line(name: str, values: list[float]) -> str:
        line = (
            f"\n{name}: {len(values):,} runs, median {ms(statistics.median(values))} ms"
            " inside the worker (Celery's own 'succeeded in' figure)"
        )
        if name == DELIVER:
            # Each run is a batch; the reply's are full but the last, so divide by the mean size.
            size = data.watchers / batches
            line += (
                f", i.e. about {ms(statistics.median(values) / size)} ms per email"
                f" ({batches:,} batches of up to {DELIVERIES_PER_TASK} for this reply;"
                f" {sum(values):.1f} s in all)"
            )
        return line

    result = (
        f"C. Celery worker (prefork, concurrency 2), one reply in the {data.watchers:,}-watcher"
        " thread, seconds after the reply's commit\n"
        + table(
            ["step", "seconds"],
            [
                [f"{data.watchers:,} notifications committed", seconds(notified)],
                [f"{data.watchers:,} deliveries planned", seconds(planned)],
                [f"{data.watchers:,} emails sent (dummy backend)", seconds(finished)],
            ],
        )
        + f"\n{sent:,} of {data.watchers:,} emails sent in {sending:.1f} s"
        + f" (about {rate:,.0f} emails/s once planned, from the deliveries' states in the DB)"
        + "".join(runtime_line(name, values) for name, values in sorted(runtimes.items()))
        + f"\nafter the worker's warm shutdown: {after_stop}, attempted twice: {twice}"
    )
    print(result)
    return result


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
