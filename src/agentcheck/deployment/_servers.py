"""What serves graphs: the server a start command, a Dockerfile or a platform file runs.

``uvicorn``/``gunicorn``/``hypercorn``/``fastapi run``, ``langgraph dev``/``up``, Aegra, and
``python -m pkg.server`` / ``python app.py`` whose module starts a web server itself (with the
app ``uvicorn.run("service:app")`` names). A custom app serves graphs unless its code is found
and none of it uses LangGraph while other code of the project does. When no production file
names a server, one is implied from langgraph.json (Agent Server or Aegra) or a FastAPI app.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.deployment._classify import command_server, image_server
from agentcheck.deployment._commands import shell_words
from agentcheck.deployment._production import dev_word
from agentcheck.deployment.model import DockerfileInfo, Server, ServerKind, Where

if TYPE_CHECKING:
    from agentcheck.deployment.model import Deployment
    from agentcheck.project import Project

__all__ = [
    "cmd_reason",
    "dockerfile_server",
    "implied",
    "platform_servers",
    "serves",
    "start_of",
]

_PYTHONS = re.compile(r"^python(?:3(?:\.\d+)?)?$")
_RUN_APP = re.compile(r"""\b(?:uvicorn|hypercorn)\.run\(\s*["']([\w.]+:\w+)["']""")


def start_of(
    project: Project, argv: tuple[str, ...] | None, base: str
) -> tuple[ServerKind, str | None] | None:
    """The server a start command runs and the app file it serves, when it starts one:
    ASGI servers by name, and ``python -m pkg.server`` / ``python app.py`` whose module
    starts a server itself."""
    started = command_server(argv)
    if started is not None:
        kind, app = started
        return kind, _app_file(project, app, base) if app else None
    words = shell_words(argv)
    for i, word in enumerate(words):
        if not _PYTHONS.match(PurePosixPath(word).name):
            continue
        rest = [w for w in words[i + 1 :] if not w.startswith("-") or w == "-m"]
        target = None
        if len(rest) >= 2 and rest[0] == "-m":
            target = _app_file(project, rest[1] + ":app", base)
        elif rest and rest[0].endswith(".py"):
            target = _app_file(project, rest[0], base)
        if target is not None and _starts_server(project, target):
            # `uvicorn.run("service:app")` names the app the script serves.
            text = project.text(target, report=False) or ""
            named = _RUN_APP.search(text)
            app = _app_file(project, named[1], base) if named else None
            return "custom", app or target
    return None


def _starts_server(project: Project, rel: str) -> bool:
    """Whether a module run as a script starts a web server (``uvicorn.run(app)``)."""
    text = project.text(rel, report=False) or ""
    return any(word in text for word in ("uvicorn.run", "uvicorn", "web.run_app", "hypercorn"))


def dockerfile_server(project: Project, info: DockerfileInfo) -> Server | None:
    """The server a Dockerfile's image runs, with the reason and the line that says so.

    When its last stage is for tests (named so, or running pytest), a build picks another
    with ``--target``: the last stage before it that starts a server is the one deployed.
    """
    server = _stage_server(project, info)
    if server is not None or not _test_stage(info):
        return server
    for name in reversed(list(info.named_stages)):
        stage = info.named_stages[name]
        if dev_word(name) is not None or _test_stage(stage):
            continue
        if (found := _stage_server(project, stage)) is not None:
            return found
    return None


def _test_stage(info: DockerfileInfo) -> bool:
    words = shell_words(info.argv)
    named = info.final_stage is not None and dev_word(info.final_stage) is not None
    return named or any(PurePosixPath(word).name in ("pytest", "tox", "nox") for word in words)


def _stage_server(project: Project, info: DockerfileInfo) -> Server | None:
    base = PurePosixPath(info.path).parent.as_posix()
    started = start_of(project, info.argv or None, "" if base == "." else base)
    cmd_where = info.entrypoint_where or info.cmd_where or info.base_where
    base_kind = image_server(info.base_image)
    kind: ServerKind
    if (
        started is not None
        and cmd_where is not None
        and (base_kind != "agent-server" or started[0] != "agent-server")
    ):
        kind, reason, where = started[0], cmd_reason(info.argv, info.path), cmd_where
    elif base_kind is not None and info.base_where is not None:
        kind, reason, where = (
            base_kind,
            f"{info.path} builds FROM {info.base_image}",
            info.base_where,
        )
    else:
        return None
    return Server(
        kind=kind,
        where=where,
        reason=reason,
        image=info.base_image,
        dockerfile=info.path,
        command=info.argv or None,
        production=info.production,
        app_file=started[1] if started is not None else None,
    )


def serves(project: Project, server: Server) -> bool:
    """Whether a server serves graphs: Agent Server, ``langgraph dev`` and Aegra do; a custom
    app does unless its code is found and none of it uses LangGraph while other code of the
    project does (then it is another service: a frontend's API, an auth service)."""
    if server.kind != "custom" or not server.app_file or not _uses_langgraph(project):
        return True
    app_file = server.app_file

    def find() -> bool:
        return _closure_uses_langgraph(project, app_file)

    return project.memo(f"deployment:serves:{app_file}", find)


def _closure_uses_langgraph(project: Project, start: str) -> bool:
    """Whether ``start`` or a project module it imports (transitively) names LangGraph or is
    a graph target; stops at the first that does."""
    from agentcheck import pyindex

    seen: set[str] = set()
    stack = [start]
    while stack:
        rel = stack.pop()
        if rel in seen or not rel.endswith(".py"):
            continue
        seen.add(rel)
        if "langgraph" in (project.text(rel, report=False) or "") or _is_graph_target(
            project, (rel,)
        ):
            return True
        for ref in pyindex.imports(project, rel):
            if not ref.type_checking:
                stack.extend(pyindex.resolve_import(project, rel, ref))
    return False


def _uses_langgraph(project: Project) -> bool:
    """Whether the project has graphs at all: a langgraph.json, or Python naming LangGraph."""

    def find() -> bool:
        if project.langgraph_configs:
            return True
        return any(
            "langgraph" in (project.text(rel, report=False) or "") for rel in project.python_files
        )

    return project.memo("deployment:uses-langgraph", find)


def _is_graph_target(project: Project, files: Iterable[str]) -> bool:
    wanted = set(files)
    for config in project.langgraph_configs:
        graphs = config.data.get("graphs")
        for spec in graphs.values() if isinstance(graphs, dict) else ():
            path = spec.get("path") if isinstance(spec, dict) else spec
            if isinstance(path, str) and config.resolve(path.split(":", 1)[0]) in wanted:
                return True
    return False


def cmd_reason(argv: tuple[str, ...], where: str) -> str:
    shown = " ".join(argv)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"`{shown}` in {where}"


def platform_servers(project: Project, dep: Deployment) -> list[Server]:
    """``web: uvicorn app:app`` in a Procfile, a railway/fly/render/nixpacks start command."""
    out = []
    for command in dep.start_commands:
        if command.process == "release":
            continue
        started = start_of(project, command.argv, command.base)
        if started is None:
            continue
        server = Server(
            kind=started[0],
            where=command.where,
            reason=cmd_reason(command.argv, f"{command.where.path} ({command.process})"),
            command=command.argv,
            production=command.production,
            app_file=started[1],
        )
        if serves(project, server):
            out.append(server)
    return out


def _app_file(project: Project, app: str, base: str) -> str | None:
    from agentcheck import pyindex

    module = app.split(":", 1)[0]
    if module.endswith(".py"):
        rel = (f"{base}/{module}" if base else module).removeprefix("./")
        for candidate in (rel, module.removeprefix("./")):
            if candidate in project.files:
                return candidate
        # Copied into the image elsewhere (`COPY src/run.py .`): the one file of that name.
        name = "/" + module.rsplit("/", 1)[-1]
        named = [f for f in project.python_files if f.endswith(name)]
        return named[0] if len(named) == 1 else None
    found = pyindex.module_path(project, module)
    if found is None and base:
        found = pyindex.module_path(project, module, search_roots=(base,))
    return found


def implied(project: Project, has_config: bool, has_aegra: bool) -> list[Server]:
    """Servers inferred when no production file names one."""
    configs = project.langgraph_configs
    if has_aegra or (has_config and _depends_on(project, "aegra-api")):
        cfg = next(c for c in configs)
        return [
            Server(
                kind="aegra",
                where=Where(cfg.path, 1),
                reason=f"{cfg.path} with Aegra in the project",
                implied=True,
            )
        ]
    if has_config:
        cfg = next(c for c in configs if PurePosixPath(c.path).name == "langgraph.json")
        return [
            Server(
                kind="agent-server",
                where=Where(cfg.path, 1),
                reason=f"{cfg.path} with no Dockerfile or manifest: `langgraph build` / "
                "`langgraph up` serve it with Agent Server",
                implied=True,
            )
        ]
    from agentcheck.deployment._served import find_asgi_apps

    return [
        Server(
            kind="custom",
            where=where,
            reason=f"a FastAPI/Starlette app in {where.path}",
            implied=True,
            app_file=where.path,
        )
        for where in find_asgi_apps(project)
    ]


def _depends_on(project: Project, dist: str) -> bool:
    pyproject = project.pyproject or {}
    deps = (
        pyproject.get("project", {}).get("dependencies", [])
        if isinstance(pyproject.get("project"), dict)
        else []
    )
    names = [str(d).split(";")[0] for d in deps if isinstance(d, str)]
    for rel in project.by_name("requirements.txt"):
        names.extend((project.text(rel, report=False) or "").splitlines())
    return any(n.strip().lower().replace("_", "-").startswith(dist) for n in names)
