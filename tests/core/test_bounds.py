"""Inputs past sane sizes are bounded: the work per file is capped and an info finding says so
(how long the rest takes is measured by benchmarks/hostile.py, never asserted here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentcheck._known_files import MAX_GRAPHS
from agentcheck._pysources import MAX_ANALYSED_PYTHON
from agentcheck.deployment import _nginx_model, nginx
from agentcheck.deployment.proxies import find_proxies
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.project import Project


def test_graphs_past_the_cap_are_not_checked_and_said_so(tmp_path: Path) -> None:
    graphs = {f"g{i}": f"./missing{i}.py:graph" for i in range(MAX_GRAPHS + 5)}
    (tmp_path / "langgraph.json").write_text(json.dumps({"graphs": graphs}))
    project = Project(tmp_path)
    result = lint(project, enabled_rules(project, select=["AC100", "AC102"]))
    missing = [f for f in result.findings if f.code == "AC102"]
    assert len(missing) == MAX_GRAPHS
    (info,) = [f for f in result.findings if f.code == "AC100"]
    assert info.severity.value == "info"
    assert f"declares {MAX_GRAPHS + 5:,} graphs: only the first {MAX_GRAPHS:,}" in info.message


def test_a_module_past_the_cap_is_not_parsed_and_said_so(tmp_path: Path) -> None:
    body = "x = 1\n" * (MAX_ANALYSED_PYTHON // 6 + 10) + "def broken(:\n"
    (tmp_path / "big.py").write_text(body)
    (tmp_path / "small.py").write_text("def broken(:\n")
    project = Project(tmp_path)
    assert project.python("big.py") is None
    project.check_parses(["big.py", "small.py"])
    by_path = {f.path: f for f in project.problems}
    assert by_path["big.py"].severity.value == "info"
    assert "it is not parsed" in by_path["big.py"].message
    assert by_path["small.py"].severity.value == "error"  # a small module still is


@pytest.mark.parametrize("servers", [10, 200])
def test_nginx_upstreams_are_read_once_per_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, servers: int
) -> None:
    """8,000 server blocks took 101 s: every location re-read every upstream of the file."""
    (tmp_path / "nginx.conf").write_text(
        "http {\n  upstream app { server a:8000; }\n"
        + "".join(
            f"  server {{ listen 80; location /{i} {{ proxy_pass http://app; }} }}\n"
            for i in range(servers)
        )
        + "}\n"
    )
    walks = []
    real = _nginx_model._walk

    def counting(statements: tuple[nginx.Directive, ...], depth: int = 0):  # type: ignore[no-untyped-def]
        if depth == 0:
            walks.append(1)
        return real(statements, depth)

    monkeypatch.setattr(_nginx_model, "_walk", counting)
    proxies = find_proxies(Project(tmp_path))
    assert len(proxies) == servers
    assert len(walks) <= 2  # not one walk per location
