"""`odlm replay RUN_ID`: a kept run planned again, offline, and what differs."""

from __future__ import annotations

import argparse
import json

from odoo_lead_manager.commands.kept_runs import kept_run, opened_journal
from odoo_lead_manager.commands.resolve import plan_settings
from odoo_lead_manager.commands.session import EXIT_FAILED, EXIT_OK, configure_logging, load
from odoo_lead_manager.config.loading import LoadedConfig
from odoo_lead_manager.ops.text import plural
from odoo_lead_manager.pipeline.inspect.replay import Replay, replay


def run(args: argparse.Namespace) -> int:
    """`odlm replay`: a recorded run planned again from its snapshot; 1 when it differs."""
    loaded = load(args.config)
    configure_logging("ERROR", loaded)
    result = replay_run(loaded, args.run_id, args.seed)
    run = result.recorded.run
    if args.format == "json":
        data = {
            "run_id": run.run_id,
            "date": run.run_date.isoformat(),
            "dry_run": run.dry_run,
            "seed": result.plan.seed,
            "identical": result.identical,
            "figures": [{"what": w, "recorded": a, "replayed": b} for w, a, b in result.figures],
            "differences": [
                {"lead_id": d.lead_id, "recorded": d.then, "replayed": d.now}
                for d in result.differences
            ],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK if result.identical else EXIT_FAILED
    kind = "dry run" if run.dry_run else "run"
    print(f"Replay of {kind} {run.run_id} of {run.run_date} (seed {result.plan.seed}):")
    width = max((len(w) for w, _, _ in result.figures), default=10)
    print(f"  {'':<{width}}  {'recorded':>9}  {'replayed':>9}")
    for what, then, now in result.figures:
        mark = "" if then == now else "  *"
        print(f"  {what:<{width}}  {then:>9,}  {now:>9,}{mark}")
    if result.identical:
        print("Identical: every lead is decided as the recorded plan decided it.")
        return EXIT_OK
    print(f"{plural(len(result.differences), 'lead')} decided differently:")
    for d in result.differences[:200]:
        print(f"  lead {d.lead_id}: recorded {d.then}; replayed {d.now}")
    if len(result.differences) > 200:
        print(f"  ... and {len(result.differences) - 200:,} more (--format json lists all)")
    return EXIT_FAILED


def replay_run(loaded: LoadedConfig, run_id: str, seed: int | None = None) -> Replay:
    """`odlm replay`: the kept run planned again under ``loaded``."""
    with opened_journal(loaded) as journal:
        recorded = kept_run(journal, run_id)
        applied = None if recorded.run.dry_run else journal.outcomes(recorded.run.run_id)
    return replay(plan_settings(loaded), recorded, seed, applied)
