"""Categories and threads: each thread's size, its posts' dates and their authors, planned
before any post is written, so that posts can be inserted in the order they were written."""

import math
from array import array
from itertools import accumulate

from django.utils.text import slugify

from demo.generated.community import DAY, HISTORY, Community, PlannedThread
from demo.generated.prose import Prose
from demo.generated.vocabulary import CATEGORIES
from forum.models import Category, Thread

HOT_THREAD_DAYS = 120


def plan_threads(community: Community) -> None:
    """Each thread's size, posts' dates and authors; then the categories and threads."""
    count = community.size.categories
    categories = community.insert(Category, [_category(n) for n in range(count)])
    weights = [1 / (n + 1) ** 0.8 for n in range(count)]
    community.rng.shuffle(weights)
    busiest = weights.index(max(weights))
    places = community.rng.choices(range(count), weights, k=community.size.threads - 1)
    community.prose = Prose(community.rng, community.usernames[: community.founders])
    community.hot = _plan_hot_thread(community, busiest)
    threads = [community.hot] + [
        _plan_thread(community, place, size)
        for place, size in zip(places, _thread_sizes(community), strict=True)
    ]
    threads.sort(key=lambda thread: thread.times[0])
    community.threads = threads
    _pin_and_lock(community, threads)
    created = community.insert(
        Thread,
        [
            Thread(
                category=categories[thread.category],
                title=thread.title,
                author_id=community.pks[thread.authors[0]],
                created_at=community.at(thread.times[0]),
                last_activity_at=community.at(thread.times[-1]),
                pinned=thread.pinned,
                locked=thread.locked,
                post_count=len(thread.times),
            )
            for thread in threads
        ],
    )
    for thread, row in zip(threads, created, strict=True):
        thread.pk = row.pk
    community.categories = categories


def _thread_sizes(community: Community) -> list[int]:
    """Most threads short, some long, none as long as the hot thread's half (if the posts
    allow), adding up to the posts asked for."""
    threads = community.size.threads - 1
    extra = community.size.posts - community.size.hot_posts - threads
    weights = [community.rng.lognormvariate(0, 1.3) for _ in range(threads)]
    total = sum(weights)
    sizes = [1 + int(extra * w / total) for w in weights]
    cap = max(1, community.size.hot_posts // 2)
    if cap * threads < community.size.posts - community.size.hot_posts:
        cap = community.size.posts  # no room for a cap
    left = community.size.posts - community.size.hot_posts - sum(min(s, cap) for s in sizes)
    sizes = [min(s, cap) for s in sizes]
    while left:
        n = community.rng.randrange(threads)
        if sizes[n] < cap:
            sizes[n] += 1
            left -= 1
    return sizes


def _plan_thread(community: Community, category: int, size: int) -> PlannedThread:
    opens = community.ratified + DAY
    begins = opens + (HISTORY - opens) * math.sqrt(community.rng.random())  # a growing forum
    pace = community.rng.lognormvariate(math.log(3 * 3600), 1.2)
    gaps = [community.rng.expovariate(1 / pace) for _ in range(size - 1)]
    room = HISTORY - 60 - begins
    if sum(gaps) > room:
        squeeze = room / sum(gaps) * community.rng.uniform(0.5, 1)
        gaps = [gap * squeeze for gap in gaps]
    return _posted(community, category, community.prose.title(), begins, gaps)


def _plan_hot_thread(community: Community, category: int) -> PlannedThread:
    """Long and lively: replies every few minutes for months, up to a few minutes ago."""
    size = community.size.hot_posts
    begins = max(community.ratified + DAY, HISTORY - HOT_THREAD_DAYS * DAY)
    gaps = [community.rng.expovariate(1) for _ in range(size - 1)]
    scale = (HISTORY - 600 - begins) / (sum(gaps) or 1)
    title = "The big " + community.prose.title().lower().rstrip("?") + " thread"
    thread = _posted(community, category, title, begins, [gap * scale for gap in gaps])
    # The manifest's member replied early, so watches it, and has its last replies unread.
    unread = community.hot_unread()
    for number in range(max(2, size - unread + 1), size + 1):
        while thread.authors[number - 1] == community.member:
            thread.authors[number - 1] = community.poster(thread.times[number - 1])
    if size >= 2:
        thread.authors[1] = community.member
    return thread


def _posted(
    community: Community, category: int, title: str, begins: float, gaps: list[float]
) -> PlannedThread:
    times = array("d", accumulate(gaps, initial=begins))
    authors = array("l", (community.poster(at) for at in times))
    return PlannedThread(category, title, times, authors)


def _pin_and_lock(community: Community, threads: list[PlannedThread]) -> None:
    """The oldest thread of each category is pinned; a few long-quiet threads are locked."""
    pinned: set[int] = set()
    for thread in threads:
        if thread is community.hot:
            continue
        if thread.category not in pinned:
            thread.pinned = True
            pinned.add(thread.category)
        elif thread.times[-1] < HISTORY - 365 * DAY and community.rng.random() < 0.02:
            thread.locked = True


def _category(n: int) -> Category:
    name, description = CATEGORIES[n % len(CATEGORIES)]
    if round_ := n // len(CATEGORIES):
        name = f"{name} {round_ + 1}"
    return Category(name=name, slug=slugify(name), description=description, position=n)
