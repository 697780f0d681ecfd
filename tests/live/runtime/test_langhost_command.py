"""Where the local backend finds ``langhost`` (the server kind's own virtualenv)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentcheck.errors import ConfigError, LiveError
from agentcheck.live.backends import LocalBackend
from agentcheck.live.backends.local import langhost_command


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_a_virtualenv_relative_to_the_project_root(tmp_path: Path) -> None:
    command = _executable(tmp_path / ".venv-langhost" / "bin" / "langhost")
    assert langhost_command(".venv-langhost", tmp_path, {}) == str(command)
    assert langhost_command(str(command), Path("/"), {}) == str(command)


def test_without_the_option_langhost_on_path(tmp_path: Path) -> None:
    command = _executable(tmp_path / "bin" / "langhost")
    env = {"PATH": os.pathsep.join([str(tmp_path / "empty"), str(command.parent)])}
    assert langhost_command(None, tmp_path, env) == str(command)


def test_missing_langhost_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(LiveError, match="needs the langhost command; install it in a virtualenv"):
        langhost_command(None, tmp_path, {"PATH": str(tmp_path)})
    with pytest.raises(LiveError, match=r"langhost = 'nowhere': no langhost command at .*nowhere"):
        langhost_command("nowhere", tmp_path, {})


def test_the_option_is_a_path() -> None:
    assert LocalBackend.from_options({"langhost": " lh "}).langhost == "lh"
    assert LocalBackend.from_options({}).langhost is None
    with pytest.raises(ConfigError, match="langhost: expected a path"):
        LocalBackend.from_options({"langhost": 3})
