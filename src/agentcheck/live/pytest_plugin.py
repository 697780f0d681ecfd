"""pytest plugin: ``pytest --agentcheck --agentcheck-live`` runs the live checks as test items.

The agent is started once per session, when the first live item runs (after the lint items and
the project's own tests), and stopped at the end. Each check is an item whose node id carries
its code, parametrized by graph where that makes sense: ``agentcheck::live::AC802[chat]`` runs
the user's graph, ``agentcheck::live::AC803[agentcheck_probe]`` agentcheck's probe graph.
A failing item prints what was observed and the servers' and the proxy's log lines, not a
traceback. Settings come from ``[tool.agentcheck.live]``; the options below override them.

Fixtures for the project's own tests: ``agent_deployment`` (the started
:class:`~agentcheck.live.orchestrator.Deployment`), ``agent_client`` (a ``langgraph_sdk`` sync
client on it) and ``fake_llm`` (the :class:`~agentcheck.live.fake_llm.FakeLLM` the servers call,
its script reset around each test).

Without ``--agentcheck --agentcheck-live`` nothing starts and nothing heavy is imported: this
module needs neither langgraph nor httpx to load.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from agentcheck.live.checks import LiveCheck, LiveContext, Outcome
    from agentcheck.live.fake_llm import FakeLLM
    from agentcheck.live.orchestrator import Deployment
    from agentcheck.live.settings import LiveSettings

__all__ = [
    "LiveCheckWarning",
    "LiveItem",
    "LivePlugin",
    "agent_client",
    "agent_deployment",
    "fake_llm",
]

PLUGIN_NAME = "agentcheck-live"
NODE_ID = "agentcheck::live"
MARKER = "agentcheck"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("agentcheck", "agentcheck: deployment checks for LangGraph agents")
    group.addoption(
        "--agentcheck-live",
        action="store_true",
        default=False,
        help="with --agentcheck: start the agent and run the live checks (AC8xx)",
    )
    group.addoption(
        "--agentcheck-runtime",
        default=None,
        metavar="NAME",
        help="live: where the agent runs: local processes (local, the default), an existing "
        "deployment (url), or a plugin's runtime",
    )
    group.addoption(
        "--agentcheck-replicas",
        type=int,
        default=None,
        metavar="N",
        help="live: how many replicas to start (default 1)",
    )
    group.addoption(
        "--agentcheck-proxy",
        default=None,
        metavar="PATH",
        help="live: your nginx config, run in front of the replicas",
    )
    group.addoption(
        "--agentcheck-load",
        action="store_true",
        default=False,
        help="live: also run the load checks (AC831 load-slo, AC832 scale-out) with Locust, "
        "as [tool.agentcheck.load] says",
    )
    group.addoption(
        "--agentcheck-url",
        action="append",
        default=[],
        metavar="URL",
        help="live: an existing deployment's base URL (repeat to address replicas directly)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not (config.getoption("agentcheck", default=False) and config.getoption("agentcheck_live")):
        return
    config.addinivalue_line("markers", f"{MARKER}: an agentcheck rule or check")
    config.pluginmanager.register(LivePlugin(config, _settings(config)), PLUGIN_NAME)


def _settings(config: pytest.Config) -> LiveSettings:
    __tracebackhide__ = True
    from agentcheck.errors import AgentcheckError
    from agentcheck.live.settings import load_settings

    invoked = Path(config.invocation_params.dir)
    root_option = config.getoption("agentcheck_root", default=None)
    root = (invoked / str(root_option)).resolve() if root_option else Path(config.rootpath)
    try:
        _require_live(None)  # the runtimes' own modules load with the settings
        settings = load_settings(
            root,
            runtime=config.getoption("agentcheck_runtime"),
            replicas=config.getoption("agentcheck_replicas"),
            proxy=config.getoption("agentcheck_proxy"),
            urls=config.getoption("agentcheck_url"),
            cwd=invoked,
            since=config.getoption("agentcheck_since", default=None),
        )
        settings = _with_load(settings, config.getoption("agentcheck_load"))
        _require_live(settings)
        settings.spec()  # what cannot be started is a usage error now, not at the first item
    except (AgentcheckError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    return settings


def _with_load(settings: LiveSettings, asked: bool) -> LiveSettings:
    """``settings`` with ``load`` set when load runs (the option, or ``enabled = true``); the
    load table is checked now, so a mistake in it is a usage error before anything starts."""
    import dataclasses

    from agentcheck.load.settings import load_load_settings

    table = load_load_settings(settings.root, results=settings.results).table
    if not (asked or table.enabled):
        return settings
    from agentcheck._extras import require

    require(["locust"], "the load checks (AC831, AC832)", "load")
    return dataclasses.replace(settings, load=True)


def _require_live(settings: LiveSettings | None) -> None:
    """[live] is installed: what every runtime imports, and what the runtime's backend needs
    here to run the server (``langgraph dev``, for the local runtime: ``Backend.modules``)."""
    from agentcheck._extras import LIVE_MODULES, require

    require(settings.modules() if settings else LIVE_MODULES, "the live checks", "live")


class LivePlugin:
    """One ``--agentcheck-live`` session: its settings, checks and (once started) deployment."""

    def __init__(self, config: pytest.Config, settings: LiveSettings) -> None:
        self.config = config
        self.settings = settings
        self._ctx: LiveContext | None = None

    def context(self) -> LiveContext:
        """The deployment, started on first use (with progress lines on the terminal)."""
        if self._ctx is None:
            from agentcheck.live.checks import start_context

            s = self.settings
            proxy = f", proxy {s.proxy.name}" if s.proxy else ""
            self._progress(f"starting the deployment ({s.runtime}, {s.replicas} replica(s){proxy})")
            self._ctx = start_context(self.settings, progress=self._progress)
            if not self._ctx.deployment.managed:
                self._progress(
                    f"on {self._ctx.url} the checks create threads and runs tagged "
                    f"metadata.agentcheck={self._ctx.session}, deleted when they end; nothing "
                    "is killed or restarted"
                )
            if self._ctx.startup_error is None:
                self._progress(f"ready at {self._ctx.url} in {self._ctx.startup_seconds:.1f} s")
            else:
                self._progress("the deployment did not start (see AC801)")
        return self._ctx

    def _progress(self, message: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None:
            return
        # The deployment starts inside the first live item, while output is captured.
        capture = self.config.pluginmanager.get_plugin("capturemanager")
        suspended = (
            capture.global_and_fixture_disabled()
            if capture is not None
            else contextlib.nullcontext()
        )
        from agentcheck.secrets import mask_text

        with suspended:
            reporter.ensure_newline()
            reporter.write_line(mask_text(f"agentcheck live: {message}"))

    def pytest_report_header(self) -> str:
        s = self.settings
        where = ", ".join(s.urls) if s.urls else f"{s.replicas} replica(s) of {s.server}"
        proxy = f" behind {s.proxy}" if s.proxy else ""
        from agentcheck.secrets import mask_text

        return mask_text(f"agentcheck live: {s.runtime} runtime, {where}{proxy}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        # tryfirst: before -k, -m and --deselect filter the items, so they apply to ours too.
        collector = LiveCollector.from_parent(session, name=NODE_ID, nodeid=NODE_ID, plugin=self)
        new: list[pytest.Item | pytest.Collector] = list(collector.collect())
        config.hook.pytest_collectreport(
            report=pytest.CollectReport(collector.nodeid, "passed", None, new)
        )
        items.extend(item for item in new if isinstance(item, pytest.Item))

    def pytest_sessionfinish(self) -> None:
        if self._ctx is not None:
            deleted = self._ctx.cleanup_writes()
            if deleted:
                self._progress(f"deleted the {deleted} thread(s) the checks created")
            self._progress("stopping the deployment")
            self._ctx.close()
            self._ctx = None


class LiveCollector(pytest.Collector):
    """The ``agentcheck::live`` node: one item per check and graph, destructive checks last."""

    def __init__(self, *, plugin: LivePlugin, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plugin = plugin

    def collect(self) -> Iterator[LiveItem]:
        from agentcheck.live.checks import all_live_checks
        from agentcheck.live.probe import GRAPH_ID

        graphs = self.plugin.settings.graphs()
        for check in all_live_checks():
            params = check.params(graphs, GRAPH_ID) or [""]
            for graph in params:
                name = f"{check.code}[{graph}]" if graph else check.code
                item = LiveItem.from_parent(self, name=name, check=check, graph=graph)
                item.add_marker(MARKER)
                yield item


class LiveCheckWarning(UserWarning):
    """Something a live check observed that does not fail it, shown in pytest's warnings."""


class LiveCheckFailed(Exception):
    """Raised by a live item whose check failed; carries the outcome to ``repr_failure``."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


class LiveItem(pytest.Item):
    """One live check on one graph."""

    def __init__(self, *, check: LiveCheck, graph: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.graph = graph

    @property
    def plugin(self) -> LivePlugin:
        assert isinstance(self.parent, LiveCollector)
        return self.parent.plugin

    def runtest(self) -> None:
        from agentcheck.live.checks import run_check

        outcome = run_check(self.check, self.plugin.context(), self.graph)
        for message in outcome.warnings:
            self.warn(LiveCheckWarning(message))
        if outcome.status == "skipped":
            pytest.skip(f"{self.check.code}: {outcome.message}")
        if outcome.status == "failed":
            raise LiveCheckFailed(outcome)
        self.user_properties.append(("observed", outcome.message))
        self.add_report_section("call", "agentcheck", outcome.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, LiveCheckFailed):
            outcome = excinfo.value.outcome
            on = f" [{outcome.graph}]" if outcome.graph else ""
            text = f"{outcome.code} {outcome.name}{on}: {outcome.message}"
            if outcome.logs:
                text += "\n\n" + outcome.logs
            if outcome.kept is not None:
                text += f"\n\nevery log of this run is kept in {outcome.kept}"
            return text
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        # Where the checked deployment is described: its langgraph.json, from its first line.
        settings = self.plugin.settings
        on = f" {self.graph}" if self.graph else ""
        return settings.config or settings.root, 0, f"{self.check.code} [{self.check.name}]{on}"


def _plugin(request: pytest.FixtureRequest) -> LivePlugin | None:
    plugin = request.config.pluginmanager.get_plugin(PLUGIN_NAME)
    return plugin if isinstance(plugin, LivePlugin) else None


@pytest.fixture(scope="session")
def agent_deployment(request: pytest.FixtureRequest) -> Deployment:
    """The started deployment (session-scoped): ``.url``, ``.urls``, ``.logs(i)``, ``.kill(i)``.

    Skips the test unless pytest runs with ``--agentcheck --agentcheck-live``.
    """
    plugin = _plugin(request)
    if plugin is None:
        pytest.skip("agent_deployment needs pytest --agentcheck --agentcheck-live")
    ctx = plugin.context()
    if ctx.startup_error is not None:
        from agentcheck.secrets import mask_text

        pytest.fail(mask_text(f"the deployment did not start: {ctx.startup_error}"), pytrace=False)
    return ctx.deployment


@pytest.fixture(scope="session")
def agent_client(agent_deployment: Deployment) -> Iterator[Any]:
    """A ``langgraph_sdk`` sync client on the deployment's entry point."""
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=agent_deployment.url, api_key=None)
    yield client
    client.close()


@pytest.fixture(scope="session")
def _agentcheck_own_fake_llm() -> Iterator[FakeLLM]:
    from agentcheck.live.fake_llm import FakeLLM

    with FakeLLM() as llm:
        yield llm


@pytest.fixture
def fake_llm(request: pytest.FixtureRequest) -> Iterator[FakeLLM]:
    """The fake OpenAI the deployment's servers call (or a fresh one without live checks).

    Script replies and faults with ``fake_llm.script(...)``; the script, the recorded requests
    and the latency knobs are reset after each test.
    """
    plugin = _plugin(request)
    llm = plugin.context().fake_llm if plugin is not None else None
    if llm is None:
        llm = request.getfixturevalue("_agentcheck_own_fake_llm")
    knobs = (llm.ttft, llm.tokens_per_second, llm.error_ratio)
    llm.reset()
    try:
        yield llm
    finally:
        llm.reset()
        llm.ttft, llm.tokens_per_second, llm.error_ratio = knobs
