"""What the command line changes for one run, and the day range it may override."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.ops.limits import date_in_range


@dataclass(frozen=True)
class RunOptions:
    """Command-line overrides of the configuration for one run."""

    today: date | None = None
    seed: int | None = None
    max_leads: int | None = None
    force_round_robin: bool = False
    date_range: tuple[date, date] | None = None
    # Called with the number of leads fetched so far, for a progress display.
    on_fetched: Callable[[int], None] | None = field(default=None, compare=False)
    # Where the plan is saved (``--plan-out``), for the dry run's advice.
    plan_out: Path | None = None
    # Keep every excluded lead (`odlm explain`, and ``--export-excluded FILE``, written
    # there): nothing is then filtered on the server, so that each one is fetched and listed.
    ledger: bool = False
    export_excluded: Path | None = None
    # Leads this command already moved today for earlier campaigns (several --config).
    moved_elsewhere: frozenset[int] = frozenset()
    # The id the run's snapshot and plan get; chosen by the runner, so that the log lines
    # written while fetching carry it already.
    run_id: str | None = None

    def __post_init__(self) -> None:
        if self.export_excluded is not None and not self.ledger:
            object.__setattr__(self, "ledger", True)


def parse_date_range(text: str, option: str = "--override-date-range") -> tuple[date, date]:
    """``--override-date-range "2024-01-01,2024-06-30"`` into two dates (inclusive)."""
    parts = [p.strip() for p in text.split(",")]
    try:
        if len(parts) != 2:
            raise ValueError
        start, end = date.fromisoformat(parts[0]), date.fromisoformat(parts[1])
    except ValueError:
        raise UserInputError(
            f"{option}: {text!r} is not START,END with dates as YYYY-MM-DD"
        ) from None
    if start > end:
        raise UserInputError(f"{option}: start {start} is after end {end}")
    return date_in_range(start, option), date_in_range(end, option)
