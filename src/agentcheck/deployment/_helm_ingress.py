"""Helm ingresses: a chart's Ingress template evaluated on a release's values, as a proxy.

``helm create`` and most charts render an Ingress from values: the annotations block from
``{{- with .Values.ingress.annotations }}`` (or ``toYaml .Values.ingress.annotations``), the
class from ``ingressClassName: {{ .Values.ingress.className }}``, the whole document behind
``{{- if .Values.ingress.enabled }}``. A release that enables it gets the proxy a plain Ingress
with those annotations gets (:func:`._proxy_k8s.ingress_proxies`), each annotation at its
values line and a missing one where the annotations block is (or would go), so the proxy rules
(AC401-AC403) report at the values a fix must change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentcheck.deployment._helm_fields import (
    KEY_LINE,
    Binding,
    Gate,
    document_spans,
    gate,
    value_binding,
)
from agentcheck.deployment._helm_releases import holds
from agentcheck.deployment._proxy_k8s import ingress_proxies
from agentcheck.deployment.model import Where

if TYPE_CHECKING:
    from agentcheck.deployment._helm_releases import HelmRelease
    from agentcheck.deployment._proxy_model import Proxy

__all__ = ["IngressTemplate", "release_ingresses", "scan_ingresses"]

_KIND = re.compile(r"^kind:\s*[\"']?Ingress[\"']?\s*$")
_ACTION = re.compile(r"^\s*\{\{-?\s*(.*?)\s*-?\}\}\s*$")
_WITH = re.compile(r"^with\s+\$?\.Values((?:\.[\w-]+)+)\s*$")
_TO_YAML = re.compile(r"toYaml\s+\$?\.Values((?:\.[\w-]+)+)")
_TO_YAML_DOT = re.compile(r"toYaml\s+\.\s")
_DOT = re.compile(r"\{\{-?\s*\.\s*-?\}\}")


@dataclass
class IngressTemplate:
    """An Ingress of a chart's templates: the values its annotations and class come from."""

    path: str
    line: int
    #: Conditions around the whole document (all must hold).
    gates: list[Gate] = field(default_factory=list)
    #: The values mapping rendered into ``metadata.annotations``.
    annotations: str | None = None
    ingress_class: Binding | None = None


def scan_ingresses(path: str, text: str) -> list[IngressTemplate]:
    """The Ingresses a template file renders whose annotations come from the values."""
    lines = text.splitlines()
    found = (_document(path, lines, start, end) for start, end in document_spans(lines))
    return [t for t in found if t is not None]


def _document(path: str, lines: list[str], start: int, end: int) -> IngressTemplate | None:
    kind_line = next((i for i in range(start, end) if _KIND.match(lines[i])), None)
    if kind_line is None:
        return None
    ingress = IngressTemplate(path, kind_line + 1)
    for i in range(start, kind_line):
        action = _ACTION.match(lines[i])
        gates = gate(action.group(1)) if action else None
        if gates is not None:
            ingress.gates.extend(gates)
    #: The open blocks: the values path of a ``with``, None for any other block.
    stack: list[str | None] = []
    for i in range(kind_line, end):
        text = lines[i]
        action = _ACTION.match(text)
        if action:
            _track(stack, action.group(1))
            continue
        m = KEY_LINE.match(text)
        if not m or m.group(2):
            continue
        indent, key = len(m.group(1)), m.group(3)
        if key == "annotations" and indent == 2 and ingress.annotations is None:
            ingress.annotations = _annotations(lines, i, end, indent, list(stack))
        elif key == "ingressClassName":
            binding = value_binding(m.group(4), i + 1)
            if binding is None and _DOT.search(m.group(4)) and stack and stack[-1]:
                binding = Binding(i + 1, values=stack[-1])  # {{ . }} inside with .Values.x
            ingress.ingress_class = binding
    return ingress if ingress.annotations is not None else None


def _track(stack: list[str | None], action: str) -> None:
    """Follow the blocks an action opens or closes."""
    word = action.split(None, 1)[0] if action else ""
    if word == "with":
        found = _WITH.match(action)
        stack.append(found.group(1)[1:] if found else None)
    elif word in ("if", "range", "define", "block"):
        stack.append(None)
    elif word == "end" and stack:
        stack.pop()


def _annotations(
    lines: list[str], i: int, end: int, indent: int, stack: list[str | None]
) -> str | None:
    """The values path rendered under the ``annotations:`` key on line ``i``: ``toYaml
    .Values.x`` in its block, or ``toYaml .`` right inside ``with .Values.x`` (opened before
    the key or inside its block)."""
    for j in range(i + 1, end):
        text = lines[j]
        named = _TO_YAML.search(text)
        if named:
            return named.group(1)[1:]
        if _TO_YAML_DOT.search(text):
            return stack[-1] if stack else None
        action = _ACTION.match(text)
        if action:
            _track(stack, action.group(1))
            continue
        m = KEY_LINE.match(text)
        if m and len(m.group(1)) <= indent:
            return None
    return None


def release_ingresses(release: HelmRelease, templates: list[IngressTemplate]) -> Iterator[Proxy]:
    """The proxies a release's values make of the chart's Ingress templates."""
    for t in templates:
        if t.annotations is None or not holds(release, tuple(t.gates)):
            continue
        raw = release.get(t.annotations)
        ann = (
            {str(k): str(v) for k, v in raw.items() if v is not None and not isinstance(v, Mapping)}
            if isinstance(raw, Mapping)
            else {}
        )
        cls = ""
        b = t.ingress_class
        if b is not None:
            value = release.get(b.values) if b.values else None
            cls = str(value if value not in (None, "") else b.literal or "")
        parts = tuple(t.annotations.split("."))
        block = release.where_at(parts, key=True)

        def annotation_where(key: str, parts: tuple[str, ...] = parts) -> Where:
            return release.where_at((*parts, key))

        name = f"Ingress of chart `{release.chart_name}` ({release.files[-1]})"
        yield from ingress_proxies(name, block, block, ann, cls, annotation_where, (), {})
