"""[tool.agentcheck.live] merged with the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcheck.errors import ConfigError
from agentcheck.live.settings import DEFAULT_INPUT, load_settings


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "langgraph.json").write_text(
        '{"graphs": {"chat": "./chat.py:graph", "triage": "./triage.py:graph"}}'
    )
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "nginx.conf").write_text("server { listen 80; }\n")
    return tmp_path


def write_pyproject(root: Path, body: str) -> None:
    (root / "pyproject.toml").write_text(f"[tool.agentcheck]\nrun-budget = 120\n{body}")


def test_defaults(project: Path) -> None:
    settings = load_settings(project)
    assert settings.runtime == "local"
    assert settings.replicas == 1
    assert settings.proxy is None
    assert settings.config == project.resolve() / "langgraph.json"
    assert settings.graphs() == ["chat", "triage"]
    assert settings.input == DEFAULT_INPUT
    assert settings.run_budget == 300.0


def test_table_is_read_relative_to_the_root(project: Path) -> None:
    write_pyproject(
        project,
        """
[tool.agentcheck.live]
replicas = 2
proxy = "deploy/nginx.conf"
database = "postgres"
command = "aegra serve --host {host} --port {port}"
health = "health"
input = {text = "hi"}
startup-timeout = 20

[tool.agentcheck.live.env]
AUTH_TYPE = "noop"
WORKERS = 2
DEBUG = false
""",
    )
    settings = load_settings(project, cwd=Path("/"))
    assert settings.replicas == 2
    assert settings.proxy == project.resolve() / "deploy" / "nginx.conf"
    assert settings.database == "postgres"
    assert settings.server == "command"  # implied by command
    assert settings.health == "/health"
    assert settings.input == {"text": "hi"}
    assert settings.startup_timeout == 20.0
    assert settings.env == {"AUTH_TYPE": "noop", "WORKERS": "2", "DEBUG": "false"}
    assert settings.run_budget == 120.0


def test_command_line_wins_and_is_relative_to_the_invocation_dir(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    write_pyproject(project, '[tool.agentcheck.live]\nreplicas = 3\nproxy = "deploy/nginx.conf"\n')
    elsewhere = tmp_path_factory.mktemp("cwd")
    (elsewhere / "other.conf").write_text("server { listen 80; }\n")
    settings = load_settings(project, replicas=1, proxy="other.conf", cwd=elsewhere)
    assert settings.replicas == 1
    assert settings.proxy == elsewhere.resolve() / "other.conf"


def test_a_url_on_the_command_line_means_the_url_runtime(project: Path) -> None:
    settings = load_settings(project, urls=["http://127.0.0.1:8123/"])
    assert settings.runtime == "url"
    assert settings.urls == ("http://127.0.0.1:8123",)


def test_env_goes_over_what_agentcheck_sets(project: Path) -> None:
    write_pyproject(project, '[tool.agentcheck.live.env]\nOPENAI_BASE_URL = "http://mine/v1"\n')
    spec = load_settings(project).spec(
        env={"OPENAI_BASE_URL": "http://fake/v1", "OPENAI_API_KEY": "k"},
    )
    assert spec.env == {"OPENAI_BASE_URL": "http://mine/v1", "OPENAI_API_KEY": "k"}
    assert spec.health == "/ok"


def test_a_managed_spec_carries_the_probe_as_a_file_and_the_fakes(project: Path) -> None:
    managed = load_settings(project).spec()
    assert managed.extra_graphs == {"agentcheck_probe": "agentcheck_probe/graph.py:graph"}
    assert managed.files["agentcheck_probe/graph.py"].is_file()
    assert managed.fake_llm
    assert managed.seal_egress
    existing = load_settings(project).spec(managed=False)
    assert existing.extra_graphs == {}
    assert existing.files == {}
    assert not existing.fake_llm


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("replica = 2", "unknown key 'replica'; did you mean 'replicas'?"),
        ("replicas = 0", "replicas: expected a whole number of at least 1"),
        ("replicas = true", "replicas: expected a whole number"),
        ('runtime = "docker-compose"', "runtime: expected one of local, docker, url"),
        ('database = "mysql"', "database: expected one of postgres"),
        ('server = "command"', 'server = "command" needs a command'),
        ('runtime = "url"', "runtime url needs the deployment's address"),
        ('url = "ftp://x"', "expected an http:// or https:// URL"),
        ('proxy = "missing.conf"', "missing.conf does not exist"),
        ("input = 3", "input: expected a table"),
        ("startup-timeout = -1", "startup-timeout: expected a positive number"),
        ("recovery-timeout = 0", "recovery-timeout: expected a positive number"),
        ("env = {A = [1]}", "env: expected a table of NAME = value"),
        ("inputs = 3", "inputs: expected a table of graph id = input table"),
        ("inputs = {chat = 3}", "inputs: chat: expected a table"),
        ("resume = [1]", "resume: expected a table of graph id = value"),
        ("inputs = {chats = {a = 1}}", "inputs: 'chats' is not a graph the project serves"),
        ("resume = {tirage = true}", "triage.; did you mean 'triage'?"),
    ],
)
def test_bad_values_name_the_key(project: Path, body: str, message: str) -> None:
    write_pyproject(project, f"[tool.agentcheck.live]\n{body}\n")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("?", r"\?")):
        load_settings(project)


def test_bad_command_line_values(project: Path) -> None:
    with pytest.raises(ConfigError, match="--agentcheck-replicas"):
        load_settings(project, replicas=0)
    with pytest.raises(ConfigError, match="--agentcheck-url"):
        load_settings(project, urls=["localhost:8123"])


def test_without_langgraph_json_the_spec_says_so(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.config is None
    assert settings.graphs() == []
    with pytest.raises(ConfigError, match=r"no langgraph\.json"):
        settings.spec()


def test_langgraph_json_in_a_subdirectory_is_found(tmp_path: Path) -> None:
    (tmp_path / "agent").mkdir()
    (tmp_path / "agent" / "langgraph.json").write_text('{"graphs": {"a": "./a.py:graph"}}')
    settings = load_settings(tmp_path)
    assert settings.config == (tmp_path / "agent" / "langgraph.json").resolve()
    assert settings.graphs() == ["a"]


@pytest.mark.parametrize("text", ["{not json", '{"graphs": []}', "[]", "\xff\xfe"])
def test_unreadable_langgraph_json_has_no_graphs(tmp_path: Path, text: str) -> None:
    (tmp_path / "langgraph.json").write_text(text, encoding="latin-1")
    assert load_settings(tmp_path).graphs() == []


def test_langhost_always_gets_postgres_and_redis(project: Path) -> None:
    write_pyproject(
        project,
        '[tool.agentcheck.live]\nserver = "langhost"\nlanghost = "lh"\nrecovery-timeout = 60\n',
    )
    settings = load_settings(project)
    assert settings.recovery_timeout == 60.0
    assert settings.options == {"langhost": "lh"}
    spec = settings.spec()
    assert (spec.server, spec.database, spec.redis) == ("langhost", "postgres", True)
    assert load_settings(project, table={}).recovery_timeout == 600.0


def test_inputs_resume_and_since_for_the_checks_across_versions(project: Path) -> None:
    write_pyproject(
        project,
        """
[tool.agentcheck.live.inputs]
chat = {messages = [{role = "user", content = "refund please"}]}
triage = {ticket = "T-1", urgent = true}

[tool.agentcheck.live.resume]
chat = {action = "approve"}
triage = false
""",
    )
    settings = load_settings(project, since="v1.2.0")
    assert settings.inputs == {
        "chat": {"messages": [{"role": "user", "content": "refund please"}]},
        "triage": {"ticket": "T-1", "urgent": True},
    }
    assert settings.resume == {"chat": {"action": "approve"}, "triage": False}
    assert settings.since == "v1.2.0"
    assert load_settings(project).since is None
