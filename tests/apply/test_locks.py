"""One run at a time per campaign: file lock, PostgreSQL advisory lock, MariaDB GET_LOCK."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.errors import UserInputError
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.locks import RunInProgress, campaign_lock
from odoo_lead_manager.state.tracking import Journal
from tests.apply.faults import FaultyStore
from tests.conftest import TODAY

REPO = Path(__file__).resolve().parents[2]
SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}
CONNECTIONS = {
    "postgresql": "{type: postgresql, host: 127.0.0.1, port: 5432, database: test, "
    "username: postgres}",
    "mariadb": "{type: mariadb, host: 127.0.0.1, port: 3306, database: test, username: root}",
}


@pytest.fixture(params=["sqlite", *SERVERS])
def journal_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    kind = request.param
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'journal.sqlite'}"
    url = SERVERS[kind]
    try:
        create_engine(url).connect().close()
    except OperationalError as error:
        pytest.skip(f"{kind} is not reachable here: {error.orig}")
    return url


def journal(url: str) -> Journal:
    return Journal(create_engine(url))


def test_the_lock_is_exclusive_per_campaign(journal_url: str) -> None:
    campaign = f"Voice-{os.getpid()}-{time.monotonic_ns()}"
    first, second = journal(journal_url), journal(journal_url)
    with campaign_lock(first, campaign):
        with pytest.raises(RunInProgress) as busy, campaign_lock(second, campaign):
            pass
        assert f"another odlm run for campaign {campaign} is in progress" in busy.value.message
        assert busy.value.exit_status == 2
        with campaign_lock(second, campaign + "-other"):
            pass  # another campaign runs alongside
    with campaign_lock(second, campaign):
        pass  # free again once the first run ended
    first.close()
    second.close()


HOLDER = """
import sys, time
from sqlalchemy import create_engine
from odoo_lead_manager.state.journal import Journal
from odoo_lead_manager.state.locks import campaign_lock

with campaign_lock(Journal(create_engine(sys.argv[1])), sys.argv[2]):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_a_killed_process_releases_its_lock(journal_url: str) -> None:
    campaign = f"Voice-{os.getpid()}-{time.monotonic_ns()}"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, journal_url, campaign],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        other = journal(journal_url)
        with pytest.raises(RunInProgress), campaign_lock(other, campaign):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        deadline = time.monotonic() + 10
        while True:  # the server notices the dropped connection within moments
            try:
                with campaign_lock(other, campaign):
                    break
            except RunInProgress:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        other.close()
    finally:
        holder.kill()
        holder.wait()


WAITER = """
import sys, time
from pathlib import Path
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.snapshot.options import RunOptions
from tests.conftest import TODAY
from tests.apply.faults import FaultyStore

class Waiting(FaultyStore):
    def write_leads(self, ids, values):
        if not self.written:
            Path(sys.argv[2]).touch()
            while not Path(sys.argv[3]).exists():
                time.sleep(0.05)
        super().write_leads(ids, values)

loaded = load_config(sys.argv[1])
store = Waiting(LocalStore.open(loaded.resolve_path("crm.sqlite")))
outcome = run_distribution(loaded, dry_run=False, options=RunOptions(today=TODAY, seed=1), store=store)
print("written", outcome.applied.written)
"""


@pytest.fixture(params=["sqlite", *SERVERS])
def shared_config(request: pytest.FixtureRequest, demo_dir: Path) -> Iterator[Path]:
    """The demo config with its journal in a local file or in a tracking database."""
    config = demo_dir / "config.yaml"
    kind = request.param
    if kind != "sqlite":
        try:
            create_engine(SERVERS[kind]).connect().close()
        except OperationalError as error:
            pytest.skip(f"{kind} is not reachable here: {error.orig}")
        text_ = config.read_text().replace(
            "tracking:\n  enabled: false", "tracking:\n  enabled: true"
        )
        config.write_text(text_ + f"database_connection: {CONNECTIONS[kind]}\n")
    yield config
    if kind != "sqlite":
        engine = create_engine(SERVERS[kind])
        with engine.begin() as connection:  # this test's runs, so the next test run starts clean
            ids = "SELECT run_id FROM odlm_run WHERE campaign = 'Voice' AND run_date = :day"
            for table in ("odlm_run_batch", "odlm_run_plan"):
                connection.execute(
                    text(f"DELETE FROM {table} WHERE run_id IN ({ids})"), {"day": TODAY}
                )
            connection.execute(text(ids.replace("SELECT run_id", "DELETE")), {"day": TODAY})
        engine.dispose()


@contextmanager
def paused_run(config: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A real run of ``config`` in another process, held inside its first write until
    the test touches the yielded ``go`` file; killed if the test ends first."""
    writing, go = tmp_path / "writing", tmp_path / "go"
    first = subprocess.Popen(
        [sys.executable, "-c", WAITER, str(config), str(writing), str(go)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not writing.exists():
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        yield first, go
    finally:
        first.kill()
        first.wait()


def test_of_two_concurrent_runs_the_second_stops_with_status_2(
    shared_config: Path, tmp_path: Path
) -> None:
    with paused_run(shared_config, tmp_path) as (first, go):
        before = LocalStore.open(shared_config.parent / "crm.sqlite")
        snapshot = before.read_leads(range(1, 5000))
        second = subprocess.run(
            [sys.executable, "-m", "odoo_lead_manager", "dailydist", "--config", str(shared_config)],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert second.returncode == 2, second.stderr
        assert "another odlm run for campaign Voice is in progress" in second.stderr
        assert before.read_leads(range(1, 5000)) == snapshot  # the second one wrote nothing
        before.close()
        go.touch()
        out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
        assert out.split()[-2:][0] == "written" and int(out.split()[-1]) > 100


def test_an_unreachable_tracking_database(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    base = config.read_text().replace("tracking:\n  enabled: false", "tracking:\n  enabled: true")
    down = "database_connection: {type: postgresql, host: 127.0.0.1, port: 1, database: x}\n"
    options = RunOptions(today=TODAY, seed=1)
    with LocalStore.open(demo_dir / "crm.sqlite") as store:
        snapshot = store.read_leads(range(1, 5000))
        for extra in ("", "\n  required: true"):
            config.write_text(
                base.replace("tracking:\n  enabled: true", "tracking:\n  enabled: true" + extra)
                + down
            )
            with pytest.raises(UserInputError, match=r"tracking\.local_fallback: true") as caught:
                run_distribution(load_config(config), False, options, store=FaultyStore(store))
            assert "127.0.0.1:1" in caught.value.message and caught.value.exit_status == 2
            assert store.read_leads(range(1, 5000)) == snapshot
        # Accepted explicitly: §7.1 goes on without tracking, the journal in the local file.
        config.write_text(
            base.replace(
                "tracking:\n  enabled: true", "tracking:\n  enabled: true\n  local_fallback: true"
            )
            + down
        )
        outcome = run_distribution(load_config(config), False, options, store=store)
    assert outcome.applied is not None and outcome.applied.complete
    assert "127.0.0.1:1" in outcome.notes[0] and "tracking is off for this run" in outcome.notes[0]
    assert (demo_dir / ".odlm-state" / "tracking.sqlite").exists()
