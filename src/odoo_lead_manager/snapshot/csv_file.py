"""Reading the CSV files odlm takes (campaign table, absences) so that every error names
the line where the problem starts.

Python's `csv` reports where it stopped, not where the trouble began: a quote
left open on line 8 swallows the lines after it into one field and the row
then fails on line 15, or at the end of the file. These files hold names,
campaigns, flags and dates, never a line break inside a value, so a record
that spans lines is an unclosed quote, reported at the line it opened.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from odoo_lead_manager.errors import DataFileError


def csv_records(path: Path, text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header of ``text`` (the file ``path``), and each record with the line it is on.

    A column named twice is refused (naming both places), as is a quote left
    open, a field over the size limit, or any other malformed line: each a
    `DataFileError` naming the file and line.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = _next(reader, path, 1) or []
    _no_repeats(header, path)
    return header, _records(reader, header, path)


def _records(
    reader: Iterator[list[str]], header: list[str], path: Path
) -> Iterator[tuple[int, dict[str, str]]]:
    while True:
        start = reader.line_num + 1  # type: ignore[attr-defined]
        values = _next(reader, path, start)
        if values is None:
            return
        end = reader.line_num  # type: ignore[attr-defined]
        if end > start:
            raise DataFileError(
                f"{path}, line {start}: a quote opened on this line is not closed before "
                f"line {end} (a value here never holds a line break)"
            )
        yield start, dict(zip(header, values, strict=False))


def _next(reader: Iterator[list[str]], path: Path, start: int) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        reason = str(exc)
        if "unexpected end of data" in reason or "EOF" in reason:
            reason = "a quote opened on this line is never closed"
        elif "field larger than field limit" in reason:
            reason = f"a value is longer than {csv.field_size_limit():,} characters"
        raise DataFileError(f"{path}, line {start}: malformed CSV: {reason}") from None


def _no_repeats(header: list[str], path: Path) -> None:
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        key = name.strip()
        if key in seen:
            raise DataFileError(
                f"{path}, line 1: column {key!r} is named twice (columns {seen[key]} and "
                f"{number}); a row's value would be taken from one of them silently"
            )
        seen[key] = number
