"""Versioned migrations of the tracking database, run by `state.schema.upgrade`.

Each module in ``versions`` is one Alembic revision, a snapshot of the
change it makes: it must not follow later edits of ``tracking/tables.py``.
To change the schema, edit ``tables.py``, add a module whose
``down_revision`` is the current head, and run the schema tests, which
compare a migrated database with ``tables.py`` on SQLite, MariaDB and
PostgreSQL.
"""
