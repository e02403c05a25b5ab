"""Alembic's entry point: migrate the connection `state.schema.upgrade` hands over."""

from __future__ import annotations

from alembic import context

from odoo_lead_manager.state.tables import VERSION_TABLE, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    # SQLite changes a table by copying it; Alembic's batch mode does that.
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
