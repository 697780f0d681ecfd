"""The derived config, the project's env file, and the replica working directories.

The user's files are never touched.

``langgraph dev`` resolves the paths of langgraph.json against its working directory, Aegra
against the config's directory, and both write state next to where they run (``.langgraph_api/``).
Each replica therefore gets its own directory that looks like the project: a symlink to every
top-level entry of the project directory, except the config (replaced by the derived copy, in
which every relative path is absolute, plus the extra graphs) and ``.langgraph_api`` (each replica
starts with its own, empty). Relative paths in the user's code (``open("prompts/x.txt")``),
``.env`` discovery and imports of the project's packages (``dependencies: ["."]`` puts the working
directory and the absolute project directory on ``sys.path``) behave as in the project itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentcheck.errors import LiveError

__all__ = ["derive_config", "env_file_values", "prepare_workdir", "read_config"]

#: Entries of the project directory a replica directory does not mirror.
_NOT_MIRRORED = frozenset({".langgraph_api"})


def _is_path(text: str) -> bool:
    # langgraph-api reads ``x/y.py:attr`` as a file and ``x.y:attr`` as a module.
    return "/" in text or text.startswith(".")


def _absolute(spec: str, base: Path) -> str:
    """``./a/b.py:attr`` -> ``/base/a/b.py:attr``; module specs and package names unchanged."""
    left, sep, attr = spec.rpartition(":")
    if not sep:
        left, attr = spec, ""
    if not _is_path(left):
        return spec
    path = Path(left)
    if not path.is_absolute():
        path = Path(os.path.normpath(base / path))
    return f"{path}{sep}{attr}"


def _absolute_key(table: Any, key: str, base: Path) -> None:
    if isinstance(table, dict) and isinstance(table.get(key), str):
        table[key] = _absolute(table[key], base)


def read_config(config: Path) -> dict[str, Any]:
    """The JSON object of ``config``; LiveError when it cannot be read."""
    try:
        data = json.loads(config.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise LiveError(f"cannot read {config}: {exc}") from None
    if not isinstance(data, dict):
        raise LiveError(f"{config}: expected a JSON object")
    return data


def env_file_values(config: Path) -> dict[str, str]:
    """What the config's ``env`` gives the server: an env file's values (read with
    python-dotenv, as langgraph-api reads it) or the inline table; ``{}`` without one."""
    env = read_config(config).get("env")
    if isinstance(env, dict):
        return {str(k): str(v) for k, v in env.items() if v is not None}
    if not isinstance(env, str):
        return {}
    path = Path(env)
    path = path if path.is_absolute() else config.parent / path
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def derive_config(
    config: Path,
    extra_graphs: Mapping[str, str],
    *,
    files: Path | None = None,
    project: Path | None = None,
) -> dict[str, Any]:
    """The user's config with every relative path made absolute and ``extra_graphs`` added.

    Paths are resolved against the config file's directory (what ``langgraph build`` and Aegra
    do; ``langgraph dev`` uses its working directory, which is the same when run from there),
    or against ``project`` when the project lives elsewhere for the server (a container).
    Relative paths of ``extra_graphs`` name files under ``files``. The ``env`` key is left
    out: the orchestrator gives its values to the servers' environment, under the settings
    agentcheck owns (the fake LLM's URL must win over the project's ``.env``).
    """
    data = read_config(config)
    data.pop("env", None)
    base = project or config.parent.resolve()

    graphs = data.get("graphs") or {}
    if not isinstance(graphs, dict):
        raise LiveError(f"{config}: 'graphs' must be an object")
    for graph_id, value in graphs.items():
        if isinstance(value, str):
            graphs[graph_id] = _absolute(value, base)
        else:
            _absolute_key(value, "path", base)
    for graph_id, target in extra_graphs.items():
        if graph_id in graphs:
            raise LiveError(f"{config}: graph id {graph_id!r} is already used by the project")
        graphs[graph_id] = _absolute(target, files) if files is not None else target
    data["graphs"] = graphs

    _absolute_key(data, "pip_config_file", base)
    deps = data.get("dependencies")
    if isinstance(deps, list):
        data["dependencies"] = [
            _absolute(d, base) if isinstance(d, str) and d.startswith((".", "/")) else d
            for d in deps
        ]
    for key in ("auth", "encryption", "priority", "checkpointer"):
        _absolute_key(data.get(key), "path", base)
    _absolute_key(data.get("http"), "app", base)
    _absolute_key(data.get("source"), "root", base)
    store = data.get("store")
    if isinstance(store, dict) and isinstance(store.get("index"), dict):
        index = store["index"]
        if isinstance(index.get("embed"), str) and ".py:" in index["embed"]:
            index["embed"] = _absolute(index["embed"], base)
    ui = data.get("ui")
    if isinstance(ui, dict):
        for name, target in ui.items():
            if isinstance(target, str):
                ui[name] = _absolute(target, base)
    return data


def prepare_workdir(workdir: Path, root: Path, config_name: str, derived: dict[str, Any]) -> Path:
    """Make ``workdir`` a replica directory mirroring ``root``; return the derived config path."""
    workdir.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    for entry in root.iterdir():
        if entry.name in _NOT_MIRRORED or entry.name == config_name:
            continue
        link = workdir / entry.name
        if not link.exists() and not link.is_symlink():
            link.symlink_to(entry)
    target = workdir / config_name
    target.write_text(json.dumps(derived, indent=2), encoding="utf-8")
    return target
