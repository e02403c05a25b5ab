"""odlm's legacy dry run against the spec's R function, on the same export (issue 27, point 4).

Run by hand (never in CI; needs Rscript with dplyr, Debian: r-base-core r-cran-dplyr):

    .venv/bin/python benchmarks/r_comparison.py [--leads 200000] [--rounds 3]

It generates one messy CRM (the R parity test's generator: campaign rows
differing by case and blanks, repeated rows, owner fields that disagree,
statuses in every case and spacing, dates and deadlines on each boundary)
and writes it twice: as the local store odlm reads and as the CSV export the
R function reads. Then, alternating, it times two whole processes from start
to exit: `Rscript m_leads_active_salesguys.R` (reading the CSVs, running the
function for the active and inactive groups, writing the selected ids) and
`odlm dailydist --dry-run` with the parity test's configuration (start-up,
configuration, store reads, the same selection, the round-robin plan and
its console summary). It checks both selected the same leads, then prints
each round's seconds and the medians. Each runs once untimed first, and
odlm keeps its compiled modules between runs (``PYTHONDONTWRITEBYTECODE``
is lifted for it), as an installed copy does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The parity test's generator and inputs, from the repository's root as pytest sees it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.pipeline.finding.test_r_parity import SCRIPT, TODAY, messy, write_inputs


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    odlm = str(Path(sys.executable).with_name("odlm"))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        write_inputs(messy(args.seed, count=args.leads), directory)
        plan = directory / "plan.json"
        r_command = ["Rscript", str(SCRIPT), "campaigns.csv", "leads.csv", TODAY.isoformat()]
        r_command += ["Voice", "r-selected.txt"]
        odlm_command = [odlm, "dailydist", "--config", "config.yaml", "--dry-run"]
        odlm_command += ["--today", TODAY.isoformat(), "--seed", "1", "--plan-out", str(plan)]
        env = {k: v for k, v in os.environ.items() if k != "ODLM_CONFIG"}
        # Python's compiled modules kept, as an installed odlm has them (pip compiles
        # them; R's packages are installed compiled too), not compiled anew each run.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.setdefault("PYTHONPYCACHEPREFIX", str(directory / "pycache"))
        for command in (r_command, odlm_command):  # a first run of each, untimed: warm caches
            timed(command, directory, env)
        times: dict[str, list[float]] = {"Rscript": [], "odlm": []}
        for round_no in range(1, args.rounds + 1):
            r_seconds, _ = timed(r_command, directory, env)
            odlm_seconds, _ = timed(odlm_command, directory, env)
            times["Rscript"].append(r_seconds)
            times["odlm"].append(odlm_seconds)
            print(f"round {round_no}: Rscript {r_seconds:.2f} s, odlm {odlm_seconds:.2f} s")
        r_ids = {int(x) for x in (directory / "r-selected.txt").read_text().split()}
        odlm_ids = selected(plan)
        if r_ids != odlm_ids:
            raise SystemExit(f"the selections differ: R {len(r_ids)}, odlm {len(odlm_ids)}")
        r, o = statistics.median(times["Rscript"]), statistics.median(times["odlm"])
        print(
            f"{args.leads:,} leads, {len(r_ids):,} selected by both: "
            f"Rscript {r:.2f} s, odlm {o:.2f} s (medians; odlm/R {o / r:.2f})"
        )


def selected(plan_file: Path) -> set[int]:
    """The leads a plan file distributes or leaves unassigned: everything it selected."""
    from odoo_lead_manager.domain.plan import Plan

    plan = Plan.from_json(plan_file.read_text())
    return {a.lead_id for a in plan.assignments} | {
        lead_id for ids in plan.unassigned.values() for lead_id in ids
    }


if __name__ == "__main__":
    main()
