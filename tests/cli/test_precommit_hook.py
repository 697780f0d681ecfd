"""The pre-commit hook agentcheck publishes runs the installed ``agentcheck lint``."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import yaml

from agentcheck.cli import build_parser

REPO = Path(__file__).resolve().parents[2]


def test_hook_runs_agentcheck_lint_on_the_whole_repository() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "agentcheck"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    command, *args = shlex.split(hook["entry"])
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[command] == "agentcheck.cli:main"
    assert build_parser().parse_args(args).command == "lint"
