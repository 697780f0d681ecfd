from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from agentcheck.config import Config
from agentcheck.project import Project


def write(root: Path, rel: str, content: str | bytes = "") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_walk_honours_gitignore_and_skips_tool_dirs(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "secret.txt\nbuild-out/\n")
    write(tmp_path, "app/graph.py", "x = 1\n")
    write(tmp_path, "app/secret.txt", "no")
    write(tmp_path, "build-out/a.py", "")
    write(tmp_path, "node_modules/x/index.js", "")
    write(tmp_path, ".venv/lib/site.py", "")
    write(tmp_path, "env2/pyvenv.cfg", "home = /usr")
    write(tmp_path, "env2/lib/x.py", "")
    write(tmp_path, "sub/.gitignore", "*.log\n")
    write(tmp_path, "sub/run.log", "")
    write(tmp_path, "sub/keep.yaml", "")
    files = Project(tmp_path).files
    assert files == (".gitignore", "app/graph.py", "sub/.gitignore", "sub/keep.yaml")


def test_git_work_tree_lists_tracked_and_untracked_not_ignored(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", ".env\n")
    write(tmp_path, "tracked.py", "")
    write(tmp_path, ".env", "A=1")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "tracked.py", ".gitignore"], cwd=tmp_path, check=True)
    write(tmp_path, "new.py", "")
    project = Project(tmp_path)
    assert project.git_root == tmp_path.resolve()
    assert project.files == (".gitignore", "new.py", "tracked.py")
    assert project.tracked == {".gitignore", "tracked.py"}


def test_exclude_config(tmp_path: Path) -> None:
    write(tmp_path, "a.py")
    write(tmp_path, "vendor/b.py")
    assert Project(tmp_path, Config(exclude=("vendor/",))).files == ("a.py",)


def test_symlink_loop_and_escaping_links_are_skipped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "a.py", "x = 1\n")
    os.symlink("loop", root / "loop")
    os.symlink(root, root / "self")  # a directory link back to the root
    write(tmp_path, "outside.py", "")
    os.symlink(tmp_path / "outside.py", root / "out.py")
    project = Project(root)
    assert project.files == ("a.py",)
    assert project.text("loop") is None
    assert project.text("out.py") is None
    assert sorted((f.path, f.severity.value, f.message) for f in project.problems) == [
        ("loop", "warning", "loop is a symbolic link loop"),
        (
            "out.py",
            "info",
            f"out.py is a symbolic link to {tmp_path / 'outside.py'}, outside the project: "
            "agentcheck does not follow it",
        ),
    ]


def test_large_binary_and_undecodable_files(tmp_path: Path) -> None:
    write(tmp_path, "big.py", b"x = 1\n" * 10)
    write(tmp_path, "graph.py", b"\x7fELF\x00\x00binary")
    write(tmp_path, "latin.py", "s = 'caf\xe9'\n".encode("latin-1"))
    project = Project(tmp_path, Config(max_file_size=32))
    assert project.python("big.py") is None
    assert project.python("graph.py") is None
    assert project.python("latin.py") is None
    messages = sorted((f.path, f.severity.value, f.message) for f in project.problems)
    assert messages == [
        ("big.py", "info", "big.py skipped: 0.0 MiB is over max-file-size (0.0 MiB)"),
        ("graph.py", "error", "graph.py is a binary file, not Python source"),
        (
            "latin.py",
            "error",
            "latin.py is not valid UTF-8 (byte offset 8); cannot parse Python source",
        ),
    ]


def test_a_file_first_read_quietly_is_still_reported_by_a_later_read(tmp_path: Path) -> None:
    """Whichever reader comes first (a quiet one such as the template test, or the secrets
    rules' scan), a reader that reports records why the file was not read."""
    write(tmp_path, "big.yaml", b"a: 1\n" * 10)
    write(tmp_path, "sub/deploy.yaml", b"b: 2\n")
    project = Project(tmp_path, Config(max_file_size=32))
    assert project.text("big.yaml", report=False) is None
    assert project.text("sub", report=False) is None
    assert project.problems == []
    assert project.yaml("big.yaml") == []
    assert project.text("sub") is None
    messages = sorted((f.path, f.severity.value, f.message) for f in project.problems)
    assert messages == [
        ("big.yaml", "info", "big.yaml skipped: 0.0 MiB is over max-file-size (0.0 MiB)"),
        ("sub", "warning", "sub is a directory, not a file"),
    ]


def test_utf16_with_bom_is_read_as_pip_reads_it(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "langgraph==1.0\n".encode("utf-16"))
    assert Project(tmp_path).text("requirements.txt") == "langgraph==1.0\n"


@pytest.mark.parametrize(
    ("rel", "content", "message", "line", "column"),
    [
        (
            "langgraph.json",
            '{"graphs": {,}}',
            "invalid JSON: expected a double-quoted property name",
            1,
            13,
        ),
        ("langgraph.json", "  \n", "is empty; expected a JSON object", 1, 1),
        (
            "pyproject.toml",
            "[project\nname='x'",
            "invalid TOML: Expected ']' at the end of a table declaration",
            1,
            9,
        ),
        ("k8s/a.yaml", "a: [1\n", "invalid YAML:", 2, 1),
        ("agent.py", "def f(:\n    pass\n", "invalid Python:", 1, 7),
    ],
)
def test_parse_errors_become_ac100_with_location(
    tmp_path: Path, rel: str, content: str, message: str, line: int, column: int
) -> None:
    write(tmp_path, rel, content)
    project = Project(tmp_path)
    if rel.endswith(".json"):
        assert project.json(rel) is None
    elif rel.endswith(".toml"):
        assert project.toml(rel) is None
    elif rel.endswith(".yaml"):
        assert project.yaml(rel) == []
    else:
        assert project.python(rel) is None
    (finding,) = project.problems
    assert finding.code == "AC100"
    assert finding.path == rel
    assert message in finding.message
    assert (finding.line, finding.column) == (line, column)


def test_helm_templates_are_not_parsed(tmp_path: Path) -> None:
    write(tmp_path, "charts/agent/Chart.yaml", "name: agent\n")
    write(tmp_path, "charts/agent/templates/deploy.yaml", "replicas: {{ .Values.replicas }}\n")
    project = Project(tmp_path)
    assert project.is_templated("charts/agent/templates/deploy.yaml")
    assert project.yaml("charts/agent/templates/deploy.yaml") == []
    assert project.problems == []


def test_k8s_objects_flatten_lists_and_skip_compose(tmp_path: Path) -> None:
    write(
        tmp_path,
        "k8s/all.yaml",
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n",
    )
    write(tmp_path, "docker-compose.yml", "services: {a: {image: x}}\n")
    objects = Project(tmp_path).k8s_objects
    assert [(rel, doc.data["kind"], doc.line("kind")) for rel, doc in objects] == [
        ("k8s/all.yaml", "Service", 5),
        ("k8s/all.yaml", "Deployment", 9),
    ]


def test_production_globs(tmp_path: Path) -> None:
    project = Project(tmp_path)
    assert project.is_production("k8s/deployment.yaml")
    assert project.is_production("docker-compose.yml")
    assert project.is_production("services/api/Dockerfile")
    assert not project.is_production("docker-compose.override.yml")
    assert not project.is_production("k8s/dev/deployment.yaml")
    assert not project.is_production("agent/graph.py")
