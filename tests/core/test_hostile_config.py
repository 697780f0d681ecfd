"""Bad configuration is a usage error naming the file, the key and what is wrong (exit 2),
never an "internal error"; a typo in select never disables every rule silently."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from agentcheck.cli import main
from agentcheck.config import load_config
from agentcheck.errors import ConfigError


def _pyproject(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\n\n[tool.agentcheck]\n' + body
    )


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('fail-on = "error"\nexclude = ["[z-a]"]\n', 7, "exclude: invalid glob '[z-a]'"),
        ('production = ["\\\\"]\n', 6, "production: invalid glob '\\\\'"),
        ('extend-production = ["ok/**", "[z-a]"]\n', 6, "extend-production: invalid glob"),
        ('not-production = ["[z-a]"]\n', 6, "not-production: invalid glob"),
        ('[tool.agentcheck.per-file-ignores]\n"[z-a]" = ["AC100"]\n', 6, "per-file-ignores"),
        ("run-budget = 1e400\n", 6, "run-budget: expected a positive number"),
        (f"run-budget = {'9' * 400}\n", 6, "run-budget: expected a positive number"),
        (f"max-file-size = {'9' * 400}\n", 6, "max-file-size: at most"),
        ("select = [" + "[" * 50 + "]" * 50 + "]\n", 6, "select: expected a list of strings"),
    ],
)
def test_bad_values_are_config_errors_with_file_line_and_key(
    tmp_path: Path, body: str, line: int, words: str
) -> None:
    _pyproject(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'pyproject.toml'}:{line}: [tool.agentcheck] ")
    assert words in message
    assert "9" * 30 not in message  # a value is described, not echoed


@pytest.mark.parametrize(
    "body",
    [
        f"run-budget = {'9' * 5000}\n",  # tomllib lets int()'s own ValueError through
        "select = " + "[" * 5000 + "]" * 5000 + "\n",  # past the recursion limit
    ],
)
def test_pyproject_that_cannot_be_read_is_ac100_not_internal_error(
    tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _pyproject(tmp_path, body)
    assert main(["lint", str(tmp_path), "-q"]) == 1
    out = capsys.readouterr()
    assert "internal error" not in out.err
    assert "pyproject.toml" in out.out
    assert "AC100" in out.out


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ('select = ["AC1O2"]\n', "did you mean 'AC102'?"),
        ('ignore = ["graph-target-mising"]\n', "did you mean 'graph-target-missing'?"),
        ('extend-select = ["AC9999"]\n', "matches no rule"),
        ('[tool.agentcheck.per-file-ignores]\n"k8s/*" = ["AC5O3"]\n', "did you mean 'AC503'?"),
        ('[tool.agentcheck.severity]\nAC5O7 = "warning"\n', "did you mean 'AC507'?"),
    ],
)
def test_unknown_codes_in_the_configuration_are_a_usage_error(
    tmp_path: Path, body: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _pyproject(tmp_path, body)
    assert main(["lint", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("agentcheck: error: ")
    assert "[tool.agentcheck]" in err
    assert hint in err
    assert "All checks passed" not in err


def test_baseline_fifo_is_a_usage_error_not_a_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "project").mkdir()
    fifo = tmp_path / "baseline.json"
    os.mkfifo(fifo)
    status: list[int] = []
    worker = threading.Thread(
        target=lambda: status.append(
            main(["lint", str(tmp_path / "project"), "--baseline", str(fifo)])
        ),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=60)
    if worker.is_alive():  # unblock the reader before failing, so the test run can end
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(timeout=10)
        pytest.fail("--baseline on a FIFO blocked")
    assert status == [2]
    assert "not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"agentcheck-baseline": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"agentcheck-baseline": 1, "findings": [{"code": '
        + "[" * 900
        + "]" * 900
        + ', "path": "x", "fingerprint": "y"}]}',
        '{"agentcheck-baseline": ' + "9" * 5000 + "}",
    ],
    ids=["nested", "nested-version", "nested-entry", "huge-int"],
)
def test_hostile_baseline_is_a_usage_error(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "baseline.json").write_text(text)
    assert (
        main(["lint", str(tmp_path / "project"), "--baseline", str(tmp_path / "baseline.json")])
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("agentcheck: error: ")
    assert "internal error" not in err
    assert len(err) < 500
