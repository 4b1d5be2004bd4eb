"""The community being generated: its size, its clock, its one random generator, and what each
stage of the build leaves for the next."""

import bisect
import random
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from charter.models import CharterVersion
from demo.generated.prose import Prose
from forum.models import Category


@dataclass(frozen=True)
class Size:
    members: int
    categories: int
    threads: int
    posts: int
    hot_posts: int

    def problems(self) -> list[str]:
        problems = []
        if self.members < MIN_MEMBERS:
            problems.append(f"--members must be at least {MIN_MEMBERS}")
        if self.categories < 1:
            problems.append("--categories must be at least 1")
        if self.threads < 2:
            problems.append("--threads must be at least 2 (the hot thread and another)")
        if self.hot_posts < 1:
            problems.append("--hot-posts must be at least 1")
        if self.posts < self.hot_posts + self.threads - 1:
            problems.append(
                "--posts must cover the hot thread's posts and one post in every other thread "
                f"(at least {self.hot_posts + self.threads - 1})"
            )
        return problems


PRESETS = {
    "default": Size(members=1_000, categories=10, threads=2_000, posts=100_000, hot_posts=1_000),
    "large": Size(members=10_000, categories=10, threads=20_000, posts=1_000_000, hot_posts=10_000),
}
DEFAULT_SEED = 7
# Every generated member signs in with it: the manifest gives it to the benchmarks.
PASSWORD = "palabre-generated"  # nosec B105
MIN_MEMBERS = 10
BATCH_SIZE = 2_000

DAY = 86_400.0
# Times are seconds since the first founder joined, three years ago.
HISTORY = 3 * 365 * DAY
OPEN_CASES = 50


class GenerationRefused(Exception):
    """The community cannot be generated as asked; the message says why."""


@dataclass(eq=False)
class PlannedThread:
    category: int
    title: str
    times: array  # of each post, by number - 1
    authors: array  # member index of each post's author, by number - 1
    pinned: bool = False
    locked: bool = False
    pk: int = 0


@dataclass
class Community:
    size: Size
    seed: int
    log: Callable[[str], None]
    preset: str = ""
    rng: random.Random = field(init=False)
    now: datetime = field(init=False)
    start: datetime = field(init=False)  # three years before now: the first founder joins
    stages: dict[str, float] = field(default_factory=dict)
    rows: Counter = field(default_factory=Counter)  # inserted, by model
    staging: bool = False  # whether this transaction's table of posts to copy exists

    # Left by the stages for those after them, in the order they run.
    # Members and the charter (members.py):
    joined: array = field(init=False)  # when each member joined, by index
    usernames: list[str] = field(init=False)
    password: str = field(init=False)
    activity: list[float] = field(init=False)  # cumulative weights: who posts how often
    version: CharterVersion = field(init=False)
    ratified: float = field(init=False)
    pks: array = field(init=False)  # each member's primary key, by index
    # Categories and threads (threads.py):
    categories: list[Category] = field(init=False)
    prose: Prose = field(init=False)
    hot: PlannedThread = field(init=False)
    threads: list[PlannedThread] = field(init=False)  # in the order they were opened
    # Posts (posts.py):
    usage: Counter = field(init=False)  # how many visible posts hold each block
    category_posts: Counter = field(init=False)
    category_last: dict[int, int] = field(init=False)
    news: deque = field(init=False)  # for the manifest's member
    moderated: list[tuple[int, int, float]] = field(init=False)  # to signal: pk, author, time
    signal_chance: float = field(init=False)
    # Reading (reading.py): the manifest member's read marks, by thread index.
    member_marks: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        # Sample texts and dates, no secret: a seeded generator makes them again at will.
        self.rng = random.Random(self.seed)  # nosec B311
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - timedelta(seconds=HISTORY)
        n = self.size.members
        self.founders = max(8, n // 50)
        self.moderators = min(10, max(2, n // 200))  # members 1..moderators; 0 is the admin
        self.member = self.moderators + 1  # the manifest's member, a founder
        self.settled_by = self.moderators  # decided the journal's cases
        # Ordinary founders other than the manifest's member: they signal each other's posts.
        self.signallers = list(range(self.moderators + 2, self.founders))
        self.signalled_authors = frozenset(self.signallers)
        self.open_cases = min(OPEN_CASES, self.size.posts // 40)

    @contextmanager
    def stage(self, name: str, *, atomic: bool = True) -> Iterator[None]:
        began, rows = time.perf_counter(), sum(self.rows.values())
        with transaction.atomic() if atomic else _nothing():
            yield
        seconds = time.perf_counter() - began
        self.stages[name] = round(seconds, 2)
        added = sum(self.rows.values()) - rows
        self.log(f"{name}: {added:,} rows in {seconds:.1f} s")

    def insert(self, model: type[Model], rows: list) -> list:
        with _dated_as_given(model):
            created = model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.rows[model._meta.model_name] += len(created)
        return created

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)

    def poster(self, at: float) -> int:
        """A member who had joined by `at`, the keener more often."""
        joined = bisect.bisect_right(self.joined, at)
        pick = self.rng.random() * self.activity[joined - 1]
        return bisect.bisect_right(self.activity, pick, 0, joined)

    def hot_unread(self) -> int:
        """How many of the hot thread's last replies the manifest's member has not read."""
        return min(40, self.size.hot_posts // 4)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _dated_as_given(model: type[Model]) -> Iterator[None]:
    """`bulk_create` dates an `auto_now_add` field with the present moment; a community with a
    past gives its own dates. Only while this process inserts; restored on the way out."""
    stamped = [f for f in model._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    for stamp in stamped:
        stamp.auto_now_add = False
    try:
        yield
    finally:
        for stamp in stamped:
            stamp.auto_now_add = True
