"""One campaign, one writer, across hosts (issue 22, point 6).

A campaign's lock is seen by every process that can write to the CRM: the
shared tracking database when there is one; with the run journal in a local
file, a lease in the CRM itself. A configured tracking database that cannot
be reached stops a run before planning, unless the fallback is accepted. The
round-robin position lives in the tracking database and moves with the
run's completion, in one transaction.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.dailydist import run_distribution
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.crm.local.store import LocalStore, leases_of
from odoo_lead_manager.crm.store import CrmStore, Lease
from odoo_lead_manager.domain.model import Lead
from odoo_lead_manager.errors import CrmError, RunStopped
from odoo_lead_manager.snapshot.options import RunOptions
from odoo_lead_manager.state.database import utc_now
from odoo_lead_manager.state.locks import MACHINE, LeaseRefused, RunInProgress
from odoo_lead_manager.state.rotation import current_rotation, rotation_path
from odoo_lead_manager.state.tracking import open_journal
from tests.apply.faults import FaultyStore
from tests.apply.test_locks import paused_run
from tests.conftest import TODAY
from tests.state.conftest import connection_block, fresh_database

OPTIONS = RunOptions(today=TODAY, seed=1)
CYCLE = TODAY.isoformat()  # the demo's round robin restarts daily
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def snapshot(crm: Path) -> list[Lead]:
    with LocalStore.open(crm) as store:
        return store.read_leads(range(1, 5000))


def leases(crm: Path) -> list[tuple[str, str]]:
    """The leases kept beside the local CRM store at ``crm``."""
    if not leases_of(crm).exists():
        return []
    with sqlite3.connect(leases_of(crm)) as db:
        rows = [
            (str(key), str(value)) for key, value in db.execute("SELECT key, value FROM odlm_lease")
        ]
    db.close()
    return rows


def second_copy(demo_dir: Path, tmp_path: Path, name: str = "second") -> Path:
    """The demo's configuration copied to another directory, against the same CRM store:
    two copies of one configuration, each with a run journal of its own."""
    other = tmp_path / name
    other.mkdir()
    for data in ("salesperson_campaigns.csv", "salespeople.txt", "web_sources.txt"):
        shutil.copy(demo_dir / data, other / data)
    text = (demo_dir / "config.yaml").read_text()
    assert "local_path: crm.sqlite" in text
    config = other / "config.yaml"
    config.write_text(text.replace("local_path: crm.sqlite", f"local_path: {demo_dir}/crm.sqlite"))
    return config


def with_tracking(config: Path, *settings: str) -> None:
    """Add settings to the demo configuration's tracking section."""
    text = config.read_text()
    assert "tracking:\n  enabled: true\n" in text
    extra = "".join(f"  {setting}\n" for setting in settings)
    config.write_text(
        text.replace("tracking:\n  enabled: true\n", f"tracking:\n  enabled: true\n{extra}")
    )


def foreign_lease(**changes: Any) -> Lease:
    """A lease as a run on another host takes it, for two hours from now."""
    lease = Lease(
        "odlm.lock.voice", "web-2", 4242, "elsewhere", "theirs", utc_now() + timedelta(hours=2)
    )
    return replace(lease, **changes)


def hold(crm: Path, lease: Lease) -> None:
    with LocalStore.open(crm) as store:
        assert store.take_lease(lease).token == lease.token


# --- an unreachable tracking database --------------------------------------


class Untouchable:
    """A CRM store no call may reach: the command must stop before planning."""

    def __getattr__(self, name: str) -> Any:
        if name == "close":
            return lambda: None
        raise AssertionError(f"the CRM was called ({name}) although the run had to stop first")


DOWN = (
    "database_connection: {type: postgresql, host: 127.0.0.1, port: 1, database: tracking, "
    "username: odlm, password: s3cret-tracking-pw}\n"
)


def test_an_unreachable_tracking_database_stops_the_run_before_planning(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo_dir / "config.yaml"
    config.write_text(config.read_text() + DOWN)
    before = snapshot(demo_dir / "crm.sqlite")
    for dry in (False, True):
        with pytest.raises(Exception) as caught:
            run_distribution(load_config(config), dry, OPTIONS, store=Untouchable())  # type: ignore[arg-type]
        error = caught.value
        assert getattr(error, "exit_status", None) == 2, error
        message = str(error)
        assert "odlm:***@127.0.0.1:1/tracking" in message
        assert "set tracking.local_fallback: true" in message and "nothing was changed" in message
        assert "s3cret-tracking-pw" not in message
    # Through the command line: one sentence, status 2, no traceback, the CRM as it was.
    assert main(["dailydist", "--config", str(config), "--today", "2024-06-14", "--run-again"]) == 2
    err = capsys.readouterr().err
    assert "tracking.local_fallback" in err and "Traceback" not in err
    assert "s3cret-tracking-pw" not in err
    assert snapshot(demo_dir / "crm.sqlite") == before
    assert leases(demo_dir / "crm.sqlite") == []
    assert not (demo_dir / ".odlm-state" / "tracking.sqlite").exists()


def test_with_the_fallback_accepted_the_run_goes_on_locally_and_says_so(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    config.write_text(config.read_text() + DOWN)
    with_tracking(config, "local_fallback: true")
    store = LeaseCounting(LocalStore.open(demo_dir / "crm.sqlite"))
    try:
        outcome = run_distribution(load_config(config), False, OPTIONS, store=store)
    finally:
        store.close()
    assert outcome.applied is not None and outcome.applied.complete
    assert "tracking is off for this run (tracking.local_fallback)" in outcome.notes[0]
    assert "s3cret-tracking-pw" not in outcome.notes[0]
    # The journal fell back to the local file, so the lock is a lease in the CRM.
    assert store.leases == ["take", "drop"]
    assert (demo_dir / ".odlm-state" / "tracking.sqlite").exists()


# --- the lease in the CRM -----------------------------------------------------


class LeaseCounting(FaultyStore):
    """Records the lease calls; ``refuse`` makes the CRM unable to keep a lease."""

    def __init__(self, inner: CrmStore, refuse_leases: bool = False) -> None:
        super().__init__(inner)
        self.leases: list[str] = []
        self.refuse_leases = refuse_leases

    def take_lease(self, lease: Lease) -> Lease:
        self.leases.append("take")
        if self.refuse_leases:
            raise CrmError(
                "Odoo refused ir.config_parameter.create: AccessError: You are not allowed "
                "to create 'System Parameter' (ir.config_parameter) records."
            )
        return super().take_lease(lease)

    def drop_lease(self, lease: Lease) -> None:
        self.leases.append("drop")
        super().drop_lease(lease)


def test_a_copy_in_another_directory_waits_for_the_first_to_finish(
    demo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    second = second_copy(demo_dir, tmp_path)
    with paused_run(demo_dir / "config.yaml", tmp_path) as (first, go):
        before = snapshot(demo_dir / "crm.sqlite")
        argv = ["dailydist", "--config", str(second), "--today", "2024-06-14", "--run-again"]
        assert main(argv) == 2
        err = " ".join(capsys.readouterr().err.split())
        assert "another odlm run for campaign Voice is in progress" in err
        assert f"lease odlm.lock.voice of pid {first.pid} on {socket.gethostname()}" in err
        assert snapshot(demo_dir / "crm.sqlite") == before  # the copy wrote nothing
        go.touch()
        out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
        assert out.split()[-2] == "written" and int(out.split()[-1]) > 100
    # Given back when the first run ended: the copy runs now.
    assert leases(demo_dir / "crm.sqlite") == []
    outcome = run_distribution(load_config(second), False, OPTIONS)
    assert outcome.applied is not None and outcome.applied.complete
    assert leases(demo_dir / "crm.sqlite") == []


def test_a_live_lease_of_another_host_stops_the_run(demo_dir: Path) -> None:
    crm = demo_dir / "crm.sqlite"
    hold(crm, foreign_lease())
    before = snapshot(crm)
    with pytest.raises(RunInProgress) as busy:
        run_distribution(load_config(demo_dir / "config.yaml"), False, OPTIONS)
    message = busy.value.message
    assert "lease odlm.lock.voice of pid 4242 on web-2, until" in message
    assert "if that run is dead, remove the lease" in message and busy.value.exit_status == 2
    assert snapshot(crm) == before
    assert [key for key, _ in leases(crm)] == ["odlm.lock.voice"]  # still theirs


def test_an_expired_lease_is_taken_over(demo_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    crm = demo_dir / "crm.sqlite"
    hold(crm, foreign_lease(expires_at=utc_now() - timedelta(minutes=1)))
    with caplog.at_level(logging.WARNING, "odoo_lead_manager.state.locks"):
        outcome = run_distribution(load_config(demo_dir / "config.yaml"), False, OPTIONS)
    assert outcome.applied is not None and outcome.applied.complete
    assert "the lease odlm.lock.voice of pid 4242 on web-2" in caplog.text
    assert "taking it over" in caplog.text
    assert leases(crm) == []


def test_a_lease_left_by_a_dead_process_of_this_machine_is_taken_over(demo_dir: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    crm = demo_dir / "crm.sqlite"
    hold(crm, foreign_lease(host=socket.gethostname(), pid=int(dead.stdout), machine=MACHINE))
    outcome = run_distribution(load_config(demo_dir / "config.yaml"), False, OPTIONS)
    assert outcome.applied is not None and outcome.applied.complete
    assert leases(crm) == []


def test_a_live_process_of_this_machine_keeps_its_lease(demo_dir: Path) -> None:
    crm = demo_dir / "crm.sqlite"
    hold(crm, foreign_lease(host=socket.gethostname(), pid=os.getpid(), machine=MACHINE))
    with pytest.raises(RunInProgress):
        run_distribution(load_config(demo_dir / "config.yaml"), False, OPTIONS)


def test_without_a_place_for_the_lease_a_real_run_stops_unless_a_local_lock_is_accepted(
    demo_dir: Path,
) -> None:
    config = demo_dir / "config.yaml"
    with LocalStore.open(demo_dir / "crm.sqlite") as inner:
        before = inner.read_leads(range(1, 5000))
        refusing = LeaseCounting(inner, refuse_leases=True)
        with pytest.raises(LeaseRefused) as refused:
            run_distribution(load_config(config), False, OPTIONS, store=refusing)
        message = refused.value.message
        assert "cannot keep campaign Voice's lease odlm.lock.voice in the CRM" in message
        assert "AccessError" in message and "set tracking.local_lock: true" in message
        assert refused.value.exit_status == 2
        assert refusing.calls["read_values"] == 0 and refusing.written == []
        assert inner.read_leads(range(1, 5000)) == before
        # A dry run takes no lock at all.
        dry = run_distribution(load_config(config), True, OPTIONS, store=refusing)
        assert dry.dry_run and refusing.leases == ["take"]
        with_tracking(config, "local_lock: true")
        accepted = LeaseCounting(inner, refuse_leases=True)
        outcome = run_distribution(load_config(config), False, OPTIONS, store=accepted)
    assert outcome.applied is not None and outcome.applied.complete
    assert accepted.leases == []  # the file lock beside the journal is the lock


def test_the_lease_lasts_tracking_lease_minutes(demo_dir: Path) -> None:
    config = demo_dir / "config.yaml"
    with_tracking(config, "lease_minutes: 45")
    seen: list[Lease] = []

    class Watching(FaultyStore):
        def write_leads(self, ids: Any, values: Any) -> None:
            if not seen:
                with LocalStore.open(demo_dir / "crm.sqlite") as other:
                    seen.append(other.take_lease(foreign_lease()))
            super().write_leads(ids, values)

    with LocalStore.open(demo_dir / "crm.sqlite") as inner:
        started = utc_now()
        run_distribution(load_config(config), False, OPTIONS, store=Watching(inner))
    (held,) = seen
    assert held.token != "theirs" and held.host == socket.gethostname()
    assert started + timedelta(minutes=44) <= held.expires_at <= utc_now() + timedelta(minutes=45)


def test_a_shared_tracking_server_keeps_the_lock_without_a_lease(
    demo_dir: Path, tmp_path: Path
) -> None:
    for url in fresh_database("postgresql", tmp_path):
        config = demo_dir / "config.yaml"
        config.write_text(config.read_text() + connection_block(url))
        with LocalStore.open(demo_dir / "crm.sqlite") as inner:
            store = LeaseCounting(inner)
            outcome = run_distribution(load_config(config), False, OPTIONS, store=store)
        assert outcome.applied is not None and outcome.applied.complete
        assert store.leases == []  # the advisory lock in the shared database is the lock


# --- the round-robin rotation in the tracking database ---------------------------


def test_the_rotation_moves_with_the_runs_completion_or_not_at_all(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = load_config(demo_dir / "config.yaml")

    def failing(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("INSERT INTO odlm_rotation", {}, Exception("disk I/O error"))

    # The rotation's write fails inside the transaction that records the completion.
    monkeypatch.setattr("odoo_lead_manager.state.journal.upsert", failing)
    with pytest.raises(RunStopped, match="every batch was written but the run's end is not"):
        run_distribution(loaded, False, OPTIONS)
    journal, _ = open_journal(tracking_settings(loaded))
    try:
        (record,) = journal.recent(1)
        assert record.status == "applying"  # not completed without its rotation ...
        assert journal.rotation("Voice", CYCLE) == (False, None)  # ... nor the reverse
        monkeypatch.undo()
        again = run_distribution(loaded, False, OPTIONS)
        assert again.applied is not None and again.applied.resumed
        assert again.plan.run_id == record.run_id and again.applied.write_calls == 0
        assert journal.run(record.run_id).status == "completed"  # type: ignore[union-attr]
        assert journal.rotation("Voice", CYCLE) == (True, again.plan.rotation)
    finally:
        journal.close()


def test_an_older_versions_state_file_is_read_once(demo_dir: Path) -> None:
    loaded = load_config(demo_dir / "config.yaml")
    people = [p.user_id for p in run_distribution(loaded, True, OPTIONS).plan.salespeople]
    order = people[::-1]
    state = rotation_path(tracking_settings(loaded), "Voice")
    state.write_text(f'{{"cycle": "{CYCLE}", "order": {order}, "next_user": {order[2]}}}')
    dry = run_distribution(loaded, True, replace(OPTIONS, seed=5)).plan
    # The file's turn order, not one drawn anew from this seed.
    assert dry.rotation is not None and dry.rotation.order == tuple(order)
    real = run_distribution(loaded, False, replace(OPTIONS, seed=5)).plan
    journal, _ = open_journal(tracking_settings(loaded))
    try:
        assert journal.rotation("Voice", CYCLE) == (True, real.rotation)
        # From now on the journal holds the position: the file is not read again.
        state.write_text("{not json")
        assert current_rotation(tracking_settings(loaded), journal, TODAY) == real.rotation
    finally:
        journal.close()
    assert run_distribution(loaded, True, OPTIONS).plan.rotation is not None


def test_two_copies_sharing_one_postgresql_share_the_rotation_and_the_day(
    demo_dir: Path, tmp_path: Path
) -> None:
    for url in fresh_database("postgresql", tmp_path):
        first = demo_dir / "config.yaml"
        second = second_copy(demo_dir, tmp_path)
        for config in (first, second):
            config.write_text(config.read_text() + connection_block(url))
        real = run_distribution(load_config(first), False, OPTIONS)
        assert real.applied is not None and real.plan.rotation is not None
        other = load_config(second)
        journal, _ = open_journal(tracking_settings(other))
        try:
            assert current_rotation(tracking_settings(other), journal, TODAY) == real.plan.rotation
        finally:
            journal.close()
        dry = run_distribution(other, True, replace(OPTIONS, seed=77)).plan
        assert dry.rotation is not None and dry.rotation.order[: len(real.plan.rotation.order)] == (
            real.plan.rotation.order
        )
        # One journal for both copies: the campaign is distributed once that day.
        again = run_distribution(other, False, OPTIONS)
        assert again.applied is None and "distributed on 2024-06-14 already" in again.notes[-1]


# --- a real PostgreSQL tracking database, stopped mid-test ----------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def private_postgresql() -> Iterator[tuple[int, Any]]:
    """A PostgreSQL cluster of this test's own on a free port, and a function stopping it.

    Never the machine's shared server: other tests use that one. PostgreSQL
    refuses to run as root, so as root the cluster belongs to ``postgres``.
    """
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (PG_BIN / tool).exists():
            pytest.skip(f"{PG_BIN / tool} is not installed here")
    as_owner: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    # Not under pytest's tmp_path: its parents are closed to other users.
    home = Path(tempfile.mkdtemp(prefix="odlm-pg-"))
    data = home / "data"
    port = _free_port()
    try:
        if as_owner:
            shutil.chown(home, "postgres", "postgres")

        def run(*command: str) -> None:
            done = subprocess.run([*as_owner, *command], cwd=home, capture_output=True,
                                  text=True, timeout=120)  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr

        run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1"
        run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(home / "log"),
            "-w", "start")  # fmt: skip

        def stop() -> None:
            run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")

        try:
            yield port, stop
        finally:
            subprocess.run([*as_owner, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m",
                            "immediate", "stop"], cwd=home, capture_output=True,
                           timeout=120)  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_a_real_postgresql_stopped_between_two_runs_refuses_the_second(
    demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with private_postgresql() as (port, stop):
        config = demo_dir / "config.yaml"
        config.write_text(
            config.read_text()
            + f"database_connection: {{type: postgresql, host: 127.0.0.1, port: {port}, "
            "database: postgres, username: postgres, password: s3cret-tracking-pw}\n"
        )
        argv = ["dailydist", "--config", str(config), "--today", "2024-06-14", "--seed", "3"]
        assert main([*argv, "--run-again"]) == 0
        capsys.readouterr()
        distributed = snapshot(demo_dir / "crm.sqlite")
        stop()  # the tracking database goes down between two runs
        assert main([*argv, "--run-again"]) == 2
        err = " ".join(capsys.readouterr().err.split())
        assert f"postgres:***@127.0.0.1:{port}/postgres" in err
        assert "set tracking.local_fallback: true" in err and "nothing was changed" in err
        assert "s3cret-tracking-pw" not in err and "Traceback" not in err
        assert main([*argv, "--dry-run"]) == 2
        capsys.readouterr()
    # Nothing written, no lease, no local journal: the refusal came before planning.
    assert snapshot(demo_dir / "crm.sqlite") == distributed
    assert leases(demo_dir / "crm.sqlite") == []
    assert not (demo_dir / ".odlm-state" / "tracking.sqlite").exists()
