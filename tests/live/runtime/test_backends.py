"""Runtimes register through ``agentcheck_runtimes``: one list, a plugin's backend is one class."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import pluggy
import pytest

from agentcheck import hookimpl, hookspecs
from agentcheck._extras import LANGGRAPH_DEV_MODULES, LIVE_MODULES
from agentcheck.errors import ConfigError
from agentcheck.live import backends
from agentcheck.live.backends import Backend, Capability, Launch, make_backend, runtimes
from agentcheck.live.checks import LiveCheck, LiveContext, run_check
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.settings import load_settings


class Echo(Backend):
    """A backend a plugin might add: replicas are URLs it was told about."""

    name = "echo"
    capabilities = frozenset({Capability.STATS})
    options: ClassVar[dict[str, str]] = {"echo-url": "where the echo replicas answer"}

    def __init__(self, url: str) -> None:
        self.url = url

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, urls: Sequence[str] = ()) -> Self:
        return cls(str(options["echo-url"]))

    def start(self, launch: Launch) -> str:
        return self.url

    def signal(self, index: int, sig: int) -> None:
        raise NotImplementedError

    def alive(self, index: int) -> bool:
        return True

    def log(self, index: int) -> str:
        return ""

    def close(self) -> None:
        return None


class Plugin:
    @hookimpl
    def agentcheck_runtimes(self) -> list[Any]:
        return [Echo]


def manager(*plugins: object) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("agentcheck")
    pm.add_hookspecs(hookspecs)
    for plugin in (backends, *plugins):
        pm.register(plugin)
    return pm


def test_the_builtin_runtimes_are_one_list() -> None:
    assert list(runtimes()) == ["local", "docker", "url"]
    local, _docker, url = runtimes().values()
    assert local.capabilities == frozenset(Capability)
    assert local.managed
    assert url.capabilities == frozenset()
    assert not url.managed


def test_a_plugins_runtime_is_chosen_by_name_with_its_own_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pm = manager(Plugin())
    monkeypatch.setattr("agentcheck.plugins.get_plugin_manager", lambda: pm)
    (tmp_path / "langgraph.json").write_text('{"graphs": {}}', encoding="utf-8")
    table = {"runtime": "echo", "echo-url": "http://127.0.0.1:9"}
    settings = load_settings(tmp_path, table=table, run_budget=300)
    backend = make_backend(settings.runtime, settings.options, pm=pm)
    assert isinstance(backend, Echo)
    assert backend.url == "http://127.0.0.1:9"
    message = "expected one of local, docker, echo, url, got 'ecko'; did you mean 'echo'"
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path, table={"runtime": "ecko"}, run_budget=300)


def test_two_runtimes_of_one_name_are_an_error() -> None:
    class Other(Echo):
        pass

    class Again:
        @hookimpl
        def agentcheck_runtimes(self) -> list[Any]:
            return [Other]

    with pytest.raises(RuntimeError, match="runtime 'echo' is defined twice"):
        runtimes(manager(Plugin(), Again()))


class Remote(Echo):
    """A plugin's runtime that, like url, checks a deployment at the URLs it is given, and
    needs a module of its own installed here to reach it."""

    name = "remote"
    managed = False
    needs_urls = True
    options: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, urls: Sequence[str] = ()) -> Self:
        return cls(urls[0])

    @classmethod
    def modules(cls, server: str) -> tuple[str, ...]:
        return ("remote_sdk",)


class RemotePlugin:
    @hookimpl
    def agentcheck_runtimes(self) -> list[Any]:
        return [Remote]


def test_what_a_runtime_needs_is_asked_of_its_backend_not_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "langgraph.json").write_text('{"graphs": {}}', encoding="utf-8")

    def settings(table: dict[str, Any], urls: Sequence[str] = ()) -> Any:
        return load_settings(tmp_path, table=table, run_budget=300, urls=urls)

    # Built in: only the local runtime runs `langgraph dev` from this environment.
    local = settings({})
    assert local.modules() == [*LIVE_MODULES, *LANGGRAPH_DEV_MODULES]
    assert settings({"command": "serve --port {port}"}).modules() == list(LIVE_MODULES)
    at_url = settings({}, ["http://127.0.0.1:9"])
    assert (at_url.runtime, at_url.modules()) == ("url", list(LIVE_MODULES))

    # A plugin's runtime says what it needs, and whether it needs the deployment's address.
    monkeypatch.setattr("agentcheck.plugins.get_plugin_manager", lambda: manager(RemotePlugin()))
    remote = settings({"runtime": "remote"}, ["http://127.0.0.1:9"])
    assert remote.modules() == [*LIVE_MODULES, "remote_sdk"]
    with pytest.raises(ConfigError, match="runtime remote needs the deployment's address"):
        settings({"runtime": "remote"})
    with pytest.raises(ConfigError, match="the runtimes remote, url all check a deployment by"):
        settings({}, ["http://127.0.0.1:9"])


class NeedsKill(LiveCheck):
    code = "AC898"
    name = "needs-kill"
    summary = "Kills a replica."
    requires = frozenset({Capability.KILL, Capability.RESTART})

    def run(self, ctx: LiveContext, graph: str) -> str:
        raise AssertionError("not reached on a runtime that cannot kill")


def test_a_check_is_skipped_with_the_capability_the_runtime_lacks(tmp_path: Path) -> None:
    (tmp_path / "langgraph.json").write_text('{"graphs": {}}', encoding="utf-8")
    settings = load_settings(tmp_path, table={}, run_budget=300)
    deployment = Deployment(settings.spec(managed=False), Echo("http://127.0.0.1:9"))
    outcome = run_check(NeedsKill(), LiveContext(deployment, settings), "probe")
    assert outcome.status == "skipped"
    assert outcome.message == "the echo runtime cannot kill, restart"
    assert NeedsKill().destructive


def test_another_version_needs_a_runtime_that_can_run_one(tmp_path: Path) -> None:
    from agentcheck.live.backends import Unsupported, UrlBackend

    (tmp_path / "langgraph.json").write_text('{"graphs": {}}', encoding="utf-8")
    settings = load_settings(tmp_path, table={}, run_budget=300.0, urls=["http://127.0.0.1:9"])
    existing = Deployment(settings.spec(managed=False), UrlBackend(settings.urls))
    with pytest.raises(Unsupported, match="the url runtime cannot run-another-version"):
        existing.beside(tmp_path, tmp_path / "langgraph.json", label="v1.0.0")
    with pytest.raises(Unsupported, match="cannot run another version of the project"):
        UrlBackend(settings.urls).another()


def test_a_local_backend_for_another_version_finds_langhost_where_this_one_does(
    tmp_path: Path,
) -> None:
    from agentcheck.live.backends import LocalBackend
    from agentcheck.live.spec import DeploymentSpec

    project = tmp_path / "services" / "desk"
    project.mkdir(parents=True)
    (project / "langgraph.json").write_text('{"graphs": {}}', encoding="utf-8")
    (tmp_path / ".venv-langhost" / "bin").mkdir(parents=True)
    backend = LocalBackend(langhost="../../.venv-langhost")
    spec = DeploymentSpec(root=project, config=project / "langgraph.json")
    backend.open(spec, tmp_path / "run")
    other = backend.another()
    assert isinstance(other, LocalBackend)
    assert other.langhost == str(tmp_path / ".venv-langhost")  # not relative to the release
    assert LocalBackend().another().langhost is None
