from __future__ import annotations

from pathlib import Path

import pytest

from agentcheck.config import Config, from_table, load_config
from agentcheck.errors import ConfigError
from agentcheck.lint.finding import Severity


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == Config()
    assert config.run_budget == 300.0
    assert config.fail_on is Severity.WARNING


def test_reads_tool_agentcheck(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.agentcheck]\n"
        'select = ["AC1", "AC402"]\nignore = ["AC108"]\nrun-budget = 600\n'
        'severity = { AC507 = "warning" }\n'
        '[tool.agentcheck.per-file-ignores]\n"k8s/dev/*" = ["AC503"]\n'
        "[tool.agentcheck.live]\nreplicas = 2\n"
    )
    config = load_config(tmp_path)
    assert config.select == ("AC1", "AC402")
    assert config.run_budget == 600.0
    assert config.severity == {"AC507": Severity.WARNING}
    assert config.per_file_ignores == {"k8s/dev/*": ("AC503",)}
    assert config.live == {"replicas": 2}
    assert config.source == tmp_path / "pyproject.toml"


def test_unknown_key_suggests_the_close_one() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'run_budget'; did you mean 'run-budget'\?"):
        from_table({"run_budget": 10})


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"run-budget": -1}, "positive number"),
        ({"run-budget": True}, "positive number"),
        ({"select": [1]}, "list of strings"),
        ({"severity": {"AC101": "fatal"}}, "unknown severity"),
        ({"fail-on": "loud"}, "unknown severity"),
        ({"live": 3}, "expected a table"),
    ],
)
def test_bad_values_are_config_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_table(table)


@pytest.mark.parametrize(
    ("select", "ignore", "code", "name", "enabled"),
    [
        (("ALL",), (), "AC102", "graph-target-missing", True),
        (("ALL",), ("AC1",), "AC102", "graph-target-missing", False),
        (("ALL",), ("AC1",), "AC201", "hardcoded-secret", True),
        (("AC1",), ("AC10",), "AC102", "graph-target-missing", False),
        (("AC10",), ("AC1",), "AC102", "graph-target-missing", True),
        (("AC102",), ("AC1",), "AC102", "graph-target-missing", True),
        (("AC2",), (), "AC102", "graph-target-missing", False),
        (("graph-target-missing",), (), "AC102", "graph-target-missing", True),
    ],
)
def test_selection_longest_prefix_wins(
    select: tuple[str, ...], ignore: tuple[str, ...], code: str, name: str, enabled: bool
) -> None:
    assert Config(select=select, ignore=ignore).is_selected(code, name) is enabled


def test_malformed_pyproject_falls_back_to_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.agentcheck\nselect = 1")
    assert load_config(tmp_path) == Config()
