"""Insert rows, or update the row already holding their unique key, in one statement.

Each server has its own syntax (``ON CONFLICT`` on PostgreSQL and SQLite,
``ON DUPLICATE KEY UPDATE`` on MySQL/MariaDB); all three are atomic, so
two processes recording the same key at once still leave one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import mysql, postgresql, sqlite


def upsert(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    update: Sequence[str],
    chunk: int = 1000,
) -> None:
    """Write ``rows``; a row whose ``key`` exists gets its ``update`` columns (none: kept)."""
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        connection.execute(_statement(connection, table, key, update), part)


def _statement(
    connection: Connection, table: Table, key: Sequence[str], update: Sequence[str]
) -> Any:
    dialect = connection.dialect.name
    if dialect in ("mysql", "mariadb"):
        statement = mysql.insert(table)
        # MySQL has no "do nothing"; setting the key to itself is its idiom.
        columns = update or key[:1]
        return statement.on_duplicate_key_update(
            {name: statement.inserted[name] for name in columns}
        )
    conflict: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    if not update:
        return conflict.on_conflict_do_nothing(index_elements=list(key))
    return conflict.on_conflict_do_update(
        index_elements=list(key), set_={name: conflict.excluded[name] for name in update}
    )
