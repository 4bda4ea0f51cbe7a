"""DuckDB, the optional engine for call logs: a connection, or a clear error without it."""

from __future__ import annotations

from typing import Any

from ivraudit.model.errors import UsageError

#: What to run when DuckDB is missing.
INSTALL_HINT = "reading call logs needs DuckDB: install ivraudit[traffic]"


def connect() -> Any:
    """An in-memory DuckDB connection in UTC (an ``at`` without offset is read as UTC).

    Raises :class:`UsageError` (exit 2 on the command line) when DuckDB is not installed.
    """
    try:
        import duckdb
    except ImportError:
        raise UsageError(f"{INSTALL_HINT} (pip install 'ivraudit[traffic]')") from None
    connection = duckdb.connect(":memory:")
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def engine_error() -> type[Exception]:
    """The base class of DuckDB's errors (imported only once DuckDB is known present)."""
    import duckdb

    return duckdb.Error
