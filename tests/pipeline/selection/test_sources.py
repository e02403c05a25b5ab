"""Every selection source of §2.1, through the configuration, on the demo CRM."""

from __future__ import annotations

from pathlib import Path

import pytest

from odoo_lead_manager.commands.resolve import read_settings
from odoo_lead_manager.crm.local.store import LocalStore
from odoo_lead_manager.domain.model import User
from odoo_lead_manager.errors import ConfigError, DataFileError, UserInputError
from odoo_lead_manager.snapshot.selection import select_from_config
from tests.pipeline.selection.conftest import Configure

VOICE_ACTIVE = ["Alice Smith", "Bob Johnson", "Carol Williams", "Dave Brown"]


def names(people: object) -> list[str]:
    return [p.name for p in people]  # type: ignore[attr-defined]


def select(configure: Configure, store: LocalStore, block: str) -> object:
    loaded = configure(block)
    return select_from_config(
        loaded.config.salesperson_selection,
        read_settings(loaded),
        store,
        loaded.config.target_campaign,
    )


def test_campaign_table_csv(configure: Configure, store: LocalStore) -> None:
    selection = select(
        configure,
        store,
        """
salesperson_selection:
  source_type: campaign_table
  source_config:
    campaign_table: {file_path: salesperson_campaigns.csv}
  campaign_filtering:
    target_campaign: Voice
    exclude_specific_users: ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]
""",
    )
    assert names(selection.eligible) == VOICE_ACTIVE  # type: ignore[attr-defined]
    assert dict(selection.left_out)["Eve Davis"] == "inactive"  # type: ignore[attr-defined]


def test_legacy_file_with_comments_ids_levels_and_targets(
    configure: Configure, store: LocalStore, demo_dir: Path
) -> None:
    (demo_dir / "people.txt").write_text(
        "# Salesperson list - one per line\n"
        "# Format: name|id|level|target_leads\n"
        "\n"
        "Alice Smith|10|senior|200\n"
        "  bob.johnson | 11 | mid_level |\n"
        "Carol Williams\n"
        "dave.brown||junior|100\n"
    )
    selection = select(
        configure,
        store,
        """
salesperson_selection:
  source_type: file
  source_config: {file_path: people.txt}
""",
    )
    eligible = selection.eligible  # type: ignore[attr-defined]
    assert names(eligible) == VOICE_ACTIVE
    assert [(p.level, p.target_leads) for p in eligible] == [
        ("senior", 200),
        ("mid_level", None),
        (None, None),
        ("junior", 100),
    ]
    assert {p.campaign for p in eligible} == {"Voice"}


def test_demo_salespeople_file_is_the_legacy_format(
    configure: Configure, store: LocalStore
) -> None:
    selection = select(
        configure,
        store,
        """
salesperson_selection:
  source_type: file
  source_config: {file_path: salespeople.txt}
  campaign_filtering: {target_campaign: Voice}
""",
    )
    assert "Alice Smith" in names(selection.eligible)  # type: ignore[attr-defined]


def test_list_of_names_logins_and_legacy_entries(configure: Configure, store: LocalStore) -> None:
    selection = select(
        configure,
        store,
        """
salesperson_selection:
  source_type: list
  source_config:
    salespeople_list: ["alice.smith", "Bob Johnson", "Carol Williams|12|mid_level|150"]
""",
    )
    eligible = selection.eligible  # type: ignore[attr-defined]
    assert names(eligible) == VOICE_ACTIVE[:3]
    assert eligible[2].target_leads == 150


def test_database_query_where_clause(configure: Configure, store: LocalStore) -> None:
    # The spec's own example, with the demo's Apple team id.
    selection = select(
        configure,
        store,
        """
salesperson_selection:
  source_type: database
  source_config:
    database_query:
      table: res_users
      where_clause: "active = true AND sales_team_id = 2"
      fields: ["name", "id", "sales_team_id"]
""",
    )
    assert names(selection.eligible) == [  # type: ignore[attr-defined]
        "Marc Spiegel",
        "Kevin Levonas",
        "Gina Wilson",
        "Henry Jones",
        "Irene Clark",
        "Jack Lewis",
    ]
    assert selection.source_label == "from the query"  # type: ignore[attr-defined]


def test_database_query_domain_and_team_by_name(configure: Configure, store: LocalStore) -> None:
    selection = select(
        configure,
        store,
        """
salesperson_selection:
  source_type: database
  source_config:
    database_query:
      domain: [[team, "=", Voice], "|", [login, "=like", "a%"], [login, "=like", "b%"]]
""",
    )
    assert names(selection.eligible) == ["Alice Smith", "Bob Johnson"]  # type: ignore[attr-defined]


def test_database_query_with_archived_users(configure: Configure, store: LocalStore) -> None:
    selection = select(
        configure,
        store,
        """
salesperson_selection:
  source_type: database
  source_config:
    database_query: {where_clause: "active IN (true, false) AND team_id = 'Voice' AND login LIKE 'f%'"}
""",
    )
    # Frank is archived: found by the query, then kept out by active_only.
    assert names(selection.inactive) == ["Frank Miller"]  # type: ignore[attr-defined]
    assert selection.eligible == ()  # type: ignore[attr-defined]


def test_team_source(configure: Configure, store: LocalStore) -> None:
    selection = select(
        configure,
        store,
        """
salesperson_selection:
  source_type: team
  source_config: {team: Voice}
  campaign_filtering:
    exclude_specific_users: ["Drew Cox", "Patrick Adler", "Pat Adler"]
""",
    )
    # Frank Miller is archived, so Odoo does not list him among the members.
    assert names(selection.eligible) == [  # type: ignore[attr-defined]
        "Alice Smith",
        "Bob Johnson",
        "Carol Williams",
        "Dave Brown",
        "Eve Davis",
    ]
    assert {p.team for p in selection.eligible} == {"Voice"}  # type: ignore[attr-defined]


def test_unknown_team_is_an_error(configure: Configure, store: LocalStore) -> None:
    with pytest.raises(UserInputError, match="no CRM sales team is named 'Voyce'"):
        select(
            configure,
            store,
            """
salesperson_selection:
  source_type: team
  source_config: {team: Voyce}
""",
        )


@pytest.mark.parametrize(
    ("block", "key"),
    [
        ("source_type: file\n  source_config: {}", "source_config.file_path is required"),
        ("source_type: list\n  source_config: {}", "source_config.salespeople_list is required"),
        ("source_type: team\n  source_config: {}", "source_config.team is required"),
        ("source_type: database\n  source_config: {}", "source_config.database_query is required"),
        ("source_type: campaign_table\n  source_config: {}", "campaign_table.file_path or"),
    ],
)
def test_each_source_names_the_key_it_needs(
    configure: Configure, store: LocalStore, block: str, key: str
) -> None:
    with pytest.raises(ConfigError, match=key):
        select(configure, store, f"salesperson_selection:\n  {block}\n")


def test_filters_on_the_demo(configure: Configure, store: LocalStore) -> None:
    selection = select(
        configure,
        store,
        """
salesperson_selection:
  source_type: campaign_table
  source_config:
    campaign_table: {file_path: salesperson_campaigns.csv}
  campaign_filtering:
    target_campaign: Voice
    exclude_specific_users: ["Drew Cox", "Patrick Adler", "Administrator", "Marc Spiegel"]
  filters:
    team_filter: Voice
    min_experience_level: mid_level
""",
    )
    assert names(selection.eligible) == VOICE_ACTIVE[:3]  # type: ignore[attr-defined]
    assert dict(selection.left_out)["Dave Brown"] == "below the minimum level"  # type: ignore[attr-defined]


def test_names_are_resolved_in_one_call(
    configure: Configure, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[list[str]] = []
    original = store.find_users

    def find_users(names: object) -> list[User]:
        asked.append(sorted(names))  # type: ignore[call-overload]
        return original(names)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "find_users", find_users)
    select(
        configure,
        store,
        """
salesperson_selection:
  source_type: campaign_table
  source_config:
    campaign_table: {file_path: salesperson_campaigns.csv}
""",
    )
    assert len(asked) == 1 and len(asked[0]) > 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Alice Smith|10|senior|200|extra\n", "line 1: 5 fields"),
        ("Alice Smith|ten\n", "line 1, id: 'ten' is not a whole number"),
        (
            "# ok\nAlice Smith|10|senior|many\n",
            "line 2, target_leads: 'many' is not a whole number",
        ),
        ("|10|senior|200\n", "line 1: the salesperson name is empty"),
    ],
)
def test_bad_legacy_lines_name_file_and_line(
    configure: Configure, store: LocalStore, demo_dir: Path, text: str, message: str
) -> None:
    (demo_dir / "people.txt").write_text(text)
    with pytest.raises(DataFileError) as err:
        select(
            configure,
            store,
            """
salesperson_selection:
  source_type: file
  source_config: {file_path: people.txt}
""",
        )
    assert str(demo_dir / "people.txt") in str(err.value) and message in str(err.value)


def test_legacy_file_missing_or_undecodable(
    configure: Configure, store: LocalStore, demo_dir: Path
) -> None:
    block = """
salesperson_selection:
  source_type: file
  source_config: {file_path: people.txt}
"""
    with pytest.raises(DataFileError, match="salespeople file not found"):
        select(configure, store, block)
    (demo_dir / "people.txt").write_bytes("Jos\xe9|10\n".encode("latin-1"))
    with pytest.raises(DataFileError, match=r"line \d+, column \d+: not UTF-8 text"):
        select(configure, store, block)


def test_id_that_names_someone_else_is_an_error(configure: Configure, store: LocalStore) -> None:
    with pytest.raises(UserInputError, match="CRM user 11 is 'Bob Johnson'"):
        select(
            configure,
            store,
            """
salesperson_selection:
  source_type: list
  source_config: {salespeople_list: ["Alice Smith|11"]}
""",
        )
