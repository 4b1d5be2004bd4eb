"""The build, stage by stage, each in a transaction of its own and timed for the manifest."""

import time
from collections.abc import Callable

from django.db import connection

from demo.generated import cases, members, posts, reading, threads
from demo.generated.community import Community, GenerationRefused, Size
from demo.generated.manifest import manifest
from forum.models import Category
from members.models import Member

STAGES = [
    ("founders and charter", members.found_the_charter),
    ("members", members.add_members),
    ("categories and threads", threads.plan_threads),
    ("posts", posts.write_posts),
    ("read marks and watching", reading.mark_reading),
    ("counters", reading.count),
    ("notifications", reading.notify_the_member),
    ("moderation", cases.moderate),
]


def generate(*, size: Size, seed: int, preset: str, log: Callable[[str], None]) -> dict:
    """Build the community into an empty database; returns the manifest the benchmarks read."""
    if problems := size.problems():
        raise GenerationRefused("; ".join(problems) + ".")
    community = Community(size, seed, log, preset)
    began = time.perf_counter()
    if Member.objects.exists() or Category.objects.exists():
        raise GenerationRefused(
            "The database already has members or categories: generate a community into a "
            "freshly migrated, empty database."
        )
    for name, build in STAGES:
        with community.stage(name):
            build(community)
    if connection.vendor == "postgresql":
        with community.stage("analyze", atomic=False):
            analyze()
    seconds = time.perf_counter() - began
    rows = sum(community.rows.values())
    log(f"total: {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)")
    return manifest(community, seconds)


def analyze() -> None:
    """Statistics for the planner, and row versions marked visible as an old database's are
    (otherwise the first benchmark to read each page would write it)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
