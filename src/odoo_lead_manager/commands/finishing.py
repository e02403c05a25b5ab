"""How a command that planned or wrote ends: the summary, the reports, the alerts, the log
line and the audit entry.
"""

from __future__ import annotations

import logging
import shlex
import time
from dataclasses import replace

from rich.console import Console

from odoo_lead_manager.commands.alerts import failure_alert, send_alert, slow_alert
from odoo_lead_manager.commands.outputs import (
    produce_exports,
    produce_outputs,
    report_of,
    send_digests,
)
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.commands.running import RunOutcome
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.ops.logs import log_context, stage_line
from odoo_lead_manager.ops.monitoring import Stages, peak_memory_mb
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.reporting.console import (
    Advice,
    print_apply_result,
    print_monitoring,
    print_notes,
    print_outcome,
    print_recommendations,
)
from odoo_lead_manager.reporting.monitoring import monitoring_lines
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state import audit

log = logging.getLogger(__name__)


def finished(
    loaded: LoadedConfig,
    console: Console,
    outcome: RunOutcome,
    started: float,
    command: str,
    options: RunOptions | None = None,
    stages: Stages | None = None,
) -> RunOutcome:
    seconds = time.perf_counter() - started
    outcome = replace(outcome, seconds=seconds)
    print_notes(console, outcome.notes)
    for result in outcome.resumed:
        print_apply_result(console, result, loaded.path)
    for plan, result in zip(outcome.resumed_plans, outcome.resumed, strict=True):
        # A run a crash left unfinished, finished now: its digests go now.
        send_digests(loaded, console, plan, result, outcome.odoo_version)
    audit_run(loaded, command, outcome)
    if outcome.skipped:
        return outcome
    with log_context(run_id=outcome.plan.run_id):
        return report_notes(loaded, console, outcome, seconds, command, options, stages)


def report_notes(
    loaded: LoadedConfig,
    console: Console,
    outcome: RunOutcome,
    seconds: float,
    command: str,
    options: RunOptions | None,
    stages: Stages | None,
) -> RunOutcome:
    """The report, monitoring lines, alerts, outputs and exports of a run that planned."""
    report = report_of(loaded, outcome.plan, outcome.applied, seconds)
    print_recommendations(console, report.recommendations)
    advice = reproduce(loaded, outcome.plan, options) if outcome.dry_run else None
    print_outcome(console, outcome.plan, outcome.applied, seconds, loaded.path, advice)
    lines = monitoring_lines(
        loaded.config.monitoring,
        seconds,
        stages.seconds if stages is not None else {},
        peak_memory_mb() if loaded.config.monitoring.track_memory_usage else None,
    )
    print_monitoring(console, lines)
    for line in lines:
        log.log(line.level, "run %s: %s", outcome.plan.run_id, line.text)
    log_finished(outcome, command, seconds)
    print_notes(console, alert_notes(loaded, outcome, seconds))
    produce_outputs(loaded, console, report)
    if outcome.applied is not None:
        send_digests(loaded, console, outcome.plan, outcome.applied, outcome.odoo_version)
    if outcome.fresh:
        produce_exports(
            loaded,
            console,
            outcome.plan,
            outcome.rejected,
            outcome.dry_run,
            options.export_excluded if options is not None else None,
        )
    return outcome


def log_finished(outcome: RunOutcome, command: str, seconds: float) -> None:
    applied = outcome.applied
    word = outcome_word(outcome)
    stage_line(
        log,
        "finished",
        "%s %s: %s planned, %d written, %d failed, in %.2f s",
        command,
        word,
        plural(len(outcome.plan.handed_out), "lead"),
        applied.written if applied else 0,
        len(applied.failed) if applied else 0,
        seconds,
        labels={"command": command, "outcome": word},
        planned=len(outcome.plan.handed_out),
        written=applied.written if applied else 0,
        failed=len(applied.failed) if applied else 0,
        seconds=round(seconds, 2),
        peak_memory_mb=round(peak_memory_mb(), 1),
    )


def alert_notes(loaded: LoadedConfig, outcome: RunOutcome, seconds: float) -> tuple[str, ...]:
    """E-mail the alerts ``monitoring`` asks for; the notes of those that could not be sent."""
    plan = outcome.plan
    what = f"campaign {plan.campaign or '(any)'} on {plan.today}, run {plan.run_id}"
    notes = []
    if slow_alert(loaded, seconds):
        threshold = loaded.config.monitoring.slow_execution_threshold_seconds
        notes.append(
            send_alert(
                loaded,
                f"slow run: {what}",
                [
                    f"The run took {seconds:.1f} s, over "
                    f"monitoring.slow_execution_threshold_seconds ({threshold:g} s).",
                ],
            )
        )
    for result in outcome.results:
        if not result.complete:
            notes.append(
                failure_alert(
                    loaded,
                    f"run stopped: {what}",
                    [
                        f"Run {result.run_id} stopped: {result.stopped}.",
                        f"{result.written:,} of {plural(result.planned, 'lead')} written.",
                        f"Finish it with: odlm dailydist --config {loaded.path}",
                    ],
                )
            )
    return tuple(note for note in notes if note)


def audit_run(loaded: LoadedConfig, command: str, outcome: RunOutcome) -> None:
    """The audit trail's entry for this command (``security.log_audit_trail``)."""
    applied = outcome.applied
    details: dict[str, object] = {
        "run_id": outcome.plan.run_id,
        "campaign": outcome.plan.campaign,
        "day": outcome.plan.today.isoformat(),
        "outcome": outcome_word(outcome),
        "planned": len(outcome.plan.handed_out),
        "seconds": round(outcome.seconds, 2),
        "notes": list(outcome.notes),
    }
    if applied is not None:
        details.update(
            written=applied.written,
            already=applied.already,
            left_alone=len(applied.skipped),
            failed=len(applied.failed),
        )
    audit.record(tracking_settings(loaded), command, details)


def outcome_word(outcome: RunOutcome) -> str:
    if outcome.skipped:
        return "skipped"
    if outcome.applied is None:
        return "dry_run"
    return "completed" if outcome.applied.complete else "stopped"


def reproduce(loaded: LoadedConfig, plan: Plan, options: RunOptions | None) -> Advice:
    """How to apply exactly what a dry run showed: the same options and seed, or its plan file.

    The seed is spelled out only when one was given: otherwise the real run of the
    same day derives the same one (`planning.day_seed`).
    """
    options = options or RunOptions()
    words = ["odlm", "dailydist", "--config", str(loaded.path)]
    if options.seed is not None:
        words += ["--seed", str(plan.seed)]
    if options.today is not None:
        words += ["--today", plan.today.isoformat(), "--run-again"]
    if options.max_leads is not None:
        words += ["--max-leads", str(options.max_leads)]
    if options.date_range is not None:
        start, end = options.date_range
        words += ["--override-date-range", f"{start},{end}"]
    if options.force_round_robin:
        words.append("--force-round-robin")
    apply = None
    if options.plan_out is not None:
        apply = ["odlm", "apply", str(options.plan_out), "--config", str(loaded.path)]
    return Advice(shlex.join(words), shlex.join(apply) if apply else None)
