"""The live settings: ``[tool.agentcheck.live]`` merged with command-line options.

The table in the project's ``pyproject.toml`` gives the defaults; an option given on the command
line (``--agentcheck-runtime``, ``--agentcheck-replicas``, ``--agentcheck-proxy``,
``--agentcheck-url``) wins over it. Paths in the table are relative to the project root, paths on
the command line to the directory pytest was started in. Importing this module is cheap: it
needs neither langgraph nor httpx.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcheck.config import load_config
from agentcheck.errors import ConfigError

if TYPE_CHECKING:
    from agentcheck.live.backends import Backend
    from agentcheck.live.spec import DeploymentSpec

__all__ = ["LiveSettings", "load_settings"]

#: What AC801/AC802 send to a user's graph unless ``input`` says otherwise.
DEFAULT_INPUT: Mapping[str, Any] = {
    "messages": [{"role": "user", "content": "Hello from agentcheck: please answer briefly."}]
}


@dataclass(frozen=True)
class LiveSettings:
    """Everything the live plugin needs to start (or reach) one deployment."""

    #: The project directory (pytest's rootdir, or the linted root).
    root: Path
    runtime: str = "local"
    replicas: int = 1
    proxy: Path | None = None
    database: str | None = None
    redis: bool = False
    server: str = "langgraph-dev"
    command: str | None = None
    health: str | None = None
    urls: tuple[str, ...] = ()
    #: langgraph.json (absolute), or None when the project has none.
    config: Path | None = None
    input: Mapping[str, Any] = field(default_factory=lambda: dict(DEFAULT_INPUT))
    #: Graph id -> the run input AC851-AC853 start its threads with.
    inputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Graph id -> the value AC851-AC853 resume its interrupt() with.
    resume: Mapping[str, Any] = field(default_factory=dict)
    #: The last release for AC851-AC853 from the command line (``--agentcheck-since``); None:
    #: ``release-ref`` in ``[tool.agentcheck]``, else the newest version tag.
    since: str | None = None
    startup_timeout: float = 60.0
    #: Seconds a run cut by a crash has to end or resume (AC812, AC824).
    recovery_timeout: float = 600.0
    env: Mapping[str, str] = field(default_factory=dict)
    #: ``[tool.agentcheck] run-budget``: the longest run the team expects, in seconds.
    run_budget: float = 300.0
    #: Hosts the servers may reach although egress is sealed.
    allow_hosts: tuple[str, ...] = ()
    #: Where the logs of a failed live run are kept (one folder per run).
    results: Path | None = None
    #: Run the load checks (AC831, AC832): ``--agentcheck-load`` or ``enabled = true`` in
    #: ``[tool.agentcheck.load]``.
    load: bool = False
    #: Keys of ``[tool.agentcheck.live]`` a runtime declared (``Backend.options``), raw.
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Where the settings came from, for messages.
    source: str = "[tool.agentcheck.live]"

    def graphs(self) -> list[str]:
        """The graph ids of the served langgraph.json, in file order ([] when unreadable)."""
        if self.config is None:
            return []
        try:
            data = json.loads(self.config.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return []
        graphs = data.get("graphs") if isinstance(data, dict) else None
        return [str(name) for name in graphs] if isinstance(graphs, dict) else []

    def modules(self) -> list[str]:
        """The Python modules these settings need installed here: the live checks' own, and
        what the runtime's backend needs to run the server (see ``Backend.modules``)."""
        from agentcheck._extras import LIVE_MODULES
        from agentcheck.live.backends import runtimes

        return [*LIVE_MODULES, *runtimes()[self.runtime].modules(self.server)]

    def backend(self) -> Backend:
        """The backend of :attr:`runtime`, built from its options and :attr:`urls`."""
        from agentcheck.live.backends import make_backend

        return make_backend(self.runtime, self.options, urls=self.urls)

    def spec(
        self,
        *,
        managed: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> DeploymentSpec:
        """The deployment's :class:`DeploymentSpec`; ``env`` goes under the user's own ``env``.

        ``managed``: agentcheck starts the servers (not an existing deployment), so they get
        its probe graph, its fake LLM and sealed egress.
        """
        from agentcheck.live.probe import FILES, GRAPHS
        from agentcheck.live.spec import DEFAULT_HEALTH, DeploymentSpec

        if self.config is None:
            raise ConfigError(
                f"no langgraph.json in {self.root}; name one with `config` in {self.source}"
            )
        return DeploymentSpec(
            root=self.root,
            config=self.config,
            replicas=self.replicas,
            server=self.server,  # type: ignore[arg-type]
            command=self.command,
            health=self.health or DEFAULT_HEALTH,
            # langhost is Agent Server on PostgreSQL + Redis: it always gets both.
            database="postgres" if self.server == "langhost" else self.database,  # type: ignore[arg-type]
            redis=self.redis or self.server == "langhost",
            env={**(env or {}), **self.env},
            proxy=self.proxy,
            extra_graphs=dict(GRAPHS) if managed else {},
            files=dict(FILES) if managed else {},
            startup_timeout=self.startup_timeout,
            fake_llm=managed,
            seal_egress=managed,
            allow_hosts=self.allow_hosts,
        )


def load_settings(
    root: Path,
    *,
    table: Mapping[str, Any] | None = None,
    run_budget: float | None = None,
    runtime: str | None = None,
    replicas: int | None = None,
    proxy: str | None = None,
    urls: Sequence[str] = (),
    cwd: Path | None = None,
    since: str | None = None,
) -> LiveSettings:
    """Merge ``[tool.agentcheck.live]`` of ``root`` (or ``table``) with command-line values.

    Command-line values (keyword arguments other than ``table``) win; ``None`` means not given.
    Raises :class:`ConfigError` naming the key for anything invalid.
    """
    root = root.resolve()
    cwd = (cwd or Path.cwd()).resolve()
    if table is None or run_budget is None:
        loaded = load_config(root)
        table = loaded.live if table is None else table
        run_budget = loaded.run_budget if run_budget is None else run_budget
    where = "[tool.agentcheck.live]"
    from agentcheck.live.backends import runtimes
    from agentcheck.live.table import LiveTable
    from agentcheck.tables import keys, validate

    known = runtimes()
    options = {k: v for cls in known.values() for k, v in cls.options.items()}
    live = validate(LiveTable, table, where, extra=options)
    live_keys = keys(LiveTable)
    names = tuple(known)

    kwargs: dict[str, Any] = {"root": root, "run_budget": float(run_budget), "source": where}
    if live.runtime is not None:
        kwargs["runtime"] = _choice(live.runtime, names, f"{where} runtime")
    for key in ("replicas", "database", "redis", "server", "input", "inputs", "resume", "env"):
        if getattr(live, key) is not None:
            kwargs[key] = getattr(live, key)
    if live.proxy is not None:
        kwargs["proxy"] = _path(live.proxy, root, f"{where} proxy")
    if live.command is not None:
        kwargs["command"] = live.command
        kwargs.setdefault("server", "command")
    if live.health is not None:
        kwargs["health"] = live.health if live.health.startswith("/") else f"/{live.health}"
    if live.url is not None:
        kwargs["urls"] = tuple(live.url)
    if live.config is not None:
        kwargs["config"] = _path(live.config, root, f"{where} config")
    if live.startup_timeout is not None:
        kwargs["startup_timeout"] = live.startup_timeout
    if live.recovery_timeout is not None:
        kwargs["recovery_timeout"] = live.recovery_timeout
    if live.allow_hosts is not None:
        kwargs["allow_hosts"] = tuple(live.allow_hosts)
    if live.results is not None:
        kwargs["results"] = _path(live.results, root, f"{where} results")
    kwargs["options"] = {k: table[k] for k in options if k in table and k not in live_keys}

    # The command line wins.
    if urls:
        kwargs["urls"] = tuple(_url(u, "--agentcheck-url") for u in urls)
        # A URL on the command line means "check that deployment", by the runtime the table
        # names when that one checks deployments by URL.
        if runtime is None and not known[kwargs.get("runtime", LiveSettings.runtime)].needs_urls:
            kwargs["runtime"] = _url_runtime(known)
    if runtime is not None:
        kwargs["runtime"] = _choice(runtime, names, "--agentcheck-runtime")
    if replicas is not None:
        kwargs["replicas"] = _count(replicas, "--agentcheck-replicas")
    if proxy is not None:
        kwargs["proxy"] = _path(proxy, cwd, "--agentcheck-proxy")
    if since is not None:
        kwargs["since"] = since

    if "config" not in kwargs:
        kwargs["config"] = _find_config(root)
    kwargs.setdefault("results", root / ".agentcheck" / "results")
    if kwargs.get("server") == "command" and not kwargs.get("command"):
        raise ConfigError(f'{where} server = "command" needs a command')
    settings = LiveSettings(**kwargs)
    if known[settings.runtime].needs_urls and not settings.urls:
        raise ConfigError(
            f"runtime {settings.runtime} needs the deployment's address: --agentcheck-url URL "
            f"or url in {where}"
        )
    if settings.proxy is not None and not settings.proxy.is_file():
        raise ConfigError(f"proxy config {settings.proxy} does not exist")
    _served(settings, where)
    return settings


def _served(settings: LiveSettings, where: str) -> None:
    """ConfigError for a graph id in ``inputs`` or ``resume`` the project does not serve."""
    served = settings.graphs()
    for key, graphs in (("inputs", settings.inputs), ("resume", settings.resume)):
        for graph in graphs:
            if served and graph not in served:
                close = difflib.get_close_matches(graph, served, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ConfigError(
                    f"{where} {key}: {graph!r} is not a graph the project serves "
                    f"({', '.join(served)}){hint}"
                )


def _url_runtime(known: Mapping[str, type[Backend]]) -> str:
    """The registered runtime that checks a deployment at the URLs given (``url``)."""
    named = [name for name, cls in known.items() if cls.needs_urls]
    if len(named) == 1:
        return named[0]
    if not named:
        raise ConfigError("--agentcheck-url: no registered runtime checks a deployment by URL")
    raise ConfigError(
        f"--agentcheck-url: the runtimes {', '.join(named)} all check a deployment by URL; "
        "name one with --agentcheck-runtime"
    )


def _find_config(root: Path) -> Path | None:
    direct = root / "langgraph.json"
    if direct.is_file():
        return direct
    from agentcheck.project import Project

    configs = Project(root).langgraph_configs
    return (root / configs[0].path).resolve() if configs else None


def _choice(value: Any, choices: Sequence[str], where: str) -> str:
    if value not in choices:
        close = difflib.get_close_matches(str(value), choices, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"{where}: expected one of {', '.join(choices)}, got {value!r}{hint}")
    return str(value)


def _count(value: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{where}: expected a whole number of at least 1, got {value!r}")
    return value


def _path(value: str, base: Path, where: str) -> Path:
    if not value.strip():
        raise ConfigError(f"{where}: expected a path")
    path = Path(value.strip()).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def _url(value: str, where: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: expected an http:// or https:// URL, got {value!r}")
    return value.rstrip("/")
