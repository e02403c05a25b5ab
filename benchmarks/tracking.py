"""The cost of recording a run in the tracking history (issue 8), per database server.

Run by hand (never in CI):

    .venv/bin/python benchmarks/tracking.py [--leads 10000 100000] [--servers sqlite postgresql mariadb]

For each size it builds a plan handing that many leads to 50 salespeople
(no CRM needed: recording reads only the plan), creates a new database on
each server (SQLite file; PostgreSQL and MariaDB at 127.0.0.1 as in the
tests), and times: the migrations of a new database, recording the run
(assignment history, per-salesperson counts, summary: one transaction),
recording it again (the upserts of a resumed run), and `odlm retention`
moving all of it to the archive.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from synthetic import TODAY, build  # type: ignore[import-not-found]

from odoo_lead_manager.config.schema.operations import Tracking
from odoo_lead_manager.domain.plan import Plan
from odoo_lead_manager.state.history import History
from odoo_lead_manager.state.records import Outcome, projected_after
from odoo_lead_manager.state.retention import apply_retention
from odoo_lead_manager.state.schema import upgrade

SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}


@contextmanager
def database(kind: str, directory: Path) -> Iterator[Engine]:
    if kind == "sqlite":
        engine = create_engine(f"sqlite:///{directory / f'{uuid.uuid4().hex}.sqlite'}")
        yield engine
        engine.dispose()
        return
    admin = create_engine(SERVERS[kind], isolation_level="AUTOCOMMIT")
    name = f"odlm_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine = create_engine(make_url(SERVERS[kind]).set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


def measure(kind: str, plan: Plan, outcome: Outcome) -> list[float]:
    """Seconds to migrate a new database, record, record again, archive everything."""
    seconds = []
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as engine:
        started = time.perf_counter()
        upgrade(engine)
        seconds.append(time.perf_counter() - started)
        history = History(engine, Tracking())
        for _ in range(2):
            started = time.perf_counter()
            history.record(plan, outcome)
            seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
        apply_retention(engine, 1, True, TODAY + timedelta(days=5))
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--servers", nargs="+", default=["sqlite", *SERVERS])
    args = parser.parse_args()
    print(f"{'server':<11} {'leads':>8} {'migrate':>8} {'record':>8} {'again':>8} {'archive':>8}")
    for leads in args.leads:
        plan = build(leads)
        outcome = Outcome(False, plan.handed_out, projected_after(plan), 1.0, "completed")
        for kind in args.servers:
            cells = " ".join(f"{value:>7.2f}s" for value in measure(kind, plan, outcome))
            print(f"{kind:<11} {leads:>8,} {cells}")


if __name__ == "__main__":
    main()
