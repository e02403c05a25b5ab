"""deploy/docker: the image builds from the repository and runs odlm, its state in a
volume; the compose example's configuration and wiring run against PostgreSQL.

The image tests need a Docker daemon (``docker info``) and the Dockerfile's Python
base image, pulled or already there; ``ODLM_DOCKER_PYTHON_IMAGE`` names another base
(a local or mirrored Debian-based Python 3.11+ image with the venv module).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from tests.deploy.helpers import DEPLOY, DEV_ODLM, REPO, clean_environment, run

DOCKER = DEPLOY / "docker"
DOCKERFILE = DOCKER / "Dockerfile"
COMPOSE = DOCKER / "compose.yaml"
EXAMPLE_CONFIG = DOCKER / "odlm" / "voice.yaml"
POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# What the compose example changes in the demo configuration, and nothing else.
EXAMPLE_CHANGES: dict[tuple[str, ...], Any] = {
    ("crm", "local_path"): "/var/lib/odlm/demo/crm.sqlite",
    (
        "salesperson_selection",
        "source_config",
        "campaign_table",
        "file_path",
    ): "/var/lib/odlm/demo/salesperson_campaigns.csv",
    ("database_connection",): {"type": "postgresql"},
    ("execution", "state_dir"): "/var/lib/odlm/voice",
}


def pop(data: dict[str, Any], where: tuple[str, ...]) -> Any:
    *parents, last = where
    for key in parents:
        data = data[key]
    return data.pop(last, None)


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def postgresql_database() -> Iterator[URL]:
    """A new, empty database on the suite's PostgreSQL server, dropped afterwards."""
    admin = create_engine(POSTGRESQL, isolation_level="AUTOCOMMIT")
    name = f"odlm_deploy_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432: {error.orig}")
    try:
        yield make_url(POSTGRESQL).set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


def recorded_runs(url: URL) -> list[tuple[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT campaign, status FROM odlm_run")).all()
    finally:
        engine.dispose()
    return [(row[0], row[1]) for row in rows]


def tracking_environment(url: URL) -> dict[str, str]:
    """The compose file's TRACKING_DB_* for the odlm services, pointed at ``url``."""
    environment: dict[str, str] = dict(compose()["x-odlm"]["environment"])
    assert set(environment) == {
        "TRACKING_DB_HOST",
        "TRACKING_DB_PORT",
        "TRACKING_DB_NAME",
        "TRACKING_DB_USER",
    }
    environment.update(
        TRACKING_DB_HOST=str(url.host),
        TRACKING_DB_PORT=str(url.port),
        TRACKING_DB_NAME=str(url.database),
        TRACKING_DB_USER=str(url.username),
    )
    return environment


def test_the_example_configuration_is_the_demo_with_its_paths_and_postgresql(
    todays_demo_dir: Path,
) -> None:
    demo = yaml.safe_load((todays_demo_dir / "config.yaml").read_text(encoding="utf-8"))
    example = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    for where, value in EXAMPLE_CHANGES.items():
        assert pop(example, where) == value, where
        pop(demo, where)
    # So that a change to `odlm demo` shows here until the example follows it.
    assert example == demo


def test_the_example_configuration_runs_against_postgresql(
    postgresql_database: URL, tmp_path: Path
) -> None:
    root = tmp_path / "var-lib-odlm"
    made = run([DEV_ODLM, "demo", "--dir", root / "demo"])
    assert made.returncode == 0, made.stderr
    config = tmp_path / "voice.yaml"
    config.write_text(
        EXAMPLE_CONFIG.read_text(encoding="utf-8").replace("/var/lib/odlm/", f"{root}/"),
        encoding="utf-8",
    )
    env = clean_environment(**tracking_environment(postgresql_database))
    first = run([DEV_ODLM, "dailydist", "--config", config], cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    second = run([DEV_ODLM, "dailydist", "--config", config], cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    assert recorded_runs(postgresql_database) == [("Voice", "completed")]
    # The journal is in PostgreSQL, not in an SQLite file in the state directory.
    assert not (root / "voice" / "tracking.sqlite").exists()


def compose_command() -> list[str] | None:
    if shutil.which("docker") and run(["docker", "compose", "version"]).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_accepts_the_example_file() -> None:
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed here")
    checked = run([*command, "-f", COMPOSE, "config", "--services"], cwd=DOCKER)
    assert checked.returncode == 0, checked.stderr
    assert sorted(checked.stdout.split()) == ["dailydist", "db", "demo", "status"]


def base_image() -> str:
    configured = os.environ.get("ODLM_DOCKER_PYTHON_IMAGE")
    if configured:
        return configured
    default = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", DOCKERFILE.read_text(encoding="utf-8"), re.M)
    assert default, "the Dockerfile names no default PYTHON_IMAGE"
    return default.group(1)


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    """The image built from the repository root, removed after the module's tests."""
    if shutil.which("docker") is None:
        pytest.skip("there is no docker command here")
    info = run(["docker", "info"], timeout=60)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["docker info failed"])[-1]
        pytest.skip(f"no Docker daemon is reachable: {reason}")
    base = base_image()
    if run(["docker", "image", "inspect", base], timeout=60).returncode != 0:
        pulled = run(["docker", "pull", base], timeout=600)
        if pulled.returncode != 0:
            pytest.skip(f"the base image {base} cannot be pulled: {pulled.stderr.strip()}")
    tag = f"odlm-deploy-test:{uuid.uuid4().hex[:12]}"
    built = run(
        [
            "docker",
            "build",
            "--file",
            DOCKERFILE,
            "--build-arg",
            f"PYTHON_IMAGE={base}",
            "--tag",
            tag,
            ".",
        ],
        cwd=REPO,
        timeout=1200,
    )
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr
    try:
        yield tag
    finally:
        run(["docker", "image", "rm", "--force", tag], timeout=120)


@pytest.fixture
def state_volume() -> Iterator[str]:
    name = f"odlm-deploy-test-{uuid.uuid4().hex[:12]}"
    created = run(["docker", "volume", "create", name], timeout=60)
    assert created.returncode == 0, created.stderr
    try:
        yield name
    finally:
        run(["docker", "volume", "rm", "--force", name], timeout=60)


def docker_run(*arguments: str | Path) -> tuple[int, str, str]:
    outcome = run(["docker", "run", "--rm", *arguments], timeout=300)
    return outcome.returncode, outcome.stdout, outcome.stderr


def test_the_image_runs_the_demo_by_default_as_a_user_without_privileges(image: str) -> None:
    code, out, err = docker_run(image)
    assert code == 0, err
    assert "Demo CRM written to /tmp/odlm-demo/crm.sqlite" in out
    code, out, err = docker_run("--entrypoint", "id", image, "-u")
    assert (code, out.strip()) == (0, "10001"), err
    code, out, err = docker_run("--entrypoint", "python3", image, "-c", "import psycopg, pymysql")
    assert code == 0, err


def test_state_in_the_volume_outlives_the_container(image: str, state_volume: str) -> None:
    volume = f"{state_volume}:/var/lib/odlm"
    config = "/var/lib/odlm/demo/config.yaml"
    code, _, err = docker_run("-v", volume, image, "demo", "--dir", "/var/lib/odlm/demo")
    assert code == 0, err
    code, out, err = docker_run("-v", volume, image, "dailydist", "--config", config, "--dry-run")
    assert code == 0, err
    assert "This was a DRY RUN" in out
    code, out, err = docker_run("-v", volume, image, "dailydist", "--config", config)
    assert code == 0, err
    # A new container, the same volume: the once-a-day guard sees the morning's run.
    code, out, err = docker_run("-v", volume, image, "dailydist", "--config", config)
    assert code == 0, err
    assert "nothing changed" in out
    code, out, err = docker_run("-v", volume, image, "status", "--config", config)
    assert code == 0, out + err


def test_the_compose_wiring_runs_against_postgresql(
    image: str, state_volume: str, postgresql_database: URL, tmp_path: Path
) -> None:
    # compose.yaml's own entrypoints, environment, mounts and secret file, on the host's
    # network to reach the suite's PostgreSQL instead of the compose service `db`.
    services = compose()["services"]
    odlm = compose()["x-odlm"]
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "TRACKING_DB_PASSWORD").write_text("not-needed-on-a-trusting-server\n")
    (secrets / "TRACKING_DB_PASSWORD").chmod(0o644)
    environment = [
        f"--env={key}={value}" for key, value in tracking_environment(postgresql_database).items()
    ]
    mounts = [
        f"--volume={state_volume}:/var/lib/odlm",
        f"--volume={DOCKER / 'odlm'}:/etc/odlm:ro",
        f"--volume={secrets / 'TRACKING_DB_PASSWORD'}:/run/secrets/TRACKING_DB_PASSWORD:ro",
    ]
    demo = services["demo"]["entrypoint"]
    code, _, err = docker_run(*mounts, f"--entrypoint={demo[0]}", image, *demo[1:])
    assert code == 0, err

    shell, flag, script, name = odlm["entrypoint"]
    # Compose writes $$ for a literal $.
    script = script.replace("$$", "$")
    command = services["dailydist"]["command"]
    # The morning's run, then the same command again: the guard is in PostgreSQL now.
    for _ in range(2):
        code, out, err = docker_run(
            "--network=host",
            *environment,
            *mounts,
            f"--entrypoint={shell}",
            image,
            flag,
            script,
            name,
            *command,
        )
        assert code == 0, err
    assert "nothing changed" in out
    assert recorded_runs(postgresql_database) == [("Voice", "completed")]

    # The entrypoint puts each secret file into odlm's environment.
    code, out, err = docker_run(
        *mounts,
        f"--entrypoint={shell}",
        image,
        flag,
        script.replace("exec odlm", "exec env"),
        name,
    )
    assert code == 0, err
    assert "TRACKING_DB_PASSWORD=not-needed-on-a-trusting-server" in out.splitlines()
    code, out, err = docker_run(
        "--network=host",
        *environment,
        *mounts,
        f"--entrypoint={shell}",
        image,
        flag,
        script,
        name,
        *services["status"]["command"],
    )
    assert code == 0, out + err
