"""``agentcheck lint`` run as a program ends without the interpreter's teardown: what it
printed and its exit status are those of the same lint run in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentcheck.cli import main

REPO = Path(__file__).resolve().parents[2]
BAD = REPO / "tests" / "fixtures" / "projects" / "ac406-bad"


def _program(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AGENTCHECK_NO_CACHE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "agentcheck", "lint", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_program_prints_and_exits_as_the_lint_in_process(
    fmt: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENTCHECK_NO_CACHE", "1")
    code = main(["lint", str(BAD), "--format", fmt])
    expected = capsys.readouterr()
    ran = _program(str(BAD), "--format", fmt)
    assert code == 1
    assert (ran.returncode, ran.stdout, ran.stderr) == (code, expected.out, expected.err)
    if fmt == "json":
        assert json.loads(ran.stdout)


def test_the_report_file_is_complete(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    ran = _program(str(BAD), "--format", "json", "--output-file", str(out))
    assert ran.returncode == 1, ran.stderr
    assert json.loads(out.read_text(encoding="utf-8"))


def test_a_reader_that_went_away_is_still_quiet() -> None:
    """``agentcheck lint | head -1``: the flush before the fast exit meets the closed pipe."""
    lint = subprocess.Popen(
        [sys.executable, "-m", "agentcheck", "lint", str(BAD)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "AGENTCHECK_NO_CACHE": "1"},
        cwd=REPO,
    )
    assert lint.stdout is not None
    assert lint.stderr is not None
    lint.stdout.close()  # before the lint writes anything
    err = lint.stderr.read()
    lint.stderr.close()
    assert lint.wait(timeout=120) == 2
    assert b"Traceback" not in err
