"""A loaded configuration turned, once, into the small frozen settings each part of a run is
given: the planner's (`PlanSettings`, with its `Owners` and `Policy`), the tracking
store's, the snapshot's reads, the CRM's, the writer's and the history's. What several
parts derive from the configuration is derived here, and only here."""

from __future__ import annotations

from odoo_lead_manager.apply.recording import RecordSettings
from odoo_lead_manager.apply.writer import ApplySettings
from odoo_lead_manager.config.defaults import holder_field, workload_counting, written_owner_fields
from odoo_lead_manager.config.fingerprint import config_fingerprint
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.config.registry import refuse_unsupported, setting_notices
from odoo_lead_manager.config.schema.connections import EmailSettings
from odoo_lead_manager.crm.settings import CrmSettings
from odoo_lead_manager.errors import ConfigError
from odoo_lead_manager.pipeline.settings import Owners, PlanSettings, Policy
from odoo_lead_manager.reporting.email import SmtpSettings
from odoo_lead_manager.snapshot.settings import ReadSettings
from odoo_lead_manager.state.settings import TrackingSettings


def plan_settings(loaded: LoadedConfig) -> PlanSettings:
    """What the planner reads of ``loaded``; a refused setting stops here, and each setting
    with no effect is carried as a notice (the command logs them: `config.registry.announce`)."""
    refuse_unsupported(loaded)
    config = loaded.config
    fallback = config.error_handling.fallback_strategies
    return PlanSettings(
        where=str(loaded.path),
        name=config.name,
        digest=config_fingerprint(config),
        campaign=config.target_campaign,
        owners=Owners(
            holder=holder_field(config),
            written=written_owner_fields(config),
            counting=workload_counting(config),
        ),
        selection=config.salesperson_selection,
        finding=config.lead_finding,
        distribution=config.distribution,
        policy=Policy(
            when_no_salespeople_found=fallback.when_no_salespeople_found,
            when_no_leads_found=fallback.when_no_leads_found,
            when_distribution_fails=fallback.when_distribution_fails,
            fallback_owner=fallback.fallback_owner,
            max_validation_errors=config.error_handling.error_thresholds.max_validation_errors,
            odoo_auto_assignment=config.crm.odoo_auto_assignment,
        ),
        max_leads_per_run=config.execution.max_leads_per_run,
        seed=config.execution.seed,
        lead_types=tuple(config.crm.lead_types),
        notices=setting_notices(config),
    )


def tracking_settings(loaded: LoadedConfig) -> TrackingSettings:
    """What the tracking store reads of ``loaded``: its files, its database, its history's uses."""
    config = loaded.config
    availability = config.salesperson_selection.availability
    return TrackingSettings(
        source=loaded.source,
        state_dir=loaded.resolve_path(config.execution.state_dir),
        tracking=config.tracking,
        database=config.database_connection,
        audit_trail=config.security.log_audit_trail,
        campaign=config.target_campaign,
        cycle_reset=config.distribution.round_robin_override.cycle_reset,
        history_keys=tuple(config.history_keys),
        counts_weekend=config.distribution.counts_weekend,
        catch_up=availability.catch_up,
        catch_up_days=availability.catch_up_days,
        fairness_window_days=(
            config.distribution.fairness_window_days
            if config.tracking.enabled and config.tracking.track_individual_assignments
            else 0
        ),
    )


def apply_settings(loaded: LoadedConfig) -> ApplySettings:
    """The settings of ``execution`` and ``error_handling``, which overlap.

    Retries happen when both ``execution.retry_failed`` and
    ``error_handling.retry_failed_assignments`` allow them. Both sections
    have ``max_retries``: the one set in the file counts, and setting both
    to different numbers is an error rather than a silent choice.
    """
    execution = loaded.config.execution
    handling = loaded.config.error_handling
    in_execution = "max_retries" in execution.model_fields_set
    in_handling = "max_retries" in handling.model_fields_set
    if in_execution and in_handling and execution.max_retries != handling.max_retries:
        raise ConfigError(
            f"{loaded.path}: execution.max_retries ({execution.max_retries}) and "
            f"error_handling.max_retries ({handling.max_retries}) disagree; set only one"
        )
    retries = execution.max_retries if in_execution else handling.max_retries
    enabled = execution.retry_failed and handling.retry_failed_assignments
    return ApplySettings(
        batch_size=execution.batch_size or default_batch_size(loaded),
        retries=retries if enabled else 0,
        retry_delay_seconds=handling.retry_delay_seconds,
        max_failed=handling.error_thresholds.max_failed_assignments,
        max_connection_errors=handling.error_thresholds.max_connection_errors,
    )


# Leads per write when ``execution.batch_size`` is left out, by CRM (docs/performance.md):
# the local store's cost is a durable commit per batch; Odoo's a round trip per call and,
# with mail tracking, about 4 ms of server time per lead.
LOCAL_BATCH = 5000
ODOO_BATCH = 2000
ODOO_TRACKED_BATCH = 1000


def default_batch_size(loaded: LoadedConfig) -> int:
    """The batch size for the configured CRM when ``execution.batch_size`` is left out."""
    crm = loaded.config.crm
    if crm.backend == "local":
        return LOCAL_BATCH
    return ODOO_TRACKED_BATCH if crm.mail_tracking else ODOO_BATCH


def record_settings(loaded: LoadedConfig) -> RecordSettings:
    """What putting a run on record reads of ``loaded``: the workload counting, and whether
    a history that cannot be written stops the run (``tracking.required``)."""
    return RecordSettings(workload_counting(loaded.config), loaded.config.tracking.required)


def smtp_settings(loaded: LoadedConfig, user: str | None = None) -> SmtpSettings:
    """The checked ``reporting.email`` section; a missing key is a `ConfigError` naming it.

    ``user`` names another setting that sends through it (the digests), which
    brings its own recipients.
    """
    section = loaded.config.reporting.email or EmailSettings()
    section.bind(str(loaded.path), "reporting.email")
    host, sender = section.resolved("smtp_host"), section.resolved("sender")
    recipients = tuple(section.recipients)
    needed = [
        ("smtp_host", host),
        ("sender", sender),
        *([] if user else [("recipients", recipients)]),
    ]
    missing = [f"reporting.email.{key}" for key, value in needed if not value]
    if missing:
        what = user or "e-mail notification"
        raise ConfigError(f"{loaded.path}: {what} needs {', '.join(missing)}")
    ssl_ca = section.resolved("ssl_ca")
    if ssl_ca is not None and not loaded.resolve_path(ssl_ca).is_file():
        raise ConfigError(
            f"{loaded.path}: reporting.email.ssl_ca: no such file {loaded.resolve_path(ssl_ca)}"
        )
    return SmtpSettings(
        host=str(host),
        port=int(section.resolved("smtp_port")),
        sender=str(sender),
        recipients=recipients,
        username=section.resolved("username"),
        password=section.resolved("password"),
        use_tls=section.use_tls,
        ssl_ca=str(loaded.resolve_path(ssl_ca)) if ssl_ca else None,
        timeout=section.timeout_seconds,
    )


def crm_settings(loaded: LoadedConfig) -> CrmSettings:
    """What opening the CRM reads of ``loaded``: its ``crm`` section and Odoo connection."""
    return CrmSettings(loaded.source, loaded.config.crm, loaded.config.odoo_connection)


def named_teams(loaded: LoadedConfig) -> frozenset[str | None]:
    """The sales teams a configuration names: its source's, the one it writes, the
    campaign's (`odlm check` tells their Odoo assignment)."""
    config = loaded.config
    return frozenset(
        {
            config.salesperson_selection.source_config.team,
            config.distribution.team_assignment,
            config.campaign.target_campaign or config.campaign.name,
        }
    )


def read_settings(loaded: LoadedConfig) -> ReadSettings:
    """What the snapshot reads of ``loaded`` besides the CRM: its files and tables."""
    config = loaded.config
    return ReadSettings(
        source=loaded.source,
        database=config.database_connection,
        page_size=config.crm.page_size,
        absences_file=config.salesperson_selection.availability.absences_file,
        mask_personal_data=config.security.mask_personal_data,
    )
