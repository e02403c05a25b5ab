"""How long a large demo takes to build, and a dry run to plan on it.

For each size, ``odlm demo --leads N`` builds a demo in a temporary folder, then
``odlm dailydist --config DIR/config.yaml --dry-run`` plans on it; each command runs as a
new process with its output piped (no progress bar), ``-n`` times (default 3), a fresh
demo each time. It prints the median wall time of each command with the machine, the
store's size, and how many leads the dry run would distribute. Nothing is written outside
the temporary folder.

    python benchmarks/demo_size.py [--leads 100000] [-n 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ODLM = Path(sys.executable).with_name("odlm")


def timed(command: list[str]) -> tuple[float, str]:
    """The wall time of ``command`` in seconds, and its output; a failure stops the run."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return seconds, done.stdout


def measure(leads: int, runs: int) -> None:
    builds, plans, distributed, size = [], [], "?", 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            demo = Path(folder) / "demo"
            seconds, _ = timed([str(ODLM), "demo", "--dir", str(demo), "--leads", str(leads)])
            builds.append(seconds)
            size = (demo / "crm.sqlite").stat().st_size
            config = str(demo / "config.yaml")
            seconds, out = timed([str(ODLM), "dailydist", "--config", config, "--dry-run"])
            plans.append(seconds)
            found = re.search(r"Leads that would be distributed: ([\d,]+)", out)
            distributed = found.group(1) if found else "?"
    print(
        f"  {leads:>9,} leads  demo {statistics.median(builds):6.2f} s  "
        f"dry run {statistics.median(plans):6.2f} s  "
        f"store {size / 1e6:6.1f} MB  distributable {distributed}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[100_000], help="demo sizes")
    parser.add_argument("-n", type=int, default=3, help="runs of each size (median)")
    args = parser.parse_args()
    print(
        f"{datetime.now(UTC):%Y-%m-%d} {platform.node()} {platform.machine()} "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, median of {args.n}:"
    )
    for leads in args.leads:
        measure(leads, args.n)


if __name__ == "__main__":
    main()
