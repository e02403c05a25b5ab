"""`odlm apply PLAN`: a saved plan written, each lead re-checked first."""

from __future__ import annotations

import argparse
import logging
import time
from datetime import date
from pathlib import Path

from rich.console import Console

from odoo_lead_manager.apply.plan_checks import WriteRules, format_problem, write_problems
from odoo_lead_manager.commands.alerting import alerting
from odoo_lead_manager.commands.finishing import finished
from odoo_lead_manager.commands.outputs import (
    check_outputs,
    counts_dropback,
)
from odoo_lead_manager.commands.resolve import plan_settings, read_settings
from odoo_lead_manager.commands.running import (
    RunOutcome,
    in_campaign_context,
    locked_tracking,
    odoo_refusal,
    opened_crm,
    read_plan,
    refusal_message,
    refuse_other_runs,
    write_and_record,
)
from odoo_lead_manager.commands.session import configure_logging, load, with_report_options
from odoo_lead_manager.commands.terminal import open_console
from odoo_lead_manager.config.fingerprint import config_fingerprint
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.config.registry import check_settings
from odoo_lead_manager.crm.opening import odoo_version
from odoo_lead_manager.crm.store import CrmStore
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.domain.runs import COMPLETED, UNDOING, UNDONE
from odoo_lead_manager.errors import (
    ConfigError,
    DataFileError,
    UserInputError,
)
from odoo_lead_manager.ops.monitoring import Stages
from odoo_lead_manager.ops.pacing import bulk_objects
from odoo_lead_manager.pipeline.finding.configured import dropback_user_ids
from odoo_lead_manager.pipeline.policy import fallback_owner
from odoo_lead_manager.reporting.console import (
    print_plan,
)
from odoo_lead_manager.snapshot.selection import select_from_config

log = logging.getLogger(__name__)


def run(args: argparse.Namespace) -> int:
    """`odlm apply`: write a saved plan, re-checking every lead first."""
    loaded = with_report_options(load(args.config), args)
    level = args.log_level or loaded.config.execution.log_level
    configure_logging(level, loaded, args.log_format, asked=args.log_level is not None)
    with alerting(loaded, "apply", date.today()):
        outcome = apply_saved_plan(
            loaded,
            args.plan,
            console=open_console(),
            run_again=args.run_again,
            accept_stale=args.accept_stale_plan,
        )
    return outcome.exit_status


@bulk_objects()
@in_campaign_context
def apply_saved_plan(
    loaded: LoadedConfig,
    plan_file: Path,
    console: Console | None = None,
    store: CrmStore | None = None,
    run_again: bool = False,
    accept_stale: bool = False,
) -> RunOutcome:
    """`odlm apply`: write exactly the plan a dry run saved, with the same re-checks.

    ``run_again`` applies it although the campaign was distributed that day;
    ``accept_stale`` although it was made under another configuration.
    """
    started = time.perf_counter()
    console = console or Console(quiet=True)
    check_settings(loaded)
    check_outputs(loaded)
    plan = read_plan(plan_file)
    campaign = loaded.config.target_campaign
    if plan.campaign != campaign:
        raise ConfigError(
            f"{plan_file} is a plan for campaign {plan.campaign or '(none)'}, but "
            f"{loaded.path} distributes {campaign or '(no campaign)'}"
        )
    check_plan_file(loaded, plan_file, plan, accept_stale)
    with opened_crm(loaded, store) as crm, locked_tracking(loaded, campaign, crm) as tracking:
        journal, notes = tracking.journal, tracking.notes
        record = journal.run(plan.run_id)
        if record is not None and journal.plan(plan.run_id) != plan:
            raise DataFileError(
                f"{plan_file}: the run journal {journal.where} holds another plan with run id "
                f"{plan.run_id} (the file was changed after it was first applied); nothing "
                "was changed"
            )
        check_recipients(loaded, crm, plan, plan_file)
        if record is None and (why := odoo_refusal(loaded, crm, plan)) is not None:
            raise UserInputError(f"{plan_file}: {why}; nothing was changed")
        if record is not None and record.status == COMPLETED:
            note = f"plan {plan.run_id} was applied already ({record.updated_at:%Y-%m-%d %H:%M}); "
            outcome = RunOutcome(plan, None, 0.0, (*notes, note + "nothing changed"), skipped=True)
            return finished(loaded, console, outcome, started, "apply")
        if record is None:
            refuse_other_runs(journal, loaded, campaign, plan.today, run_again)
            journal.promote_snapshot(plan.run_id)
        elif record.status in (UNDOING, UNDONE):
            raise UserInputError(f"run {plan.run_id} was undone; it cannot be applied again")
        print_plan(console, plan, dry_run=False, dropback=counts_dropback(loaded))
        stages = Stages()
        result, recorded = write_and_record(
            loaded, plan, crm, tracking, console, run_again, started, stages
        )
        outcome = RunOutcome(plan, result, 0.0, (*notes, *recorded), odoo_version=odoo_version(crm))
    return finished(loaded, console, outcome, started, "apply", None, stages)


def check_plan_file(loaded: LoadedConfig, path: Path, plan: Plan, accept_stale: bool) -> None:
    """Refuse a plan this odlm cannot read as meant, made under another configuration
    (unless ``accept_stale``), or whose writes disagree with its assignments or the
    configuration."""
    problem = format_problem(plan)
    if (
        problem is None
        and not accept_stale
        and plan.config_digest != config_fingerprint(loaded.config)
    ):
        problem = (
            f"the plan was made under another configuration than {loaded.path} (or an "
            "earlier version of it); make the plan again, or use --accept-stale-plan to apply "
            "it as it is"
        )
    problems = [problem] if problem else write_problems(plan, WriteRules.of(loaded.config))
    if problems:
        raise DataFileError(refusal_message(path, problems))


def check_recipients(loaded: LoadedConfig, crm: CrmStore, plan: Plan, path: Path) -> None:
    """Refuse a plan that hands leads to anyone the configuration would not, today.

    The plan's salespeople must be eligible for its campaign now (a plan file
    can be edited; the campaign table is read again), dropped-back leads go
    to the configured dropback users only, and every recipient is a CRM user
    who may own leads.
    """
    problems = []
    settings = plan_settings(loaded)
    eligible = {
        p.user_id
        for p in select_from_config(
            loaded.config.salesperson_selection, read_settings(loaded), crm, plan.campaign
        ).eligible
    }
    for person in plan.salespeople:
        if person.user_id not in eligible:
            problems.append(
                f"salesperson {person.name} (user {person.user_id}) is not eligible for "
                f"campaign {plan.campaign or '(none)'} under {loaded.path}"
            )
    if plan.fallback_owner is not None:
        fallback = fallback_owner(settings, crm, plan.campaign)
        if fallback is None or fallback.user_id != plan.fallback_owner:
            named = f"names {fallback.name}" if fallback is not None else "names none"
            problems.append(
                f"{plan.user_label(plan.fallback_owner)} receives the leads as the fallback "
                "owner, but "
                f"{loaded.path} {named} (error_handling.fallback_strategies.fallback_owner)"
            )
    dropped_back = {a.user_id for a in plan.dropback} if plan.dropback_applied else set()
    allowed = dropback_user_ids(settings.finding_stage, crm) if dropped_back else set()
    for user_id in sorted(dropped_back - allowed):
        problems.append(
            f"{plan.user_label(user_id)} receives dropped-back leads but is no dropback user"
        )
    wanted = {assignment.user_id for assignment in plan.handed_out}
    users = {user.id: user for user in crm.users_by_id(wanted)} if wanted else {}
    for user_id in sorted(wanted):
        user = users.get(user_id)
        if user is None:
            problems.append(f"{plan.user_label(user_id)} does not exist in the CRM")
        elif not user.active:
            problems.append(f"{user.name} (user {user_id}) is archived in the CRM")
        elif not user.may_own_leads:
            problems.append(f"{user.name} (user {user_id}) may not own leads (no sales rights)")
    if problems:
        raise DataFileError(refusal_message(path, problems))
