"""Triggers that keep the record as it was written, in the database itself, whatever the code.

They are installed after every `migrate` rather than by one migration: SQLite alters a table by
rebuilding it, which drops the table's triggers, and cannot rebuild a table that a trigger on
another table reads. So on SQLite they are dropped before migrating and put back after; on
PostgreSQL they stay, and are replaced by their current definition after.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.signals import post_migrate, pre_migrate

# From the migrated models (Apps): the statements that create the SQLite triggers.
SqliteTriggers = Callable[[Apps], list[str]]


@dataclass(frozen=True)
class RecordTriggers:
    """The triggers that guard `tables`, one definition per database."""

    tables: tuple[str, ...]
    postgresql: str  # CREATE OR REPLACE statements, run again after every migrate
    sqlite: SqliteTriggers
    # The model field (app label, model, field) whose column they read: installed once it exists.
    needs: tuple[str, str, str]

    def keep_installed(self, app_config: AppConfig) -> None:
        pre_migrate.connect(self._before_migrate, sender=app_config, weak=False)
        post_migrate.connect(self._after_migrate, sender=app_config, weak=False)

    def _before_migrate(self, using: str, **kwargs) -> None:
        connection = connections[using]
        if connection.vendor == "sqlite":
            drop_triggers(connection, self.tables)

    def _after_migrate(self, using: str, apps: Apps = global_apps, **kwargs) -> None:
        """After a migrate, with the migrated models; after a flush, which does not say, with
        the project's."""
        label, model, field = self.needs
        try:
            apps.get_model(label, model)._meta.get_field(field)
        except LookupError:
            return  # migrated back before the record existed
        self.install(connections[using], apps)

    def install(self, connection: BaseDatabaseWrapper, apps: Apps) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(self.postgresql)
                return
            drop_triggers(connection, self.tables)
            for statement in self.sqlite(apps):
                cursor.execute(statement)


def drop_triggers(connection: BaseDatabaseWrapper, tables: tuple[str, ...]) -> None:
    """Every trigger of ours on `tables` (a migration rewriting what they guard)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger"
                " WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s)",
                [list(tables)],
            )
            for name, table in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {quote(name)} ON {quote(table)}")
            return
        cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        for name, table in cursor.fetchall():
            if table in tables:
                cursor.execute(f"DROP TRIGGER {quote(name)}")


def unchanged_but_sealed(model, *, sealed_by: tuple[str, ...]) -> str:
    """SQLite: the update changes no column of `model` but those that seal the row."""
    return " AND ".join(
        f"NEW.{field.column} IS OLD.{field.column}"
        for field in model._meta.concrete_fields
        if field.column not in sealed_by
    )
