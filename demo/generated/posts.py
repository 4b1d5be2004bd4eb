"""Posts: every post, inserted in the order it was written (as a real forum's rows lie on disk),
with its thanks, mentions and edits. On PostgreSQL, posts are loaded by COPY, and each post's
search vector computed as they are inserted, as `forum.services` indexes a post."""

from array import array
from collections import Counter, deque

from django.conf import settings
from django.db import connection

from demo.generated.community import BATCH_SIZE, DAY, HISTORY, Community
from demo.generated.prose import check_rendering
from forum.models import Mention, Post, PostRevision, PostState, Thanks
from notifications.models import Kind

NOTIFICATIONS = 200  # the manifest member's news, the latest ones

# A post as generated: its columns, then its thread's title if it is the first post.
POST_COLUMNS = ("thread_id", "number", "author_id", "source", "html", "created_at", "edited_at",
                "state", "deleted_by_id", "thanks_count", "announced")  # fmt: skip
CREATE_STAGING = """
    CREATE TEMPORARY TABLE IF NOT EXISTS generated_post (
        id bigint, thread_id bigint, number integer, author_id bigint, source text, html text,
        created_at timestamptz, edited_at timestamptz, state text, deleted_by_id bigint,
        thanks_count integer, announced boolean, title text
    ) ON COMMIT DROP
"""
NEXT_POST_IDS = (
    "SELECT nextval(pg_get_serial_sequence('forum_post', 'id')) FROM generate_series(1, %s)"
)
COPY_TO_STAGING = """
    COPY generated_post (id, thread_id, number, author_id, source, html, created_at, edited_at,
                         state, deleted_by_id, thanks_count, announced, title) FROM STDIN
"""
INSERT_FROM_STAGING = """
    INSERT INTO forum_post (id, thread_id, number, author_id, source, html, created_at,
                            edited_at, state, deleted_by_id, thanks_count, announced,
                            search_vector)
    SELECT id, thread_id, number, author_id, source, html, created_at, edited_at, state,
           deleted_by_id, thanks_count, announced,
           CASE WHEN title IS NULL THEN to_tsvector(%s::regconfig, source)
                ELSE setweight(to_tsvector(%s::regconfig, title), 'A')
                     || to_tsvector(%s::regconfig, source) END
    FROM generated_post ORDER BY id
"""


def write_posts(community: Community) -> None:
    """Every post, in the order they were written, with its thanks, mentions and edits."""
    pool = min(60_000, max(60, community.size.posts // 16))
    community.prose.build_pool(pool)
    community.log(f"  {pool:,} Markdown blocks rendered")
    times, where, numbers = array("d"), array("l"), array("l")
    for n, thread in enumerate(community.threads):
        times.extend(thread.times)
        where.extend([n] * len(thread.times))
        numbers.extend(range(1, len(thread.times) + 1))
    order = sorted(range(len(times)), key=times.__getitem__)
    community.usage = Counter()
    community.category_posts = Counter()
    community.category_last = {}
    community.news = deque(maxlen=NOTIFICATIONS)
    community.moderated = []
    community.signal_chance = min(1.0, 50_000 / community.size.posts)
    member_threads: set[int] = set()
    sample = set(community.rng.sample(range(len(order)), min(200, len(order))))
    checked: list[tuple[str, str]] = []
    batch: list[tuple] = []
    reported = 0
    for position, i in enumerate(order):
        written = _written(community, where[i], numbers[i], times[i], member_threads)
        if position in sample:
            post = written[0]
            checked.append((post[3], post[4]))
        batch.append(written)
        if len(batch) == BATCH_SIZE:
            _flush_posts(community, batch)
        if position - reported >= len(order) // 10 and len(order) >= 100_000:
            reported = position
            community.log(f"  {position:,} posts")
    _flush_posts(community, batch)
    check_rendering(checked)


def _written(
    community: Community, n: int, number: int, at: float, member_threads: set[int]
) -> tuple:
    """Post `number` of thread `n`, as its row and what goes with it: (row, thread index,
    time, author, previous source, thankers, mentioned, news for the manifest's member)."""
    thread = community.threads[n]
    author = thread.authors[number - 1]
    blocks = community.prose.post()
    state, previous, edited = PostState.VISIBLE, None, None
    roll = community.rng.random()
    if roll < 0.002 and number > 1:
        state = PostState.DELETED
    elif roll < 0.012:
        previous = community.prose.source(blocks)
        blocks.append(community.rng.choice(community.prose.edit_notes))
        edited = community.at(min(at + community.rng.uniform(120, 3 * 3600), HISTORY - 30))
    thankers = _thankers(community, at, author) if state == PostState.VISIBLE else []
    mentioned = sorted({m for b in blocks for m in community.prose.blocks[b].mentions} - {author})
    post = (
        thread.pk,
        number,
        community.pks[author],
        community.prose.source(blocks),
        community.prose.html(blocks),
        community.at(at),
        edited,
        state.value,
        community.pks[author] if state == PostState.DELETED else None,
        len(thankers),
        True,  # announced: old news, nobody is to be told of it now
        thread.title if number == 1 else None,  # a first post is found by its title
    )
    if state == PostState.VISIBLE:
        community.usage.update(blocks)
    news = None
    if author != community.member and state == PostState.VISIBLE:
        if community.member in mentioned:
            news = Kind.MENTION
        elif n in member_threads:
            news = Kind.REPLY
    elif author == community.member:
        member_threads.add(n)
    return (post, n, at, author, previous, thankers, mentioned, news)


def _thankers(community: Community, at: float, author: int) -> list[tuple[int, float]]:
    if community.rng.random() >= 0.08:
        return []
    count = 1 + (community.rng.random() < 0.3) + (community.rng.random() < 0.1)
    thankers = {community.poster(at) for _ in range(count)} - {author}
    return [
        (member, min(at + community.rng.uniform(60, 2 * DAY), HISTORY - 30))
        for member in sorted(thankers)
    ]


def _flush_posts(community: Community, batch: list[tuple]) -> None:
    rows = [entry[0] for entry in batch]
    if connection.vendor == "postgresql":
        pks = _copy_posts(community, rows)
    else:
        posts = [Post(**dict(zip(POST_COLUMNS, row, strict=False))) for row in rows]
        pks = [post.pk for post in community.insert(Post, posts)]
    thanks, mentions, revisions = [], [], []
    for pk, (post, thread, at, author, previous, thankers, mentioned, news) in zip(
        pks, batch, strict=True
    ):
        category = community.threads[thread].category
        thanks += [
            Thanks(post_id=pk, member_id=community.pks[member], created_at=community.at(when))
            for member, when in thankers
        ]
        mentions += [Mention(post_id=pk, member_id=community.pks[m]) for m in mentioned]
        if previous is not None:
            revisions.append(
                PostRevision(
                    post_id=pk,
                    editor_id=community.pks[author],
                    created_at=post[6],
                    previous_source=previous,
                )
            )
        community.category_posts[category] += 1
        community.category_last[category] = pk
        if news:
            community.news.append((pk, news, thread, post[1], at, author, post[3]))
        if (
            author in community.signalled_authors
            and post[7] == PostState.VISIBLE
            and at < HISTORY - 12 * DAY
            and community.rng.random() < community.signal_chance
        ):
            community.moderated.append((pk, author, at))
    for model, aside in ((Thanks, thanks), (Mention, mentions), (PostRevision, revisions)):
        if aside:
            community.insert(model, aside)
    batch.clear()


def _copy_posts(community: Community, rows: list[tuple]) -> list[int]:
    """PostgreSQL's way to load many rows: COPY into a table of this transaction's, then one
    INSERT … SELECT that also computes each post's search vector, as `forum.services`
    indexes a post. Through bulk_create, Django compiled and PostgreSQL parsed every value
    of every row: the million posts took three times as long."""
    with connection.cursor() as cursor:
        if not community.staging:
            cursor.execute(CREATE_STAGING)
            community.staging = True
        cursor.execute(NEXT_POST_IDS, [len(rows)])
        pks = [pk for (pk,) in cursor.fetchall()]
        with cursor.cursor.copy(COPY_TO_STAGING) as copy:
            for pk, row in zip(pks, rows, strict=True):
                copy.write_row((pk, *row))
        cursor.execute(INSERT_FROM_STAGING, [settings.SEARCH_CONFIG] * 3)
        cursor.execute("TRUNCATE generated_post")
    community.rows["post"] += len(rows)
    return pks
