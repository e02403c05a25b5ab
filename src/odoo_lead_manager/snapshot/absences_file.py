"""The absences file (``salesperson_selection.availability.absences_file``), read when the
snapshot is taken."""

from __future__ import annotations

from pathlib import Path

from odoo_lead_manager.domain.model import Absence
from odoo_lead_manager.errors import DataFileError
from odoo_lead_manager.ops.limits import (
    MAX_DATA_FILE_BYTES,
    read_bounded,
)
from odoo_lead_manager.pipeline.selection.absences import COLUMNS, parse_absence
from odoo_lead_manager.snapshot.csv_file import csv_records


def read_absences_csv(path: Path) -> tuple[Absence, ...]:
    """The absences file: one absence per row, blank rows skipped."""
    text = read_bounded(path, "absences file", MAX_DATA_FILE_BYTES, DataFileError, "utf-8-sig")
    header, records = csv_records(path, text)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataFileError(
            f"{path}: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(header) or 'no header'})"
        )
    absences = []
    for line, record in records:
        values = {k: v.strip() for k, v in record.items()}
        if not any(values.values()):
            continue
        where = f"{path}, line {line}"
        if not values.get("salesperson_name"):
            raise DataFileError(f"{where}: empty salesperson_name")
        absences.append(
            parse_absence(
                values["salesperson_name"],
                values.get("from", ""),
                values.get("to", ""),
                values.get("part", ""),
                where,
            )
        )
    return tuple(absences)
