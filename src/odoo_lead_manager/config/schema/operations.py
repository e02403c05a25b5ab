"""How a run behaves and what it leaves behind: tracking, reporting, execution,
error handling, monitoring and security (spec §5.1, §9.2, §9.4, §12.2, §13.2)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator

from odoo_lead_manager.config.choices import ReportFormat
from odoo_lead_manager.config.schema.base import (
    LogLevel,
    NonNegativeInt,
    NonNegativeSeconds,
    PositiveDays,
    PositiveInt,
    Seconds,
    Section,
    Seed,
)
from odoo_lead_manager.config.schema.connections import EmailSettings

# Keys of the §8.1 report example, which shows a report's content, not settings.
REPORT_CONTENT_KEYS = ("distribution_summary", "salesperson_summary", "lead_characteristics")


class Tracking(Section):
    """History kept in the tracking database (§9.4), and where a run's lock is seen.

    ``required`` makes a run fail when the history cannot be written,
    instead of warning and going on. A configured tracking database that
    cannot be reached stops every command before planning, unless
    ``local_fallback`` accepts the spec's §7.1 (tracking off, the run journal
    in the local file). With the journal in an SQLite file a run that writes
    also holds a lease in the CRM for ``lease_minutes`` (released when it
    ends), so that copies of the configuration elsewhere see it, unless
    ``local_lock`` accepts a lock only that journal's runs see.
    """

    enabled: bool = True
    required: bool = False
    local_fallback: bool = False
    local_lock: bool = False
    lease_minutes: int = Field(default=120, ge=1, le=10_080)
    track_individual_assignments: bool = True
    track_pre_post_counts: bool = True
    track_distribution_summary: bool = True
    retention_days: PositiveDays = 365
    archive_old_data: bool = True
    batch_size: PositiveInt = 1000
    async_tracking: bool = False

    @model_validator(mode="after")
    def _fallback_or_required(self) -> Tracking:
        if self.required and self.local_fallback:
            raise ValueError(
                "required: true (the history must be written) and local_fallback: true "
                "(go on without it when the database is down) contradict each other; "
                "set one of them"
            )
        return self


class Digests(Section):
    """One message per salesperson per real run: the leads it gave them and those it
    moved from them to colleagues; `odlm undo` sends a correction to each one it touches.

    ``email`` sends it through ``reporting.email``'s SMTP server (its
    recipients are not used) to the CRM user's login when that is an e-mail
    address, else to ``login@login_domain`` when ``login_domain`` is set;
    ``webhook_url`` (write ``${VAR}``: such addresses hold a token)
    gets a JSON post per salesperson, tried at most ``webhook_attempts``
    times. ``odoo_url`` is the address the lead links start from (default:
    the Odoo server's); they open ``odoo_connection.database``. ``directory``
    (relative to the configuration file) also keeps each digest as an ``.eml``
    file. Salespeople named in ``opt_out`` get nothing. A digest that cannot
    be delivered is a warning; the run stands, `odlm status` lists it and
    `odlm digests resend RUN_ID` sends it again.
    """

    email: bool = False
    webhook_url: SecretStr | None = None
    webhook_attempts: int = Field(default=3, ge=1, le=10)
    webhook_timeout_seconds: Seconds = 10.0
    odoo_url: str | None = None
    login_domain: str | None = None
    directory: str | None = None
    opt_out: list[str] = Field(default_factory=list)


class Reporting(Section):
    """Reports written after a run (§5.1, §8)."""

    generate_report: bool = False
    report_format: ReportFormat | list[ReportFormat] = "csv"
    report_location: str = "reports/"
    include_analytics: bool = True
    email_notification: bool = False
    email: EmailSettings | None = None
    digests: Digests | None = None

    @model_validator(mode="before")
    @classmethod
    def _not_report_content(cls, data: Any) -> Any:
        if isinstance(data, dict):
            content = [key for key in REPORT_CONTENT_KEYS if key in data]
            if content:
                raise ValueError(
                    f"{', '.join(content)}: these are sections of the distribution report "
                    "(spec §8.1 shows a report's content), not settings; every report "
                    "includes them. Remove them from the configuration."
                )
        return data

    @property
    def formats(self) -> tuple[ReportFormat, ...]:
        """The report formats as a tuple, whether one or several were configured."""
        if isinstance(self.report_format, list):
            return tuple(self.report_format)
        return (self.report_format,)


class Execution(Section):
    """Runtime behaviour (§5.1). ``seed`` fixes the random order of every run; left out,
    each day's runs of a campaign share one derived from the campaign, the day and
    the configuration, so that a dry run and the real run of a day decide alike.

    ``state_dir`` (relative to the configuration file) keeps what one run
    leaves for the next, such as where the round-robin rotation stopped.
    ``log_format: json`` writes one JSON object per log line (time, level,
    run id, campaign, stage, counts) for a log collector; ``log_file``
    (relative to the configuration file) also writes the log there, rotated
    when it reaches ``log_file_max_mb``, keeping ``log_file_backups`` old files.
    ``batch_size`` is how many leads one write (with its re-check and
    read-back) carries; left out, it is chosen for the CRM: 5000 on the local
    store (each batch is one durable commit), 2000 on Odoo with
    ``crm.mail_tracking: false`` (about a second per write) and 1000 with
    tracking on (about 4 s per write, measured on Odoo 17), far below Odoo's
    120 s request limit.
    """

    dry_run: bool = False
    max_leads_per_run: PositiveInt | None = None
    # Left out: chosen for the CRM (`commands.resolve.default_batch_size`).
    batch_size: PositiveInt | None = None
    retry_failed: bool = True
    max_retries: NonNegativeInt = 3
    log_level: LogLevel = "INFO"
    log_format: Literal["text", "json"] = "text"
    log_file: str | None = None
    log_file_max_mb: int = Field(default=10, ge=1, le=10_000)
    log_file_backups: int = Field(default=5, ge=1, le=1_000)
    seed: Seed | None = None
    state_dir: str = ".odlm-state"


class ErrorThresholds(Section):
    """How many failures of each kind a run tolerates (§9.2)."""

    max_failed_assignments: NonNegativeInt = 10
    max_connection_errors: NonNegativeInt = 3
    max_validation_errors: NonNegativeInt = 5


class FallbackStrategies(Section):
    """What to do when a stage has nothing to work with (§9.2).

    ``when_no_salespeople_found`` also decides what happens when the campaign
    has salespeople but none of them is available on the run's day
    (``salesperson_selection.availability``): skip the run, go on with a
    warning (the leads stay where they are), fail, or
    ``assign_to_fallback_owner``: the distributable leads go to
    ``fallback_owner`` (a CRM user's name or login, who need not be a
    salesperson of the campaign), except those that user already holds.
    """

    when_no_salespeople_found: Literal[
        "skip_distribution", "generate_warning", "fail", "assign_to_fallback_owner"
    ] = "skip_distribution"
    fallback_owner: str | None = Field(default=None, min_length=1)
    when_no_leads_found: Literal["generate_warning", "skip_distribution", "fail"] = (
        "generate_warning"
    )
    when_distribution_fails: Literal["use_round_robin", "fail"] = "use_round_robin"

    @model_validator(mode="after")
    def _owner_with_its_choice(self) -> FallbackStrategies:
        fallback = self.when_no_salespeople_found == "assign_to_fallback_owner"
        if fallback and self.fallback_owner is None:
            raise ValueError(
                "when_no_salespeople_found: assign_to_fallback_owner needs fallback_owner "
                "(a CRM user's name or login)"
            )
        if self.fallback_owner is not None and not fallback:
            raise ValueError(
                "fallback_owner is only used with when_no_salespeople_found: "
                "assign_to_fallback_owner"
            )
        return self


class ErrorHandling(Section):
    """Retries and tolerances (§9.2)."""

    retry_failed_assignments: bool = True
    max_retries: NonNegativeInt = 3
    retry_delay_seconds: NonNegativeSeconds = 5
    error_thresholds: ErrorThresholds = Field(default_factory=ErrorThresholds)
    fallback_strategies: FallbackStrategies = Field(default_factory=FallbackStrategies)


class Monitoring(Section):
    """Performance monitoring of a run (§12.2).

    A slow run (``alert_on_slow_execution``) or a failed one
    (``alert_on_failure``: it stopped before every lead was decided, or an
    error ended it) is a warning in the log, and an e-mail to
    ``reporting.email``'s recipients when that section is configured.
    """

    enable_performance_tracking: bool = True
    log_execution_time: bool = True
    track_memory_usage: bool = False
    alert_on_slow_execution: bool = False
    slow_execution_threshold_seconds: Seconds = 300
    alert_on_failure: bool = False


class Security(Section):
    """Data protection (§13.2)."""

    encrypt_sensitive_data: bool = False
    log_audit_trail: bool = True
    mask_personal_data: bool = False
    retention_policy_days: PositiveDays = 90
