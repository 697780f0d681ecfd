"""What a Helm template binds, field by field: values paths, literals and conditions.

The records :mod:`._helm_templates` fills while it reads a chart's workload templates
(:class:`WorkloadTemplate`, its :class:`ContainerTemplate` and :class:`TemplateEnv` entries,
each field a :class:`Binding`, each condition a :class:`Gate`), and the readers of one template
fragment: the ``.Values`` paths it names, the gates of an ``if``, the binding of a scalar
after a key or of the block under it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "KEY_LINE",
    "Binding",
    "ContainerTemplate",
    "Gate",
    "TemplateEnv",
    "WorkloadTemplate",
    "block_binding",
    "document_spans",
    "gate",
    "value_binding",
    "values_refs",
]

_VALUES = re.compile(r"\.Values((?:\.[A-Za-z_][\w-]*)+)")
_DEFAULT = re.compile(r"\|\s*default\s+(\"[^\"]*\"|'[^']*'|[\w.-]+)")
#: A ``key: rest`` line, maybe a list item: indent, ``- ``, key, rest.
KEY_LINE = re.compile(r"^(\s*)(-\s+)?([A-Za-z][\w-]*):\s*(.*?)\s*$")


def document_spans(lines: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` line indexes of each document of a template, split at ``---`` lines."""
    spans = []
    start = 0
    for i, line in enumerate([*lines, "---"]):
        if line.startswith("---"):
            spans.append((start, i))
            start = i + 1
    return spans


def values_refs(text: str) -> list[str]:
    """Every ``.Values.a.b`` path in ``text``, as ``a.b``."""
    return [m.group(1)[1:] for m in _VALUES.finditer(text)]


@dataclass(frozen=True)
class Binding:
    """Where one rendered field comes from: a values path, else a literal of the template."""

    #: Line of the template that renders the field.
    line: int
    #: The values path (``apiServer.deployment.replicaCount``), None for a literal.
    values: str | None = None
    #: The literal text the template writes (or the ``| default`` value of ``values``).
    literal: str | None = None
    #: Rendered only when the values path is set (``{{- with .Values.x }}`` around it).
    optional: bool = False


@dataclass(frozen=True)
class Gate:
    """A condition on a values path: ``{{- if .Values.x.enabled }}`` (negated: ``if not``)."""

    values: str
    negated: bool = False


@dataclass(frozen=True)
class TemplateEnv:
    """One environment entry the template writes: ``- name: X`` with a value or valueFrom."""

    name: str
    line: int
    value: Binding | None = None
    from_secret: bool = False
    value_from: bool = False
    #: Conditions around the entry (``{{- if .Values.queue.enabled }}``); None when one of
    #: them is not a plain values condition.
    gates: tuple[Gate, ...] | None = ()


@dataclass
class ContainerTemplate:
    """A container of a workload template."""

    name: Binding | None
    line: int
    init: bool = False
    #: Conditions around the container, as for :attr:`TemplateEnv.gates`.
    gates: tuple[Gate, ...] | None = ()
    image: Binding | None = None
    #: ``apiServerImage`` for ``include "x.image" (dict ... "component" "apiServerImage")``.
    image_component: str | None = None
    #: The values mapping with ``repository`` and ``tag`` the image is made of (``image``).
    image_block: str | None = None
    probes: dict[str, Binding] = field(default_factory=dict)
    resources: Binding | None = None
    env: list[TemplateEnv] = field(default_factory=list)
    #: Values paths rendered whole into ``env:`` (``extraEnv``), and ``range`` maps.
    env_lists: list[Binding] = field(default_factory=list)
    env_maps: list[Binding] = field(default_factory=list)
    #: ``env:`` itself (where new entries go).
    env_line: int | None = None
    port: Binding | None = None


@dataclass
class WorkloadTemplate:
    """A Deployment, StatefulSet or DaemonSet of a chart's templates."""

    path: str
    kind: str
    line: int
    #: Values paths whose conditions wrap the whole document (all must hold).
    gates: list[Gate] = field(default_factory=list)
    name_parts: list[Binding] = field(default_factory=list)
    replicas: Binding | None = None
    #: Conditions around ``replicas:`` (``{{- if not .Values.autoscaling.enabled }}``).
    replicas_gates: tuple[Gate, ...] | None = ()
    grace: Binding | None = None
    pod_spec_line: int | None = None
    containers: list[ContainerTemplate] = field(default_factory=list)

    @property
    def main(self) -> ContainerTemplate | None:
        return next((c for c in self.containers if not c.init), None)

    def prefix(self) -> str:
        """The values path the workload's settings share (``apiServer``), ``""`` for a chart
        whose settings are top-level (``helm create``)."""
        paths = [b.values for b in self._bindings() if b.values]
        if not paths:
            return ""
        common = paths[0].split(".")[:-1]
        for path in paths[1:]:
            parts = path.split(".")[:-1]
            n = 0
            while n < min(len(common), len(parts)) and common[n] == parts[n]:
                n += 1
            common = common[:n]
        return ".".join(common)

    def _bindings(self) -> list[Binding]:
        out = [b for b in (self.replicas, self.grace) if b is not None]
        main = self.main
        if main is not None:
            out.extend(main.probes.values())
            out.extend(b for b in (main.resources,) if b is not None)
        return out


def gate(action: str) -> list[Gate] | None:
    """The gates of an ``if`` action on values paths (``if .Values.x``, ``if not .Values.x``,
    ``if and .Values.x (not .Values.y)``); None when the condition is something else."""
    m = re.match(r"if\s+(.*)$", action)
    if not m:
        return None
    cond = m.group(1).strip()
    single = re.fullmatch(r"(not\s+)?\(?\s*\.Values((?:\.[\w-]+)+)\s*\)?", cond)
    if single:
        return [Gate(single.group(2)[1:], negated=bool(single.group(1)))]
    conj = re.fullmatch(r"and\s+(.*)", cond)
    if conj:
        gates = []
        for part in re.findall(r"\(not\s+\.Values[\w.-]+\)|\.Values[\w.-]+", conj.group(1)):
            negated = part.startswith("(not")
            gates.append(Gate(values_refs(part)[0], negated=negated))
        rest = re.sub(r"\(not\s+\.Values[\w.-]+\)|\.Values[\w.-]+", "", conj.group(1)).strip()
        return gates if gates and not rest else None
    return None


def value_binding(text: str, line: int) -> Binding | None:
    """The binding of a scalar written after a key: ``{{ .Values.x | default 30 }}`` or a
    literal; None for what only a helper knows (``{{ include ... }}``)."""
    text = text.strip()
    if not text:
        return None
    if "{{" not in text:
        return Binding(line, literal=text.strip("\"'"))
    refs = values_refs(text)
    if len(refs) != 1 or "include" in text or "tpl" in text:
        return None
    default = _DEFAULT.search(text)
    literal = default.group(1).strip("\"'") if default else None
    return Binding(line, values=refs[0], literal=literal)


def block_binding(lines: list[str], i: int, indent: int, with_path: str | None) -> Binding | None:
    """What renders the block under the key on line ``i``: ``toYaml .Values.x`` on the next
    lines, ``toYaml .`` inside ``with .Values.x``, or literal YAML written in the template."""
    for j in range(i + 1, min(i + 3, len(lines))):
        text = lines[j]
        if not text.strip():
            continue
        if "toYaml" in text or "include" in text or "tpl" in text:
            refs = values_refs(text)
            if refs and "include" not in text and "tpl" not in text:
                return Binding(i + 1, values=refs[0])
            if re.search(r"toYaml\s+\.\s", text) and with_path:
                return Binding(i + 1, values=with_path, optional=True)
            return None
        m = KEY_LINE.match(text)
        if m and len(m.group(1)) > indent:
            return Binding(i + 1, literal="<template>")
        return None
    return None
