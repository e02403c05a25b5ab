"""Demo configurations changed key by key, for the operations tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


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
