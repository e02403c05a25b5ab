"""The salespeople a source names, before the CRM is asked: its rows and the users it read."""

from __future__ import annotations

from dataclasses import dataclass

from odoo_lead_manager.domain.model import Absence, TeamMember, User


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """One salesperson named by a source, with where it came from (``origin``, ``line``)."""

    salesperson_name: str
    campaign_name: str
    active: bool = True
    team: str | None = None
    level: str | None = None
    target_leads: int | None = None
    salesperson_id: int | None = None
    skills: tuple[str, ...] = ()
    region: str | None = None
    timezone: str | None = None
    # The campaign table's ``away_from``/``away_to``/``away_part`` columns, when filled.
    absence: Absence | None = None
    line: int = 0
    origin: str = ""

    @property
    def where(self) -> str:
        """``file, line N`` (or ``line N`` when the origin is unknown)."""
        return f"{self.origin}, line {self.line}" if self.origin else f"line {self.line}"

    def differences(self, other: CampaignRow) -> list[str]:
        """The values two rows for the same salesperson disagree on (names of the columns)."""
        fields = ("active", "team", "level", "target_leads", "salesperson_id", "skills",
                  "region", "timezone")  # fmt: skip
        return [f for f in fields if getattr(self, f) != getattr(other, f)]


@dataclass(frozen=True)
class Candidates:
    """The rows the configured source gave (§2.1), a label for counts, the users the
    source itself read (a ``database``, ``team`` or ``odoo_team`` source) and, for
    ``odoo_team``, the team's memberships with their assignment settings."""

    rows: tuple[CampaignRow, ...]
    label: str
    known: tuple[User, ...] = ()
    members: tuple[TeamMember, ...] = ()
