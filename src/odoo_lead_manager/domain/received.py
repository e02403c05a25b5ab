"""What each salesperson received in earlier runs (user id, day, leads), for the caps."""

from __future__ import annotations

from datetime import date, timedelta

# (user id, day, leads received that day): real runs over every campaign, less undone leads.
Received = tuple[tuple[int, date, int], ...]


def history_start(today: date, weekend: bool) -> date:
    """The first day whose receipts the caps of ``today`` count."""
    starts = [today.replace(day=1), today - timedelta(days=today.weekday())]
    if weekend and today.weekday() == 0:
        starts.append(today - timedelta(days=2))
    return min(starts)
