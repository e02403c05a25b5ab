"""The bounds on what odlm accepts from the files and options it is handed.

odlm runs unattended against a live CRM, so a broken or hostile input must
be refused at once with a message, never allowed to exhaust memory, time or
the stack, nor to overflow a database column or a date. The figures are
generous for real use and documented in docs/configuration.md ("Limits on what odlm
reads").
"""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path
from typing import BinaryIO

from odoo_lead_manager.errors import UserInputError, reading

KIB = 1024
MIB = 1024 * KIB

# A configuration is a few kilobytes; the largest spec example is 30 KiB.
MAX_CONFIG_BYTES = 1 * MIB
# Campaign tables and salespeople lists name people: thousands of rows at most.
MAX_DATA_FILE_BYTES = 64 * MIB
# A plan handing out 51,000 leads is 22 MiB (benchmarks/dataset.py, 100,000 leads).
MAX_PLAN_BYTES = 512 * MIB

# Nested mappings and lists in a configuration (the spec's deepest is 6).
MAX_NESTING = 32
# Values a configuration may hold once YAML aliases are expanded; a file
# within MAX_CONFIG_BYTES without aliases cannot come near it.
MAX_CONFIG_NODES = 200_000

# Counts (targets, batch sizes, limits): inside a 32-bit database integer.
MAX_COUNT = 1_000_000_000
# Ids of Odoo records are PostgreSQL integers.
MAX_RECORD_ID = 2**31 - 1
# Day spans (windows, retention): a century.
MAX_DAYS = 36_500
# Durations in seconds (timeouts, delays, thresholds): a day.
MAX_SECONDS = 86_400.0
# Seeds are kept in the tracking database as 64-bit integers.
MAX_SEED = 2**63 - 1
# Dates odlm reasons about (windows, --today, overrides), so that a day
# added or a window subtracted can never leave Python's date range.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def date_in_range(value: date, what: str) -> date:
    """``value`` when within the dates odlm accepts, else a `UserInputError` naming ``what``."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise UserInputError(f"{what}: {value} is outside {EARLIEST_DATE}..{LATEST_DATE}")
    return value


def port_number(value: object) -> int:
    """``value`` as a TCP port; a `ValueError` that never quotes it (it may be a secret)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("must be a port number from 1 to 65535")
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or not 1 <= int(text) <= 65535:
        raise ValueError("must be a port number from 1 to 65535")
    return int(text)


def read_bounded(
    path: Path, what: str, limit: int, error: type[UserInputError], encoding: str = "utf-8"
) -> str:
    """The text of ``path``, refused with ``error`` past ``limit`` bytes.

    Reads at most ``limit + 1`` bytes, so an endless file (a device, a pipe)
    is refused as quickly as a large one.
    """
    with reading(path, what, error):
        with path.open("rb") as handle:
            # A regular file's size is known at once; a device or pipe is read up to the limit.
            status = os.fstat(handle.fileno())
            if stat.S_ISREG(status.st_mode) and status.st_size > limit:
                raise error(f"{path}: the {what} is larger than {_size(limit)}, the limit")
            data = _read_up_to(handle, limit + 1)
        if len(data) > limit:
            raise error(f"{path}: the {what} is larger than {_size(limit)}, the limit")
        return data.decode(encoding)


def _read_up_to(handle: BinaryIO, count: int) -> bytes:
    """At most ``count`` bytes, in chunks: ``read(count)`` would reserve all of them at once."""
    chunks: list[bytes] = []
    left = count
    while left > 0:
        chunk = handle.read(min(left, MIB))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // KIB} KiB"
