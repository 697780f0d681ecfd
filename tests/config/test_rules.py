"""Behaviour of the AC1xx rules beyond what the fixture projects show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentcheck.cli import main
from agentcheck.lint.rules.config import ac109_dev_server_in_production
from agentcheck.project import Project
from tests.config.conftest import MakeProject, located, run
from tests.conftest import GRAPH
from tests.fixtureprojects import PROJECTS, FixtureProject

PYPROJECT = (
    '[project]\nname = "a"\nrequires-python = ">=3.11"\ndependencies = ["langgraph==1.0.3"]\n'
)


def config(**graphs: str) -> str:
    items = ", ".join(f'"{k}": "{v}"' for k, v in graphs.items())
    return f'{{"dependencies": ["."], "graphs": {{{items}}}}}'


# ------------------------------------------------------------------ the broken project


def test_broken_project_reports_ac101_to_ac107_at_their_files_and_lines(tmp_path: Path) -> None:
    fixture = FixtureProject(
        "ac101-bad-broken-project", PROJECTS / "ac101-bad-broken-project", "AC101", False
    )
    project = Project(fixture.materialize(tmp_path / "broken"))
    found = located(run(project, "AC1"))
    assert found == {
        ("langgraph.json", 11, "AC101"),
        ("langgraph.json", 6, "AC102"),
        ("langgraph.json", 7, "AC102"),
        ("langgraph.json", 8, "AC103"),
        ("langgraph.json", 10, "AC104"),
        ("agent/graph.py", 5, "AC105"),
        ("agent/graph.py", 7, "AC106"),
        ("langgraph.json", 3, "AC106"),
        ("Dockerfile", 1, "AC107"),
    }
    assert {code for _, _, code in found} == {f"AC10{i}" for i in range(1, 8)}


def test_agentcheck_lint_json_on_the_broken_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = FixtureProject(
        "ac101-bad-broken-project", PROJECTS / "ac101-bad-broken-project", "AC101", False
    )
    root = fixture.materialize(tmp_path / "broken")
    status = main(["lint", str(root), "--format", "json", "--select", "AC1"])
    data = json.loads(capsys.readouterr().out)
    assert status == 1
    found = {(f["path"], f["line"], f["code"]) for f in data["findings"]}
    assert found == fixture.expected()
    assert {code for _, _, code in found} == {f"AC10{i}" for i in range(1, 8)}


# ------------------------------------------------------------------ scope


def test_without_langgraph_json_the_family_is_silent(make_project: MakeProject) -> None:
    project = make_project(
        {
            "app.py": "import numpy\nfrom langgraph.graph import StateGraph\nx = StateGraph(dict)\n",
            "requirements.txt": "fastapi\n",
            "pyproject.toml": '[project]\nname = "a"\nrequires-python = ">=3.13"\n',
            ".python-version": "3.11\n",
        }
    )
    assert run(project, "AC101", "AC102", "AC103", "AC104", "AC105", "AC106", "AC107") == []


# ------------------------------------------------------------------ AC101


def test_ac101_a_config_that_is_not_an_object(make_project: MakeProject) -> None:
    project = make_project({"langgraph.json": '["./agent.py:graph"]'})
    (finding,) = run(project, "AC101")
    assert (finding.line, "JSON object" in finding.message) == (1, True)


def test_ac101_never_echoes_credentials_in_git_urls(make_project: MakeProject) -> None:
    token = "ghp_" + "x" * 36
    project = make_project(
        {
            "langgraph.json": (
                '{"dependencies": [".", "git+https://user:' + token + '@github.com/a/b.git"],'
                ' "graphs": {"a": "./a.py:graph"}}'
            ),
            "a.py": GRAPH,
        }
    )
    findings = run(project, "AC101")
    assert [f.line for f in findings] == [1]
    assert "credentials" in findings[0].message
    assert all(token not in f.message + f.fix for f in findings)


def test_ac101_severity_follows_langgraph_cli(make_project: MakeProject) -> None:
    """What langgraph-cli rejects is an error; what it only warns about is a warning."""
    project = make_project(
        {
            "langgraph.json": (
                '{"name": "x",\n"python_version": "3.9",\n"dependencies": ["."],\n'
                '"graphs": {"a": "./a.py:graph"}}'
            ),
            "a.py": GRAPH,
        }
    )
    assert sorted((f.line, f.severity.value) for f in run(project, "AC101")) == [
        (1, "warning"),
        (2, "error"),
    ]


def test_ac101_aegra_needs_no_dependencies(make_project: MakeProject) -> None:
    project = make_project({"aegra.json": '{"graphs": {"a": "./a.py:graph"}}', "a.py": GRAPH})
    assert run(project, "AC101") == []


# ------------------------------------------------------------------ AC102


@pytest.mark.parametrize(
    "module",
    [
        "def __getattr__(name):\n    return object()\n",
        "from somewhere_else import *\n",
        "globals()['graph'] = 1\n",
    ],
    ids=["module-getattr", "star-import", "globals"],
)
def test_ac102_is_silent_when_names_are_made_dynamically(
    make_project: MakeProject, module: str
) -> None:
    project = make_project({"langgraph.json": config(a="./a.py:graph"), "a.py": module})
    assert run(project, "AC102") == []


def test_ac102_module_targets_from_declared_packages_are_not_checked(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "langgraph.json": (
                '{"dependencies": [".", "acme-agents==1.0"],'
                ' "graphs": {"a": "acme_agents.support:graph", "b": "missing_pkg.x:graph"}}'
            ),
        }
    )
    assert [(f.line, "missing_pkg" in f.message) for f in run(project, "AC102")] == [(1, True)]


def test_ac102_checks_js_files_exist_but_not_their_exports(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": config(web="./web/graph.ts:graph", gone="./web/gone.ts:graph"),
            "web/graph.ts": "export const other = 1;\n",
        }
    )
    (finding,) = run(project, "AC102")
    assert "gone.ts" in finding.message


def test_ac102_reports_auth_http_and_checkpointer_targets(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": """\
                {
                  "dependencies": ["."],
                  "graphs": {"a": "./a.py:graph"},
                  "auth": {"path": "./auth.py:auth"},
                  "http": {"app": "./web.py:app"},
                  "checkpointer": {"path": "./savers.py:make_saver"}
                }
                """,
            "a.py": GRAPH,
            "auth.py": "my_auth = object()\n",
            "savers.py": "def make_saver(): ...\n",
        }
    )
    found = sorted((f.line, f.message.split(" target")[0]) for f in run(project, "AC102"))
    assert found == [(4, "The auth.path"), (5, "The http.app")]


# ------------------------------------------------------------------ AC103


@pytest.mark.parametrize(
    ("code", "reported"),
    [
        (
            "from langgraph.func import entrypoint\n@entrypoint()\ndef graph(x):\n    return x\n",
            False,
        ),
        ("from langgraph.func import entrypoint\ndef f(x): ...\ngraph = entrypoint()(f)\n", False),
        (
            "from langgraph.prebuilt import create_react_agent\ngraph = create_react_agent(m, [])\n",
            False,
        ),
        (
            "from langgraph_supervisor import create_supervisor\ngraph = create_supervisor([])\n",
            True,
        ),
        ("import langgraph.graph as lg\ngraph = lg.StateGraph(dict)\n", True),
        ("class StateGraph: ...\ngraph = StateGraph()\n", False),
        ("graph = lambda config: make(config)\n", False),
        ("async def graph():\n    yield\n", False),
        ("graph = None\n", True),
        ("graph = [1, 2]\n", True),
        ("import os\ngraph = os\n", False),
        ("graph = unknown_call()\n", False),
    ],
    ids=[
        "entrypoint-decorator",
        "entrypoint-inline",
        "create-react-agent",
        "create-supervisor-builder",
        "module-attribute-builder",
        "own-class-named-StateGraph",
        "lambda-factory",
        "async-generator-factory",
        "none",
        "list",
        "external-module",
        "unknown-call",
    ],
)
def test_ac103_classification(make_project: MakeProject, code: str, reported: bool) -> None:
    project = make_project({"langgraph.json": config(a="./a.py:graph"), "a.py": code})
    assert bool(run(project, "AC103")) is reported


def test_ac103_follows_imports_to_the_builder(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": config(a="./serve.py:graph"),
            "serve.py": "from agent import builder as graph\n",
            "agent.py": GRAPH,
        }
    )
    (finding,) = run(project, "AC103")
    assert "StateGraph builder" in finding.message


# ------------------------------------------------------------------ AC104


@pytest.mark.parametrize(
    "example", [".env.example", ".env.sample", ".env.template", "env.example", None]
)
def test_ac104_examples(make_project: MakeProject, example: str | None) -> None:
    files = {
        "langgraph.json": '{"dependencies": ["."], "graphs": {"a": "./a.py:graph"}, "env": ".env"}',
        "a.py": GRAPH,
    }
    if example:
        files[example] = "OPENAI_API_KEY=\n"
    assert bool(run(make_project(files), "AC104")) is (example is None)


def test_ac104_an_existing_env_file_or_an_env_object(make_project: MakeProject) -> None:
    project = make_project(
        {
            "a/langgraph.json": '{"graphs": {}, "env": "../shared.env"}',
            "shared.env": "A=1\n",
            "b/langgraph.json": '{"graphs": {}, "env": {"A": "1"}}',
            "c/langgraph.json": '{"graphs": {}, "env": "/etc/agent.env"}',
        }
    )
    assert run(project, "AC104") == []


# ------------------------------------------------------------------ AC105


def test_ac105_counts_lazy_imports_and_reports_each_place(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": config(a="./a.py:graph"),
            "pyproject.toml": PYPROJECT,
            "a.py": GRAPH
            + "\n\ndef tool():\n    import redis\n    import redis.asyncio\n    return redis\n",
        }
    )
    assert [(f.line, f.message.split()[2]) for f in run(project, "AC105")] == [
        (22, "redis,"),
        (23, "redis.asyncio,"),
    ]


def test_ac105_ignores_monorepo_members_and_code_not_served(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": config(a="./a.py:graph"),
            "pyproject.toml": PYPROJECT,
            "a.py": "from acme_core.prompts import SYSTEM\n" + GRAPH,
            "libs/core/pyproject.toml": '[project]\nname = "acme-core"\n',
            "libs/core/src/acme_core/__init__.py": "",
            "libs/core/src/acme_core/prompts.py": "SYSTEM = ''\n",
            "scripts/report.py": "import pandas\n",
        }
    )
    assert run(project, "AC105") == []


# ------------------------------------------------------------------ AC106


def test_ac106_flat_faux_package(make_project: MakeProject) -> None:
    files = {
        "langgraph.json": '{"dependencies": ["./agent"], "graphs": {"a": "./agent/graph.py:graph"}}',
        "requirements.txt": "langgraph==1.0.3\n",
        "agent/__init__.py": "",
        "agent/prompts.py": "SYSTEM = ''\n",
        "agent/graph.py": "from agent.prompts import SYSTEM\n" + GRAPH,
    }
    assert run(make_project(files), "AC106") == []


def test_ac106_module_target_needs_its_package_shipped(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": '{"dependencies": ["./other"], "graphs": {"a": "agent.graph:graph"}}',
            "other/x.py": "",
            "agent/__init__.py": "",
            "agent/graph.py": GRAPH,
        }
    )
    (finding,) = run(project, "AC106")
    assert finding.path == "langgraph.json"
    assert "'agent'" in finding.message


# ------------------------------------------------------------------ AC107


def test_ac107_python_version_file_against_requires_python(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": config(a="./a.py:graph"),
            "pyproject.toml": PYPROJECT.replace(">=3.11", ">=3.11,<3.13"),
            ".python-version": "3.13.1\n",
            "a.py": GRAPH,
        }
    )
    assert located(run(project, "AC107")) == {(".python-version", 1, "AC107")}


def test_ac107_reads_the_final_stage_of_a_multi_stage_build(make_project: MakeProject) -> None:
    project = make_project(
        {
            "langgraph.json": (
                '{"python_version": "3.12", "dependencies": ["."], "graphs": {"a": "./a.py:graph"}}'
            ),
            "a.py": GRAPH,
            "Dockerfile": (
                "FROM python:3.11-slim AS build\nRUN pip wheel . -w /w\n"
                "FROM python:3.12-slim\nCOPY --from=build /w /w\n"
            ),
        }
    )
    assert run(project, "AC107") == []


# ------------------------------------------------------------------ AC108


def test_ac108_a_lock_file_above_the_manifest_covers_it(make_project: MakeProject) -> None:
    project = make_project(
        {
            "uv.lock": "version = 1\n",
            "services/agent/pyproject.toml": '[project]\nname = "a"\ndependencies = ["langgraph"]\n',
            "other/requirements.txt": "langgraph-api>=0.4\n",
        }
    )
    assert run(project, "AC108") == []


def test_ac108_a_lock_file_below_the_manifest_does_not(make_project: MakeProject) -> None:
    project = make_project({"services/agent/uv.lock": "", "requirements.txt": "langgraph\n"})
    assert located(run(project, "AC108")) == {("requirements.txt", 1, "AC108")}


# ------------------------------------------------------------------ AC109


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["langgraph", "dev", "--host", "0.0.0.0"], "`langgraph dev`"),
        (["/opt/venv/bin/langgraph", "dev"], "`langgraph dev`"),
        ("uvx --from 'langgraph-cli[inmem]' langgraph dev --port 2024", "`langgraph dev`"),
        (["sh", "-c", "pip install . && exec langgraph dev"], "`langgraph dev`"),
        (["python", "-m", "langgraph_cli", "dev"], "`python -m langgraph_cli dev`"),
        (["python3.12", "-m", "langgraph_api.cli"], "`python -m langgraph_api.cli`"),
        ("LANGGRAPH_RUNTIME_EDITION=inmem uvicorn langgraph_api.server:app", "in-memory runtime"),
        (["python", "-m", "langgraph_api.cli", "--runtime-edition", "postgres"], None),
        (["langgraph", "up"], None),
        (["langgraph", "build", "-t", "agent:1"], None),
        (["uvicorn", "langgraph_api.server:app"], None),
        (["echo", "run langgraph dev locally"], None),
        ("langgraph --help && dev", None),
        ([], None),
        (None, None),
    ],
)
def test_dev_server(argv: list[str] | str | None, what: str | None) -> None:
    found = ac109_dev_server_in_production.dev_server(argv)
    assert (found is None) is (what is None)
    if what is not None:
        assert found is not None
        assert what in found


def test_ac109_non_production_files_do_not_count(make_project: MakeProject) -> None:
    project = make_project(
        {
            "docker-compose.dev.yml": "services:\n  a:\n    image: a:1\n    command: langgraph dev\n",
            "deploy/Procfile.example": "web: langgraph dev\n",
            "Dockerfile.local": 'FROM python:3.12\nCMD ["langgraph", "dev"]\n',
            "scripts/dev.sh": "langgraph dev --no-browser\n",
        }
    )
    assert run(project, "AC109") == []


def test_ac106_sibling_imports_need_their_folder_on_the_import_path(
    make_project: MakeProject,
) -> None:
    files = {
        "langgraph.json": config(a="./agent/graph.py:graph"),
        "pyproject.toml": PYPROJECT,
        "agent/utils.py": "def helper(x):\n    return x\n",
        "agent/graph.py": "from utils import helper\n" + GRAPH,
    }
    findings = run(make_project(files), "AC105", "AC106")
    assert located(findings) == {("agent/graph.py", 1, "AC106")}
    assert "agent/utils.py" in findings[0].message


def test_ac106_sibling_imports_beside_the_config_are_fine(make_project: MakeProject) -> None:
    files = {
        "agent/langgraph.json": config(a="./graph.py:graph"),
        "agent/requirements.txt": "langgraph==1.0.3\n",
        "agent/utils.py": "def helper(x):\n    return x\n",
        "agent/graph.py": "from utils import helper\n" + GRAPH,
    }
    assert run(make_project(files), "AC105", "AC106") == []


@pytest.mark.parametrize(
    ("dockerfile", "line"),
    [
        ('FROM python:3.12\nENTRYPOINT ["langgraph"]\nCMD ["dev", "--host", "0.0.0.0"]\n', 3),
        ('FROM python:3.12\nENTRYPOINT ["langgraph", "dev"]\nCMD ["--port", "8000"]\n', 2),
        ("FROM python:3.12\nCMD langgraph dev --host 0.0.0.0\n", 2),
        (
            'FROM python:3.12 AS dev\nCMD ["langgraph", "dev"]\nFROM python:3.12\nCMD ["app"]\n',
            None,
        ),
    ],
    ids=["entrypoint-and-cmd", "entrypoint", "shell-form", "earlier-stage"],
)
def test_ac109_dockerfile_entrypoint_and_cmd(
    make_project: MakeProject, dockerfile: str, line: int | None
) -> None:
    project = make_project({"Dockerfile": dockerfile})
    expected = {("Dockerfile", line, "AC109")} if line else set()
    assert located(run(project, "AC109")) == expected


def test_js_graphs_and_uv_projects(make_project: MakeProject) -> None:
    project = make_project(
        {
            "js/langgraph.json": (
                '{"node_version": "20", "graphs": {"agent": "./src/agent.ts:graph"}}'
            ),
            "js/src/agent.ts": "export const graph = 1;\n",
            "uv/agent/langgraph.json": (
                '{"source": {"kind": "uv", "root": ".."}, "python_version": "3.12",'
                ' "graphs": {"agent": "agent.graph:graph"}}'
            ),
            "uv/pyproject.toml": (
                '[project]\nname = "x"\nrequires-python = ">=3.12"\n'
                'dependencies = ["langgraph>=1,<2"]\n'
            ),
            "uv/agent/__init__.py": "",
            "uv/agent/graph.py": GRAPH,
        }
    )
    # JavaScript graphs are not read as Python: one info says the code rules skip them.
    assert [(f.code, f.severity.value, f.path) for f in run(project, "AC1")] == [
        ("AC100", "info", "js/langgraph.json")
    ]
