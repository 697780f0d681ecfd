"""AC601: a graph's state (or input, output, config, context) schema breaks saved threads."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rules.versions._common import (
    ReleaseRule,
    at,
    graphs_named,
    rename_hint,
)
from agentcheck.versions import Schema, SchemaField

if TYPE_CHECKING:
    from agentcheck.deployment.model import Where
    from agentcheck.project import Project
    from agentcheck.versions import Comparison

__all__ = ["StateSchemaBreak"]

_NOUN = {
    "state": "State field",
    "input": "Input field",
    "output": "Output field",
    "config": "Config field",
    "context": "Context field",
}
#: Types agentcheck can compare by name alone.
_BUILTIN = {
    "str", "int", "float", "bool", "bytes", "complex", "None", "list", "dict", "set",
    "tuple", "frozenset", "Sequence", "Mapping",
}  # fmt: skip
#: A value of the key is still a value of each type it maps to.
_WIDENS = {"bool": {"int", "float", "complex"}, "int": {"float", "complex"}, "float": {"complex"}}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _only_builtins(member: str) -> bool:
    return all(name in _BUILTIN for name in _NAME.findall(member))


def narrowed(old: frozenset[str], new: frozenset[str]) -> bool:
    """Whether a value of type ``old`` may not be a value of type ``new`` (union members,
    normalized): a union that lost members, or built-in types that changed. Types of other
    classes are not compared (a subclass relation cannot be seen from names)."""
    if old == new or {"Any", "object"} & new:
        return False
    if new < old:
        return True
    lost = {m for m in old - new if not _WIDENS.get(m, set()) & new}
    return bool(lost) and all(_only_builtins(m) for m in old | new)


@dataclass(frozen=True)
class _Change:
    role: str
    field: str
    kind: str  # "renamed", "removed", "reducer", "narrowed", "required"
    old: SchemaField | None
    new: SchemaField | None
    old_schema: Schema
    new_schema: Schema
    #: Where the last release reads the field without a default, for a removed field.
    read: Where | None = None

    @property
    def where(self) -> Where:
        return self.new.where if self.new is not None else self.new_schema.where


class StateSchemaBreak(ReleaseRule):
    """A graph's state schema changed in a way threads saved by the last release cannot take.

    What it does
    ------------
    Compares each graph's schemas with the last release's (the newest version tag HEAD
    descends from, ``release-ref`` in ``[tool.agentcheck]`` or ``--since REF``), reading both
    from the AST: a ``TypedDict``, dataclass or pydantic state, subclasses of
    ``MessagesState`` and of the project's own schemas, ``Annotated[..., reducer]`` fields,
    and the ``input``/``output``/``config``/``context`` schemas of ``StateGraph(...)``.
    Reports a field renamed (removed, with one new field of the same type and reducer), a
    reducer changed, a type narrowed (``str | None`` to ``str``; built-in types that changed),
    for pydantic and dataclass states a new field without a default, and, as a warning, a
    field removed where that breaks something: the last release reads it as ``state["key"]``
    or has no default for it (a rollback then fails on this release's threads), or clients
    read it from the output. Adding a field with a default (or to a ``TypedDict``), and
    removing one nothing needs, are not reported; managed values (``RemainingSteps``,
    ``IsLastStep``) are never saved and never compared.

    Why is this bad?
    ----------------
    LangGraph runs the newest code against the state each thread saved. A thread waiting at
    an interrupt under the last release resumes under this one (and, after a rollback, the
    other way round; during a rolling update both run at once). A renamed field's value is
    dropped without an error and the new field starts empty; a changed reducer merges the
    next update differently (a list that was appended to is replaced); a narrowed type or a
    new required field makes a pydantic state fail validation, so the thread can never
    resume.

    Example
    -------
    ```python
    class State(TypedDict):
        query: str  # was `question: str` in v1.2.0
        notes: list[str]  # was Annotated[list[str], operator.add]
    ```

    Use instead
    -----------
    ```python
    class State(TypedDict):
        question: NotRequired[str]  # kept until no thread of v1.2.0 waits
        query: NotRequired[str]
        notes: Annotated[list[str], operator.add]
    ```
    Rename by adding the new field, writing both, and removing the old one a release later.

    References
    ----------
    - https://docs.langchain.com/oss/python/langgraph/backward-compatibility
    - https://docs.langchain.com/oss/python/langgraph/persistence
    """

    code = "AC601"
    name = "state-schema-break"
    severity = Severity.ERROR
    message = "A state schema change breaks threads saved by the last release."
    fix = (
        "Keep the old field, type and reducer until no thread saved by the last release is "
        "waiting (add the new field beside the old one, write both), or migrate the saved "
        "threads first."
    )

    def compare(self, project: Project, found: Comparison) -> Iterator[Finding]:
        grouped: dict[tuple[str, str, str, Where], list[tuple[str, _Change]]] = {}
        for old, new in found.pairs():
            graph_id = new.graph_id
            for role in _NOUN:
                before, after = old.schemas.get(role), new.schemas.get(role)
                if before is None or after is None:
                    continue
                for change in _changes(role, before, after, old.key_reads):
                    key = (role, change.kind, change.field, change.where)
                    grouped.setdefault(key, []).append((graph_id, change))
        for entries in grouped.values():
            ids = [graph_id for graph_id, _ in entries]
            change = entries[0][1]
            severity = Severity.WARNING if change.kind == "removed" else None
            where = change.where
            yield self.finding(
                where.path,
                where.line,
                where.column,
                message=_message(change, graphs_named(ids), found.old.label),
                severity=severity,
            )


def _removal_breaks(role: str, old: Schema, field: SchemaField, reads: Mapping[str, Where]) -> bool:
    """Whether dropping ``field`` breaks something: clients reading an output, or, for the
    state, the last release reading threads saved without it after a rollback (a pydantic or
    dataclass state it cannot build, a ``state["key"]`` read that raises). A field nothing
    needs any more is dropped harmlessly, the way LangGraph ignores a saved value it has no
    channel for."""
    if role == "output":
        return True
    if role != "state":
        return False
    if old.validates:
        return not field.has_default
    return old.kind == "typeddict" and field.name in reads


def _changes(role: str, old: Schema, new: Schema, reads: Mapping[str, Where]) -> Iterator[_Change]:
    added = {n: f for n, f in new.fields.items() if n not in old.fields}
    renamed_to: set[str] = set()
    if new.complete:
        for name, field in old.fields.items():
            if name in new.fields:
                continue
            same = [
                n
                for n, f in added.items()
                if f.members == field.members and f.reducer == field.reducer
            ]
            target = rename_hint(name, same)
            if target is not None:
                renamed_to.add(target)
                yield _Change(role, name, "renamed", field, added[target], old, new)
            elif _removal_breaks(role, old, field, reads):
                yield _Change(role, name, "removed", field, None, old, new, reads.get(name))
    for name, field in old.fields.items():
        now = new.fields.get(name)
        if now is None:
            continue
        if role == "state" and field.reducer != now.reducer:
            yield _Change(role, name, "reducer", field, now, old, new)
        elif narrowed(field.members, now.members):
            yield _Change(role, name, "narrowed", field, now, old, new)
    if role in ("state", "input") and new.validates:
        for name, field in added.items():
            if name not in renamed_to and not field.has_default:
                yield _Change(role, name, "required", None, field, old, new)


def _message(change: _Change, graphs: str, label: str) -> str:
    noun, name = _NOUN[change.role], change.field
    old, new = change.old, change.new
    then = at(label, old.where if old is not None else change.old_schema.where)
    here = f"{change.where.path}:{change.where.line}"
    head = f"{noun} '{name}' of {graphs} ({change.new_schema.name}; {then}, now {here})"
    saved = f"a thread saved by {label}"
    fails = change.new_schema.validates
    if change.kind == "renamed":
        assert new is not None
        tail = {
            "state": (
                f"{saved} resumes with '{new.name}' unset and its '{name}' dropped without an "
                f"error, and a rollback to {label} drops '{new.name}' the same way"
                + (
                    f"; resuming fails validation, '{new.name}' having no default"
                    if fails and not new.has_default
                    else ""
                )
            ),
            "input": f"clients written for {label} still send '{name}', which is dropped",
            "output": f"clients written for {label} read '{name}' from results that lack it",
        }.get(change.role, f"runs configured with '{name}' by clients of {label} lose it")
        return f"{head} is gone (renamed to '{new.name}'?): {tail}."
    if change.kind == "removed":
        if change.role == "output":
            tail = f"clients written for {label} read '{name}' from results that lack it"
        elif change.read is not None:
            tail = (
                f"{label} reads it without a default ({change.read.path}:{change.read.line}), "
                f"so after a rollback the threads this release saved fail there, and {saved} "
                "resumes here with its value dropped"
            )
        else:
            tail = (
                f"{label} has no default for it, so after a rollback it cannot rebuild the state "
                f"of threads this release saved, and {saved} resumes here with its value dropped"
            )
        return f"{head} is gone: {tail}."
    if change.kind == "reducer":
        assert old is not None
        assert new is not None
        how = (
            " (each update now replaces the value it had gathered)"
            if new.reducer is None
            else " (updates are now merged into a value that was replaced each time)"
            if old.reducer is None
            else ""
        )
        return (
            f"{head} changed its reducer from `{old.reducer or 'none'}` to "
            f"`{new.reducer or 'none'}`: {saved} resumes with updates merged another way{how}."
        )
    if change.kind == "narrowed":
        assert old is not None
        assert new is not None
        effect = (
            "resuming it fails validation" if fails else "the code reads a value it does not expect"
        )
        return (
            f"{head} narrowed from `{old.annotation}` to `{new.annotation}`: {saved} may hold "
            f"a value the new type excludes, and {effect}."
        )
    if change.role == "input":
        return (
            f"{head} is new and required: clients written for {label} do not send it, so their "
            "runs fail validation."
        )
    return (
        f"{head} is new and has no default: {saved} has no value for it, so resuming it fails "
        "validation."
    )
