"""Generated files stay in step with the schema, and editors find the schema.

The configuration reference, the committed JSON Schema and the packaged one
are generated from the pydantic models; these tests fail when one is stale
and say how to regenerate it. Generated configurations name their schema on
their first line and get a copy of it beside them.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from odoo_lead_manager.cli.main import main
from odoo_lead_manager.config.editor import (
    SCHEMA_FILE_NAME,
    modeline,
    packaged_schema_text,
    schema_text,
    write_schema_beside,
)
from odoo_lead_manager.config.loading import load_config
from odoo_lead_manager.config.reference import REGENERATE, configuration_reference
from odoo_lead_manager.config.registry import AT_LOAD, DESCRIPTIVE, REFUSED, WARNED
from odoo_lead_manager.config.templates import TEMPLATES, generate_config
from odoo_lead_manager.demo.config import DEMO_CONFIG

ROOT = Path(__file__).parents[2]
REFERENCE = ROOT / "docs" / "configuration-reference.md"
COMMITTED_SCHEMA = ROOT / "schema" / SCHEMA_FILE_NAME
PACKAGED_SCHEMA = ROOT / "src" / "odoo_lead_manager" / "config" / SCHEMA_FILE_NAME
LINE = "# yaml-language-server: $schema=odlm-config.schema.json"


def odlm_output(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_the_committed_reference_is_the_generated_one() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == configuration_reference(), (
        f"docs/configuration-reference.md is stale: run `{REGENERATE}`"
    )


def test_odlm_schema_format_markdown_prints_the_reference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert odlm_output(capsys, "schema", "--format", "markdown") == configuration_reference()


def test_the_reference_names_every_key_with_type_default_and_bounds() -> None:
    text = configuration_reference()
    rows = {row.split(" | ")[0].strip("| `"): row for row in text.splitlines() if row[:3] == "| `"}
    assert rows["execution.batch_size"].split(" | ")[1:4] == [
        "integer or null",
        "`null`",
        ">= 1, <= 1,000,000,000",
    ]
    assert "`auto`, `jsonrpc`, `xmlrpc`, `json2`" in rows["odoo_connection.protocol"]
    assert "1 to 65535" in rows["database_connection.port"]
    assert rows["lead_finding.date_range_strategies.*.description"]
    # Each section's docstring is there, in Markdown's code spans.
    assert "`local_path` is the SQLite file of the local store" in text


def test_the_reference_carries_every_note_of_the_settings_registry() -> None:
    text = configuration_reference()
    for kind, keys in (("refused", REFUSED), ("warned", WARNED), ("descriptive", DESCRIPTIVE)):
        for key, reason in keys.items():
            row = next(line for line in text.splitlines() if line.startswith(f"| `{key}` |"))
            assert f"**{kind}**: {reason}" in row, key
    for key in AT_LOAD:
        assert f"| `{key}` |" in text and "**read when loading**" in text


def test_the_committed_and_packaged_schemas_are_odlm_schema_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    printed = odlm_output(capsys, "schema")
    assert printed == schema_text()
    for path in (COMMITTED_SCHEMA, PACKAGED_SCHEMA):
        assert path.read_text(encoding="utf-8") == printed, (
            f"{path.relative_to(ROOT)} is stale: run "
            f"`odlm schema --output {path.relative_to(ROOT)}`"
        )
    assert packaged_schema_text() == printed


def test_the_schema_is_package_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"]["package-data"]["odoo_lead_manager"]
    assert f"config/{SCHEMA_FILE_NAME}" in data


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_generated_configuration_starts_with_the_editor_line(template: str) -> None:
    text = generate_config("Apple", template)
    assert text.splitlines()[0] == LINE == modeline().rstrip("\n")
    # It is a comment: the configuration is the same without it.
    assert yaml.safe_load(text) == yaml.safe_load(text.split("\n", 1)[1])


def test_stdout_generation_prints_the_line_and_writes_no_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = odlm_output(capsys, "dailydist", "--generate-config", "--template", "minimal")
    assert out.splitlines()[0] == LINE
    assert list(tmp_path.iterdir()) == []


def test_generating_to_a_file_writes_the_schema_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "campaigns" / "voice.yaml"
    output.parent.mkdir()
    out = odlm_output(capsys, "dailydist", "--generate-config", "--output", str(output))
    schema = output.parent / SCHEMA_FILE_NAME
    assert f"Editor schema written: {schema}" in out
    assert schema.read_text(encoding="utf-8") == schema_text()
    assert "lead_finding" in json.loads(schema.read_text(encoding="utf-8"))["properties"]
    assert load_config(output).config.campaign.name == "Voice"
    # A second file in the same folder finds the schema already there.
    out = odlm_output(
        capsys, "dailydist", "--generate-config", "--output", str(output.with_name("b.yaml"))
    )
    assert f"Editor schema already up to date: {schema}" in out


def test_a_different_schema_file_is_left_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = tmp_path / SCHEMA_FILE_NAME
    schema.write_text('{"title": "mine"}\n', encoding="utf-8")
    output = tmp_path / "voice.yaml"
    out = odlm_output(capsys, "dailydist", "--generate-config", "--output", str(output))
    assert f"Editor schema left as it was: {schema} differs" in out and "--overwrite" in out
    assert schema.read_text(encoding="utf-8") == '{"title": "mine"}\n'
    out = odlm_output(
        capsys, "dailydist", "--generate-config", "--output", str(output), "--overwrite"
    )
    assert f"Editor schema replaced (--overwrite): {schema}" in out
    assert schema.read_text(encoding="utf-8") == schema_text()


def test_a_schema_that_cannot_be_written_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    # A directory of the schema's name cannot be written as a file.
    (tmp_path / SCHEMA_FILE_NAME).mkdir()
    copy = write_schema_beside(tmp_path / "voice.yaml", force=True)
    assert copy.outcome == "failed"
    assert copy.message().startswith(f"warning: cannot write the editor schema {copy.path}")


def test_the_demo_configuration_names_its_schema_and_gets_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert DEMO_CONFIG.splitlines()[0] == LINE
    demo = tmp_path / "demo"
    out = odlm_output(capsys, "demo", "--dir", str(demo), "--today", "2026-11-30")
    assert f"Editor schema written: {demo / SCHEMA_FILE_NAME}" in out
    assert (demo / "config.yaml").read_text(encoding="utf-8").splitlines()[0] == LINE
    assert (demo / SCHEMA_FILE_NAME).read_text(encoding="utf-8") == schema_text()


def test_the_examples_name_the_committed_schema() -> None:
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        first = example.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{example.name}: first line is not the yaml-language-server line"
        assert (example.parent / match.group(1)).resolve() == COMMITTED_SCHEMA.resolve()


def test_the_editor_settings_map_the_committed_schema() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    for schema, patterns in settings["yaml.schemas"].items():
        assert (ROOT / schema).resolve() == COMMITTED_SCHEMA.resolve()
        assert "examples/*.yaml" in patterns


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    return {_slug(line.lstrip("#")) for line in text.splitlines() if re.match(r"#{1,6} ", line)}


def test_links_between_the_readme_and_docs_lead_somewhere() -> None:
    # The pages moved out of the README; other pages are checked by their own tests.
    mine = ("index", "getting-started", "configuration", "odoo", "undo-and-recovery")
    mine += ("history", "reports", "performance", "development")
    pages = [ROOT / "README.md", *(ROOT / "docs" / f"{name}.md" for name in mine)]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            file, _, anchor = target.partition("#")
            linked = (page.parent / file).resolve() if file else page
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []
