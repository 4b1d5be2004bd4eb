"""The record's triggers (charter.record, moderation.record), lifted where a test must: the
flush that empties the database between transactional tests, which they refuse as they must on
a live site; and a test that rewrites the record as a database owner could.

Each lifts them in one transaction and puts them back in it, so no other test ever runs
without them: on PostgreSQL it disables the tables' own triggers (which their owner, the test
role, may do), on SQLite it drops them and creates them again.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.backends.base.operations import BaseDatabaseOperations

execute_sql_flush = BaseDatabaseOperations.execute_sql_flush


def execute_sql_flush_past_triggers(ops: BaseDatabaseOperations, sql_list: list[str]) -> None:
    """Django's flush (TRUNCATE on PostgreSQL, DELETE on SQLite), past every trigger."""
    with transaction.atomic(using=ops.connection.alias):
        lift, restore = _lifting(ops.connection, tables=None)
        execute_sql_flush(ops, [*lift, *sql_list, *restore])


@contextmanager
def tampering(*tables: str) -> Iterator[None]:
    """Inside the block, the triggers on `tables` are gone, as a database owner can make them."""
    with transaction.atomic(), connection.cursor() as cursor:
        lift, restore = _lifting(connection, tables=tables)
        if connection.vendor == "postgresql":
            # PostgreSQL alters no table with checks pending: the test's own foreign keys,
            # deferred to its end. Done now, they leave nothing pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in lift:
            cursor.execute(statement)
        yield
        for statement in restore:
            cursor.execute(statement)


def _lifting(db, *, tables: tuple[str, ...] | None) -> tuple[list[str], list[str]]:
    """The statements that lift the triggers on `tables` (None: every table), and those that
    put them back."""
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
            )
            found = [table for (table,) in cursor.fetchall() if tables is None or table in tables]
            return (
                [f"ALTER TABLE {quote(table)} DISABLE TRIGGER USER" for table in found],
                [f"ALTER TABLE {quote(table)} ENABLE TRIGGER USER" for table in found],
            )
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        found = [
            (name, sql)
            for name, table, sql in cursor.fetchall()
            if tables is None or table in tables
        ]
        return [f"DROP TRIGGER {quote(name)}" for name, _ in found], [sql for _, sql in found]
