"""The search backend for a database connection: SQLite FTS5 or PostgreSQL full text."""

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from hearth.search.backends.postgres import PostgresBackend
from hearth.search.backends.sqlite import SQLiteBackend

BACKENDS = {"sqlite": SQLiteBackend, "postgresql": PostgresBackend}


def backend_for(connection: BaseDatabaseWrapper | None = None):
    """The backend for `connection` (the default database when not given)."""
    connection = connection or connections["default"]
    try:
        return BACKENDS[connection.vendor](connection)
    except KeyError:
        raise ImproperlyConfigured(
            f"Search supports SQLite and PostgreSQL, not {connection.vendor}."
        ) from None
