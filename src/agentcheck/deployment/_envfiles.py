"""Env files: what a name says a file is, and its bindings, each file read once.

``.env`` and ``.env.<anything>`` are env files; ``.env.example`` and its kin (``.sample``,
``.template`` ...) are documentation of one. Bindings are read as python-dotenv reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcheck.deployment._classify import env_file_values
from agentcheck.deployment._production import file_verdict
from agentcheck.deployment.model import EnvValue, Where

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["dotenv_kind", "env_bindings", "is_example", "is_example_of", "production_env_values"]

_EXAMPLE_WORDS = ("example", "sample", "template", "dist", "defaults", "tmpl", "tpl")


def dotenv_kind(name: str) -> str | None:
    """``"env"`` for ``.env`` and ``.env.<anything>``, ``"example"`` for ``.env.example`` and
    its kin (``.sample``, ``.template``, ``.env.full.example`` ...), None for every other name."""
    if name != ".env" and not name.startswith(".env."):
        return None
    rest = name[len(".env.") :].lower().split(".") if name != ".env" else []
    return "example" if any(part in _EXAMPLE_WORDS for part in rest) else "env"


def is_example_of(example: str, target: str) -> bool:
    """Whether the file named ``example`` documents the env file named ``target`` beside it:
    ``.env.example``, ``.env.full.example``, ``.env.quickstart.example`` and ``env.example``
    for ``.env``; ``.env.production.example`` for ``.env.production`` (AC104 and AC204 alike)."""
    low, tlow = example.lower(), target.lower()
    if low in (f"example{tlow}", f"{tlow.lstrip('.')}.example"):
        return True
    if not low.startswith(f"{tlow}.") or low == tlow:
        return False
    return any(part in _EXAMPLE_WORDS for part in low[len(tlow) + 1 :].split("."))


def is_example(rel: str) -> bool:
    """``.env.example``, ``.env.sample``, ``prod.env.template``: documentation, not config."""
    name = rel.rsplit("/", 1)[-1].lower()
    return any(word in name for word in ("example", "sample", "template", ".dist"))


def env_bindings(project: Project, rel: str) -> list[tuple[str, str | None, int]]:
    """``(key, value, line)`` of every binding of the env file ``rel`` (memoized)."""

    def read() -> list[tuple[str, str | None, int]]:
        return env_file_values(project.text(rel, report=False) or "")

    return project.memo(f"deployment:env-file:{rel}", read)


def production_env_values(project: Project) -> list[EnvValue]:
    """Every binding of the production env files (``.env.production``, ``prod.env``)."""
    out: list[EnvValue] = []
    for rel in project.env_files:
        if is_example(rel) or not file_verdict(project, rel, "env").production:
            continue
        for key, value, line in env_bindings(project, rel):
            out.append(EnvValue(key, value, Where(rel, line), source="env-file"))
    return out
