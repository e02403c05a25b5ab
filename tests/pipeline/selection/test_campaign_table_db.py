"""The campaign table read from a database: SQLite always, PostgreSQL and MariaDB here.

The table follows §5.2 (id, salesperson_name, salesperson_id, campaign_name,
active, team, level, target_leads, timestamps). Each test creates its own
table under a unique name and drops it afterwards.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    func,
)
from sqlalchemy.exc import OperationalError

from odoo_lead_manager.commands.resolve import read_settings
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.errors import ConfigError, DataFileError, UserInputError
from odoo_lead_manager.snapshot.selection import select_from_config
from tests.pipeline.selection.conftest import Configure

SERVERS = {
    "sqlite": None,
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}
CONNECTIONS = {
    "postgresql": "database_connection: {type: postgresql, host: 127.0.0.1, port: 5432, "
    "database: test, username: postgres}\n",
    "mariadb": "database_connection: {type: mariadb, host: 127.0.0.1, port: 3306, "
    "database: test, username: root}\n",
}
ROWS = [
    ("Alice Smith", 10, "Voice", True, "Voice", "senior", 200),
    ("Bob Johnson", None, "Voice", True, "Voice", "senior", 200),
    ("Carol Williams", None, "Voice", False, "Voice", "mid_level", 150),
    ("Gina Wilson", None, "Apple", True, "Apple", "senior", 200),
]


def campaign_table(name: str) -> Table:
    return Table(
        name, MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("salesperson_name", String(255), nullable=False),
        Column("salesperson_id", Integer),
        Column("campaign_name", String(255), nullable=False),
        Column("active", Boolean, default=True),
        Column("team", String(100)),
        Column("level", String(50)),
        Column("target_leads", Integer, default=150),
        Column("created_at", DateTime, server_default=func.now()),
    )  # fmt: skip


@pytest.fixture(params=list(SERVERS))
def database(request: pytest.FixtureRequest, demo_dir: Path) -> Iterator[tuple[Engine, str, str]]:
    """An engine, the database_connection block for it, and a fresh table name."""
    kind = request.param
    if kind == "sqlite":
        engine = create_engine(f"sqlite:///{demo_dir / 'campaigns.db'}")
        block = "database_connection: {type: sqlite, database: campaigns.db}\n"
    else:
        engine = create_engine(SERVERS[kind])
        block = CONNECTIONS[kind]
        try:
            engine.connect().close()
        except OperationalError as error:
            pytest.skip(f"{kind} is not reachable here: {error.orig}")
    name = f"odlm_campaigns_{uuid.uuid4().hex[:8]}"
    table = campaign_table(name)
    table.create(engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), [
            dict(zip(["salesperson_name", "salesperson_id", "campaign_name", "active", "team",
                      "level", "target_leads"], row, strict=True))
            for row in ROWS
        ])  # fmt: skip
    try:
        yield engine, block, name
    finally:
        table.drop(engine)
        engine.dispose()


def selection_block(table: str, extra: str = "") -> str:
    return f"""
salesperson_selection:
  source_type: campaign_table
  source_config:
    campaign_table:
      table_name: {table}
      campaign_column: campaign_name
      salesperson_column: salesperson_name
      active_column: active{extra}
  campaign_filtering: {{target_campaign: Voice}}
"""


def test_reads_the_campaign_table(
    configure: Configure, store: LocalStore, database: tuple[Engine, str, str]
) -> None:
    _, connection, table = database
    loaded = configure(selection_block(table), connection)
    selection = select_from_config(
        loaded.config.salesperson_selection,
        read_settings(loaded),
        store,
        loaded.config.target_campaign,
    )
    assert [(p.name, p.level, p.target_leads) for p in selection.eligible] == [
        ("Alice Smith", "senior", 200),
        ("Bob Johnson", "senior", 200),
    ]
    assert dict(selection.left_out) == {"Carol Williams": "inactive"}
    assert selection.table_rows == 4


def test_missing_table_and_columns_are_named(
    configure: Configure, store: LocalStore, database: tuple[Engine, str, str]
) -> None:
    _, connection, table = database
    loaded = configure(selection_block(table + "_nope"), connection)
    with pytest.raises(DataFileError, match=f"campaign table {table}_nope not found"):
        select_from_config(
            loaded.config.salesperson_selection, read_settings(loaded), store, "Voice"
        )
    loaded = configure(selection_block(table).replace("salesperson_name", "seller"), connection)
    with pytest.raises(DataFileError, match=re.escape("missing column(s) seller")):
        select_from_config(
            loaded.config.salesperson_selection, read_settings(loaded), store, "Voice"
        )


@pytest.mark.parametrize(
    "bad",
    ["campaigns; DROP TABLE res_users", "campaigns where 1=1", "a.b.c", "x'--"],
)
def test_names_from_config_are_identifiers_only(
    configure: Configure, store: LocalStore, bad: str
) -> None:
    loaded = configure(
        selection_block(f'"{bad}"'), "database_connection: {type: sqlite, database: x.db}\n"
    )
    with pytest.raises(ConfigError, match="is not a plain identifier"):
        select_from_config(
            loaded.config.salesperson_selection, read_settings(loaded), store, "Voice"
        )


def test_bad_values_name_the_table_and_row(
    configure: Configure, store: LocalStore, demo_dir: Path
) -> None:
    engine = create_engine(f"sqlite:///{demo_dir / 'campaigns.db'}")
    table = Table(
        "loose", MetaData(), Column("salesperson_name", String), Column("campaign_name", String),
        Column("active", String), Column("target_leads", String),
    )  # fmt: skip
    table.create(engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), [
            {"salesperson_name": "Alice Smith", "campaign_name": "Voice", "active": "yes"},
            {"salesperson_name": "Bob Johnson", "campaign_name": "Voice", "active": "sometimes"},
        ])  # fmt: skip
    engine.dispose()
    loaded = configure(
        selection_block("loose"), "database_connection: {type: sqlite, database: campaigns.db}\n"
    )
    with pytest.raises(DataFileError, match="table loose, line 2, column active: 'sometimes'"):
        select_from_config(
            loaded.config.salesperson_selection, read_settings(loaded), store, "Voice"
        )


def test_unreachable_server_is_one_sentence_without_the_password(
    configure: Configure, store: LocalStore
) -> None:
    loaded = configure(
        selection_block("campaigns"),
        "database_connection: {type: postgresql, host: 127.0.0.1, port: 1, database: test, "
        "username: someone, password: s3cret-pass}\n",
    )
    with pytest.raises(UserInputError) as err:
        select_from_config(
            loaded.config.salesperson_selection, read_settings(loaded), store, "Voice"
        )
    message = str(err.value)
    assert message.startswith("database postgresql+psycopg://someone:***@127.0.0.1:1/test: ")
    assert "s3cret-pass" not in message and "\n" not in message
