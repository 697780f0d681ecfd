"""Baseline files: what they store, how they match, and how bad ones fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentcheck.errors import UsageError
from agentcheck.lint.baseline import Baseline
from agentcheck.lint.finding import Finding, Severity


def f(
    path: str = "compose.yaml", line: int = 3, message: str = "agent runs agent:latest."
) -> Finding:
    return Finding("TST102", "latest-image", Severity.WARNING, path, line, 1, message)


def test_round_trip_keeps_counts_and_stores_no_message(tmp_path: Path) -> None:
    target = tmp_path / "baseline.json"
    Baseline.from_findings([f(), f(line=9), f("other.yaml")]).write(target)
    data = json.loads(target.read_text())
    assert data["agentcheck-baseline"] == 1
    assert [(e["path"], e["count"]) for e in data["findings"]] == [
        ("compose.yaml", 2),
        ("other.yaml", 1),
    ]
    assert all(set(e) == {"code", "path", "fingerprint", "count"} for e in data["findings"])
    assert "latest" not in target.read_text()
    assert Baseline.read(target) == Baseline.from_findings([f(), f(), f("other.yaml")])


def test_filter_absorbs_as_many_findings_as_recorded() -> None:
    baseline = Baseline.from_findings([f()])
    new, matched = baseline.filter([f(line=40), f(line=41), f(message="worker runs x:latest.")])
    assert matched == 1
    assert [(x.line, x.message) for x in new] == [
        (41, "agent runs agent:latest."),
        (3, "worker runs x:latest."),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a baseline file"),
        ("[]", "not an agentcheck baseline"),
        ('{"agentcheck-baseline": 7, "findings": []}', "version 7 is not supported"),
        ('{"agentcheck-baseline": 1, "findings": {}}', "'findings' must be a list"),
        ('{"agentcheck-baseline": 1, "findings": [{"code": "X"}]}', "findings[0] needs"),
        ('{"agentcheck-baseline": 1, "findings": ["x"]}', "findings[0] needs"),
        (
            '{"agentcheck-baseline": 1, "findings": '
            '[{"code": "X", "path": "p", "fingerprint": "f", "count": 0}]}',
            "'count' must be a positive integer",
        ),
    ],
)
def test_bad_baselines_raise_usage_errors(tmp_path: Path, content: str, message: str) -> None:
    target = tmp_path / "b.json"
    target.write_text(content)
    with pytest.raises(UsageError, match=r"b\.json") as excinfo:
        Baseline.read(target)
    assert message in str(excinfo.value)


def test_unreadable_baseline(tmp_path: Path) -> None:
    target = tmp_path / "b.json"
    target.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(UsageError, match="cannot read the baseline"):
        Baseline.read(target)
