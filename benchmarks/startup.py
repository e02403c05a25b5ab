"""How fast odlm starts: ``odlm --version``, ``odlm --help`` and a configuration error.

Each command runs as a new process ``-n`` times (default 10); the median wall time is
printed with the machine, so that a layout change (verbs and heavy libraries imported
only when used) can be measured before and after. Nothing is written but a bad
configuration file in a temporary folder.

    python benchmarks/startup.py [-n 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ODLM = Path(sys.executable).with_name("odlm")


def timed(command: list[str], runs: int) -> float:
    """The median wall time of ``command`` over ``runs`` runs, in seconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="runs of each command (median)")
    runs = parser.parse_args().n
    with tempfile.TemporaryDirectory() as folder:
        bad = Path(folder) / "bad.yaml"
        bad.write_text("version: '1.0'\ncampaign: {target_campaignn: Voice}\n", encoding="utf-8")
        commands = {
            "odlm --version": [str(ODLM), "--version"],
            "odlm --help": [str(ODLM), "--help"],
            "a configuration error (exit 2)": [str(ODLM), "dailydist", "--config", str(bad)],
        }
        print(
            f"{datetime.now(UTC):%Y-%m-%d} {platform.node()} {platform.machine()} "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, median of {runs}:"
        )
        for what, command in commands.items():
            print(f"  {what:<32} {timed(command, runs):.3f} s")


if __name__ == "__main__":
    main()
