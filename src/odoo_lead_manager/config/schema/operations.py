"""How a run behaves and what it leaves behind: tracking, reporting, execution,
error handling, monitoring and security."""

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

# Keys of the example distribution report, which shows a report's content, not settings.
REPORT_CONTENT_KEYS = ("distribution_summary", "salesperson_summary", "lead_characteristics")


class Tracking(Section):
    """History kept in the tracking database, and where a run's lock is seen.

    ``required`` makes a run fail when the history cannot be written,
    instead of warning and going on. A configured tracking database that
    cannot be reached stops every command before planning, unless
    ``local_fallback`` accepts running without it (tracking off, the run
    journal in the local file). With the journal in an SQLite file a run that writes
    also holds a lease in the CRM for ``lease_minutes`` (released when it
    ends), so that copies of the configuration elsewhere see it, unless
    ``local_lock`` accepts a lock only that journal's runs see.
    """

    enabled: bool = True
    """Keep the history of every run (in ``database_connection``, else in
    ``execution.state_dir``); off, only the run journal is kept, in the local file."""
    required: bool = False
    """Fail a run whose history cannot be written; off, the run warns and goes on."""
    local_fallback: bool = False
    """When the tracking database cannot be reached, run anyway with tracking off and the
    journal in the local file; off, every command stops before planning."""
    local_lock: bool = False
    """With the journal in a local SQLite file, accept a lock only that file's runs see,
    instead of also holding a lease in the CRM."""
    lease_minutes: int = Field(default=120, ge=1, le=10_080)
    """How long the lease a writing run holds in the CRM lasts if the run dies without
    releasing it (minutes, at most a week)."""
    track_individual_assignments: bool = True
    """Record every lead a real run hands out (needed by ``distribution.caps``, the weekend
    workload and catch-up)."""
    track_pre_post_counts: bool = True
    """Record each salesperson's leads before and after each day's distribution."""
    track_distribution_summary: bool = True
    """Record one summary row per campaign and day (and per dry run)."""
    retention_days: PositiveDays = 365
    """How much history ``odlm retention`` keeps (days); older rows are archived or
    deleted."""
    archive_old_data: bool = True
    """``odlm retention`` moves old history rows into ``*_archive`` tables; false deletes
    them."""
    batch_size: PositiveInt = 1000
    """How many history rows one database statement writes (rows)."""
    async_tracking: bool = False
    """Write the history in the background; no effect in odlm, which records a run in one
    transaction at its end."""

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
    """E-mail each salesperson their digest through ``reporting.email``'s SMTP server, to
    their CRM login (or ``login@login_domain``)."""
    webhook_url: SecretStr | None = None
    """An incoming webhook (Slack- or Teams-style) that gets one JSON post per salesperson;
    write ``${DIGEST_WEBHOOK_URL}``, since such addresses hold a token."""
    webhook_attempts: int = Field(default=3, ge=1, le=10)
    """How many times a webhook post is tried before the digest counts as undelivered
    (1 to 10)."""
    webhook_timeout_seconds: Seconds = 10.0
    """How long one webhook post may take (seconds)."""
    odoo_url: str | None = None
    """The address lead links start from, for example ``https://crm.example.com``; left
    out, the Odoo server's."""
    login_domain: str | None = None
    """The e-mail domain added to logins that are not addresses, for example
    ``example.com`` (login ``alice`` gets ``alice@example.com``)."""
    directory: str | None = None
    """A folder, relative to the configuration file, that also keeps each digest as an
    ``.eml`` file."""
    opt_out: list[str] = Field(default_factory=list)
    """Salespeople who get no digest, by name (case ignored)."""


class Reporting(Section):
    """Reports written after a run, the report e-mail and the salesperson digests."""

    generate_report: bool = False
    """Write the distribution report after each run (``--generate-report`` does too)."""
    report_format: ReportFormat | list[ReportFormat] = "csv"
    """The report's format: ``csv``, ``json`` or ``html``, or a list such as
    ``[csv, html]``."""
    report_location: str = "reports/"
    """The folder the reports go to, relative to the configuration file; created when
    missing."""
    include_analytics: bool = True
    """Include the efficiency and balance figures in the reports."""
    email_notification: bool = False
    """E-mail the report (summary in the text, HTML attached) to
    ``reporting.email.recipients`` after each run."""
    email: EmailSettings | None = None
    """The SMTP server and addresses for the report e-mail, the alerts and the digests."""
    digests: Digests | None = None
    """One message per salesperson per real run listing the leads it gave and took."""

    @model_validator(mode="before")
    @classmethod
    def _not_report_content(cls, data: Any) -> Any:
        if isinstance(data, dict):
            content = [key for key in REPORT_CONTENT_KEYS if key in data]
            if content:
                raise ValueError(
                    f"{', '.join(content)}: these are sections of the distribution report "
                    "(what a report contains), not settings; every report includes them. "
                    "Remove them from the configuration."
                )
        return data

    @property
    def formats(self) -> tuple[ReportFormat, ...]:
        """The report formats as a tuple, whether one or several were configured."""
        if isinstance(self.report_format, list):
            return tuple(self.report_format)
        return (self.report_format,)


class Execution(Section):
    """Runtime behaviour. ``seed`` fixes the random order of every run; left out,
    each day's runs of a campaign share one derived from the campaign, the day and
    the configuration, so that a dry run and the real run of a day decide alike.

    ``state_dir`` (relative to the configuration file) holds the audit log
    and, when no tracking database is configured, what one run leaves for the
    next: the run journal, the history and where the round-robin rotation
    stopped (``tracking.sqlite``).
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
    """Make every ``odlm dailydist`` a dry run: plan and show, write nothing to the CRM."""
    max_leads_per_run: PositiveInt | None = None
    """The most leads one run hands out (leads); the rest wait for the next run.
    ``--max-leads`` wins."""
    # Left out: chosen for the CRM (`commands.resolve.default_batch_size`).
    batch_size: PositiveInt | None = None
    """How many leads one write carries (leads); left out, 5000 on the local store and, on
    Odoo, 1000 (2000 with ``crm.mail_tracking: false``)."""
    retry_failed: bool = True
    """Retry a batch of writes when the CRM cannot be reached (only when
    ``error_handling.retry_failed_assignments`` allows it too)."""
    max_retries: NonNegativeInt = 3
    """How many times a batch is retried when the CRM cannot be reached; the same setting
    as ``error_handling.max_retries`` (set only one, or both alike)."""
    log_level: LogLevel = "INFO"
    """The lowest level of log lines kept: ``DEBUG``, ``INFO``, ``WARNING`` or ``ERROR``;
    ``--log-level`` wins."""
    log_format: Literal["text", "json"] = "text"
    """``text`` for people, or ``json`` (one object per line: time, level, run id,
    campaign, stage, counts) for a log collector; ``--log-format`` wins."""
    log_file: str | None = None
    """A file that also receives the log, relative to the configuration file, for example
    ``logs/odlm.log``."""
    log_file_max_mb: int = Field(default=10, ge=1, le=10_000)
    """The size at which ``log_file`` is rotated (MB)."""
    log_file_backups: int = Field(default=5, ge=1, le=1_000)
    """How many rotated log files are kept."""
    seed: Seed | None = None
    """A fixed random seed for every run, for example 42; left out, each campaign and day
    gets its own (``--seed`` wins)."""
    state_dir: str = ".odlm-state"
    """The folder of odlm's local state (tracking file, audit log), relative to the
    configuration file."""


class ErrorThresholds(Section):
    """How many failures of each kind a run tolerates."""

    max_failed_assignments: NonNegativeInt = 10
    """A real run stops once more leads than this failed to be written (leads)."""
    max_connection_errors: NonNegativeInt = 3
    """A real run stops once the CRM could not be reached more often than this."""
    max_validation_errors: NonNegativeInt = 5
    """A run stops before writing when more entries than this were skipped as invalid
    (unknown salespeople with ``unknown_salespeople: skip``, unknown web sources)."""


class FallbackStrategies(Section):
    """What to do when a stage has nothing to work with.

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
    """No salesperson is eligible or present: ``skip_distribution``, ``generate_warning``
    (only dropback leads move), ``fail`` or ``assign_to_fallback_owner``."""
    fallback_owner: str | None = Field(default=None, min_length=1)
    """The CRM user (name or login) who receives the leads with
    ``assign_to_fallback_owner``, for example ``Sales Manager``."""
    when_no_leads_found: Literal["generate_warning", "skip_distribution", "fail"] = (
        "generate_warning"
    )
    """No lead to distribute or drop back: ``generate_warning`` (go on), ``skip_distribution``
    or ``fail``."""
    when_distribution_fails: Literal["use_round_robin", "fail"] = "use_round_robin"
    """The strategy cannot run (for example no targets for ``level_based``):
    ``use_round_robin`` instead, with a warning, or ``fail``."""

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
    """Retries and tolerances."""

    retry_failed_assignments: bool = True
    """Retry a batch of writes when the CRM cannot be reached (only when
    ``execution.retry_failed`` allows it too)."""
    max_retries: NonNegativeInt = 3
    """How many times a batch is retried when the CRM cannot be reached; the same setting
    as ``execution.max_retries`` (set only one, or both alike)."""
    retry_delay_seconds: NonNegativeSeconds = 5
    """The wait before each retry of a batch (seconds)."""
    error_thresholds: ErrorThresholds = Field(default_factory=ErrorThresholds)
    """How many failures of each kind a run tolerates before it stops."""
    fallback_strategies: FallbackStrategies = Field(default_factory=FallbackStrategies)
    """What a run does when it finds no salespeople, no leads, or cannot use its strategy."""


class Monitoring(Section):
    """Performance monitoring of a run.

    A slow run (``alert_on_slow_execution``) or a failed one
    (``alert_on_failure``: it stopped before every lead was decided, or an
    error ended it) is a warning in the log, and an e-mail to
    ``reporting.email``'s recipients when that section is configured.
    """

    enable_performance_tracking: bool = True
    """Log how long each stage of a run took."""
    log_execution_time: bool = True
    """Log how long the whole run took."""
    track_memory_usage: bool = False
    """Log the run's peak memory (MB)."""
    alert_on_slow_execution: bool = False
    """Warn when a run takes longer than ``slow_execution_threshold_seconds``, and e-mail
    ``reporting.email``'s recipients when that section is set."""
    slow_execution_threshold_seconds: Seconds = 300
    """How long a run may take before it counts as slow (seconds), for example 300."""
    alert_on_failure: bool = False
    """Log an error when a run fails or stops before every lead was decided, and e-mail
    ``reporting.email``'s recipients when that section is set."""


class Security(Section):
    """Data protection: the audit trail and the masking of leads' personal data."""

    encrypt_sensitive_data: bool = False
    """Encrypt what odlm writes; not available in this version, and a run that sets it
    stops (protect files with permissions, and use ``mask_personal_data``)."""
    log_audit_trail: bool = True
    """Append one line per dry run, run, apply and undo to ``audit.log`` in
    ``execution.state_dir``: time, command, user, host, campaign and counts."""
    mask_personal_data: bool = False
    """Mask leads' names, e-mail addresses and phone numbers in reports, exports, kept
    snapshots and logs (``John Smith`` shows as ``J*** S***``)."""
    retention_policy_days: PositiveDays = 90
    """How long ``odlm retention`` keeps audit-log lines (days)."""
