"""Fairness over weeks: N working days of the demo campaign, one real run a day, per strategy.

Run by hand (never in CI):

    .venv/bin/python benchmarks/fairness_weeks.py [--days 20] [--inflow 2-10] [--seed 7]
        [--manual 40] [--work 0.05] [--catch-up none] [--strategies round_robin ...]

The demo (`odlm demo`) is built once, the working day before the period, and a warm-up
real run that day hands out its backlog (not measured). Each strategy then gets its own
copy of the demo directory, its strategy set in the copy's config.yaml, and lives the same
working days. Each day, before the run, outside odlm, on the local store:

- inflow: ``--inflow LO-HI`` new leads, held by Eve Davis (in the Voice campaign table but
  inactive there, so the demo's rules hand her Utr/Call Back leads to the active
  salespeople, and a lead nobody receives stays with someone who receives nothing);
- work: each present salesperson works ``--work`` of their open leads (a status the demo
  does not distribute: follow-up, won or lost; won and lost leave the workload);
- absence: Bob Johnson is away on days 3 to 5 (an absences CSV, as docs/availability.md);
- ``--manual N``: on the middle day, N unowned leads given by hand to Dave Brown.

then ``odlm dailydist --config CFG --today DAY --seed SEED --run-again``, in process.

Per strategy, over the active salespeople: x received (odlm's moves, from the store
before and after each run, plus the manual gives), e entitled (each day's handed-out and
manual leads split among those present: equally for round_robin and level_based, by weight
for proportional, by target for capacity_based), Jain's index of x/e, the largest |x - e|
(leads and %), the utilisation spread at the end, moves back to an earlier holder, and for
the absent salesperson what the others got per head while away ("owed") and the working
days from their return until |x - e| <= max(2, 5% of e) (0: already within).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from odoo_lead_manager.cli.main import main as odlm
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.demo.config import write_demo_config
from odoo_lead_manager.demo.crm import PEOPLE, TEAMS, create_demo
from odoo_lead_manager.domain.model import Lead

# Who receives: the Voice campaign's salespeople that are active in the table and the CRM.
REPS = {
    p.name: p
    for p in PEOPLE
    if p.campaign == "Voice" and p.level and p.table_active and p.user_active
}
TARGETS = {name: p.target_leads or 0 for name, p in REPS.items()}
HOLDER = next(p for p in PEOPLE if p.name == "Eve Davis")
ABSENT, ABSENT_DAYS = "Bob Johnson", (2, 3, 4)  # day indexes: the 3rd to the 5th day
MANUAL_REP = "Dave Brown"
VOICE = next(t.id for t in TEAMS if t.name == "Voice")
# Who holds a lead, for odlm: lead_finding.owner_field, which resolves to open_user_id on
# the demo store (it maps that field), not user_id; workload and "never back" follow it.
HOLDS = "open_user_id"
WEIGHTS = {"Alice Smith": 2.0, "Carol Williams": 2.0}  # proportional: everyone else 1
# The statuses the demo distributes for active salespeople (demo/config.py).
INFLOW_STATUSES = ("Utr", "Call Back")
# What working a lead does: statuses the demo config never distributes for an active holder.
WORKED = (("Full Pitch Follow Up", 5), ("Won", 2), ("Lost", 3))
CLOSED = ["Won", "Lost", "Sold", "Do Not Call"]
LEVELS = {"senior": (400, 1), "mid_level": (350, 2), "junior": (300, 3)}
STRATEGIES: dict[str, dict[str, Any]] = {
    "round_robin": {"strategy": "round_robin"},
    "proportional": {"strategy": "proportional", "proportional": {"weights": WEIGHTS}},
    # Capacity is target - what each keeps; the targets are the campaign table's.
    "capacity_based": {"strategy": "capacity_based"},
    "level_based": {
        "strategy": "level_based",
        "level_based": {
            "levels": {k: {"target_leads": t, "priority": p} for k, (t, p) in LEVELS.items()}
        },
    },
}


def share_weight(strategy: str, name: str) -> float:
    """The weight a salesperson's entitlement gets, by the strategy's own notion of fair."""
    if strategy == "proportional":
        return WEIGHTS.get(name, 1.0)
    if strategy == "capacity_based":
        return float(TARGETS[name])
    return 1.0


def working_days(start: date, count: int) -> list[date]:
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def run_odlm(config: Path, day: date, seed: int) -> None:
    """One real run, as the scheduled job makes it; its console output is kept quiet."""
    argv = ["dailydist", "--config", str(config), "--today", day.isoformat()]
    argv += ["--seed", str(seed), "--run-again"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = odlm(argv)
    if status != 0:
        raise SystemExit(f"odlm {' '.join(argv)} exited {status}:\n{out.getvalue()[-3000:]}")


def leads_now(crm: Path) -> dict[int, Lead]:
    with LocalStore.open(crm) as store:
        return {lead.id: lead for lead in store.search_leads([])}


@dataclass
class Day:
    """What one simulated day handed out, and to whom."""

    present: list[str]
    handed: int  # odlm's moves plus manual gives: what the day's entitlement splits
    got: Counter[str] = field(default_factory=Counter)


@dataclass
class Outcome:
    days: list[Day]
    repeats: int
    backs: int  # moves to the holder before the current one (A to B to A)
    moves: int
    left: int  # inflow leads still with the holder at the end (nobody received them)
    held: dict[str, int]


def prepare(base: Path, work: Path, strategy: str, first: date, args: argparse.Namespace) -> Path:
    """The strategy's own copy of the demo: config.yaml edited, and the absences file."""
    shutil.copytree(base, work)
    config = work / "config.yaml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["distribution"].update(STRATEGIES[strategy])
    # A status the rules distribute again (Utr) keeps a moved lead in play the next day:
    # the setting under which a lead can go back to someone who held it before.
    data["distribution"]["status_reset"] = args.status_reset
    data["distribution"]["never_back_to_last"] = args.never_back_to_last
    data["distribution"]["fairness_window_days"] = args.window
    selection = data["salesperson_selection"]
    selection["availability"] = {"absences_file": "absences.csv", "catch_up": args.catch_up}
    # Won and lost leads stay active on the local store (write_leads cannot archive one, as
    # Odoo does a lost lead): without this they would fill everyone's target for good.
    selection["workload"] = {"exclude_statuses": CLOSED}
    config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    away = working_days(first, max(ABSENT_DAYS) + 1)
    with (work / "absences.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["salesperson_name", "from", "to", "part"])
        writer.writerow([ABSENT, away[ABSENT_DAYS[0]], away[ABSENT_DAYS[-1]], ""])
    return config


def inflow(store: LocalStore, rng: random.Random, day: date, count: int, next_id: int) -> int:
    """Create ``count`` leads for the run of ``day``; return the next free id."""
    # Dated the calendar day before: the demo's window is `date < today` (older_than_days
    # 0), so a lead dated the run's own day waits a day; these are yesterday's arrivals.
    dated = day - timedelta(days=1)
    leads = [
        Lead(
            id=next_id + i,
            name=f"Inflow {day.isoformat()} #{i + 1}",
            status=rng.choice(INFLOW_STATUSES),
            stage="New",
            source_date=dated,
            create_date=datetime.combine(dated, datetime.min.time()) + timedelta(hours=9 + i % 9),
            user_id=HOLDER.id,
            open_user_id=HOLDER.id,
            team_id=VOICE,
            source="Website",
            campaign="Voice",
        )
        for i in range(count)
    ]
    store.add_leads(leads)
    return next_id + count


def work_leads(store: LocalStore, rng: random.Random, share: float, present: list[str]) -> None:
    """Each present salesperson works ``share`` of their open leads (the absent work none)."""
    ids = sorted(REPS[name].id for name in present)
    open_leads: dict[int, list[int]] = {uid: [] for uid in ids}
    skip = {*CLOSED, *INFLOW_STATUSES, *(s for s, _ in WORKED)}
    for lead in store.search_leads([(HOLDS, "in", ids), ("type", "=", "lead")]):
        if lead.status not in skip:
            open_leads[lead.open_user_id or 0].append(lead.id)
    statuses, weights = [s for s, _ in WORKED], [w for _, w in WORKED]
    for chosen in open_leads.values():
        worked = rng.sample(chosen, round(len(chosen) * share))
        picked = rng.choices(statuses, weights=weights, k=len(worked))
        for status in set(picked):
            same = [i for i, s in zip(worked, picked, strict=True) if s == status]
            store.write_leads(same, {"status": status})


def manual_give(store: LocalStore, rng: random.Random, count: int) -> list[int]:
    """A manager gives ``count`` unowned leads to one salesperson by hand, outside odlm."""
    unowned = [x.id for x in store.search_leads([(HOLDS, "=", False), ("type", "=", "lead")])]
    given = sorted(rng.sample(unowned, min(count, len(unowned))))
    uid = REPS[MANUAL_REP].id
    values = {"user_id": uid, "open_user_id": uid, "closer_id": uid, "team_id": VOICE}
    store.write_leads(given, {**values, "status": "New"})
    return given


def simulate(
    base: Path, work: Path, strategy: str, days: list[date], args: argparse.Namespace
) -> Outcome:
    config = prepare(base, work, strategy, days[0], args)
    crm = work / "crm.sqlite"
    # Separate streams, so every strategy meets the same inflow whatever its moves did.
    inflow_rng, work_rng = random.Random(args.seed), random.Random(args.seed + 1)
    names = {p.id: name for name, p in REPS.items()}
    before = leads_now(crm)
    seen = {i: {lead.open_user_id} for i, lead in before.items()}
    # Each lead's holder before its current one: a move back to it is A to B to A.
    previous: dict[int, int | None] = {}
    next_id = max(before) + 1
    arrived: list[int] = []
    record: list[Day] = []
    repeats = moves = backs = 0
    for index, day in enumerate(days):
        present = [n for n in REPS if not (n == ABSENT and index in ABSENT_DAYS)]
        today = Day(present, 0)
        with LocalStore.open(crm) as store:
            first_new = next_id
            next_id = inflow(store, inflow_rng, day, inflow_rng.randint(*args.inflow), next_id)
            arrived += range(first_new, next_id)
            work_leads(store, work_rng, args.work, present)
            if args.manual and index == len(days) // 2:
                for lead_id in manual_give(store, work_rng, args.manual):
                    seen[lead_id].add(REPS[MANUAL_REP].id)
                    previous[lead_id] = None
                    today.got[MANUAL_REP] += 1
                    today.handed += 1
        before = leads_now(crm)
        run_odlm(config, day, args.seed)
        after = leads_now(crm)
        for lead_id, lead in after.items():
            new = lead.open_user_id
            old = before[lead_id].open_user_id if lead_id in before else new
            if new == old:
                continue
            moves += 1
            today.handed += 1
            repeats += new in seen.setdefault(lead_id, {old})
            backs += new == previous.get(lead_id)
            previous[lead_id] = old
            seen[lead_id].add(new)
            if new in names:
                today.got[names[new]] += 1
        record.append(today)
    final = leads_now(crm)
    left = sum(final[i].open_user_id == HOLDER.id for i in arrived if i in final)
    held = dict.fromkeys(REPS, 0)
    for lead in final.values():
        if lead.open_user_id in names and lead.type == "lead" and lead.status not in CLOSED:
            held[names[lead.open_user_id]] += 1
    return Outcome(record, repeats, backs, moves, left, held)


@dataclass
class Row:
    handed: int
    jain: float
    dev: float
    dev_pct: float
    spread: float
    util_jain: float
    repeats: str
    backs: int
    owed: float
    back: str
    left: int


def measure(strategy: str, out: Outcome) -> Row:
    x: Counter[str] = Counter()
    e: dict[str, float] = dict.fromkeys(REPS, 0.0)
    back: int | None = None
    owed = 0.0
    for index, day in enumerate(out.days):
        x.update(day.got)
        total = sum(share_weight(strategy, n) for n in day.present)
        for name in day.present:
            e[name] += day.handed * share_weight(strategy, name) / total
        if index in ABSENT_DAYS:
            # What each of the others got while the absent salesperson was away.
            owed += sum(day.got[n] for n in day.present) / len(day.present)
        within = abs(x[ABSENT] - e[ABSENT]) <= max(2.0, 0.05 * e[ABSENT])
        if back is None and index >= ABSENT_DAYS[-1] and within:
            back = index - ABSENT_DAYS[-1]
    ratios = [x[n] / e[n] for n in REPS if e[n] > 0]
    squares = sum(r * r for r in ratios)
    jain = sum(ratios) ** 2 / (len(ratios) * squares) if squares else 1.0
    gaps = {n: abs(x[n] - e[n]) for n in REPS}
    worst = max(gaps, key=gaps.__getitem__)
    pct = max((gaps[n] / e[n] * 100 for n in REPS if e[n] > 0), default=0.0)
    utilisation = [out.held[n] / TARGETS[n] for n in REPS if TARGETS[n]]
    spread = statistics.pstdev(100 * u for u in utilisation)
    util_jain = sum(utilisation) ** 2 / (len(utilisation) * sum(u * u for u in utilisation))
    return Row(
        handed=sum(d.handed for d in out.days),
        jain=jain,
        dev=gaps[worst],
        dev_pct=pct,
        spread=spread,
        util_jain=util_jain,
        repeats=f"{out.repeats} of {out.moves}",
        backs=out.backs,
        owed=owed,
        back=str(back) if back is not None else f"> {len(out.days) - 1 - ABSENT_DAYS[-1]}",
        left=out.left,
    )


def span(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    bounds = int(low), int(high or low)
    if not 0 <= bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError(f"not a range LO-HI: {text}")
    return bounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20, help="working days simulated")
    parser.add_argument("--inflow", type=span, default=(2, 10), help="new leads a day, LO-HI")
    parser.add_argument("--seed", type=int, default=7, help="odlm's --seed and the simulation's")
    parser.add_argument("--manual", type=int, default=0, help="leads given by hand, mid-period")
    parser.add_argument("--work", type=float, default=0.05, help="share of open leads worked a day")
    parser.add_argument("--catch-up", default="none", choices=["none", "partial", "full"])
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 11, 9))
    parser.add_argument(
        "--never-back-to-last",
        type=int,
        default=2,
        help="distribution.never_back_to_last of every copy (1: only the current holder)",
    )
    parser.add_argument(
        "--window",
        type=int,
        default=20,
        help="distribution.fairness_window_days of every copy (0: no fairness ledger)",
    )
    parser.add_argument(
        "--status-reset",
        default="New",
        help="distribution.status_reset of every copy (the demo's New is never distributed "
        "again; Utr is, so moved leads stay in play)",
    )
    parser.add_argument(
        "--strategies", nargs="+", default=list(STRATEGIES), choices=list(STRATEGIES)
    )
    args = parser.parse_args()
    if args.days <= ABSENT_DAYS[-1]:
        parser.error(f"--days must be above {ABSENT_DAYS[-1] + 1}: the absence is days 3 to 5")
    started = time.perf_counter()
    days = working_days(args.start, args.days)
    warm_up = args.start - timedelta(days=1)
    while warm_up.weekday() >= 5:
        warm_up -= timedelta(days=1)
    with tempfile.TemporaryDirectory(prefix="odlm-fairness-") as tmp:
        base = Path(tmp) / "demo"
        create_demo(base, today=warm_up)
        write_demo_config(base)
        # The demo's backlog (204 leads) would swamp a day of inflow: hand it out first,
        # outside the fairness ledger (which then starts with the first measured day).
        config = base / "config.yaml"
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["distribution"]["fairness_window_days"] = 0
        config.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        run_odlm(config, warm_up, args.seed)
        low, high = args.inflow
        print(
            f"{args.days} working days {days[0]} to {days[-1]}, inflow {low}-{high} a day, "
            f"seed {args.seed}, manual {args.manual}, work {args.work:.0%}, "
            f"catch-up {args.catch_up}, status reset {args.status_reset}, "
            f"never back to last {args.never_back_to_last}, ledger window {args.window}; "
            f"{platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}"
        )
        print(
            "| Strategy | Inflow | Days | Seed | Handed out | Jain (x/e) | Max \\|x-e\\| "
            "| Max \\|x-e\\|/e | Utilisation std dev (end) | Jain (utilisation, end) | Repeat moves | Back to the previous holder "
            "| Owed after absence "
            "| Days back to within | Left with holder |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for strategy in args.strategies:
            row = measure(strategy, simulate(base, Path(tmp) / strategy, strategy, days, args))
            print(
                f"| {strategy} | {low}-{high} | {args.days} | {args.seed} | {row.handed} | "
                f"{row.jain:.3f} | {row.dev:.1f} | {row.dev_pct:.0f}% | {row.spread:.1f} points | {row.util_jain:.3f} | "
                f"{row.repeats} | {row.backs} | {row.owed:.1f} | {row.back} | {row.left} |",
                flush=True,
            )
    print(f"wall time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
