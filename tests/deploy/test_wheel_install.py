"""The wheel as a server gets it (docs/deploying.md): built from a clean copy of the
source, installed into a fresh venv from the package index, run from a directory
outside the source tree.

Slow (a minute or so, mostly the download of the dependencies): one test does the
whole path, so that the build and the install happen once.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from tests.deploy.helpers import REPO, clean_environment, copy_source_tree, run


def test_the_wheel_built_from_a_clean_copy_installs_and_runs_the_demo(tmp_path: Path) -> None:
    timings: dict[str, float] = {}
    started = time.monotonic()
    source = copy_source_tree(tmp_path / "source")
    dist = tmp_path / "dist"
    env = clean_environment(PYTHONDONTWRITEBYTECODE="1")

    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", dist, source],
        env=env,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list(dist.glob("odoo_lead_manager-*.whl"))
    assert len(wheels) == 1, wheels
    timings["copy and build"] = time.monotonic() - started

    mark = time.monotonic()
    venv = tmp_path / "venv"
    created = run([sys.executable, "-m", "venv", venv], env=env)
    assert created.returncode == 0, created.stderr
    installed = run([venv / "bin" / "pip", "install", wheels[0]], env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    timings["venv and install"] = time.monotonic() - mark

    odlm = venv / "bin" / "odlm"
    work = tmp_path / "elsewhere"
    work.mkdir()
    located = run(
        [
            venv / "bin" / "python",
            "-c",
            "import odoo_lead_manager; print(odoo_lead_manager.__file__)",
        ],
        cwd=work,
        env=env,
    )
    assert located.returncode == 0, located.stderr
    module = Path(located.stdout.strip())
    assert module.is_relative_to(venv / "lib"), module
    assert not module.is_relative_to(REPO)

    mark = time.monotonic()
    demo = run([odlm, "demo", "--dir", "demo"], cwd=work, env=env)
    assert demo.returncode == 0, demo.stderr
    config = work / "demo" / "config.yaml"
    assert config.is_file()

    dry = run([odlm, "dailydist", "--config", config, "--dry-run"], cwd=work, env=env)
    assert dry.returncode == 0, dry.stderr
    assert "This was a DRY RUN: nothing was changed in the CRM." in dry.stdout

    # A real run with an HTML report: the report templates are package data, which
    # only an installed wheel (not the source tree) shows to be shipped.
    reports = tmp_path / "reports"
    real = run(
        [
            odlm,
            "dailydist",
            "--config",
            config,
            "--report-format",
            "html",
            "--report-location",
            reports,
        ],
        cwd=work,
        env=env,
    )
    assert real.returncode == 0, real.stderr
    assert [p.suffix for p in reports.iterdir()] == [".html"]

    # What the timer's catch-up start or cron's second line does on a day already done.
    again = run([odlm, "dailydist", "--config", config], cwd=work, env=env)
    assert again.returncode == 0, again.stderr
    assert "was distributed on" in again.stdout and "nothing changed" in again.stdout

    checked = run([odlm, "status", "--config", config, "--format", "json"], cwd=work, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["exit_status"] == 0
    timings["demo, dry run, run, rerun, status"] = time.monotonic() - mark

    # No file of the run inside the source copy: the state is beside the configuration.
    assert (work / "demo" / ".odlm-state").is_dir()
    print(", ".join(f"{step}: {seconds:.1f} s" for step, seconds in timings.items()))
