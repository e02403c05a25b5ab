"""The tracking database by URL or by the database_connection block, the §9.4 variables and TLS."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.commands.resolve import tracking_settings
from odoo_lead_manager.config.loading import LoadedConfig, load_config
from odoo_lead_manager.errors import ConfigError, UserInputError
from odoo_lead_manager.state.database import where
from odoo_lead_manager.state.engines import database_engine
from odoo_lead_manager.state.tracking import open_tracking

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def config_with(tmp_path: Path, block: str, environ: dict[str, str] | None = None) -> LoadedConfig:
    path = tmp_path / "config.yaml"
    path.write_text(f"campaign: {{name: Voice}}\ndatabase_connection: {block}\n")
    return load_config(path, environ=environ or {})


class Connected(Exception):
    """Raised instead of connecting, carrying what the driver would have been given."""


def driver_arguments(engine: Engine) -> dict[str, Any]:
    def capture(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        raise Connected(dict(cparams))

    event.listen(engine, "do_connect", capture)
    try:
        engine.connect()
    except Connected as given:
        return given.args[0]  # type: ignore[no-any-return]
    finally:
        engine.dispose()
    raise AssertionError("the engine connected without asking the driver")


def test_a_url_picks_odlms_driver_and_relative_sqlite_paths_follow_the_config(
    tmp_path: Path,
) -> None:
    engine = database_engine(
        config_with(tmp_path, "{url: 'sqlite:///history/odlm.sqlite'}").config.database_connection,
        config_with(tmp_path, "{url: 'sqlite:///history/odlm.sqlite'}").source,
    )
    assert engine.url.database == str(tmp_path / "history" / "odlm.sqlite")
    engine = database_engine(
        config_with(
            tmp_path, "{url: 'postgresql+psycopg2://odlm:s3cret@db.example.com/track'}"
        ).config.database_connection,
        config_with(
            tmp_path, "{url: 'postgresql+psycopg2://odlm:s3cret@db.example.com/track'}"
        ).source,
    )
    assert engine.url.drivername == "postgresql+psycopg"
    assert "s3cret" not in where(engine)
    engine = database_engine(
        config_with(tmp_path, "{url: 'mariadb://odlm@db/track'}").config.database_connection,
        config_with(tmp_path, "{url: 'mariadb://odlm@db/track'}").source,
    )
    assert engine.url.drivername == "mysql+pymysql"


def test_the_url_may_come_from_the_environment(tmp_path: Path) -> None:
    loaded = config_with(
        tmp_path, "{}", {"TRACKING_DB_URL": "postgresql://postgres@127.0.0.1:5432/test"}
    )
    assert database_engine(loaded.config.database_connection, loaded.source).url.host == "127.0.0.1"


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("{url: 'postgresql://u@h/d', host: other}", "give either url or host, not both"),
        ("{url: 'oracle://u:pw@h/d'}", "'oracle' databases are not supported"),
        ("{url: 'not a url :pw@'}", "database_connection.url: not a database URL"),
        ("{type: sqlite}", "database_connection.database: the SQLite file"),
    ],
)
def test_a_bad_connection_is_one_clear_message(tmp_path: Path, block: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        database_engine(
            config_with(tmp_path, block).config.database_connection,
            config_with(tmp_path, block).source,
        )
    assert "pw" not in caught.value.message
    assert str(tmp_path / "config.yaml") in caught.value.message


def test_keys_left_out_come_from_the_spec_variables(tmp_path: Path) -> None:
    environ = {
        "TRACKING_DB_HOST": "track.example.com",
        "TRACKING_DB_PORT": "6543",
        "TRACKING_DB_NAME": "lead_distribution_tracking",
        "TRACKING_DB_USER": "tracking_user",
        "TRACKING_DB_PASSWORD": "p4ssw0rd",
    }
    engine = database_engine(
        config_with(tmp_path, "{type: postgresql}", environ).config.database_connection,
        config_with(tmp_path, "{type: postgresql}", environ).source,
    )
    url = engine.url
    assert (url.host, url.port, url.database, url.username) == (
        "track.example.com",
        6543,
        "lead_distribution_tracking",
        "tracking_user",
    )
    assert url.password == "p4ssw0rd" and "p4ssw0rd" not in where(engine)
    # A key in the file wins over the variable.
    engine = database_engine(
        config_with(tmp_path, "{type: postgresql, host: db1}", environ).config.database_connection,
        config_with(tmp_path, "{type: postgresql, host: db1}", environ).source,
    )
    assert engine.url.host == "db1"


@pytest.fixture
def certificates(tmp_path: Path) -> dict[str, str]:
    if not CA_BUNDLE.is_file():
        pytest.skip(f"no CA bundle at {CA_BUNDLE}")
    files = {}
    for name in ("ca.pem", "client.pem", "client.key"):
        shutil.copy(CA_BUNDLE, tmp_path / name)
        files[name] = str(tmp_path / name)
    return files


def test_tls_files_reach_the_postgresql_driver(
    tmp_path: Path, certificates: dict[str, str]
) -> None:
    environ = {
        "DB_CA_CERT": certificates["ca.pem"],
        "DB_CLIENT_CERT": certificates["client.pem"],
        "DB_CLIENT_KEY": certificates["client.key"],
    }
    loaded = config_with(tmp_path, "{type: postgresql, host: 127.0.0.1, database: test}", environ)
    given = driver_arguments(database_engine(loaded.config.database_connection, loaded.source))
    assert given["sslmode"] == "verify-full"
    assert given["sslrootcert"] == certificates["ca.pem"]
    assert (given["sslcert"], given["sslkey"]) == (
        certificates["client.pem"],
        certificates["client.key"],
    )


def test_tls_files_reach_the_mysql_driver(tmp_path: Path, certificates: dict[str, str]) -> None:
    block = "{type: mariadb, host: 127.0.0.1, database: test, ssl_ca: ca.pem}"
    given = driver_arguments(
        database_engine(
            config_with(tmp_path, block).config.database_connection,
            config_with(tmp_path, block).source,
        )
    )
    assert given["ssl"] == {"ca": certificates["ca.pem"]}


@pytest.mark.parametrize(
    ("kind", "port", "user"), [("postgresql", 5432, "postgres"), ("mariadb", 3306, "root")]
)
def test_tls_required_by_a_ca_is_refused_by_a_server_without_it(
    tmp_path: Path, certificates: dict[str, str], kind: str, port: int, user: str
) -> None:
    block = f"{{type: {kind}, host: 127.0.0.1, port: {port}, database: test, username: {user}}}"
    loaded = config_with(tmp_path, block, {"DB_CA_CERT": certificates["ca.pem"]})
    engine = database_engine(loaded.config.database_connection, loaded.source)
    try:
        engine.connect().close()
    except SQLAlchemyError as error:
        assert "ssl" in str(error.orig).lower()
    else:
        pytest.skip(f"this {kind} server speaks TLS; nothing to refuse")
    finally:
        engine.dispose()
    # The encrypted connection was asked for, so odlm does not fall back to plain text.
    path = tmp_path / "config.yaml"
    path.write_text(path.read_text() + "tracking: {required: true}\n")
    with pytest.raises(UserInputError, match=r"(?i)ssl"):
        open_tracking(
            tracking_settings(load_config(path, environ={"DB_CA_CERT": certificates["ca.pem"]}))
        )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"DB_CA_CERT": "missing-ca.pem"},
            r"database_connection.ssl_ca \(DB_CA_CERT\): no such file",
        ),
        ({"DB_CLIENT_CERT": "ca.pem"}, r"needs both ssl_cert \(DB_CLIENT_CERT\) and ssl_key"),
    ],
)
def test_bad_tls_files_stop_the_run_with_status_2(
    tmp_path: Path,
    certificates: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    environ: dict[str, str],
    message: str,
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    config = tmp_path / "config.yaml"
    config.write_text(
        "campaign: {name: Voice}\ndatabase_connection: {type: postgresql, host: 127.0.0.1}\n"
    )
    assert main(["runs", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if line.strip()]) <= 2
    assert re.search(message, err.replace("\n", " "))


@pytest.mark.parametrize(
    ("block", "module", "extra"),
    [
        ("{url: 'postgresql://odlm@db.example.com/track'}", "psycopg", "postgresql"),
        ("{type: mariadb, host: db.example.com, database: track}", "pymysql", "mysql"),
    ],
)
def test_a_server_database_without_its_driver_names_the_extra_to_install(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    block: str,
    module: str,
    extra: str,
) -> None:
    # A None entry in sys.modules makes the import fail as if the package were absent.
    monkeypatch.setitem(sys.modules, module, None)
    loaded = config_with(tmp_path, block)
    with pytest.raises(ConfigError, match=rf"pip install 'odoo-lead-manager\[{extra}\]'"):
        database_engine(loaded.config.database_connection, loaded.source)
    assert main(["runs", "--config", str(loaded.path)]) == 2
    err = capsys.readouterr().err
    assert f"database_connection: a {'postgresql' if extra == 'postgresql' else 'mysql'}" in err
    assert f"odoo-lead-manager[{extra}]" in err
    assert not (tmp_path / ".odlm-state").exists()
