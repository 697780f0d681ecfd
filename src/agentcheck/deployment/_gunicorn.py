"""gunicorn as production starts it: command line, ``GUNICORN_CMD_ARGS`` and config file.

Commands come from the model's readers (Dockerfile ``CMD``/``ENTRYPOINT``, compose
``command``, Kubernetes ``command``/``args``, Procfiles and other platform files); ``sh -c
"..."`` wrappers are unwrapped by :func:`agentcheck.deployment._commands.shell_words`. A
``-c`` config file (or ``gunicorn.conf.py`` next to the command, which gunicorn loads by
default) is read as Python source, never imported. Precedence is gunicorn's: config
file, then ``GUNICORN_CMD_ARGS``, then the command line.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import pathspec

from agentcheck.deployment._commands import shell_words, split_line
from agentcheck.deployment.model import GunicornRun, GunicornSetting, Where

if TYPE_CHECKING:
    from agentcheck.deployment.model import Deployment, EnvValue
    from agentcheck.project import Project

__all__ = ["CONFIG_NAMES", "DEFAULT_TIMEOUT", "gunicorn_argv", "gunicorn_runs"]

DEFAULT_TIMEOUT = 30.0
CONFIG_NAMES = ("gunicorn.conf.py", "gunicorn_conf.py", "gunicorn.config.py", "gunicorn_config.py")


def gunicorn_runs(project: Project, dep: Deployment) -> list[GunicornRun]:
    """Every production gunicorn start found in ``dep`` (read once, by the model builder)."""
    return list(_runs(project, dep))


def _runs(project: Project, dep: Deployment) -> Iterator[GunicornRun]:
    seen: set[tuple[str, int]] = set()
    configs_used: set[str] = set()

    def emit(
        source: str, where: Where | None, argv: tuple[str, ...] | None, env: str | None, base: str
    ) -> Iterator[GunicornRun]:
        if where is None or not argv or (where.path, where.line) in seen:
            return
        run = _from_argv(project, source, where, argv, env, base, configs_used)
        if run is not None:
            seen.add((where.path, where.line))
            yield run

    for workload in dep.workloads:
        if not workload.production:
            continue
        for container in workload.containers:
            where = container.command_where
            base = container.build_context or ""
            if container.dockerfile and not base:
                base = PurePosixPath(container.dockerfile).parent.as_posix().lstrip(".")
            yield from emit(
                f"{workload.kind} {workload.name}",
                where,
                container.argv,
                _env_value(container.env.get("GUNICORN_CMD_ARGS")),
                base,
            )
    for rel, info in dep.dockerfiles.items():
        if not info.production:
            continue
        where = info.cmd_where or info.entrypoint_where
        base = PurePosixPath(rel).parent.as_posix()
        yield from emit(
            f"{rel} CMD",
            where,
            info.argv,
            _env_value(info.env.get("GUNICORN_CMD_ARGS")),
            "" if base == "." else base,
        )
    for command in dep.start_commands:
        if command.production and any("gunicorn" in word for word in command.argv):
            source = f"{command.platform} {command.process}"
            yield from emit(source, command.where, command.argv, None, command.base)
    not_production = pathspec.GitIgnoreSpec.from_lines(project.config.not_production)
    for rel in _named(project, *CONFIG_NAMES):
        if rel in configs_used or not_production.match_file(rel):
            continue
        run = _from_config_only(project, rel)
        if run is not None:
            yield run


def _named(project: Project, *names: str) -> list[str]:
    """Files called one of ``names`` (a string split: this runs over every file)."""
    return [rel for rel in project.files if rel.rsplit("/", 1)[-1] in names]


def _env_value(value: EnvValue | None) -> str | None:
    return value.value if value is not None else None


def gunicorn_argv(argv: tuple[str, ...]) -> tuple[str, ...] | None:
    """The arguments after ``gunicorn`` (``python -m gunicorn``, ``sh -c "... gunicorn ..."``
    and ``exec gunicorn`` included); None when the command does not start gunicorn."""
    words = shell_words(argv)
    for i, word in enumerate(words):
        name = PurePosixPath(word).name
        if name == "gunicorn":
            return _until_separator(words[i + 1 :])
        if word == "-m" and i + 1 < len(words) and words[i + 1] == "gunicorn":
            return _until_separator(words[i + 2 :])
    return None


def _until_separator(words: list[str]) -> tuple[str, ...]:
    out = []
    for word in words:
        if word in ("&&", "||", ";", "|"):
            break
        out.append(word)
    return tuple(out)


def _options(args: tuple[str, ...]) -> tuple[dict[str, str], str | None]:
    """gunicorn's options we read (timeout, worker-class, threads, config) and the app."""
    short = {"-t": "timeout", "-k": "worker-class", "-c": "config"}
    long = {
        "--timeout": "timeout",
        "--worker-class": "worker-class",
        "--threads": "threads",
        "--config": "config",
    }
    valued = {"-b", "--bind", "-w", "--workers", "--graceful-timeout", "--keep-alive", "--chdir",
              "--log-level", "--access-logfile", "--error-logfile", "-n", "--name", "-e", "--env",
              "--max-requests", "--max-requests-jitter", "--worker-connections", "-p", "--pid",
              "-u", "--user", "-g", "--group", "--forwarded-allow-ips", "--log-config",
              "--certfile", "--keyfile", "--backlog", "--umask", "--worker-tmp-dir"}  # fmt: skip
    found: dict[str, str] = {}
    app = None
    i = 0
    while i < len(args):
        word = args[i]
        if word.startswith("--") and "=" in word:
            key, value = word.split("=", 1)
            if key in long:
                found[long[key]] = value
        elif word in long or word in short:
            if i + 1 < len(args):
                found[(long | short)[word]] = args[i + 1]
            i += 1
        elif word[:2] in short and len(word) > 2 and not word.startswith("--"):
            found[short[word[:2]]] = word[2:]
        elif word in valued:
            i += 1
        elif not word.startswith("-") and app is None:
            app = word
        i += 1
    return found, app


def _config_values(project: Project, rel: str) -> dict[str, GunicornSetting]:
    """``timeout``, ``worker_class`` and ``threads`` assigned at the top of a config file."""
    tree = project.python(rel)
    out: dict[str, GunicornSetting] = {}
    if tree is None:
        return out
    for stmt in tree.body:
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
            continue
        target = stmt.targets[0]
        if not isinstance(target, ast.Name) or target.id not in (
            "timeout",
            "worker_class",
            "threads",
        ):
            continue
        value = _literal(stmt.value)
        if value is not None:
            where = Where(rel, stmt.lineno, stmt.col_offset + 1)
            out[target.id.replace("_", "-")] = GunicornSetting(value, where, True)
    return out


def _literal(node: ast.expr) -> str | None:
    """A constant, or the default of ``int(os.environ.get("X", "120"))``-style expressions."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str):
        return str(node.value) if not isinstance(node.value, bool) else None
    if isinstance(node, ast.Call):
        if (
            isinstance(node.func, ast.Name)
            and node.func.id in ("int", "float", "str")
            and node.args
        ):
            return _literal(node.args[0])
        if (
            len(node.args) == 2
            and isinstance(node.func, ast.Attribute)
            and node.func.attr
            in (
                "get",
                "getenv",
            )
        ):
            return _literal(node.args[1])
    return None


def _config_path(project: Project, ref: str | None, base: str) -> str | None:
    """The config file ``-c ref`` names (or the default ``gunicorn.conf.py``), in the project.

    An absolute path is a path inside the image: its name is looked up next to the command.
    """
    if ref is not None and ref.startswith("python:"):
        return None  # a module: rare, not followed
    name = ref or CONFIG_NAMES[0]
    if name.startswith("/"):
        name = PurePosixPath(name).name
    for directory in dict.fromkeys((base, "")):
        rel = posixpath.normpath(posixpath.join(directory or ".", name))
        if rel in project.files:
            return rel
    return None


def _from_argv(
    project: Project,
    source: str,
    where: Where,
    argv: tuple[str, ...],
    env_args: str | None,
    base: str,
    configs_used: set[str],
) -> GunicornRun | None:
    args = gunicorn_argv(argv)
    if args is None:
        return None
    cli, app = _options(args)
    env, _ = _options(tuple(split_line(env_args))) if env_args else ({}, None)
    config = _config_path(project, cli.get("config") or env.get("config"), base)
    settings: dict[str, GunicornSetting] = {}
    if config is not None:
        configs_used.add(config)
        settings.update(_config_values(project, config))
    for key, value in (*env.items(), *cli.items()):
        settings[key] = GunicornSetting(value, where, True)
    return _run(source, where, app, settings, base)


def _from_config_only(project: Project, rel: str) -> GunicornRun | None:
    settings = _config_values(project, rel)
    if "timeout" not in settings:
        return None  # nothing here says how long requests may run
    base = PurePosixPath(rel).parent.as_posix()
    return _run(rel, Where(rel, 1), None, settings, "" if base == "." else base)


def _run(
    source: str, where: Where, app: str | None, settings: dict[str, GunicornSetting], base: str
) -> GunicornRun:
    timeout = settings.get("timeout") or GunicornSetting(f"{DEFAULT_TIMEOUT:g}", where, False)
    worker = settings.get("worker-class") or GunicornSetting("sync", where, False)
    try:
        threads = int(settings["threads"].value) if "threads" in settings else 1
    except ValueError:
        threads = 1
    return GunicornRun(source, where, app, timeout, worker, threads, base)
