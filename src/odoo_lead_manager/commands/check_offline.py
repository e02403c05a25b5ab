"""`odlm check` without a server: the configuration, the files it names, the salesperson
source's rows, and, on the embedded CRM store, every name a run looks up.

Each check reads through the code a run reads with (`snapshot`, `crm.local`, the
planner's selection and finding stages), so that what passes here is what a run
accepts. Nothing is created or written: a directory a run would create is only
checked to be creatable. Every finding is one line; a problem names the file, key
or row, as the run would.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Literal, TypeVar

from odoo_lead_manager.commands.resolve import (
    apply_settings,
    crm_settings,
    plan_settings,
    read_settings,
    smtp_settings,
    tracking_settings,
)
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.crm.odoo.connect import settings_from_config
from odoo_lead_manager.crm.odoo.transport import public_url
from odoo_lead_manager.crm.opening import open_store
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.candidates import Candidates
from odoo_lead_manager.domain.lookups import Answers, Lookups, Replayed
from odoo_lead_manager.domain.model import Absence, Salesperson
from odoo_lead_manager.errors import ConfigError, OdlmError, RunSkipped
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.pipeline.finding.configured import build_finding
from odoo_lead_manager.pipeline.policy import fallback_owner, nobody_or_raise
from odoo_lead_manager.pipeline.preparing import write_teams
from odoo_lead_manager.pipeline.selection.absences import strangers, unknown_absentees
from odoo_lead_manager.pipeline.selection.candidates import select_candidates
from odoo_lead_manager.pipeline.selection.select import (
    Selection,
    SelectionCriteria,
    campaign_rows,
    unknown_campaign,
)
from odoo_lead_manager.pipeline.settings import PlanSettings
from odoo_lead_manager.snapshot.absences_file import read_absences_csv
from odoo_lead_manager.snapshot.selection import read_candidates
from odoo_lead_manager.snapshot.settings import ReadSettings
from odoo_lead_manager.snapshot.web_sources import read_source_names
from odoo_lead_manager.state.engines import database_engine

T = TypeVar("T")
Status = Literal["ok", "note", "PROBLEM"]

# Sources whose salespeople only the CRM knows: read offline on the embedded store only.
CRM_SOURCES = ("database", "team", "odoo_team")
# What the source's rows are called in the findings.
SOURCE_NAMES = {
    "campaign_table": "campaign table",
    "file": "salespeople file",
    "list": "salespeople list",
}


@dataclass(frozen=True)
class Finding:
    """One line of `odlm check`: how it went, what was checked, and what was found."""

    status: Status
    what: str
    detail: str

    def line(self) -> str:
        # A message of several lines (a stopped run's warnings) stays one finding.
        detail = "; ".join(part.strip() for part in self.detail.splitlines() if part.strip())
        detail = detail.removeprefix(f"{self.what}: ")
        return f"  {self.status:<8} {self.what:<18} {detail}"


@dataclass
class Findings:
    """The findings in the order they were made."""

    items: list[Finding] = field(default_factory=list)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.items)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.items if f.status == "PROBLEM"]

    def add(self, status: Status, what: str, detail: str) -> None:
        self.items.append(Finding(status, what, detail))

    def attempt(self, what: str, action: Callable[[], T]) -> T | None:
        """``action``'s result, or None with the error it raised as a finding: a problem,
        or a note for a run that would be skipped, as configured."""
        try:
            return action()
        except RunSkipped as exc:
            self.add("note", what, exc.message)
        except OdlmError as exc:
            self.add("PROBLEM", what, exc.message)
        return None


def server_configured(loaded: LoadedConfig) -> bool:
    """Whether the configuration names an Odoo server: its CRM, or an ``odoo_connection``."""
    config = loaded.config
    return config.crm.backend == "odoo" or config.odoo_connection is not None


def offline_findings(loaded: LoadedConfig, today: date) -> Findings:
    """Every check that needs no server, each a finding."""
    found = Findings()
    resolved = found.attempt("configuration", lambda: _resolved(loaded))
    if resolved is None:
        return found
    settings, reads = resolved
    backend = loaded.config.crm.backend
    found.add(
        "ok",
        "configuration",
        f"{loaded.path}: valid (campaign "
        f"{settings.campaign or '(any)'}, CRM: {_crm_name(backend)})",
    )
    for notice in settings.notices:
        found.add("note", "configuration", notice)
    if server_configured(loaded):
        connection = found.attempt("Odoo connection", lambda: _connection(loaded))
        if connection is not None:
            found.add("ok", "Odoo connection", connection)
    _outputs(found, loaded)
    # Only the embedded store is opened: opening Odoo's would connect to the server.
    store = None
    if backend == "local":
        store = found.attempt("local CRM store", lambda: open_store(crm_settings(loaded)))
    if store is None:
        _files(found, settings, reads, None, today)
        return found
    try:
        found.add("ok", "local CRM store", f"{_store_path(loaded)}: opened")
        _files(found, settings, reads, store, today)
    finally:
        store.close()
    return found


def _resolved(loaded: LoadedConfig) -> tuple[PlanSettings, ReadSettings]:
    """The settings every part of a run is given: a refused setting, or two that disagree,
    stops here as it would stop a run."""
    settings = plan_settings(loaded)
    tracking_settings(loaded)
    apply_settings(loaded)
    return settings, read_settings(loaded)


def _crm_name(backend: str) -> str:
    return "the embedded local store" if backend == "local" else "Odoo"


def _store_path(loaded: LoadedConfig) -> Path:
    return loaded.resolve_path(loaded.config.crm.local_path or "")


def _connection(loaded: LoadedConfig) -> str:
    """The Odoo connection settings, complete (from the file or the ODOO_* variables);
    nothing is contacted, and the secret is never shown."""
    odoo = settings_from_config(crm_settings(loaded))
    secret = "an API key" if odoo.api_key else "a password"
    return (
        f"{public_url(odoo.url)}, database {odoo.database!r}, user {odoo.username!r}, "
        f"{secret} set, protocol {odoo.protocol}"
    )


def _files(
    found: Findings,
    settings: PlanSettings,
    reads: ReadSettings,
    store: CrmStore | None,
    today: date,
) -> None:
    """The salesperson source, the absences file and the web sources; then, on the local
    store, the names they and the configuration give."""
    candidates = _source_rows(found, settings, reads, store)
    absences = _absences(found, reads)
    web_sources = _web_sources(found, settings, reads)
    if store is None:
        return
    selection = None
    if candidates is not None:
        selection = _salespeople(found, settings, candidates, store)
    _finding_rules(found, settings, store, today, selection, web_sources or ())
    owner = _fallback(found, settings, store)
    _teams(found, settings, store, selection, owner)
    if candidates is not None and absences:
        _absentees(found, settings, candidates, absences, store)
    _statuses(found, settings, store)


def _source_rows(
    found: Findings, settings: PlanSettings, reads: ReadSettings, store: CrmStore | None
) -> Candidates | None:
    """The salesperson source's rows, each row parsed as a run parses it, and the target
    campaign among them."""
    cfg = settings.selection
    kind = cfg.source_type
    what = SOURCE_NAMES.get(kind, "salespeople")
    if kind in CRM_SOURCES and store is None:
        found.add(
            "note",
            what,
            f"source_type {kind}: its salespeople are read from Odoo by a run, not offline",
        )
        return None
    table = cfg.source_config.campaign_table
    if kind == "campaign_table" and table is not None and table.table_name and not table.file_path:
        server = found.attempt(what, lambda: _database_server(reads))
        if server is None:
            return None
        if server:
            found.add(
                "note",
                what,
                f"table {table.table_name} on a {server} server: read by a run, not offline",
            )
            return None
    crm: Lookups = store if store is not None else Replayed(Answers(), "an offline check")
    candidates = found.attempt(what, lambda: read_candidates(cfg, reads, crm, settings.campaign))
    if candidates is None:
        return None
    return _campaign(found, what, settings, candidates)


def _database_server(reads: ReadSettings) -> str:
    """The kind of server ``database_connection`` names, or "" for a SQLite file (read
    offline); nothing is connected."""
    engine = database_engine(reads.database, reads.source)
    try:
        backend = engine.url.get_backend_name()
    finally:
        engine.dispose()
    return "" if backend == "sqlite" else backend


def _campaign(
    found: Findings, what: str, settings: PlanSettings, candidates: Candidates
) -> Candidates | None:
    rows = candidates.rows
    origin = rows[0].origin if rows else "the salesperson source"
    filtering = settings.selection.campaign_filtering
    campaign = settings.campaign if filtering.enabled else None
    if campaign is None:
        found.add("ok", what, f"{origin}: {plural(len(rows), 'row')}")
        return candidates
    criteria = SelectionCriteria(
        campaign,
        case_sensitive=filtering.case_sensitive,
        strip_whitespace=filtering.strip_whitespace,
    )
    chosen = campaign_rows(rows, campaign, criteria)
    if rows and not chosen:
        found.add("PROBLEM", what, unknown_campaign(rows, campaign))
        return None
    counted = f"{plural(len(rows), 'row')}, {len(chosen)} for campaign {campaign}"
    found.add("ok", what, f"{origin}: {counted}")
    return candidates


def _absences(found: Findings, reads: ReadSettings) -> tuple[Absence, ...]:
    if not reads.absences_file:
        return ()
    path = reads.source.resolve_path(reads.absences_file)
    absences = found.attempt("absences file", lambda: read_absences_csv(path))
    if absences is None:
        return ()
    found.add("ok", "absences file", f"{path}: {plural(len(absences), 'absence')}")
    return absences


def _web_sources(
    found: Findings, settings: PlanSettings, reads: ReadSettings
) -> tuple[str, ...] | None:
    sources = settings.finding.web_sources
    if sources is None:
        return ()
    if sources.source_type == "database":
        server = found.attempt("web sources", lambda: _database_server(reads))
        if server is None:
            return None
        if server:
            found.add(
                "note",
                "web sources",
                f"table {sources.source_config.table_name} on a "
                f"{server} server: read by a run, not offline",
            )
            return None
    names = found.attempt("web sources", lambda: read_source_names(reads, sources))
    if names is None:
        return None
    counted = f"{plural(len(names), 'name')} (source_type {sources.source_type})"
    found.add("ok", "web sources", counted)
    return tuple(names)


def _salespeople(
    found: Findings, settings: PlanSettings, candidates: Candidates, store: CrmStore
) -> Selection | None:
    """Every row's name a CRM user, as a run resolves it; who would receive leads."""
    campaign = settings.campaign
    selection = found.attempt(
        "salespeople", lambda: select_candidates(settings.selection, candidates, store, campaign)
    )
    if selection is None:
        return None
    left = ", ".join(f"{count} {reason}" for reason, count in selection.skipped_reasons.items())
    found.add(
        "ok",
        "salespeople",
        f"{selection.campaign_rows} {selection.source_label} resolved "
        f"in the local CRM store: {len(selection.eligible)} eligible"
        + (f"; left out: {left}" if left else ""),
    )
    for warning in selection.warnings:
        found.add("note", "salespeople", warning)
    if not selection.eligible:
        why = selection.explain_empty(campaign)
        said = found.attempt("salespeople", lambda: nobody_or_raise(settings, why, ()))
        if said is not None:
            found.add("note", "salespeople", said)
    return selection


def _finding_rules(
    found: Findings,
    settings: PlanSettings,
    store: CrmStore,
    today: date,
    selection: Selection | None,
    web_sources: Sequence[str],
) -> None:
    """The lead finding rules built as a run builds them: the users they name (excluded
    users, dropback owners), the sales filter's stages, the web sources."""
    active = selection.table_active_ids if selection is not None else ()
    inactive = selection.table_inactive_ids if selection is not None else ()
    setup = found.attempt(
        "lead finding",
        lambda: build_finding(
            settings.finding_stage,
            store,
            today,
            active,
            inactive,
            None,
            settings.owners.written,
            web_sources,
        ),
    )
    if setup is None:
        return
    excluded = settings.finding.excluded_users
    named = f"; excluded users found: {', '.join(excluded)}" if excluded else ""
    found.add("ok", "lead finding", f"{plural(len(setup.pipeline.names()), 'rule')} built{named}")
    for warning in setup.warnings:
        found.add("note", "lead finding", warning)


def _fallback(found: Findings, settings: PlanSettings, store: CrmStore) -> Salesperson | None:
    if settings.policy.fallback_owner is None:
        return None
    owner = found.attempt("fallback owner", lambda: fallback_owner(settings, store, None))
    if owner is not None:
        found.add("ok", "fallback owner", f"{owner.name} (user {owner.user_id}) may own leads")
    return owner


def _teams(
    found: Findings,
    settings: PlanSettings,
    store: CrmStore,
    selection: Selection | None,
    owner: Salesperson | None,
) -> None:
    """The sales teams a run writes with the leads, and the team the selection filters by."""
    team_filter = settings.selection.filters.team_filter
    if team_filter and not _team_named(store, team_filter):
        found.add(
            "PROBLEM",
            "sales teams",
            f"{settings.where}: salesperson_selection.filters."
            f"team_filter: no CRM sales team is named {team_filter!r}",
        )
    people = selection.eligible if selection is not None else ()
    receivers = [*people, *([owner] if owner is not None else [])]
    dist = settings.distribution
    if not receivers:
        # Nobody to write a team for: the configured one is still looked up.
        name = dist.team_assignment
        if name and not _team_named(store, name):
            found.add(
                "PROBLEM",
                "sales teams",
                f"{settings.where}: distribution.team_assignment:"
                f" no CRM sales team is named {name!r}",
            )
        elif name:
            found.add("ok", "sales teams", f"distribution.team_assignment {name!r} found")
        return
    teams = found.attempt(
        "sales teams",
        lambda: write_teams(dist, settings.where, store, receivers, settings.campaign),
    )
    if teams is not None:
        written = sorted(set(teams[1].values()))
        found.add(
            "ok",
            "sales teams",
            "written with the leads: "
            + (", ".join(written) or "none (the CRM keeps the new owner's team)"),
        )


def _team_named(store: CrmStore, name: str) -> bool:
    """Whether a CRM sales team has exactly this name (the lookup also matches parts)."""
    return any(team.name == name for team in store.find_teams([name]))


def _absentees(
    found: Findings,
    settings: PlanSettings,
    candidates: Candidates,
    absences: Sequence[Absence],
    store: CrmStore,
) -> None:
    """Absences naming nobody the source or the CRM knows: an error or a note, as
    ``availability.unknown_absentees`` makes it for a run."""
    table = [row.salesperson_name for row in candidates.rows]
    names = strangers(absences, table)
    problems = unknown_absentees(absences, table, store.find_users(names)) if names else []
    status: Status = (
        "PROBLEM" if settings.selection.availability.unknown_absentees == "error" else "note"
    )
    for problem in problems:
        found.add(status, "absences file", problem)
    if not problems:
        counted = plural(len(absences), "absence")
        found.add("ok", "absences file", f"{counted} naming known salespeople")


def _statuses(found: Findings, settings: PlanSettings, store: CrmStore) -> None:
    """The statuses of the per-owner status rule that no lead holds: a rule on one of them
    matches nothing today, which is most often a typo (they compare exactly)."""
    rules = settings.finding.status_filters
    if rules is None:
        return
    key = "lead_finding.status_filters"
    named = {
        status: f"{key}.{group}"
        for group, rule in (
            ("active_salespeople", rules.active_salespeople),
            ("inactive_salespeople", rules.inactive_salespeople),
        )
        if rule is not None
        for status in rule.statuses
    }
    if not named:
        return
    held = {str(k[0]) for k in store.count_leads([], ["status"]) if k and k[0] is not None}
    missing = [status for status in named if status not in held]
    for status in missing:
        found.add(
            "note",
            "statuses",
            f"{named[status]}: no lead of the local CRM store has "
            f"status {status!r}, so it matches none today",
        )
    if not missing:
        counted = plural(len(named), "status", "statuses")
        found.add("ok", "statuses", f"{counted} of {key} held by leads")


def _outputs(found: Findings, loaded: LoadedConfig) -> None:
    """The places a run writes to, and the e-mail settings it sends with."""
    config = loaded.config
    reporting = config.reporting
    places = [("state directory", "execution.state_dir", config.execution.state_dir, True)]
    if config.execution.log_file:
        places.append(("log file", "execution.log_file", config.execution.log_file, False))
    if reporting.generate_report:
        places.append(("reports", "reporting.report_location", reporting.report_location, True))
    digests = reporting.digests
    if digests is not None and digests.directory:
        places.append(("digests", "reporting.digests.directory", digests.directory, True))
    places.extend(_exports(loaded))
    for what, key, value, directory in places:
        path = loaded.resolve_path(value)
        detail = found.attempt(what, partial(writable, path, f"{loaded.path}: {key}", directory))
        if detail is not None:
            found.add("ok", what, detail)
    if reporting.email_notification:
        _email(found, loaded, None)
    if digests is not None and digests.email:
        _email(found, loaded, "reporting.digests.email")


def _exports(loaded: LoadedConfig) -> list[tuple[str, str, str, bool]]:
    """The CSV files a run exports, where configured."""
    finding = loaded.config.lead_finding
    found = []
    sales = finding.sales_filter
    if sales is not None and sales.enabled and sales.reporting.export_excluded_leads:
        key = "lead_finding.sales_filter.reporting.export_path"
        found.append(("excluded leads", key, sales.reporting.export_path, False))
    dropback = finding.dropback_filter
    if dropback is not None and dropback.enabled and dropback.reporting.export_dropback_report:
        key = "lead_finding.dropback_filter.reporting.report_path"
        found.append(("dropback report", key, dropback.reporting.report_path, False))
    return found


def _email(found: Findings, loaded: LoadedConfig, user: str | None) -> None:
    smtp = found.attempt("e-mail", lambda: smtp_settings(loaded, user))
    if smtp is not None:
        to = f" to {', '.join(smtp.recipients)}" if smtp.recipients else ""
        found.add(
            "ok",
            "e-mail",
            f"{user or 'the report'}: through {smtp.host}:{smtp.port}{to} (not sent)",
        )


def writable(path: Path, where: str, directory: bool) -> str:
    """What a run will find at ``path`` (a directory, else a file): there and writable, or
    to be created in a writable directory; a `ConfigError` naming ``where`` otherwise.
    Nothing is created."""
    if path.exists():
        if path.is_dir() != directory:
            kind = "a directory" if directory else "a file"
            raise ConfigError(f"{where}: {path} is not {kind}")
        if not os.access(path, os.W_OK):
            raise ConfigError(f"{where}: {path} is not writable")
        return f"{path}: writable"
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ConfigError(f"{where}: cannot create {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigError(f"{where}: cannot create {path}: {parent} is not writable")
    return f"{path}: not there yet; a run creates it"
