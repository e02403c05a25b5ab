"""Demo configurations changed key by key, for the operations tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.errors import CrmUnavailable


def configured(directory: Path, name: str = "config.yaml", **sections: dict[str, Any]) -> Path:
    """The demo's config.yaml with ``sections`` merged in, saved as ``name`` beside it."""
    source = directory / "config.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for section, values in sections.items():
        current = data.get(section)
        data[section] = {**current, **values} if isinstance(current, dict) else values
    target = directory / name
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target


def second_write_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local store's second write call finds the CRM gone; the others go through."""
    write = LocalStore.write_leads
    calls: list[int] = []

    def flaky(self: LocalStore, ids: Sequence[int], values: Any) -> None:
        calls.append(len(ids))
        if len(calls) == 2:
            raise CrmUnavailable("the CRM went away")
        write(self, ids, values)

    monkeypatch.setattr(LocalStore, "write_leads", flaky)
