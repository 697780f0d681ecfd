"""The JSON Schema of [tool.agentcheck]: generated from the models, kept in the repository."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from agentcheck.config import _KEYS
from agentcheck.schema import PATH, ToolTable, render, schema, tool_model
from agentcheck.tables import keys, validate

ROOT = Path(__file__).parents[2]


def test_the_kept_schema_is_what_the_models_generate() -> None:
    kept = (ROOT / PATH).read_text(encoding="utf-8")
    assert kept == render(), (
        f"{PATH} is out of date: regenerate it with `python -m agentcheck.schema {PATH}`"
    )


def test_the_top_level_keys_are_the_configs_own() -> None:
    # The lint path validates [tool.agentcheck] by hand (agentcheck.config); the model the
    # schema comes from must know the same keys, with the same descriptions.
    assert keys(ToolTable) == _KEYS, (
        "a key of [tool.agentcheck] changed in agentcheck.config: give agentcheck.schema.ToolTable "
        f"the same key and description, then `python -m agentcheck.schema {PATH}`"
    )


def test_the_schema_describes_every_table() -> None:
    generated = schema()
    assert generated["additionalProperties"] is False
    live = generated["$defs"]["LiveTable"]["properties"]
    assert live["replicas"] == {
        "description": "how many replicas to start (default 1)",
        "minimum": 1,
        "type": "integer",
    }
    assert "langhost" in live  # a runtime's own option
    load = generated["$defs"]["LoadTable"]["properties"]
    assert load["max-failure-ratio"]["maximum"] == 1
    assert load["fake-llm"]["$ref"] == "#/$defs/FakeLLMTable"
    assert "null" not in str(generated)  # TOML has no null


@pytest.mark.parametrize(
    "pyproject",
    ["examples/support-desk/pyproject.toml", "pyproject.toml"],
)
def test_the_repositorys_own_tables_are_valid(pyproject: str) -> None:
    data = tomllib.loads((ROOT / pyproject).read_text(encoding="utf-8"))
    table = data.get("tool", {}).get("agentcheck", {})
    validate(tool_model(), table, pyproject)


def test_python_m_agentcheck_schema_prints_it() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agentcheck.schema"], capture_output=True, text=True, check=True
    )
    assert done.stdout == render()


@pytest.mark.parametrize(("args", "status"), [(["--help"], 0), (["-x"], 2), (["a", "b"], 2)])
def test_an_option_is_not_taken_for_the_file_to_write(
    tmp_path: Path, args: list[str], status: int
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agentcheck.schema", *args],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == status
    assert "usage: python -m agentcheck.schema [FILE]" in done.stderr
    assert not list(tmp_path.iterdir())
