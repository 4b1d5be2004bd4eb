"""How transactional tests empty the database between tests past the record's triggers, which
refuse it as they must on a live site (charter.record, moderation.record).

Django's flush empties every table in one transaction (TRUNCATE on PostgreSQL, DELETE on
SQLite). Here, and only here, that transaction lifts the triggers first and puts them back
last, so no test ever runs without them: on PostgreSQL it disables the tables' own triggers
(which their owner, the test role, may do), on SQLite it drops them and creates them again.
"""

from django.db import transaction
from django.db.backends.base.operations import BaseDatabaseOperations

execute_sql_flush = BaseDatabaseOperations.execute_sql_flush


def execute_sql_flush_past_triggers(ops: BaseDatabaseOperations, sql_list: list[str]) -> None:
    connection = ops.connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
            )
            tables = [ops.quote_name(table) for (table,) in cursor.fetchall()]
            lift = [f"ALTER TABLE {table} DISABLE TRIGGER USER" for table in tables]
            restore = [f"ALTER TABLE {table} ENABLE TRIGGER USER" for table in tables]
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
            lift = [f"DROP TRIGGER {ops.quote_name(name)}" for name, _ in triggers]
            restore = [sql for _, sql in triggers]
        execute_sql_flush(ops, [*lift, *sql_list, *restore])
