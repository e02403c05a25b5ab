"""Choosing the salespeople of a campaign (spec §2.2, §5.2).

Reading the campaign table and resolving names to CRM users are separate
steps from the selection itself, which is a pure function of the rows, the
criteria and the users the CRM knows.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from odoo_lead_manager.errors import DataFileError, UserInputError
from odoo_lead_manager.model import Salesperson, User

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """One row of the campaign table (§5.2), with the line it came from."""

    salesperson_name: str
    campaign_name: str
    active: bool = True
    team: str | None = None
    level: str | None = None
    target_leads: int | None = None
    salesperson_id: int | None = None
    line: int = 0


def parse_bool(text: str, where: str) -> bool:
    """Parse a campaign-table boolean; anything unrecognised is a user error naming ``where``."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise DataFileError(f"{where}: {text!r} is not a boolean (use true or false)")


def parse_int(text: str, where: str) -> int | None:
    """Parse an optional non-negative integer column."""
    value = text.strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise DataFileError(f"{where}: {text!r} is not a whole number") from None
    if number < 0:
        raise DataFileError(f"{where}: {text!r} must not be negative")
    return number


def read_campaign_csv(
    path: Path,
    salesperson_column: str = "salesperson_name",
    campaign_column: str = "campaign_name",
    active_column: str | None = "active",
) -> list[CampaignRow]:
    """Read the campaign table from CSV, naming the file and line of any bad row."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in (salesperson_column, campaign_column) if c not in header]
            if missing:
                raise DataFileError(
                    f"{path}: missing column(s) {', '.join(missing)} "
                    f"(found: {', '.join(header) or 'no header'})"
                )
            rows = [
                _row(
                    record,
                    path,
                    reader.line_num,
                    salesperson_column,
                    campaign_column,
                    active_column if active_column in header else None,
                )
                for record in reader
            ]
    except FileNotFoundError:
        raise DataFileError(f"campaign table not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"{path}: not readable as UTF-8 ({exc.reason})") from None
    except csv.Error as exc:
        raise DataFileError(f"{path}: malformed CSV: {exc}") from None
    return rows


def _row(
    record: Mapping[str, str | None],
    path: Path,
    line: int,
    salesperson_column: str,
    campaign_column: str,
    active_column: str | None,
) -> CampaignRow:
    where = f"{path}, line {line}"

    def text(column: str) -> str:
        return (record.get(column) or "").strip()

    name = text(salesperson_column)
    campaign = text(campaign_column)
    if not name:
        raise DataFileError(f"{where}: empty {salesperson_column}")
    if not campaign:
        raise DataFileError(f"{where}: empty {campaign_column}")
    active_text = text(active_column) if active_column else ""
    return CampaignRow(
        salesperson_name=name,
        campaign_name=campaign,
        active=parse_bool(active_text, f"{where}, column {active_column}") if active_text else True,
        team=text("team") or None,
        level=text("level") or None,
        target_leads=parse_int(text("target_leads"), f"{where}, column target_leads"),
        salesperson_id=parse_int(text("salesperson_id"), f"{where}, column salesperson_id"),
        line=line,
    )


@dataclass(frozen=True, slots=True)
class SelectionCriteria:
    """Spec §2.2 campaign filtering and the §2.4 ``active_only`` filter."""

    target_campaign: str | None
    include_inactive_salespeople: bool = False
    exclude_specific_users: Collection[str] = ()
    active_only: bool = True


@dataclass(frozen=True)
class Selection:
    """Who receives leads, whose leads may be taken back, and who was left out and why.

    ``eligible`` receive leads. ``inactive`` are campaign members marked
    inactive in the table (or archived in the CRM): the legacy pipeline
    redistributes their leads. ``left_out`` pairs a name with the reason.
    """

    eligible: tuple[Salesperson, ...]
    inactive: tuple[Salesperson, ...]
    left_out: tuple[tuple[str, str], ...] = ()
    campaign_rows: int = 0
    table_rows: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)

    def explain_empty(self, campaign: str | None) -> str:
        """Why nobody is eligible, in one sentence with the counts."""
        parts = [f"{self.campaign_rows} in table"]
        parts.extend(f"{count} {reason}" for reason, count in self.skipped_reasons.items())
        return f"no eligible salespeople for campaign {campaign or '(any)'}: {', '.join(parts)}"


def names_to_resolve(rows: Sequence[CampaignRow], criteria: SelectionCriteria) -> set[str]:
    """The names whose CRM users the selection needs (rows of the target campaign)."""
    return {row.salesperson_name for row in _campaign_rows(rows, criteria)}


def _campaign_rows(rows: Sequence[CampaignRow], criteria: SelectionCriteria) -> list[CampaignRow]:
    target = criteria.target_campaign
    if target is None:
        return list(rows)
    wanted = target.casefold()
    return [row for row in rows if row.campaign_name.casefold() == wanted]


def select_salespeople(
    rows: Sequence[CampaignRow],
    criteria: SelectionCriteria,
    users_by_name: Mapping[str, Sequence[User]],
) -> Selection:
    """Apply spec §2.2: target campaign, active flag, exclusions, CRM users.

    Names are matched to users by exact name or login. Unknown and ambiguous
    names are one error that lists them all, since a silently missing
    salesperson would skew the whole distribution.
    """
    campaign_rows = _campaign_rows(rows, criteria)
    excluded = {name.casefold() for name in criteria.exclude_specific_users}
    problems: list[str] = []
    seen: dict[str, CampaignRow] = {}
    eligible: list[Salesperson] = []
    inactive: list[Salesperson] = []
    left_out: list[tuple[str, str]] = []
    reasons: dict[str, int] = {}

    def leave_out(name: str, reason: str) -> None:
        left_out.append((name, reason))
        reasons[reason] = reasons.get(reason, 0) + 1

    for row in campaign_rows:
        key = row.salesperson_name.casefold()
        if key in seen:
            problems.append(
                f"{row.salesperson_name!r} is listed twice for campaign {row.campaign_name} "
                f"(lines {seen[key].line} and {row.line})"
            )
            continue
        seen[key] = row
        if key in excluded:
            leave_out(row.salesperson_name, "excluded")
            continue
        users = [
            u
            for u in users_by_name.get(row.salesperson_name, ())
            if row.salesperson_id is None or u.id == row.salesperson_id
        ]
        if not users:
            problems.append(f"{row.salesperson_name!r} (line {row.line}) is not a CRM user")
            continue
        if len(users) > 1:
            ids = ", ".join(str(u.id) for u in users)
            problems.append(
                f"{row.salesperson_name!r} (line {row.line}) matches several CRM users "
                f"(ids {ids}); add a salesperson_id column"
            )
            continue
        user = users[0]
        person = Salesperson(
            name=user.name,
            user_id=user.id,
            campaign=row.campaign_name,
            active=row.active and user.active,
            user_active=user.active,
            team=row.team,
            level=row.level,
            target_leads=row.target_leads,
        )
        if not user.active and criteria.active_only:
            inactive.append(person)
            leave_out(row.salesperson_name, "archived in the CRM")
        elif not row.active and not criteria.include_inactive_salespeople:
            inactive.append(person)
            leave_out(row.salesperson_name, "inactive")
        else:
            eligible.append(person)
    if problems:
        raise UserInputError("campaign table: " + "; ".join(problems))
    return Selection(
        eligible=tuple(eligible),
        inactive=tuple(inactive),
        left_out=tuple(left_out),
        campaign_rows=len(campaign_rows),
        table_rows=len(rows),
        skipped_reasons=reasons,
    )
