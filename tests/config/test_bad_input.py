"""Bad input to the AC1xx rules: a clear finding with a path, or silence; never a traceback.

Decision: a repository without any langgraph.json / aegra.json is not a LangGraph project, and
AC101-AC108 stay silent there rather than report that the file is missing (agentcheck lints
whole repositories, and most of a monorepo is no agent). AC109 still reads deployment files.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from agentcheck.lint.finding import Finding, Severity
from agentcheck.project import Project
from tests.config.conftest import MakeProject, run

GRAPH = "from langgraph.graph import StateGraph\ngraph = StateGraph(dict).compile()\n"
CONFIG = '{"dependencies": ["."], "graphs": {"agent": "./agent.py:graph"}}'


def lint_family(project: Project) -> list[Finding]:
    """AC100-AC109, asserting no rule crashed (AC901 is reported whatever is selected)."""
    findings = run(project, "AC1")
    crashed = [f.message for f in findings if f.code == "AC901"]
    assert not crashed, crashed
    return findings


def codes(findings: list[Finding]) -> list[tuple[str, str, int]]:
    return sorted((f.code, f.path, f.line) for f in findings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("   \n\t\n", "is empty"),
        ('{"graphs": {"agent": "./agent.py:graph",}}', "invalid JSON"),
        ('{"graphs": ', "invalid JSON"),
        ("[" * 5000 + "]" * 5000, "nesting is too deep"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b'{"graphs": {"agent": "./agent\xff.py:graph"}}', "not valid UTF-8"),
    ],
    ids=["empty", "blank", "trailing-comma", "truncated", "deep", "binary", "bad-utf8"],
)
def test_malformed_langgraph_json_is_one_ac100_at_its_path(
    make_project: MakeProject, content: str | bytes, message: str
) -> None:
    project = make_project({"langgraph.json": content, "agent.py": GRAPH})
    (finding,) = lint_family(project)
    assert (finding.code, finding.path) == ("AC100", "langgraph.json")
    assert message in finding.message


def test_wrong_types_everywhere_are_ac101_findings(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": """\
                {"dependencies": "langgraph", "graphs": ["./agent.py:graph"], "env": 5,
                 "auth": "yes", "http": {"cors": 1}, "store": {"index": {"dims": "x"}},
                 "python_version": 3.12, "checkpointer": {"path": 7}}
                """,
            "agent.py": GRAPH,
        }
    )
    findings = lint_family(project)
    assert findings
    assert {f.code for f in findings} == {"AC101"}
    assert all(f.path == "langgraph.json" for f in findings)


def test_no_langgraph_json_means_the_family_is_silent(make_project: MakeProject) -> None:
    project = make_project(
        {
            "app.py": "import numpy\n",
            "requirements.txt": "langgraph>=1\n",
            "Dockerfile": 'FROM python:3.12-slim\nCMD ["langgraph", "dev"]\n',
        }
    )
    found = codes(lint_family(project))
    # AC108 and AC109 read packaging and deployment files, which need no langgraph.json.
    assert found == [("AC108", "requirements.txt", 1), ("AC109", "Dockerfile", 2)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4, "binary file"),
        (b"graph = '\xff\xfe'\n", "not valid UTF-8"),
        ("def broken(:\n", "invalid Python"),
        ("x = " + "(" * 300 + ")" * 300 + "\n", "Python"),
    ],
    ids=["binary", "bad-utf8", "syntax-error", "too-nested"],
)
def test_a_graph_module_that_cannot_be_read(
    make_project: MakeProject, content: str | bytes, message: str
) -> None:
    project = make_project({"langgraph.json": CONFIG, "agent.py": content})
    findings = lint_family(project)
    assert [(f.code, f.path) for f in findings] == [("AC100", "agent.py")]
    assert message in findings[0].message


def test_symlink_loops_in_the_tree(make_project: MakeProject, tmp_path: Path) -> None:
    project = make_project({"langgraph.json": CONFIG, "agent.py": GRAPH})
    root = project.root
    os.symlink("b", root / "a")
    os.symlink("a", root / "b")
    os.symlink(".", root / "self")
    os.symlink(root, root / "pkg")
    os.symlink("loop.py", root / "loop.py")
    (root / "langgraph.json").write_text(
        '{"dependencies": [".", "./self", "./a"], '
        '"graphs": {"agent": "./agent.py:graph", "loop": "./loop.py:graph", '
        '"deep": "self.self.self.agent:graph"}, "env": "./a"}',
        encoding="utf-8",
    )
    findings = lint_family(Project(root))
    assert {f.path for f in findings} <= {"langgraph.json"}
    assert {f.code for f in findings} <= {"AC102", "AC104", "AC106"}
    assert any(f.code == "AC102" and "loop.py" in f.message for f in findings)


def test_a_50_mb_file_is_skipped_with_an_info_finding(
    make_project: MakeProject,
) -> None:
    project = make_project({"langgraph.json": CONFIG, "requirements.txt": "langgraph==1.0.3\n"})
    line = b"value = 'padding padding padding padding padding padding padding'\n"
    with (project.root / "agent.py").open("wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    assert (project.root / "agent.py").stat().st_size >= 50 * 1024 * 1024
    findings = lint_family(Project(project.root))
    assert [(f.code, f.path, f.severity) for f in findings] == [
        ("AC100", "agent.py", Severity.INFO)
    ]
    assert "max-file-size" in findings[0].message


def test_a_yaml_alias_bomb_in_a_deployment_file(make_project: MakeProject) -> None:
    lines = ["services:", "  agent:", "    image: agent:1.0.0", "x-bomb:"]
    lines.append('  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]')
    lines += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    project = make_project(
        {"langgraph.json": CONFIG, "agent.py": GRAPH, "compose.yaml": "\n".join(lines) + "\n"}
    )
    findings = lint_family(project)
    assert [(f.code, f.path) for f in findings] == [("AC100", "compose.yaml")]
    assert "alias bomb" in findings[0].message


def test_strange_dependency_manifests(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": CONFIG,
            "agent.py": GRAPH,
            "requirements.txt": (
                "-r requirements.txt\n-r ../../outside.txt\n-r sub\n-r missing.txt\n"
                "=== not a requirement\n--hash\n-e\nlanggraph==1.0.3 \\\n"
            ),
            "sub/x.txt": "",
            "pyproject.toml": '[project]\ndependencies = "langgraph"\noptional-dependencies = 3\n',
            "setup.py": "setup(install_requires=some_function())\n",
            "setup.cfg": "[options\ninstall_requires = x\n",
            "Pipfile": "[packages]\n= broken\n",
        }
    )
    findings = lint_family(project)
    # The two manifests that are not TOML/INI at all; includes that are missing, outside the
    # root or a directory are skipped.
    assert codes(findings) == [("AC100", "Pipfile", 2), ("AC100", "setup.cfg", 1)]


def test_utf16_requirements_with_a_bom_declare_imports(make_project: MakeProject) -> None:
    text = "langgraph==1.0.3\r\nlangchain-openai==1.0.2\r\n"
    project = make_project(
        {
            "langgraph.json": CONFIG,
            "agent.py": "from langchain_openai import ChatOpenAI\n" + GRAPH,
            "requirements.txt": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        }
    )
    assert lint_family(project) == []
