"""The fan-out bench's data, and its parts that run in this process: A, the reply requests
through Django's test Client while Celery only publishes; B, `forum.services.announce_post`
called in-process and taken apart."""

import argparse
import base64
import json
import math
import statistics
import time
from functools import partial

from bench.figures import percentile, table
from bench.standalone import DELIVER, QUEUE, queued_tasks


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def stamp(marks: list[float]) -> None:
    """An on_commit callback: registered first, it runs first, once COMMIT has returned."""
    marks.append(time.perf_counter())


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


# A. Request time


def measure_requests(args: argparse.Namespace, data: Data, broker) -> str:
    from forum.models import Post
    from notifications.models import Notification

    post = _replier(data)
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
    queries = _reply_queries(post, threads)

    made = Post.objects.count() - posts_before
    told = Notification.objects.count() - notifications_before
    waiting = queued_tasks(broker)
    print(
        f"{made} replies posted; {told} notifications written during the requests; "
        f"waiting in Redis: {dict(waiting)} (was {queued_before} before the timed replies)"
    )
    assert told == 0, "notifications were written in the request (eager task?)"
    assert waiting["forum.tasks.announce_post"] >= made, "the announce tasks were not published"
    result = _requests_table(threads, times, queries, waiting["forum.tasks.announce_post"])
    print(result)
    return result


def _replier(data: Data):
    """A function that posts a reply as the poster, through the test Client with its CSRF
    token, and returns the request's time."""
    from django.test import Client

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

    return post


def _reply_queries(post, threads: list[tuple[str, object]]) -> dict[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = {}
    for label, thread in threads:
        with CaptureQueriesContext(connection) as captured:
            post(thread, "A reply whose queries are counted.")
        queries[label] = len(captured.captured_queries)
    return queries


def _requests_table(threads, times: dict, queries: dict, announced: int) -> str:
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
    return (
        "A. POST /t/<id>/reply/ (test Client, CSRF checked; Celery publishes to Redis)\n"
        + table(
            ["thread", "n", "median ms", "p95 ms", "mean ms", "min ms", "max ms", "queries"],
            rows,
        )
        + f"\nmedian ratio {busy_label} / 0 watchers: {ratio:.2f}"
        + f"\n(no notification written in the requests; {announced}"
        " announce_post messages waited in Redis)"
    )


# B. Fan-out in-process


def measure_fanout(args: argparse.Namespace, data: Data, broker) -> str:
    from notifications.services import DELIVERIES_PER_TASK

    rows = []
    for label, thread in data.threads():
        runs = [_announce(data, label, thread, n, broker) for n in range(args.repeat)]
        rows.append(_fanout_row(label, runs))
    busy_key = runs[-1]["key"]  # the busy thread's comes last
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


def _announce(data: Data, label: str, thread, n: int, broker) -> dict:
    """One announce_post of a fresh reply in `thread`, timed in its steps and checked."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from forum import services
    from notifications.models import Delivery, Notification

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
    key = services.post_event_key(post.pk)
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
    print(
        f"{label}, run {n + 1}: {run['notifications']:,} notifications, "
        f"{run['deliveries']:,} deliveries, {run['queued']:,} deliver_emails queued "
        f"({len(ids):,} ids, largest batch {max(map(len, batches), default=0)}); "
        f"notify {ms(run['notify'])} ms ({run['queries']} queries, "
        f"{ms(run['sql'])} ms of it in SQL), commit {ms(run['commit'])} ms, "
        f"queueing {ms(run['queue'])} ms",
        flush=True,
    )
    _check_batches(run, batches, ids, key)
    return run | {"key": key}


def _check_batches(run: dict, batches: list[list[int]], ids: list[int], key: str) -> None:
    """The messages carry exactly the post's deliveries, each once, in full batches."""
    from notifications.models import Delivery
    from notifications.services import DELIVERIES_PER_TASK

    assert run["told"] == run["notifications"] == run["deliveries"] == len(ids), run
    assert run["queued"] == math.ceil(run["deliveries"] / DELIVERIES_PER_TASK), run
    assert all(len(batch) <= DELIVERIES_PER_TASK for batch in batches), "batch too large"
    assert len(set(ids)) == len(ids), "a delivery id queued twice"
    assert set(ids) == set(
        Delivery.objects.filter(notification__event_key=key).values_list("pk", flat=True)
    ), "the queued ids are not the post's deliveries"


def _fanout_row(label: str, runs: list[dict]) -> list[str]:
    def median(field: str) -> float:
        return statistics.median(each[field] for each in runs)

    total = median("total")
    last = runs[-1]
    return [
        label,
        f"{last['notifications']:,}",
        f"{last['deliveries']:,}",
        ms(median("notify")),
        ms(median("commit")),
        f"{last['queued']:,}",
        ms(median("queue")),
        f"{total:.3f}",
        str(last["queries"]),
        f"{last['notifications'] / total:,.0f}" if last["notifications"] else "-",
    ]


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
