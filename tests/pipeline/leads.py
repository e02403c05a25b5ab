"""Small builders for literal test data."""

from __future__ import annotations

from datetime import date
from typing import Any

from odoo_lead_manager.domain.model import Lead, Salesperson


def lead(id: int, **values: Any) -> Lead:
    values.setdefault("source_date", date(2024, 1, 10))
    return Lead(id=id, name=f"Lead {id}", **values)


def person(user_id: int, name: str | None = None, **values: Any) -> Salesperson:
    return Salesperson(
        name=name or f"Person {user_id}", user_id=user_id, campaign="Voice", **values
    )
