"""What keeping decisions costs: the snapshot's size, and the time to take, keep, replay, explain.

Run by hand (never in CI):

    .venv/bin/python benchmarks/snapshots.py [--leads 10000 100000] [--repeat 5]

On the dataset of benchmarks/dataset.py (every filter on, 55 salespeople),
for each size: the median time of taking the snapshot from the local store
(`fetching.take_snapshot`), of planning from it alone (`plan_snapshot`), of
compressing it as the journal keeps it (`Snapshot.to_bytes`) and reading it
back, and of explaining one lead from a kept run; the compressed size and
the fetched leads, with the filters on the server and with nothing pushed
(the ledger's and `odlm explain`'s fetch).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from dataset import generate  # type: ignore[import-not-found]

from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.snapshot import Snapshot
from odoo_lead_manager.pipeline.inspect.explain import explain
from odoo_lead_manager.pipeline.planning import plan_snapshot
from odoo_lead_manager.snapshot.fetch import take_snapshot
from odoo_lead_manager.snapshot.options import RunOptions

TODAY = date(2024, 6, 14)
CACHE = Path("/tmp/odlm-bench")


def timed(repeat: int, work: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work(*args)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("leads    fetch  fetched  kept KB  take s  plan s  keep s  read s  explain s")
    for size in args.leads:
        directory = CACHE / str(size)
        config = directory / "config.yaml"
        if not config.exists():
            generate(directory, size, TODAY)
        loaded = load_config(config)
        for ledger in (False, True):
            options = RunOptions(today=TODAY, ledger=ledger)
            with LocalStore.open(directory / "crm.sqlite") as store:
                take, snapshot = timed(args.repeat, take_snapshot, loaded, store, options)
            plan_s, planned = timed(args.repeat, plan_snapshot, loaded, snapshot, 7, ledger)
            keep_s, data = timed(args.repeat, snapshot.to_bytes)
            read_s, _ = timed(args.repeat, Snapshot.from_bytes, data)
            lead_id = planned.plan.assignments[0].lead_id
            explain_s, _ = timed(
                args.repeat, explain, loaded, snapshot, planned.plan, lead_id, True
            )
            print(
                f"{size:>7,}  {'all' if ledger else 'pushed':>6}  "
                f"{len(snapshot.fetched.leads):>7,}  {len(data) / 1024:>7,.0f}  "
                f"{take:>6.2f}  {plan_s:>6.2f}  {keep_s:>6.2f}  {read_s:>6.2f}  {explain_s:>9.3f}"
            )


if __name__ == "__main__":
    main()
