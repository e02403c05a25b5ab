"""Reading the history tables back in tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, select
from sqlalchemy.engine import URL

from odoo_lead_manager.config import LoadedConfig, load_config

from .conftest import connection_block


def tracked_config(demo_dir: Path, url: URL, extra: str = "") -> LoadedConfig:
    """The demo configuration with its tracking in the database at ``url``."""
    config = demo_dir / "config.yaml"
    config.write_text(config.read_text() + connection_block(url) + extra)
    return load_config(config)


def rows(url: URL, table: Table, **where: Any) -> list[dict[str, Any]]:
    engine: Engine = create_engine(url)
    try:
        with engine.connect() as connection:
            query = select(table).where(*(table.c[k] == v for k, v in where.items()))
            return [dict(r._mapping) for r in connection.execute(query.order_by(table.c.id))]
    finally:
        engine.dispose()
