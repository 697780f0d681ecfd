"""``agentcheck load``: what it refuses before anything runs, and where the locustfile is."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcheck.cli import main
from agentcheck.load.runner import LOCUSTFILE


def test_locustfile_prints_the_shipped_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "--locustfile"]) == 0
    assert capsys.readouterr().out.strip() == str(LOCUSTFILE)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--replica", "http://127.0.0.1:1"], "--replica names the replicas of URL: give URL too"),
        (["http://127.0.0.1:1", "--replicas", "2"], "start a deployment: not with URL"),
        (["http://127.0.0.1:1", "--users", "0"], "--users: expected a whole number of at least 1"),
        (["localhost:8123"], "localhost:8123: expected an http:// or https:// URL"),
        (["--root", "nowhere"], "--root nowhere: no such directory"),
        (["http://127.0.0.1:1", "--master", "--expect-workers", "0"], "--expect-workers must"),
    ],
)
def test_bad_arguments_are_usage_errors(
    argv: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["load", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_bad_load_table_is_a_usage_error_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.agentcheck.load]\nuser = 3\n")
    assert main(["load", "http://127.0.0.1:1", "--root", str(tmp_path)]) == 2
    assert "unknown key 'user'; did you mean 'users'?" in capsys.readouterr().err


def test_help_names_the_distributed_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "--help"]) == 0
    text = capsys.readouterr().out
    for option in ("--processes", "--master", "--expect-workers", "--replica", "--duration"):
        assert option in text
