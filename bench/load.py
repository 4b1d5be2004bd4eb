"""Load: members reading, replying, signalling and voting against the production stack.

    make bench-load        (or .venv/bin/python bench/load.py --help, once locust is installed)

Starts PostgreSQL, Redis, a Celery worker with beat and gunicorn on 127.0.0.1 (bench/stack.py),
builds a community of 50 members who may all post, signal and vote (bench/community.py), then
runs 50 locust users, one per member, for 60 s (bench/locustfile.py). Then it sets what the
members were told against what the database holds (bench/ledger.py).

It fails (exit status 1) unless: no request got a 5xx or went unanswered; the database holds
exactly the posts, signals and votes the members were told succeeded, each once; every ballot
box holds as many papers as its roll has ticks; a second vote in a ballot is refused; and each
kind of write succeeded at least once.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import Report, check_the_writes, machine, report_the_run
from bench.stack import BenchStack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="members, one locust user each")
    parser.add_argument("--seconds", type=int, default=60, help="how long the load lasts")
    parser.add_argument("--think", default="0.5,2", help="seconds between a member's tasks")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()

    load_before = os.getloadavg()
    # Sweeps and leases as in production: nothing fails here for them to mend.
    stack = BenchStack("load", web_workers=args.web_workers, sweep_seconds=60, lease_seconds=300)
    with stack:
        from bench import community

        report = Report(stack.results)
        started = time.monotonic()
        built = community.build(members=args.users)
        report.part(
            "Community",
            f"{len(built['members'])} members, {len(built['threads'])} threads,"
            f" {len(built['signal_posts'])} posts to signal, {len(built['ballots'])} open"
            f" ballots, built in {time.monotonic() - started:.0f} s",
        )
        stack.serve(warm_up=community.visitor_pages(built))
        report.part(
            "Load",
            f"{args.users} members for {args.seconds} s against gunicorn ({args.web_workers}"
            f" workers) at {stack.base_url}, {args.think} s between a member's tasks",
        )
        run = community.run_id()
        written = stack.run_locust(
            built, users=args.users, seconds=args.seconds, think=args.think, run=run
        )
        traffic, reckonings, boxes = report_the_run(report, written, run=run, built=built)
        report.part("Machine", machine(load_before))

        report.check("no 5xx", traffic.five_xx == 0, f"{traffic.five_xx}: {dict(traffic.errors)}")
        report.check("every request answered", traffic.no_answer == 0, str(traffic.no_answer))
        check_the_writes(report, reckonings, boxes, written["writes"])
        for reckoning in reckonings:
            report.check(
                f"{reckoning.kind}s: exactly those the members were told are done",
                reckoning.exact,
                f"{len(reckoning.committed_untold)} done but untold",
            )
        return report.close()


if __name__ == "__main__":
    sys.exit(main())
