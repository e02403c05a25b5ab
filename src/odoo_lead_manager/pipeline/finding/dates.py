"""Date windows (spec §3.1), named window strategies and business days.

The window is half-open, ``[start, end)``, because that is the legacy
pipeline's rule (``source_date >= today - 30 & source_date < today - 0``);
custom dates read as a person reads them, inclusive at both ends.

Where the window comes from, first match wins: ``--override-date-range``,
then ``custom_start_date``/``custom_end_date``, then the named
``date_range.strategy``, then ``older_than_days``/``younger_than_days``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from odoo_lead_manager.domain.model import Domain, Lead, lead_day
from odoo_lead_manager.pipeline.finding.filters import LeadFilter

# The strategies §3.1 names, usable without defining them: (older_than_days, younger_than_days).
BUILTIN_STRATEGIES: Mapping[str, tuple[int | None, int | None]] = {
    "current_30_day": (0, 30),
    "extended_60_day": (0, 60),
    "stale_lead_recovery": (60, 180),
}


@dataclass(frozen=True, slots=True)
class DateWindow:
    """Leads whose date lies in ``[start, end)``.

    ``start`` None means no lower bound, ``end`` None no upper bound. Leads
    without a date are excluded, as the R pipeline does (``!is.na(source_date)``).
    """

    start: date | None
    end: date | None

    @classmethod
    def from_days(
        cls, today: date, older_than_days: int | None, younger_than_days: int | None
    ) -> DateWindow:
        """``date < today - older`` and ``date >= today - younger`` (spec §3.1); None is open."""
        return cls(
            start=today - timedelta(days=younger_than_days)
            if younger_than_days is not None
            else None,
            end=today - timedelta(days=older_than_days) if older_than_days is not None else None,
        )

    @classmethod
    def from_dates(cls, start: date | None, end: date | None) -> DateWindow:
        """Custom dates are inclusive at both ends, as a person reads "2024-01-01 to 2024-01-31"."""
        return cls(start=start, end=end + timedelta(days=1) if end else None)

    @property
    def last_day(self) -> date | None:
        """The last day inside the window."""
        return self.end - timedelta(days=1) if self.end else None

    def contains(self, day: date | None) -> bool:
        """Whether ``day`` lies in the window; an unknown day never does."""
        if day is None:
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day < self.end)

    def describe(self) -> str:
        """``2026-11-01..2026-11-30`` (an open end is ``...``)."""
        return f"{self.start or '...'}..{self.last_day or '...'}"

    def domain(self, field: str) -> Domain:
        """The exact Odoo domain of `contains` over ``field``."""
        domain: Domain = [(field, "!=", False)]
        if self.start is not None:
            domain.append((field, ">=", self.start.isoformat()))
        if self.end is not None:
            domain.append((field, "<", self.end.isoformat()))
        return domain


def date_range_filter(window: DateWindow, field: str = "source_date") -> LeadFilter:
    """Spec §3.1 date window over ``field`` (``source_date``, ``create_date``, ``write_date``)."""

    def why(lead: Lead) -> str:
        day = lead_day(lead, field)
        if day is None:
            return f"{field} is not set, so the lead is in no window"
        side = "before" if window.start is not None and day < window.start else "after"
        return f"{field} {day} is {side} the window {window.describe()}"

    return LeadFilter(
        "Date range",
        lambda lead: window.contains(lead_day(lead, field)),
        window.domain(field),
        why=why,
    )


def off_days_filter(field: str, weekends: bool, holidays: Collection[date]) -> LeadFilter:
    """``exclude_weekends``/``exclude_holidays``: leads dated on those days are not distributed.

    Odoo has no day-of-week operator, so this filter runs on the client only.
    """
    days_off = frozenset(holidays)

    def keep(lead: Lead) -> bool:
        day = lead_day(lead, field)
        if day is None:
            return True
        return not ((weekends and day.weekday() >= 5) or day in days_off)

    def why(lead: Lead) -> str:
        day = lead_day(lead, field)
        return f"{field} {day} is a {'holiday' if day in days_off else 'weekend day'}"

    return LeadFilter("Dated on a weekend or holiday", keep, why=why)


def is_business_day(day: date, holidays: Collection[date]) -> bool:
    """Monday to Friday and not a listed holiday."""
    return day.weekday() < 5 and day not in holidays


def business_days_before(today: date, days: int, holidays: Collection[date] = ()) -> date:
    """The day ``days`` business days before ``today``.

    A lead dated before it is more than ``days`` business days old, the
    business-day twin of ``date < today - days``.
    """
    day = today
    remaining = days
    while remaining > 0:
        day -= timedelta(days=1)
        if is_business_day(day, holidays):
            remaining -= 1
    return day
