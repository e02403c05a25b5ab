"""The cost of building and writing the distribution report (issue 9).

Run by hand (never in CI):

    .venv/bin/python benchmarks/reports.py [--leads 10000 100000]

Uses the synthetic plan of benchmarks/synthetic.py (N leads, 50
salespeople) and times building the report value, then writing it as JSON,
CSV (four tables) and HTML, printing each file's size.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from synthetic import build  # type: ignore[import-not-found]

from odoo_lead_manager.reporting.files import write_reports
from odoo_lead_manager.reporting.report import build_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    print(f"{'leads':>8} {'build':>7} {'json':>7} {'csv':>7} {'html':>7}  sizes")
    for leads in args.leads:
        plan = build(leads)
        started = time.perf_counter()
        report = build_report(plan, None, 1.0)
        cells = [f"{time.perf_counter() - started:>6.2f}s"]
        sizes = []
        with tempfile.TemporaryDirectory() as tmp:
            for kind in ("json", "csv", "html"):
                started = time.perf_counter()
                paths = write_reports(report, [kind], Path(tmp) / kind)
                cells.append(f"{time.perf_counter() - started:>6.2f}s")
                sizes.append(f"{kind} {sum(p.stat().st_size for p in paths) / 1e6:.1f} MB")
        print(f"{leads:>8,} {' '.join(cells)}  {', '.join(sizes)}")


if __name__ == "__main__":
    main()
