"""[tool.agentcheck.load] as a pydantic model: defaults, did-you-mean errors, the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcheck.errors import ConfigError
from agentcheck.load.settings import DEFAULT_EFFICIENCY, load_load_settings


def settings_of(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text(f"[tool.agentcheck.load]\n{body}\n")
    return load_load_settings(tmp_path)


def test_defaults_without_a_table(tmp_path: Path) -> None:
    settings = load_load_settings(tmp_path)
    table = settings.table
    assert (table.enabled, table.users, table.duration, table.processes) == (False, 20, 30, 1)
    assert table.max_failure_ratio == 0.01
    assert (table.p95_first_token, table.p95_stream) == (6.0, 12.0)
    assert table.min_runs_per_second is None
    assert table.scale_out_efficiency == DEFAULT_EFFICIENCY
    assert table.fake_llm.ttft == 2.0
    assert settings.results == tmp_path.resolve() / ".agentcheck" / "results"


def test_the_table_is_read(tmp_path: Path) -> None:
    settings = settings_of(
        tmp_path,
        """
enabled = true
users = 8
spawn-rate = 2.5
duration = 12
graph = "triage"
p95-first-token = 3
min-runs-per-second = 1.5
fake-llm = {ttft = 1, error-ratio = 0.1}
""",
    )
    table = settings.table
    assert table.enabled
    assert table.users == 8
    assert table.spawn_rate == 2.5
    assert table.duration == 12
    assert table.graph == "triage"
    assert table.p95_first_token == 3.0
    assert table.min_runs_per_second == 1.5
    assert table.fake_llm.ttft == 1.0
    assert table.fake_llm.error_ratio == 0.1
    assert table.fake_llm.tokens_per_second == 40.0  # the rest keep their defaults


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("user = 3", "[tool.agentcheck.load]: unknown key 'user'; did you mean 'users'?"),
        ("users = 0", "[tool.agentcheck.load] users: expected a whole number of at least 1, got 0"),
        ("users = true", "users: expected a whole number of at least 1, got True"),
        ("duration = 2.5", "duration: expected a whole number of at least 1, got 2.5"),
        ("spawn-rate = -1", "spawn-rate: expected a positive number of seconds, got -1"),
        ("max-failure-ratio = 1.5", "max-failure-ratio: expected a number from 0 to 1, got 1.5"),
        ('enabled = "yes"', "enabled: expected true or false, got 'yes'"),
        ('graph = ""', "graph: expected a non-empty string"),
        ("fake-llm = 3", "[tool.agentcheck.load] fake-llm: expected a table"),
        (
            "fake-llm = {tft = 1}",
            "[tool.agentcheck.load].fake-llm: unknown key 'tft'; did you mean 'ttft'?",
        ),
        ("fake-llm = {ttft = -1}", "[tool.agentcheck.load].fake-llm ttft: expected a positive"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings_of(tmp_path, body)
    assert message in str(info.value)
    assert str(tmp_path / "pyproject.toml") in str(info.value)


def test_the_command_line_wins_and_is_checked_alike(tmp_path: Path) -> None:
    settings = settings_of(tmp_path, "users = 8\nduration = 12")
    given = settings.with_options(users=3, duration=None, graph="chat")
    assert (given.table.users, given.table.duration, given.table.graph) == (3, 12, "chat")
    assert settings.with_options() is settings
    with pytest.raises(ConfigError, match=r"^--users: expected a whole number of at least 1"):
        settings.with_options(users=0)
    with pytest.raises(ConfigError, match=r"^--spawn-rate: expected a positive number"):
        settings.with_options(spawn_rate=0.0)
