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
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import standalone
from bench.fanout_inprocess import build_data, measure_fanout, measure_requests
from bench.fanout_worker import measure_worker
from bench.stack import section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--watchers", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=30, help="timed replies per thread (A)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed replies per thread (A)")
    parser.add_argument("--repeat", type=int, default=3, help="announce_post runs per thread (B)")
    standalone.add_worker_arguments(parser, send_budget=40.0)
    args = parser.parse_args()

    standalone.require_postgresql("fanout.py")
    with standalone.redis_and_workdir() as (redis_url, workdir):
        standalone.configure_environment(
            redis_url,
            # DEBUG is off: only listed hosts are served, and the test Client is this one.
            ALLOWED_HOSTS="testserver",
            # One poster replies many times a minute on purpose: no posting rate limit.
            RATE_LIMIT_POSTING="",
        )
        run(args, redis_url, workdir)


def run(args: argparse.Namespace, redis_url: str, workdir: Path) -> None:
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
    print(standalone.machine(pg_version, broker, load_at_start))
    for figures in (request_figures, fanout_figures, worker_figures):
        if figures:
            print()
            print(figures)
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")


def discard_queue(app) -> None:
    discarded = app.control.purge()
    print(f"(discarded {discarded:,} messages left in Redis)")


if __name__ == "__main__":
    main()
