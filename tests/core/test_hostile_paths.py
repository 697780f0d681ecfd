"""Paths from a stranger's pull request: nothing outside the root is read, nothing special is
opened, and a config that is not a regular file is a finding, not a silent pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentcheck.files import locate, read_regular
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.project import Project

CANARY = "CANARY_OUTSIDE_4242"
GRAPH = '{"graphs": {"agent": "./agent/graph.py:graph"}, "env": ".env"}'


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory beside the project, full of canaries."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "canary.py").write_text(f"import {CANARY.lower()}\n{CANARY} = (\ngraph = 1\n")
    (out / "pyproject.toml").write_text(
        f'[project]\nname = "x"\ndependencies = ["{CANARY.lower()}"]\n'
        f'[tool.agentcheck]\nselect = ["{CANARY}"]\n'
    )
    (out / "ignore").write_text("agent/\n")
    (out / "env").write_text(f"{CANARY}=sk-proj-{'a' * 48}\n")
    (out / "req.txt").write_text(f"{CANARY.lower()}\n")
    return out


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "agent").mkdir(parents=True)
    (project / "langgraph.json").write_text(GRAPH)
    return project


def _lint(root: Path, git: bool) -> tuple[Project, str]:
    if git:
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    project = Project(root)
    result = lint(project, enabled_rules(project))
    shown = "\n".join(f"{f.path} {f.message} {f.fix}" for f in result.findings)
    assert "AC901" not in {f.code for f in result.findings}
    return project, shown


@pytest.mark.parametrize("git", [False, True], ids=["walk", "git"])
def test_graph_target_linked_out_of_the_root_is_reported_not_read(
    root: Path, outside: Path, git: bool
) -> None:
    os.symlink(outside / "canary.py", root / "agent" / "graph.py")
    project, shown = _lint(root, git)
    assert CANARY not in shown
    assert CANARY.lower() not in shown
    (info,) = [p for p in project.problems if "symbolic link" in p.message]
    assert info.path == "agent/graph.py"
    assert info.severity.value == "info"
    assert str(outside / "canary.py") in info.message
    assert "graph.py" not in project.files


@pytest.mark.parametrize("git", [False, True], ids=["walk", "git"])
def test_pyproject_gitignore_and_env_linked_out_are_not_read(
    root: Path, outside: Path, git: bool
) -> None:
    (root / "agent" / "graph.py").write_text("graph = 1\n")
    os.symlink(outside / "pyproject.toml", root / "pyproject.toml")
    os.symlink(outside / "ignore", root / ".gitignore")
    os.symlink(outside / "env", root / ".env")
    os.symlink(outside, root / "etc")  # a directory replaced by a link
    project, shown = _lint(root, git)  # the outside select of CANARY would be a usage error
    assert CANARY not in shown
    assert "agent/graph.py" in project.files  # the outside .gitignore did not hide it
    links = {p.path for p in project.problems if "symbolic link to" in p.message}
    assert {"pyproject.toml", ".env", "etc"} <= links
    if not git:
        assert ".gitignore" in links


def test_includes_do_not_leave_the_root(root: Path, outside: Path) -> None:
    (root / "agent" / "graph.py").write_text("import requests\ngraph = 1\n")
    rel_out = os.path.relpath(outside, root)
    (root / "requirements.txt").write_text(
        f"-r {outside}/req.txt\n-r {rel_out}/req.txt\n-r linked.txt\n"
    )
    os.symlink(outside / "req.txt", root / "linked.txt")
    (root / "nginx.conf").write_text(
        f"http {{ include {outside}/x.conf; include {rel_out}/x.conf; "
        "server { location / { proxy_pass http://a:1; } } }\n"
    )
    (outside / "x.conf").write_text(f"proxy_pass http://{CANARY.lower()};\n")
    (root / "docker-compose.yml").write_text(
        f"services:\n  a:\n    build: {{context: ., dockerfile: {rel_out}/canary.py}}\n"
        f"    env_file: [{rel_out}/env]\n"
    )
    project, shown = _lint(root, git=False)
    assert CANARY.lower() not in shown
    assert CANARY not in shown
    assert not any(rel.startswith("..") for rel in project.texts_read if project.texts_read[rel])


@pytest.mark.parametrize("name", ["langgraph.json", "pyproject.toml"])
@pytest.mark.parametrize("kind", ["directory", "dangling", "loop", "fifo"])
def test_config_that_is_not_a_regular_file_is_a_finding(
    tmp_path: Path, name: str, kind: str
) -> None:
    target = tmp_path / name
    if kind == "directory":
        target.mkdir()
    elif kind == "dangling":
        os.symlink(tmp_path / "nowhere.json", target)
    elif kind == "loop":
        os.symlink(target, target)
    else:
        os.mkfifo(target)
    project = Project(tmp_path)
    result = lint(project, enabled_rules(project))
    found = [f for f in result.findings if f.path == name and f.code == "AC100"]
    assert len(found) == 1
    assert "it is not read" in found[0].message
    expected = "warning" if name == "pyproject.toml" else "error"
    assert found[0].severity.value == expected


def test_special_files_are_never_opened(tmp_path: Path) -> None:
    """A FIFO would block the lint forever if opened; /dev/zero would grow without end."""
    (tmp_path / "langgraph.json").write_text('{"graphs": {"a": "./agent.py:graph"}}')
    os.mkfifo(tmp_path / "agent.py")
    os.mkfifo(tmp_path / "requirements.txt")
    os.mkfifo(tmp_path / ".env")
    os.symlink("/dev/zero", tmp_path / "compose.yaml")
    os.symlink("/dev/zero", tmp_path / "Dockerfile")
    code = (
        "import sys; from agentcheck.cli import main; "
        f"sys.exit(main(['lint', {str(tmp_path)!r}, '-q']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 1, out.stderr
    assert "internal error" not in out.stderr
    assert "agent.py" in out.stdout  # AC102: the target is not a regular file


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("../x", "outside"),
        ("a/../../x", "outside"),
        ("x" * 300 + ".py", "missing"),
        ("/".join(["a"] * 3000), "missing"),
        ("bad\0name", "unreadable"),
        ("nope.py", "missing"),
        ("sub/../ok.py", "file"),
    ],
)
def test_locate_never_raises(tmp_path: Path, rel: str, kind: str) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n")
    (tmp_path / "sub").mkdir()
    assert locate(tmp_path.resolve(), rel).kind == kind


def test_read_regular_is_bounded(tmp_path: Path) -> None:
    (tmp_path / "big").write_bytes(b"x" * 10_000)
    assert len(read_regular(tmp_path.resolve(), "big", 100)) == 101
    os.symlink("/dev/zero", tmp_path / "zero")
    with pytest.raises(OSError, match="symbolic link out of the project"):
        read_regular(tmp_path.resolve(), "zero", 100)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(tmp_path.resolve(), "fifo", 100)
