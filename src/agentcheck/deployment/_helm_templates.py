"""What a Helm chart's templates render, read without ``helm``: which values feed which field.

Templates are Go text templates, not YAML. This reader does not render them; it reads their
lines the way charts made by ``helm create`` (and the official LangGraph charts) write them, and
records for each workload (Deployment, StatefulSet, DaemonSet) where each field the rules judge
comes from: a values path (``replicas: {{ .Values.replicaCount }}``,
``{{- toYaml .Values.apiServer.deployment.resources | nindent 12 }}`` under ``resources:``,
``{{- with .Values.readinessProbe }}`` around ``readinessProbe:``), a literal written in the
template, or nothing (the field is never rendered). A template it cannot follow (a field
rendered by a helper it does not read) says nothing about that field: the reader reports less.
"""

from __future__ import annotations

import re
from dataclasses import replace

from agentcheck.deployment._helm_fields import (
    KEY_LINE,
    Binding,
    ContainerTemplate,
    Gate,
    TemplateEnv,
    WorkloadTemplate,
    block_binding,
    document_spans,
    gate,
    value_binding,
    values_refs,
)

__all__ = ["scan_template", "value_uses"]

#: Workload kinds whose pods serve requests (Jobs and CronJobs are left to the manifests).
_KINDS = ("Deployment", "StatefulSet", "DaemonSet")
_KIND = re.compile(r"^kind:\s*[\"']?(\w+)")
_ACTION = re.compile(r"^\s*\{\{-?\s*(.*?)\s*-?\}\}\s*$")
_COMPONENT = re.compile(r"\"component\"\s+\"([\w-]+)\"")
_PROBES = {"readinessProbe": "readiness", "livenessProbe": "liveness", "startupProbe": "startup"}


def value_uses(text: str) -> list[tuple[str, tuple[Gate, ...] | None]]:
    """Every ``.Values`` path a template reads, with the conditions around the read (None
    when one of them is not a plain values condition)."""
    walker = _Walker(WorkloadTemplate("", "", 0), [], 0, 0)
    out: list[tuple[str, tuple[Gate, ...] | None]] = []
    for line in text.splitlines():
        action = _ACTION.match(line)
        if action:
            walker.track(action.group(1))
        gates = walker.gates()
        out.extend((path, gates) for path in values_refs(line))
    return out


def scan_template(path: str, text: str) -> list[WorkloadTemplate]:
    """The workloads a template file renders, with where their fields come from."""
    lines = text.splitlines()
    found = (_document(path, lines, start, end) for start, end in document_spans(lines))
    return [t for t in found if t is not None]


def _document(path: str, lines: list[str], start: int, end: int) -> WorkloadTemplate | None:
    kind_line = next(
        (i for i in range(start, end) if (m := _KIND.match(lines[i])) and m.group(1) in _KINDS),
        None,
    )
    if kind_line is None:
        return None
    kind = _KIND.match(lines[kind_line]).group(1)  # type: ignore[union-attr]
    workload = WorkloadTemplate(path, kind, kind_line + 1)
    # Conditions opened before the object starts and wrapping all of it.
    for i in range(start, kind_line):
        action = _ACTION.match(lines[i])
        if action:
            gates = gate(action.group(1))
            if gates is not None:
                workload.gates.extend(gates)
    _Walker(workload, lines, kind_line, end).walk()
    return workload


class _Walker:
    """Reads one workload document line by line, tracking the container it is in."""

    def __init__(self, workload: WorkloadTemplate, lines: list[str], start: int, end: int):
        self.w = workload
        self.lines = lines
        self.start = start
        self.end = end
        self.section: str | None = None  # "containers" / "initContainers"
        self.section_indent = -1
        #: Indent of the ``-`` of the section's container items.
        self.item_indent: int | None = None
        self.container: ContainerTemplate | None = None
        self.in_env: int | None = None  # indent of `env:` while inside it
        self.env_entry: TemplateEnv | None = None
        #: Open ``if``/``with``/``range`` actions: their gates, None when not plain.
        self.stack: list[tuple[str, list[Gate] | None]] = []
        self.in_metadata = False

    @property
    def with_path(self) -> str | None:
        for kind, gates in reversed(self.stack):
            if kind == "with" and gates:
                return gates[0].values
            if kind == "range":
                return None
        return None

    def gates(self) -> tuple[Gate, ...] | None:
        out: list[Gate] = []
        for _, gates in self.stack:
            if gates is None:
                return None
            out.extend(gates)
        return tuple(out)

    def walk(self) -> None:
        for i in range(self.start, self.end):
            self.line(i, self.lines[i])

    def line(self, i: int, text: str) -> None:
        action = _ACTION.match(text)
        if action:
            self._action(action.group(1), i)
            return
        m = KEY_LINE.match(text)
        if not m:
            return
        indent = len(m.group(1)) + (len(m.group(2)) if m.group(2) else 0)
        key, rest = m.group(3), m.group(4)
        if self.in_env is not None and indent <= self.in_env and not m.group(2):
            self.in_env, self.env_entry = None, None
        if self.in_env is not None and indent <= self.in_env + 2 and m.group(2) and key != "name":
            self.in_env, self.env_entry = None, None
        if self.section is not None and indent <= self.section_indent and not m.group(2):
            self.section, self.container = None, None
        if indent == 0:
            self.in_metadata = key == "metadata"
        if self.in_metadata and key == "name" and len(m.group(1)) == 2:
            self.w.name_parts = [Binding(i + 1, values=v) for v in values_refs(rest)]
        elif key == "replicas" and len(m.group(1)) == 2:
            self.w.replicas = value_binding(rest, i + 1)
            self.w.replicas_gates = self.gates()
        elif key == "terminationGracePeriodSeconds":
            self.w.grace = value_binding(rest, i + 1)
        elif key in ("containers", "initContainers") and not m.group(2):
            self.section, self.section_indent = key, len(m.group(1))
            self.item_indent, self.container = None, None
            if self.w.pod_spec_line is None:
                self.w.pod_spec_line = i + 1
        elif self.section is not None:
            self._container_key(i, m, indent, key, rest)

    def _action(self, action: str, i: int) -> None:
        self.track(action)
        if self.in_env is not None and self.container is not None:
            refs = values_refs(action)
            if action.startswith("range") and refs:
                self.container.env_maps.append(Binding(i + 1, values=refs[0]))
            elif "toYaml" in action and refs and "include" not in action:
                self.container.env_lists.append(Binding(i + 1, values=refs[0]))
            elif re.search(r"toYaml\s+\.\s", action) and self.with_path:
                self.container.env_lists.append(
                    Binding(i + 1, values=self.with_path, optional=True)
                )

    def track(self, action: str) -> None:
        """Follow the ``if``/``with``/``range`` blocks an action opens, flips or closes."""
        word = action.split(None, 1)[0] if action else ""
        with_match = re.match(r"with\s+\.Values((?:\.[\w-]+)+)\s*$", action)
        if word == "if":
            self.stack.append(("if", gate(action)))
        elif word == "with":
            with_gate = [Gate(with_match.group(1)[1:])] if with_match else None
            self.stack.append(("with", with_gate))
        elif word in ("range", "define", "block"):
            self.stack.append((word, None))
        elif word == "else" and self.stack:
            kind, gates = self.stack[-1]
            flipped = (
                [Gate(gates[0].values, not gates[0].negated)] if gates and len(gates) == 1 else None
            )
            if action.strip() != "else":
                flipped = None  # else if ...: not followed
            self.stack[-1] = (kind, flipped)
        elif word == "end" and self.stack:
            self.stack.pop()

    def _container_key(self, i: int, m: re.Match[str], indent: int, key: str, rest: str) -> None:
        dash = len(m.group(1)) if m.group(2) else None
        if dash is not None and self.item_indent is None:
            self.item_indent = dash
        if dash is not None and dash == self.item_indent:
            self.in_env, self.env_entry = None, None
            if key != "name":
                self.container = None  # an item that does not start with its name
                return
            c = ContainerTemplate(
                name=value_binding(rest, i + 1),
                line=i + 1,
                init=self.section == "initContainers",
                gates=self.gates(),
            )
            self.w.containers.append(c)
            self.container = c
            return
        current = self.container
        if current is None:
            return
        c = current
        if self.in_env is not None:
            self._env_key(i, m, key, rest)
            return
        if key == "image":
            c.image = value_binding(rest, i + 1)
            component = _COMPONENT.search(rest)
            refs = values_refs(rest)
            if c.image is None and component:
                c.image_component = component.group(1)
                c.image = Binding(i + 1)
            elif c.image is None and any(r.endswith(".repository") for r in refs):
                block = next(r for r in refs if r.endswith(".repository"))
                c.image_block = block.rsplit(".", 1)[0]
                c.image = Binding(i + 1, values=block)
        elif key in _PROBES:
            binding = block_binding(self.lines, i, indent, self.with_path)
            if binding is not None:
                c.probes[_PROBES[key]] = binding
        elif key == "resources":
            c.resources = block_binding(self.lines, i, indent, self.with_path)
        elif key == "env" and not rest:
            self.in_env, c.env_line = indent, i + 1
        elif key == "containerPort":
            c.port = value_binding(rest, i + 1)

    def _env_key(self, i: int, m: re.Match[str], key: str, rest: str) -> None:
        c = self.container
        assert c is not None
        if m.group(2) and key == "name":
            name = rest.strip("\"'")
            if "{{" in name:
                self.env_entry = None
                return
            self.env_entry = TemplateEnv(name, i + 1, gates=self.gates())
            c.env.append(self.env_entry)
            return
        entry = self.env_entry
        if entry is None:
            return
        index = c.env.index(entry)
        if key == "value":
            entry = replace(entry, value=value_binding(rest, i + 1))
        elif key == "valueFrom":
            entry = replace(entry, value_from=True)
        elif key == "secretKeyRef":
            entry = replace(entry, value_from=True, from_secret=True)
        c.env[index] = self.env_entry = entry
