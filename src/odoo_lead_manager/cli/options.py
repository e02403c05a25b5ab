"""The types of the command line's options: bounded numbers and days."""

from __future__ import annotations

import argparse
from datetime import date

from odoo_lead_manager.ops.limits import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_COUNT,
    MAX_RECORD_ID,
    MAX_SEED,
)


def positive_int(text: str) -> int:
    value = whole_number(text, MAX_COUNT)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def record_id(text: str) -> int:
    return whole_number(text, MAX_RECORD_ID, 1)


def seed_number(text: str) -> int:
    return whole_number(text, MAX_SEED, -MAX_SEED)


def whole_number(text: str, maximum: int, minimum: int = 0) -> int:
    try:
        value = int(text) if len(text) <= 40 else None
    except ValueError:
        value = None
    if value is None:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number")
    if not minimum <= value <= maximum:
        raise argparse.ArgumentTypeError(f"must be from {minimum:,} to {maximum:,}")
    return value


def day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise argparse.ArgumentTypeError(f"{day} is outside {EARLIEST_DATE}..{LATEST_DATE}")
    return day
