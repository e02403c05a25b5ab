"""Reading the history tables back in tests."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, select
from sqlalchemy.engine import URL

from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.domain.model import Assignment, LeadFacts, Salesperson, Workload
from odoo_lead_manager.domain.plan import Plan, WriteGroup
from tests.state.conftest import connection_block


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


NOW = datetime(2024, 6, 14, 9, 0)


def tiny_plan(**changes: object) -> Plan:
    people = (
        Salesperson("Alice", 1, "Voice", target_leads=10),
        Salesperson("Bob", 2, "Voice", target_leads=None),
        Salesperson("Cleo", 3, "Voice", active=False),
    )
    assignments = (
        Assignment(101, 1, 2, "round_robin: turn 1"),
        Assignment(102, 1, None, "round_robin: turn 2"),
        Assignment(103, 2, 9, "x" * 300),
    )
    fields: dict[str, object] = {
        "run_id": "r" * 32,
        "created_at": NOW,
        "today": date(2024, 6, 14),
        "campaign": "Voice",
        "strategy": "round_robin",
        "seed": 1,
        "date_start": date(2024, 5, 15),
        "date_end": date(2024, 6, 14),
        "salespeople": people,
        "left_out": (("Drew", "excluded by name"),),
        "workloads": {
            1: Workload(1, 3, {"Call Back": 2, "New": 1}, 10),
            2: Workload(2, 2, {"Call Back": 1, "Lost": 1}),
            3: Workload(3, 0, {}),
        },
        "examined": 10,
        "excluded": {},
        "distributable": 4,
        "assignments": assignments,
        "unassigned": {"capacity": [104]},
        "writes": (WriteGroup((101, 102, 103), {"user_id": 0, "status": "New"}),),
        "user_names": {1: "Alice", 2: "Bob", 3: "Cleo", 9: "Zed"},
        # Each lead leaves its holder's count and joins its new owner's, as "New".
        "lead_facts": {
            101: LeadFacts(
                "Call Back", "Facebook", "UTR", 2, "John Smith", date(2024, 6, 10), 2, 1, "New"
            ),
            102: LeadFacts(None, None, None, 0, "<script>alert(1)</script>", None, None, 1, "New"),
            103: LeadFacts(
                "Lost", "Google" * 30, "UTR", 1, "=HYPERLINK(1)", date(2023, 1, 1), 9, 2, "New"
            ),
        },
    }
    fields.update(changes)
    return Plan(**fields)  # type: ignore[arg-type]
