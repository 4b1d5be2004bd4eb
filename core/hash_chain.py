"""The record's hash chains: each row's digest covers what the database holds of it and the
digest of the row before it, so a row rewritten, removed or slipped in breaks every digest after
it (DESIGN.md, "The record"; docs/admin-guide.md says how to recompute a digest).

A row's content is an object of its columns, keyed by column name, without `digest` and
without the columns that are NULL (so that a nullable column added by a later release leaves
the digests of earlier rows as they were), plus what its chain adds (a version's articles, an
entry's citations). Its canonical serialisation is JSON with keys sorted, no whitespace,
UTF-8 and no ASCII escaping; times in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`; UUIDs and
decimals as strings. Only strings, integers, booleans, lists and objects remain, for which
this is also RFC 8785 (JSON Canonicalization Scheme). The digest is the hex SHA-256 of it.
"""

import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import QuerySet

# What the first row of a chain names as the digest before it.
GENESIS = "0" * 64
# Rows read at once when a chain is checked: two queries (the rows, what they carry) a batch.
BATCH_SIZE = 500


def canonical(content: dict) -> bytes:
    return json.dumps(
        _plain(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def _plain(value):
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return str(value)  # a TextChoices member as its value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise TypeError("a time in the record must be aware")
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    raise TypeError(f"{type(value).__name__} has no canonical form in the record")


def columns(row: models.Model) -> dict:
    """The row's columns as stored, but for its own digest and its NULLs."""
    content = {}
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if field.column != "digest" and value is not None:
            content[field.column] = value
    return content


def digest_of(content: dict) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def lock(model: type[models.Model]) -> None:
    """Hold the appends to `model`'s chain until the transaction ends, so that two rows written
    at once cannot name the same row before them. Readers are not held. SQLite needs nothing:
    its writers already queue (transaction_mode IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)}"
                " IN SHARE ROW EXCLUSIVE MODE"
            )


def seal_in_order(rows: Iterable[models.Model], content: Callable[[models.Model], dict]) -> str:
    """Chain `rows`, in their order, from the start (a migration sealing existing rows).
    Returns the head."""
    previous = GENESIS
    for row in rows:
        previous = _seal(row, previous, content)
    return previous


def _seal(row: models.Model, previous: str, content: Callable[[models.Model], dict]) -> str:
    row.previous_digest = previous
    row.digest = digest_of(content(row))
    # The base manager: a model's own may refuse every update (the journal's does); the
    # database lets this one through because it only seals the row.
    type(row)._base_manager.filter(pk=row.pk).update(
        previous_digest=row.previous_digest, digest=row.digest
    )
    return row.digest


# How a row may fail to match: no digest; not naming the digest of the row before it; or its
# content not the one its digest covers.
UNSEALED, UNLINKED, REWRITTEN = "unsealed", "unlinked", "rewritten"


@dataclass(frozen=True)
class Mismatch:
    """The first row of a chain that does not match, and how."""

    row: models.Model
    reason: str  # UNSEALED, UNLINKED or REWRITTEN


@dataclass(frozen=True)
class Verification:
    rows: int
    head: str  # the digest of the last row that matched
    mismatch: Mismatch | None

    @property
    def ok(self) -> bool:
        return self.mismatch is None


@dataclass(frozen=True)
class Chain:
    """Rows of one model linked by `previous_digest` and `digest` in the order of `order`."""

    rows: Callable[[], QuerySet]  # every row of the chain, ordered by `order`
    order: str  # a unique, increasing column
    content: Callable[[models.Model], dict]
    prefetch: tuple[str, ...] = ()  # what `content` reads beyond the row

    def head(self) -> str:
        """The digest of the chain's last sealed row; empty while it has none."""
        return self.rows().exclude(digest="").values_list("digest", flat=True).last() or ""

    def seal(self, row: models.Model) -> None:
        """Link `row`, just written with all it carries, to the row before it. The caller holds
        the chain (`lock`, or a lock that already serialises its appends)."""
        stored = self.rows().prefetch_related(*self.prefetch).get(pk=row.pk)
        before = self.rows().filter(**{f"{self.order}__lt": getattr(stored, self.order)})
        previous = before.values_list("digest", flat=True).last() or GENESIS
        _seal(stored, previous, self.content)
        row.previous_digest, row.digest = stored.previous_digest, stored.digest

    def verify(self) -> Verification:
        """Recompute every digest, in order; stop at the first row that does not match."""
        previous, count = GENESIS, 0
        for row in self._batches():
            if not row.digest:
                return Verification(count, previous, Mismatch(row, UNSEALED))
            if row.previous_digest != previous:
                return Verification(count, previous, Mismatch(row, UNLINKED))
            if row.digest != digest_of(self.content(row)):
                return Verification(count, previous, Mismatch(row, REWRITTEN))
            previous, count = row.digest, count + 1
        return Verification(count, previous, None)

    def _batches(self) -> Iterator[models.Model]:
        rows = self.rows().prefetch_related(*self.prefetch)
        after = None
        while True:
            batch = rows if after is None else rows.filter(**{f"{self.order}__gt": after})
            batch = list(batch[:BATCH_SIZE])
            yield from batch
            if len(batch) < BATCH_SIZE:
                return
            after = getattr(batch[-1], self.order)
