"""Candidate rows: who a selection source names, before the CRM is asked.

Every source (campaign table from CSV or a database, the legacy text file,
the list in config, a database query, a team) ends as `CampaignRow` values,
so that resolution to CRM users and every filter work the same for all.
Bad rows are `DataFileError` naming the file (or table) and the line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from odoo_lead_manager.domain.candidates import CampaignRow
from odoo_lead_manager.domain.model import split_values
from odoo_lead_manager.errors import DataFileError
from odoo_lead_manager.ops.limits import MAX_COUNT, MAX_RECORD_ID
from odoo_lead_manager.pipeline.selection.absences import parse_absence

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def parse_bool(text: str, where: str) -> bool:
    """Parse a boolean column; anything unrecognised is a user error naming ``where``."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise DataFileError(f"{where}: {text!r} is not a boolean (use true or false)")


def parse_int(text: str, where: str, maximum: int = MAX_COUNT) -> int | None:
    """Parse an optional integer column from 0 to ``maximum``."""
    value = text.strip()
    if not value:
        return None
    if len(value) > len(str(maximum)) + 1 and value.lstrip("+-0").isdigit():
        # Python refuses to convert thousands of digits; say what is wrong instead.
        raise DataFileError(f"{where}: {value[:20]}... is larger than {maximum:,}")
    try:
        number = int(value)
    except ValueError:
        raise DataFileError(f"{where}: {text!r} is not a whole number") from None
    if number < 0:
        raise DataFileError(f"{where}: {text!r} must not be negative")
    if number > maximum:
        raise DataFileError(f"{where}: {value} is larger than {maximum:,}")
    return number


@dataclass(frozen=True)
class Columns:
    """Which columns of a campaign table hold what (the optional ones by their §5.2 names)."""

    salesperson: str
    campaign: str
    active: str | None

    def row(self, record: Mapping[str, object], origin: str, line: int) -> CampaignRow:
        """One table row as a `CampaignRow`; bad values name ``origin``, the line and column."""
        where = f"{origin}, line {line}"

        def raw(column: str | None) -> str:
            value = record.get(column) if column else None
            if isinstance(value, bool):
                return "true" if value else "false"
            return "" if value is None else str(value)

        def text(column: str | None) -> str:
            return raw(column).strip()

        # The campaign is kept as written: it is compared exactly, as R compares it.
        name, campaign = text(self.salesperson), raw(self.campaign)
        if not name:
            raise DataFileError(f"{where}: empty {self.salesperson}")
        if not campaign.strip():
            raise DataFileError(f"{where}: empty {self.campaign}")
        active = True
        if self.active is not None:
            active_text = text(self.active)
            if not active_text:
                raise DataFileError(
                    f"{where}, column {self.active}: empty (write true or false; R would "
                    "count this salesperson as neither active nor inactive)"
                )
            active = parse_bool(active_text, f"{where}, column {self.active}")
        return CampaignRow(
            salesperson_name=name,
            campaign_name=campaign,
            active=active,
            team=text("team") or None,
            level=text("level") or None,
            target_leads=parse_int(text("target_leads"), f"{where}, column target_leads"),
            salesperson_id=parse_int(
                text("salesperson_id"), f"{where}, column salesperson_id", MAX_RECORD_ID
            ),
            skills=split_values(text("skills")),
            region=text("region") or None,
            timezone=text("timezone") or None,
            absence=parse_absence(
                name, text("away_from"), text("away_to"), text("away_part"), where
            )
            if text("away_from")
            else None,
            line=line,
            origin=origin,
        )


def parse_legacy_line(text: str, campaign: str, origin: str, line: int) -> CampaignRow:
    """One ``name|id|level|target_leads`` entry (§5.3); all but the name may be left out."""
    where = f"{origin}, line {line}" if origin else f"line {line}"
    fields = [part.strip() for part in text.split("|")]
    if len(fields) > 4:
        raise DataFileError(
            f"{where}: {len(fields)} fields in {text.strip()!r}; the format is "
            "name|id|level|target_leads"
        )
    fields += [""] * (4 - len(fields))
    name, user_id, level, target = fields
    if not name:
        raise DataFileError(f"{where}: the salesperson name is empty in {text.strip()!r}")
    return CampaignRow(
        salesperson_name=name,
        campaign_name=campaign,
        salesperson_id=parse_int(user_id, f"{where}, id", MAX_RECORD_ID),
        level=level or None,
        target_leads=parse_int(target, f"{where}, target_leads"),
        line=line,
        origin=origin,
    )


def list_rows(entries: list[str], campaign: str, origin: str) -> list[CampaignRow]:
    """The ``salespeople_list`` of the config: names or logins, or legacy-format entries."""
    return [
        parse_legacy_line(entry, campaign, origin, number)
        for number, entry in enumerate(entries, start=1)
    ]
