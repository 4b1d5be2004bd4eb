"""Part C of the fan-out bench: a real Celery worker (prefork, 2 processes) drains one reply's
announcement, from the reply's commit until its emails are sent."""

import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.fanout_inprocess import Data, ms, stamp
from bench.figures import table
from bench.standalone import DELIVER, ROOT, WORKER, delivery_states, task_runtimes


def measure_worker(args: argparse.Namespace, data: Data, workdir: Path) -> str:
    from notifications.models import Delivery

    log = workdir / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [sys.executable, *WORKER],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_ready(worker, log)
        watched = _watch_a_reply(args, data)
    finally:
        stop(worker)
    lines = log.read_text().splitlines()
    errors = [line for line in lines if "ERROR" in line]
    if errors:
        print(f"worker errors ({len(errors)}), first: {errors[0]}")
    # Sanity: the claim-by-update lets no delivery go twice, even across the warm shutdown.
    after_stop = delivery_states(watched["key"])
    twice = Delivery.objects.filter(notification__event_key=watched["key"], attempts__gt=1).count()
    print(f"after the worker stopped: {after_stop}; deliveries attempted twice: {twice}")
    result = (
        _worker_figures(data, watched, task_runtimes(lines))
        + f"\nafter the worker's warm shutdown: {after_stop}, attempted twice: {twice}"
    )
    print(result)
    return result


def _wait_until_ready(worker: subprocess.Popen, log: Path) -> None:
    from config.celery import app

    started = time.perf_counter()
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.perf_counter() - started > 60:
            print(log.read_text()[-3_000:])
            sys.exit("the Celery worker did not start")
    print(f"worker ready in {time.perf_counter() - started:.1f} s")
    # Let the sweeps it sends when ready (nothing to do) pass first.
    time.sleep(1)


def _watch_a_reply(args: argparse.Namespace, data: Data) -> dict:
    """A reply in the busy thread; seconds from its commit until its notifications, then its
    deliveries, exist, and its emails are sent (None if not within the budget)."""
    from django.db import transaction

    from forum import services
    from notifications.models import Delivery, DeliveryState, Notification

    marks: list[float] = []
    with transaction.atomic():
        transaction.on_commit(partial(stamp, marks))
        post = services.reply(author=data.poster, thread=data.busy, source="Worker reply.")
    committed = marks[0]
    key = services.post_event_key(post.pk)

    def wait_for(condition: Callable[[], bool], budget: float, every: float = 0.05) -> float | None:
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
        states.update(delivery_states(key))
        return states.get(DeliveryState.SENT, 0) >= data.watchers

    finished = wait_for(all_sent, args.send_budget, every=0.5)
    elapsed = time.perf_counter() - committed
    print(f"delivery states after {elapsed:.1f} s: {states}")
    return {
        "key": key,
        "notified": notified,
        "planned": planned,
        "finished": finished,
        "elapsed": elapsed,
        "sent": states.get(DeliveryState.SENT, 0),
    }


def _worker_figures(data: Data, watched: dict, runtimes: dict[str, list[float]]) -> str:
    from notifications.services import DELIVERIES_PER_TASK

    def seconds(value: float | None) -> str:
        return f"{value:.2f}" if value is not None else "not within budget"

    finished, planned, sent = watched["finished"], watched["planned"], watched["sent"]
    sending = finished if finished is not None else watched["elapsed"]
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

    return (
        f"C. Celery worker (prefork, concurrency 2), one reply in the {data.watchers:,}-watcher"
        " thread, seconds after the reply's commit\n"
        + table(
            ["step", "seconds"],
            [
                [f"{data.watchers:,} notifications committed", seconds(watched["notified"])],
                [f"{data.watchers:,} deliveries planned", seconds(planned)],
                [f"{data.watchers:,} emails sent (dummy backend)", seconds(finished)],
            ],
        )
        + f"\n{sent:,} of {data.watchers:,} emails sent in {sending:.1f} s"
        + f" (about {rate:,.0f} emails/s once planned, from the deliveries' states in the DB)"
        + "".join(runtime_line(name, values) for name, values in sorted(runtimes.items()))
    )


def stop(process: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM (a Celery worker's warm shutdown), then SIGKILL to the group this bench started."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
