from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.testrules import copy_fixture, use_test_rules


@pytest.fixture
def test_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_rules(monkeypatch)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, test_rules: None) -> Path:
    """A copy of tests/fixtures/cli/project, as the current directory, with the test rules."""
    root = copy_fixture(tmp_path / "project")
    monkeypatch.chdir(root)
    return root
