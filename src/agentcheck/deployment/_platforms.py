"""Platform files' start commands, read once: Procfile (Heroku, Railway, Render, Dokku
buildpacks), ``railway.json``/``railway.toml``, ``fly.toml``, ``nixpacks.toml``,
``render.yaml`` and App Engine's ``app.yaml``.

These files exist to deploy: they describe production unless their path or the
configuration says otherwise (``_production``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._commands import split_line
from agentcheck.deployment._production import file_verdict
from agentcheck.deployment.model import StartCommand, Where

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["PLATFORM_FILES", "read_start_commands"]

#: (process, line, column, command as written)
_Found = tuple[str, int, int, str | list[str]]


def read_start_commands(project: Project) -> list[StartCommand]:
    """Every start command of every platform file, in file order."""
    out: list[StartCommand] = []
    for rel in project.files:
        name = rel.rsplit("/", 1)[-1]
        reader = _READERS.get(name)
        if reader is None:
            continue
        parent = PurePosixPath(rel).parent.as_posix()
        base = "" if parent == "." else parent
        production = file_verdict(project, rel, "platform").production
        for process, line, column, command in reader(project, rel):
            if isinstance(command, list):
                argv = tuple(str(word) for word in command)
            else:
                argv = tuple(split_line(command))
            if argv:
                where = Where(rel, line, column)
                out.append(
                    StartCommand(
                        name, process, argv, where, production, "" if base == "." else base
                    )
                )
    return out


def _procfile(project: Project, rel: str) -> Iterator[_Found]:
    for number, line in enumerate((project.text(rel) or "").splitlines(), start=1):
        process, sep, command = line.partition(":")
        process = process.strip()
        if not sep or not process or process.startswith("#") or not command.strip():
            continue
        yield process, number, line.index(command.strip()) + 1, command.strip()


def _line_of(text: str, needle: str) -> tuple[int, int]:
    idx = text.find(needle)
    if idx < 0:
        return 1, 1
    return text.count("\n", 0, idx) + 1, idx - (text.rfind("\n", 0, idx) + 1) + 1


def _railway_json(project: Project, rel: str) -> Iterator[_Found]:
    doc = project.json(rel)
    value = _dig(doc.data if doc is not None else None, "deploy", "startCommand")
    if doc is not None and isinstance(value, str | list):
        yield ("startCommand", *doc.loc("deploy", "startCommand"), value)


def _dig(value: Any, *path: str) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _toml(project: Project, rel: str, paths: list[tuple[str, ...]]) -> Iterator[_Found]:
    data = project.toml(rel)
    text = project.text(rel, report=False) or ""
    if not isinstance(data, dict):
        return
    for path in paths:
        value = _dig(data, *path)
        items = value.items() if isinstance(value, dict) else [(path[-1], value)]
        for process, item in items:
            if isinstance(item, str):
                yield (str(process), *_line_of(text, item), item)
            elif isinstance(item, list) and all(isinstance(x, str) for x in item):
                needle = json.dumps(item[0]) if item else ""
                yield (str(process), *_line_of(text, needle or path[-1]), item)


def _railway_toml(project: Project, rel: str) -> Iterator[_Found]:
    yield from _toml(project, rel, [("deploy", "startCommand")])


def _fly_toml(project: Project, rel: str) -> Iterator[_Found]:
    paths = [("processes",), ("experimental", "cmd"), ("experimental", "entrypoint")]
    yield from _toml(project, rel, paths)


def _nixpacks(project: Project, rel: str) -> Iterator[_Found]:
    yield from _toml(project, rel, [("start", "cmd")])


def _yaml(
    docs: list[Located], keys: tuple[str, ...], prefix: tuple[str | int, ...] = ()
) -> Iterator[_Found]:
    for doc in docs:
        data: Any = doc.data
        for key in prefix:
            data = data.get(key) if isinstance(data, dict) else None
        items = data if isinstance(data, list) else [data]
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            at = (*prefix, index) if isinstance(data, list) else prefix
            for key in keys:
                value = item.get(key)
                if isinstance(value, str | list):
                    yield (str(item.get("name") or key), *doc.loc(*at, key), value)


def _render(project: Project, rel: str) -> Iterator[_Found]:
    yield from _yaml(project.yaml(rel), ("startCommand", "dockerCommand"), ("services",))


def _app_yaml(project: Project, rel: str) -> Iterator[_Found]:
    text = project.text(rel, report=False) or ""
    if "runtime" not in text or "entrypoint" not in text:
        return  # not an App Engine app.yaml
    yield from _yaml(project.yaml(rel), ("entrypoint",))


_READERS: dict[str, Callable[[Project, str], Iterator[_Found]]] = {
    "Procfile": _procfile,
    "railway.json": _railway_json,
    "railway.toml": _railway_toml,
    "fly.toml": _fly_toml,
    "nixpacks.toml": _nixpacks,
    "render.yaml": _render,
    "render.yml": _render,
    "app.yaml": _app_yaml,
    "app.yml": _app_yaml,
}
#: The names of the platform files read here.
PLATFORM_FILES = frozenset(_READERS)
