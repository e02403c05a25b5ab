"""`odlm fairness`: the campaign's fairness ledger as a table or as JSON (values in, text out)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from odoo_lead_manager.domain.ledger import Account, Standing, jain

# Within this much of what they were entitled to, a salesperson counts as even (the
# larger of the two): rounding, not unfairness.
EVEN_LEADS = 2.0
EVEN_SHARE = 0.05


@dataclass(frozen=True)
class LedgerLine:
    """A salesperson's account in the ledger, with their name."""

    user_id: int
    name: str
    account: Account

    @property
    def even(self) -> bool:
        account = self.account
        return abs(account.balance) <= max(EVEN_LEADS, EVEN_SHARE * account.entitled)


def ledger_lines(standing: Standing) -> list[LedgerLine]:
    """One line per salesperson of the ledger, by name."""
    lines = [
        LedgerLine(uid, standing.names.get(uid, f"user {uid}"), account)
        for uid, account in standing.accounts.items()
    ]
    return sorted(lines, key=lambda line: (line.name.casefold(), line.user_id))


def ledger_jain(lines: list[LedgerLine]) -> float | None:
    """Jain's index of received / entitled, over those entitled to anything."""
    accounts = [line.account for line in lines]
    return jain(a.received / a.entitled for a in accounts if a.entitled > 0)


def print_ledger(console: Console, campaign: str, standing: Standing) -> None:
    """The ledger as a table, with Jain's index and who is furthest from even."""
    if standing.empty:
        console.print(
            f"No fairness ledger for {campaign or 'this configuration'} yet: it starts with "
            "the first real run while distribution.fairness_window_days is above 0.",
            soft_wrap=True,
        )
        return
    lines = ledger_lines(standing)
    first, last = standing.days[0], standing.days[-1]
    span = f"{len(standing.days)} run day{'s' if len(standing.days) != 1 else ''}"
    name = campaign or "(any campaign)"
    table = Table(title=f"Fairness ledger of {name}: {span}, {first} to {last}")
    for header in ("Salesperson", "Entitled", "From odlm", "Outside odlm", "Received", "Balance"):
        table.add_column(header, justify="left" if header == "Salesperson" else "right")
    for line in lines:
        account = line.account
        table.add_row(
            line.name,
            f"{account.entitled:.1f}",
            f"{account.given:,}",
            f"{account.outside:,}",
            f"{account.received:,}",
            _balance(account),
        )
    console.print(table)
    index = ledger_jain(lines)
    if index is not None:
        console.print(f"Jain's index of received / entitled: {index:.3f} (1 is even).")
    uneven = [line for line in lines if not line.even]
    if uneven:
        worst = max(uneven, key=lambda line: abs(line.account.balance))
        console.print(
            f"Furthest from even: {worst.name}, {_balance(worst.account)}; the next runs give "
            "the extra leads to whoever is behind (round robin, proportional).",
            soft_wrap=True,
        )
    else:
        console.print(
            f"Everyone is within {EVEN_LEADS:g} leads or {EVEN_SHARE:.0%} of what they were "
            "entitled to."
        )


def ledger_json(campaign: str, standing: Standing) -> str:
    """The ledger as JSON, for scripts."""
    lines = ledger_lines(standing)
    document = {
        "campaign": campaign,
        "days": [day.isoformat() for day in standing.days],
        "jain": ledger_jain(lines),
        "salespeople": [
            {
                "user_id": line.user_id,
                "name": line.name,
                "entitled": round(line.account.entitled, 3),
                "from_odlm": line.account.given,
                "outside_odlm": line.account.outside,
                "received": line.account.received,
                "balance": round(line.account.balance, 3),
                "even": line.even,
            }
            for line in lines
        ],
    }
    return json.dumps(document, indent=2)


def _balance(account: Account) -> str:
    if abs(account.balance) < 0.05:
        return "even"
    side = "behind" if account.balance > 0 else "ahead"
    return f"{abs(account.balance):.1f} {side}"
