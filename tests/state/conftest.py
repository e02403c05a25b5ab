"""A fresh, empty tracking database per test: an SQLite file, a PostgreSQL or a MariaDB database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}
KINDS = ["sqlite", *SERVERS]


def fresh_database(kind: str, tmp_path: Path) -> Iterator[URL]:
    """A new database of ``kind``, dropped afterwards; skipped when the server is down."""
    if kind == "sqlite":
        yield make_url(f"sqlite:///{tmp_path / 'tracking.sqlite'}")
        return
    admin = create_engine(SERVERS[kind], isolation_level="AUTOCOMMIT")
    name = f"odlm_t_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except OperationalError as error:
        pytest.skip(f"{kind} is not reachable here: {error.orig}")
    try:
        yield make_url(SERVERS[kind]).set(database=name)
    finally:
        with admin.connect() as connection:
            if kind == "postgresql":
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


@pytest.fixture(params=KINDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[URL]:
    yield from fresh_database(request.param, tmp_path)


def connection_block(url: URL) -> str:
    """The ``database_connection`` YAML of a test database, as a user would write it."""
    if url.get_backend_name() == "sqlite":
        return f"database_connection: {{type: sqlite, database: '{url.database}'}}\n"
    kind = "postgresql" if url.get_backend_name() == "postgresql" else "mariadb"
    return (
        f"database_connection: {{type: {kind}, host: {url.host}, port: {url.port}, "
        f"database: {url.database}, username: {url.username}}}\n"
    )
