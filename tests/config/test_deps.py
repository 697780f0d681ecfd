from __future__ import annotations

import codecs

import pytest

from agentcheck import deps
from tests.config.conftest import MakeProject


@pytest.mark.parametrize(
    ("name", "normalized"),
    [("Langchain_OpenAI", "langchain-openai"), ("PyYAML", "pyyaml"), ("a.b__c", "a-b-c")],
)
def test_normalize_follows_pep_503(name: str, normalized: str) -> None:
    assert deps.normalize(name) == normalized


def test_requirements_file_as_pip_reads_it(make_project: MakeProject) -> None:
    project = make_project(
        {
            "requirements.txt": """\
                # the agent
                -r base.txt
                -c constraints.txt
                --index-url https://pypi.example.com/simple
                langchain-openai>=1.0,<2 ; python_version >= "3.11"  # the model
                tavily-python==0.5.0 \\
                    --hash=sha256:abc
                -e ./libs/tools
                git+https://github.com/acme/helpers.git@v1#egg=acme-helpers
                ./wheels/local_pkg-1.0-py3-none-any.whl
                """,
            "base.txt": "langgraph==1.0.3\n-r requirements.txt\n",
            "constraints.txt": "never-declared==1\n",
        }
    )
    declared, local = deps.requirements_file(project, "requirements.txt")
    by_key = {d.key: d for d in declared}
    assert set(by_key) == {"langchain-openai", "tavily-python", "acme-helpers", "langgraph"}
    assert by_key["langchain-openai"].line == 5
    assert by_key["langchain-openai"].specifier == "<2,>=1.0"
    assert by_key["tavily-python"].line == 6
    assert by_key["tavily-python"].bounded
    assert by_key["acme-helpers"].url is not None
    assert by_key["langgraph"].source == "base.txt"
    assert [lp.path for lp in local] == ["libs/tools", "wheels/local_pkg-1.0-py3-none-any.whl"]


def test_requirements_in_utf16_with_bom(make_project: MakeProject) -> None:
    text = "langgraph==1.0.3\r\nlangchain-openai==1.0.2\r\n"
    project = make_project(
        {
            "requirements.txt": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
            "requirements-dev.txt": codecs.BOM_UTF16_BE + "pytest==8.3\n".encode("utf-16-be"),
        }
    )
    declared, _ = deps.requirements_file(project, "requirements.txt")
    assert [(d.key, d.line) for d in declared] == [("langgraph", 1), ("langchain-openai", 2)]
    assert [d.key for d in deps.requirements_file(project, "requirements-dev.txt")[0]] == ["pytest"]
    assert deps.requirements_fully_pinned(project, "requirements.txt")


def test_pyproject_declarations_of_every_flavour(make_project: MakeProject) -> None:
    project = make_project(
        {
            "pyproject.toml": """\
                [project]
                name = "support-agent"
                requires-python = ">=3.11"
                dependencies = ["langgraph>=1.0,<2", "psycopg[binary,pool]>=3.2"]

                [project.optional-dependencies]
                openai = ["langchain-openai>=1.0", "support-agent[extra]"]

                [dependency-groups]
                dev = ["pytest>=8", {include-group = "lint"}]
                lint = ["ruff"]

                [tool.poetry.dependencies]
                python = "^3.11"
                tavily-python = "^0.5"
                acme = {path = "../acme", develop = true}

                [tool.poetry.group.test.dependencies]
                respx = "*"

                [tool.uv]
                dev-dependencies = ["mypy"]
                """
        }
    )
    declared = deps.pyproject_dependencies(project, "pyproject.toml")
    by_key = {d.key: d for d in declared}
    assert set(by_key) == {
        "langgraph",
        "psycopg",
        "langchain-openai",
        "pytest",
        "ruff",
        "tavily-python",
        "acme",
        "respx",
        "mypy",
    }
    assert "support-agent" not in by_key  # a self-reference is not a dependency
    assert by_key["langgraph"].line == 4
    assert by_key["langgraph"].bounded
    assert by_key["psycopg"].extras == {"binary", "pool"}
    assert by_key["langchain-openai"].kind == "optional"
    assert not by_key["langchain-openai"].bounded
    assert by_key["tavily-python"].poetry
    assert by_key["tavily-python"].bounded
    assert by_key["respx"].line == 19
    assert not by_key["respx"].bounded
    assert by_key["acme"].url == "../acme"
    spec_line = deps.requires_python(project, "pyproject.toml")
    assert spec_line is not None
    assert spec_line[1] == 3
    assert "3.11.2" in spec_line[0]


def test_setup_cfg_setup_py_and_pipfile(make_project: MakeProject) -> None:
    project = make_project(
        {
            "setup.cfg": "[options]\ninstall_requires =\n    httpx>=0.27\n    tenacity\n",
            "setup.py": "from setuptools import setup\nsetup(install_requires=['orjson>=3'])\n",
            "Pipfile": '[packages]\nredis = "*"\nboto3 = {version = ">=1.34"}\n',
        }
    )
    keys = {d.key for rel in deps.manifests(project) for d in deps.declared_in(project, rel)}
    assert keys == {"httpx", "tenacity", "orjson", "redis", "boto3"}


def test_langgraph_json_dependencies(make_project: MakeProject) -> None:
    project = make_project(
        {
            "agent/langgraph.json": """\
                {"dependencies": [".", "../shared", "langchain-openai==1.0.2",
                  "git+https://github.com/acme/tools.git#egg=acme-tools", "/opt/abs"],
                 "graphs": {}}
                """
        }
    )
    (cfg,) = project.langgraph_configs
    declared, local = deps.langgraph_json_dependencies(cfg)
    assert [(d.key, d.url is not None) for d in declared] == [
        ("langchain-openai", False),
        ("acme-tools", True),
    ]
    assert [(lp.raw, lp.path) for lp in local] == [
        (".", "agent"),
        ("../shared", "shared"),
        ("/opt/abs", None),
    ]
    assert (declared[0].line, declared[0].column) == (1, 37)


def test_declared_for_config_reads_its_directory_parents_and_local_paths(
    make_project: MakeProject,
) -> None:
    project = make_project(
        {
            "pyproject.toml": '[project]\nname = "root"\ndependencies = ["langgraph==1.0.3"]\n',
            "services/agent/langgraph.json": (
                '{"dependencies": [".", "../../libs/tools"], "graphs": {}}'
            ),
            "services/agent/requirements.txt": "langchain-openai==1.0.2\n",
            "libs/tools/pyproject.toml": '[project]\nname = "tools"\ndependencies = ["httpx"]\n',
            "deploy/requirements/prod.txt": "gunicorn==23.0\n",
            "services/billing/langgraph.json": '{"dependencies": ["."], "graphs": {}}',
            "services/billing/requirements.txt": "stripe==11.0\n",
        }
    )
    cfg, billing = sorted(
        project.langgraph_configs, key=lambda c: c.path != "services/agent/langgraph.json"
    )
    keys = {d.key for d in deps.declared_for_config(project, cfg)}
    # another service's manifests are not this one's
    assert keys == {"langgraph", "langchain-openai", "httpx", "gunicorn"}
    keys = {d.key for d in deps.declared_for_config(project, billing)}
    assert keys == {"langgraph", "stripe", "httpx", "gunicorn"}


@pytest.mark.parametrize(
    ("module", "dists"),
    [
        ("yaml", ("pyyaml",)),
        ("langchain_openai.chat_models", ("langchain-openai",)),
        ("langgraph.checkpoint.postgres.aio", ("langgraph-checkpoint-postgres",)),
        ("langgraph.checkpoint.memory", ("langgraph-checkpoint",)),
        ("langgraph.graph", ("langgraph",)),
        ("google.cloud.storage", ("google-cloud-storage",)),
        ("azure.identity.aio", ("azure-identity",)),
        ("psycopg2", ("psycopg2", "psycopg2-binary")),
        ("some_unknown_pkg", ("some-unknown-pkg",)),
    ],
)
def test_distributions_for_import(module: str, dists: tuple[str, ...]) -> None:
    assert deps.distributions_for_import(module) == dists


def test_provided_closes_over_known_dependencies_and_extras() -> None:
    available = deps.provided(["langgraph"])
    assert {"langgraph", "langchain-core", "pydantic", "httpx", "langsmith", "pyyaml"} <= available
    assert "langchain-openai" not in available
    psycopg = deps.Declared("psycopg", "psycopg", "", frozenset({"pool"}), "r.txt", 1)
    assert "psycopg-pool" in deps.provided([psycopg])
    assert "psycopg-pool" not in deps.provided(["psycopg"])


def test_stdlib_never_counts() -> None:
    assert deps.is_stdlib("json")
    assert deps.is_stdlib("os.path")
    assert deps.is_stdlib("__future__")
    assert not deps.is_stdlib("yaml")


@pytest.mark.parametrize(
    ("spec", "poetry", "bounded"),
    [
        ("", False, False),
        (">=1.0", False, False),
        ("!=1.1", False, False),
        (">=1.0,<2", False, True),
        ("==1.0.3", False, True),
        ("~=1.0", False, True),
        ("^1.0", True, True),
        ("*", True, False),
        (">=1.0", True, False),
    ],
)
def test_bounded(spec: str, poetry: bool, bounded: bool) -> None:
    item = deps.Declared("langgraph", "langgraph", spec, frozenset(), "x", 1, poetry=poetry)
    assert item.bounded is bounded


@pytest.mark.parametrize(
    ("constraint", "inside", "outside"),
    [
        ("^3.11", "3.12.1", "4.0.0"),
        ("~3.11", "3.11.9", "3.12.0"),
        ("^0.2.3", "0.2.9", "0.3.0"),
        (">=3.11,<3.13", "3.12.0", "3.13.0"),
        ("3.11.*", "3.11.4", "3.12.0"),
    ],
)
def test_poetry_constraint(constraint: str, inside: str, outside: str) -> None:
    spec = deps.poetry_constraint(constraint)
    assert spec is not None
    assert inside in spec
    assert outside not in spec


def test_lock_files(make_project: MakeProject) -> None:
    project = make_project({"uv.lock": "version = 1\n", "sub/poetry.lock": "", "x.lock": ""})
    assert deps.lock_files(project) == ["sub/poetry.lock", "uv.lock"]


def test_poetry_positions_are_found_by_key(make_project: MakeProject) -> None:
    project = make_project(
        {
            "pyproject.toml": """\
                [tool.poetry.dependencies]
                python = "^3.11"
                langgraph-api = "^0.4"
                "langgraph" = ">=1.0"
                """
        }
    )
    lines = {d.key: d.line for d in deps.pyproject_dependencies(project, "pyproject.toml")}
    assert lines == {"langgraph-api": 3, "langgraph": 4}
    found = deps.requires_python(project, "pyproject.toml")
    assert found is not None
    assert found[1] == 2
