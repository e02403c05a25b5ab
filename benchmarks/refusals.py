"""How long odlm takes to refuse hostile input (docs/configuration.md, "Limits on what odlm reads").

    .venv/bin/python benchmarks/refusals.py [--repeat 5]

Each case is a file handed to the reader that refuses it (the configuration
loader, the campaign table reader, the plan reader), timed in process, so
that the figures are the refusal's own cost without the interpreter's start;
the median of ``--repeat`` runs is printed with peak memory growth.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from odoo_lead_manager.commands.running import read_plan
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.ops.limits import MAX_CONFIG_BYTES, MAX_DATA_FILE_BYTES, MAX_PLAN_BYTES
from odoo_lead_manager.snapshot.source_files import read_campaign_csv


def alias_bomb() -> str:
    lines = ["a: &a [" + ",".join(["lol"] * 9) + "]"]
    for level in range(1, 10):
        name, below = "abcdefghij"[level], "abcdefghij"[level - 1]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{below}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def cases(folder: Path) -> dict[str, Callable[[], object]]:
    def text(name: str, content: str) -> Path:
        path = folder / name
        path.write_text(content)
        return path

    bomb = text("bomb.yaml", alias_bomb())
    deep_yaml = text("deep.yaml", "[" * 20_000 + "]" * 20_000)
    deep_json = text("deep.json", "[" * 20_000 + "]" * 20_000)
    empty = text("empty.yaml", "")
    big = sparse(folder / "big.yaml", 2 * MAX_CONFIG_BYTES)
    table = sparse(folder / "big.csv", MAX_DATA_FILE_BYTES + 1)
    huge = text(
        "huge.csv",
        "salesperson_name,campaign_name,target_leads\nAlice Smith,Voice,1" + "0" * 23 + "\n",
    )
    plan = sparse(folder / "big-plan.json", MAX_PLAN_BYTES + 1)
    deep_plan = text("deep-plan.json", '{"run_id": ' + "[" * 20_000 + "]" * 20_000 + "}")
    return {
        f"alias bomb ({bomb.stat().st_size} bytes, 9**10 values)": lambda: load_config(bomb, {}),
        "20,000 nested brackets (YAML)": lambda: load_config(deep_yaml, {}),
        "20,000 nested brackets (JSON)": lambda: load_config(deep_json, {}),
        "empty configuration": lambda: load_config(empty, {}),
        "configuration of 2 MiB": lambda: load_config(big, {}),
        "/dev/zero as configuration": lambda: load_config("/dev/zero", {}),
        "campaign table past 64 MiB": lambda: read_campaign_csv(table),
        "target_leads of 10^23": lambda: read_campaign_csv(huge),
        "plan file past 512 MiB": lambda: read_plan(plan),
        "plan nested 20,000 deep": lambda: read_plan(deep_plan),
    }


def measure(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median seconds over ``repeat`` runs, then the peak memory of one more (traced apart:
    tracing slows the parser several times)."""
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        refused(action)
        seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    refused(action)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(seconds), peak / 2**20


def refused(action: Callable[[], object]) -> None:
    try:
        action()
    except UserInputError:
        return
    raise SystemExit("accepted: the case should have been refused")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("| refused input | median ms | peak MiB |\n|---|---|---|")
        for name, action in cases(Path(folder)).items():
            seconds, peak = measure(action, args.repeat)
            print(f"| {name} | {seconds * 1000:.1f} | {peak:.1f} |")


if __name__ == "__main__":
    main()
