"""Full dry runs and real runs on generated datasets: median time, peak memory, CRM calls.

Run by hand (never in CI):

    .venv/bin/python benchmarks/runs.py [--leads 10000 100000 1000000] [--repeat 5]

For each size it generates the dataset of benchmarks/dataset.py once (kept
in /tmp/odlm-bench/<size>), then runs, each in a fresh process so that its
peak RSS is its own: ``--repeat`` dry runs and ``--repeat`` real runs (each
real run on a fresh copy of the store). It prints the median wall time of
`run_distribution` (planning, and for a real run applying), the peak RSS
of the process and the CRM calls by method.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from dataset import generate  # type: ignore[import-not-found]

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.snapshot.options import RunOptions

TODAY = "2024-06-14"
CACHE = Path("/tmp/odlm-bench")


class Counting:
    """Passes every call to ``inner`` (a store, or a journal) and counts and times it by method."""

    def __init__(self, inner: Any) -> None:
        self.store = inner
        self.calls: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.store, name)
        if not callable(attribute) or name == "close":
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            started = time.perf_counter()
            try:
                return attribute(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - started

        return counted


def one(directory: Path, dry_run: bool) -> dict[str, Any]:
    """One run in this process: seconds, peak RSS (MB), CRM calls, leads planned."""
    from datetime import date

    loaded = load_config(directory / "config.yaml")
    store = Counting(LocalStore.open(directory / "crm.sqlite"))
    started = time.perf_counter()
    outcome = run_distribution(
        loaded,
        dry_run,
        RunOptions(today=date.fromisoformat(TODAY)),
        store=store,  # type: ignore[arg-type]
    )
    seconds = time.perf_counter() - started
    store.store.close()
    return {
        "seconds": seconds,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "calls": dict(store.calls),
        "examined": outcome.plan.examined,
        "distributable": outcome.plan.distributable,
        "assigned": len(outcome.plan.handed_out),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--real", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, not args.real)))
        return
    for leads in args.leads:
        source = CACHE / str(leads)
        if not (source / "config.yaml").exists():
            generate(source, leads, __import__("datetime").date.fromisoformat(TODAY))
        for real in (False, True):
            results = []
            for _ in range(args.repeat):
                work = CACHE / f"{leads}-run"
                shutil.rmtree(work, ignore_errors=True)
                shutil.copytree(source, work)
                command = [sys.executable, __file__, "--one", str(work), *(["--real"] * real)]
                output = subprocess.run(command, check=True, capture_output=True, text=True)
                results.append(json.loads(output.stdout.strip().splitlines()[-1]))
            seconds = statistics.median(r["seconds"] for r in results)
            rss = max(r["rss_mb"] for r in results)
            first = results[0]
            calls = sum(first["calls"].values())
            print(
                f"{leads:>9,} {'real' if real else 'dry ':<5} median {seconds:6.2f} s  "
                f"peak RSS {rss:6.0f} MB  examined {first['examined']:,}  "
                f"distributable {first['distributable']:,}  assigned {first['assigned']:,}  "
                f"CRM calls {calls} {first['calls']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
