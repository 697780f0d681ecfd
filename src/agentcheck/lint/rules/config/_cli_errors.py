"""langgraph-cli's validation errors for AC101: which key each is about, how to set that key
aside to find the next error, and the message split from langgraph-cli's suggestion."""

from __future__ import annotations

import typing
from typing import Any

from agentcheck.lint.rules.config._schema_types import JsonPath

_PLACEHOLDER_GRAPH = "./agentcheck_placeholder.py:graph"


Patch = typing.Callable[[dict[str, Any]], bool]


def _drop(*keys: str) -> Patch:
    def patch(candidate: dict[str, Any]) -> bool:
        found = False
        for key in keys:
            found = candidate.pop(key, None) is not None or found
        return found

    return patch


def _drop_nested(key: str, sub: str) -> Patch:
    def patch(candidate: dict[str, Any]) -> bool:
        table = candidate.get(key)
        if isinstance(table, dict) and sub in table:
            del table[sub]
            return True
        return False

    return patch


def _set(key: str, value: Any) -> Patch:
    def patch(candidate: dict[str, Any]) -> bool:
        if candidate.get(key) == value:
            return False
        candidate[key] = value
        return True

    return patch


def _locate_cli_error(text: str, candidate: dict[str, Any]) -> tuple[JsonPath, Patch | None]:
    """Which key a langgraph-cli error is about, and how to set it aside to find the next."""
    pyversion = str(candidate.get("python_version", ""))
    rules: list[tuple[tuple[str, ...], JsonPath, Patch]] = [
        (
            ("Invalid Python version", "Python version"),
            ("python_version",),
            _drop("python_version"),
        ),
        (("Node.js version",), ("node_version",), _drop("node_version")),
        (("api_version", "Invalid version format"), ("api_version",), _drop("api_version")),
        (("pip_installer",), ("pip_installer",), _drop("pip_installer")),
        (("Git dependency URLs",), ("dependencies",), _set("dependencies", ["."])),
        (("project_root", "`package`"), ("project_root",), _drop("project_root", "package")),
        (
            ("`source`", "source.kind", "source.root", "source.package"),
            ("source",),
            _drop("source"),
        ),
        (("No dependencies found",), (), _set("dependencies", ["."])),
        (("No graphs found",), ("graphs",), _set("graphs", {"agent": _PLACEHOLDER_GRAPH})),
        (("image_distro",), ("image_distro",), _drop("image_distro")),
        (("auth.path",), ("auth", "path"), _drop_nested("auth", "path")),
        (("encryption.path",), ("encryption", "path"), _drop_nested("encryption", "path")),
        (
            ("priority.path", "priority callbacks"),
            ("priority", "path"),
            _drop_nested("priority", "path"),
        ),
        (("http.app",), ("http", "app"), _drop_nested("http", "app")),
        (("keep_pkg_tools",), ("keep_pkg_tools",), _drop("keep_pkg_tools")),
    ]
    if "Bullseye" in text:
        if "bullseye" in pyversion:
            return ("python_version",), _drop("python_version")
        return ("image_distro",), _drop("image_distro")
    for needles, path, patch in rules:
        if any(n in text for n in needles):
            if path == ("project_root",) and "project_root" not in candidate:
                path = ("package",)
            if path and path[0] not in candidate:
                path = ()
            return path, patch
    return (), None


def _split_cli_message(text: str) -> tuple[str, str | None]:
    """langgraph-cli's message as (the problem, its suggestion)."""
    head, _, tail = text.strip().partition("\n\n")
    if not tail and ":\n" in head:
        head, _, tail = head.partition(":\n")
        head = head.removesuffix(" e.g.").removesuffix(", e.g.")
    message = " ".join(line.strip() for line in head.splitlines() if line.strip())
    message = message.rstrip(":")
    if not message.endswith((".", "?", "!")):
        message += "."
    suggestion = " ".join(line.strip() for line in tail.splitlines() if line.strip())
    return message, (f"langgraph-cli suggests: {suggestion}" if suggestion else None)
