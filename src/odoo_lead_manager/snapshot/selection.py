"""The salesperson source's rows as the snapshot reads them: a campaign table (CSV file or
database table) or a legacy file, read once per run; the other sources are the CRM's
(`pipeline.selection.candidates`).
"""

from __future__ import annotations

from odoo_lead_manager.config.schema.selection import SalespersonSelection
from odoo_lead_manager.domain.candidates import Candidates
from odoo_lead_manager.domain.lookups import Lookups
from odoo_lead_manager.pipeline.selection.candidates import (
    crm_candidates,
    needs_key,
    select_candidates,
)
from odoo_lead_manager.pipeline.selection.select import Selection
from odoo_lead_manager.snapshot.campaign_table import read_campaign_table
from odoo_lead_manager.snapshot.settings import ReadSettings
from odoo_lead_manager.snapshot.source_files import read_campaign_csv, read_legacy_file
from odoo_lead_manager.state.engines import database_engine


def select_from_config(
    cfg: SalespersonSelection, reads: ReadSettings, crm: Lookups, campaign: str | None
) -> Selection:
    """Read the configured source, resolve its names in the CRM and apply the filters."""
    candidates = read_candidates(cfg, reads, crm, campaign)
    return select_candidates(cfg, candidates, crm, campaign)


def read_candidates(
    cfg: SalespersonSelection, reads: ReadSettings, crm: Lookups, campaign: str | None
) -> Candidates:
    """The configured source's rows: a file or table read now, else the CRM's answers."""
    source = cfg.source_config
    kind = cfg.source_type
    where = str(reads.source.path)
    if kind == "campaign_table":
        table = source.campaign_table
        if table is not None and table.file_path:
            rows = read_campaign_csv(
                reads.source.resolve_path(table.file_path),
                salesperson_column=table.salesperson_column,
                campaign_column=table.campaign_column,
                active_column=table.active_column,
            )
            return Candidates(tuple(rows), "in table")
        if table is not None and table.table_name:
            engine = database_engine(reads.database, reads.source)
            try:
                rows = read_campaign_table(
                    engine,
                    table.table_name,
                    salesperson_column=table.salesperson_column,
                    campaign_column=table.campaign_column,
                    active_column=table.active_column,
                )
            finally:
                engine.dispose()
            return Candidates(tuple(rows), "in table")
        raise needs_key(where, "campaign_table.file_path or campaign_table.table_name", kind)
    if kind == "file":
        if not source.file_path:
            raise needs_key(where, "file_path", kind)
        rows = read_legacy_file(reads.source.resolve_path(source.file_path), campaign or "")
        return Candidates(tuple(rows), "in file")
    return crm_candidates(cfg, where, crm, campaign)
