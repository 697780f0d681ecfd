"""Proxies configured in their own files: HAProxy, Envoy, and ``gcloud run deploy`` commands
(see :mod:`.proxies`)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._proxy_model import (
    Proxy,
    Setting,
    Timeout,
    parse_duration,
    where_in,
    without_event_stream,
)
from agentcheck.deployment.model import Where

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["envoy_proxies", "gcloud_proxies", "haproxy_proxies"]


# --------------------------------------------------------------------------- gcloud run deploy

_GCLOUD_FILES = (".sh", ".bash", ".yml", ".yaml", ".mk")


def gcloud_proxies(project: Project) -> Iterator[Proxy]:
    for rel in project.files:
        name = rel.rsplit("/", 1)[-1]
        if not (name.endswith(_GCLOUD_FILES) or name in ("Makefile", "Justfile", "Procfile")):
            continue
        text = project.text(rel, report=False)
        if not text or "gcloud" not in text or "run" not in text:
            continue
        yield from _gcloud_in_text(rel, text)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Shell lines with backslash continuations joined, with their first line number."""
    start, parts = 0, list[str]()
    for number, line in enumerate(text.splitlines(), start=1):
        if not parts:
            start = number
        if line.rstrip().endswith("\\"):
            parts.append(line.rstrip()[:-1])
            continue
        parts.append(line)
        yield start, " ".join(parts)
        parts = []
    if parts:
        yield start, " ".join(parts)


def _gcloud_in_text(rel: str, text: str) -> Iterator[Proxy]:
    lines = text.splitlines()
    for number, line in _logical_lines(text):
        if "gcloud" not in line or " run " not in f" {line} ":
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            words = line.split()
        if "gcloud" not in words:
            continue
        rest = words[words.index("gcloud") + 1 :]
        verbs = [w for w in rest if not w.startswith("-") and w not in ("alpha", "beta")][:3]
        if verbs[:2] != ["run", "deploy"] and verbs[:3] != ["run", "services", "update"]:
            continue
        raw = None
        for i, word in enumerate(rest):
            if word.startswith("--timeout="):
                raw = word.split("=", 1)[1]
            elif word == "--timeout" and i + 1 < len(rest):
                raw = rest[i + 1]
        if raw is None:
            continue  # the default (300 s) applies; a Service YAML may say more
        seconds = parse_duration(raw)
        if seconds is None:
            continue
        line_no, column = number, 1
        for offset in range(20):
            index = number - 1 + offset
            if index < len(lines) and "--timeout" in lines[index]:
                line_no, column = index + 1, lines[index].index("--timeout") + 1
                break
        at = Where(rel, line_no, column)
        yield Proxy(
            kind="cloud-run",
            name=f"gcloud run deploy ({rel})",
            where=Where(rel, number),
            timeouts=[
                Timeout("--timeout", seconds, at, True, idle=False, fix="--timeout={seconds}")
            ],
        )


# --------------------------------------------------------------------------- HAProxy

_HAPROXY_SECTIONS = frozenset(
    {
        "global",
        "defaults",
        "frontend",
        "backend",
        "listen",
        "resolvers",
        "peers",
        "userlist",
        "program",
        "http-errors",
        "ring",
        "cache",
        "mailers",
        "crt-store",
        "traces",
    }
)
#: Section keywords recognised even when indented (others must start the line).
_HAPROXY_PROXIES = frozenset({"global", "defaults", "frontend", "backend", "listen"})
_HAPROXY_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_HAPROXY_TIME = re.compile(r"^(\d{1,18})(us|ms|s|m|h|d)?$")


def _haproxy_time(value: str) -> float | None:
    """HAProxy times default to milliseconds: ``timeout server 30000`` is 30 s."""
    match = _HAPROXY_TIME.match(value.strip())
    if match is None:
        return None
    return int(match[1]) * _HAPROXY_UNITS[match[2] or "ms"]


@dataclass
class _Section:
    """One section of a proxy configuration file, with its settings and their lines."""

    kind: str
    name: str
    line: int
    settings: list[tuple[list[str], int, int]] = field(default_factory=list)

    def get(self, *words: str) -> tuple[list[str], int, int] | None:
        found = None
        for entry in self.settings:
            if entry[0][: len(words)] == list(words):
                found = entry
        return found


def _haproxy_sections(text: str) -> list[_Section]:
    sections: list[_Section] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        words = line.split()
        if not words:
            continue
        indented = raw[:1].isspace()
        if words[0] in (_HAPROXY_PROXIES if indented else _HAPROXY_SECTIONS):
            sections.append(_Section(words[0], words[1] if len(words) > 1 else "", number))
        elif sections:
            column = len(raw) - len(raw.lstrip()) + 1
            sections[-1].settings.append((words, number, column))
    return sections


def haproxy_proxies(project: Project) -> Iterator[Proxy]:
    for rel in project.files:
        name = rel.rsplit("/", 1)[-1].lower()
        if not (name == "haproxy.cfg" or (name.endswith(".cfg") and "haproxy" in rel.lower())):
            continue
        text = project.text(rel, report=False)
        if text is None:
            continue
        yield from _haproxy_file(rel, text)


def _haproxy_file(rel: str, text: str) -> Iterator[Proxy]:
    defaults: _Section | None = None
    for section in _haproxy_sections(text):
        if section.kind == "defaults":
            defaults = section
            continue
        if section.kind not in ("frontend", "backend", "listen"):
            continue
        sides = []
        if section.kind in ("backend", "listen"):
            sides.append("server")
        if section.kind in ("frontend", "listen"):
            sides.append("client")
        sides.append("tunnel")
        timeouts = []
        for side in sides:
            found = section.get("timeout", side)
            if found is None and defaults is not None:
                found = defaults.get("timeout", side)
            if found is None or len(found[0]) < 3:
                continue  # HAProxy has no default: no limit
            seconds = _haproxy_time(found[0][2])
            if seconds is None:
                continue
            timeouts.append(
                Timeout(
                    f"timeout {side}",
                    seconds if seconds > 0 else None,
                    Where(rel, found[1], found[2]),
                    explicit=True,
                    idle=True,
                    fix=f"timeout {side} {{seconds}}s",
                    # a tunnel timeout applies to WebSocket and CONNECT tunnels, not to SSE
                    cuts_stream=side != "tunnel",
                )
            )
        compression = []
        kinds = section.get("compression", "type") or (
            defaults.get("compression", "type") if defaults else None
        )
        algo = section.get("compression", "algo") or (
            defaults.get("compression", "algo") if defaults else None
        )
        if kinds is not None and algo is not None:
            listed = [w.lower() for w in kinds[0][2:]]
            if "text/event-stream" in listed:
                compression.append(
                    Setting(
                        "compression type",
                        " ".join(kinds[0][2:]),
                        Where(rel, kinds[1], kinds[2]),
                        fix=without_event_stream("compression type", kinds[0][2:]),
                    )
                )
        hosts = []
        for words, _line, _col in section.settings:
            if words[0] == "server" and len(words) >= 3:
                hosts.append(words[2].rsplit(":", 1)[0])
        yield Proxy(
            kind="haproxy",
            name=f"{section.kind} {section.name} ({rel})".replace("  ", " "),
            where=Where(rel, section.line),
            timeouts=timeouts,
            compression=compression,
            hosts=tuple(hosts),
        )


# --------------------------------------------------------------------------- Envoy

_ENVOY_ROUTE_DEFAULT = 15.0
_ENVOY_STREAM_IDLE_DEFAULT = 300.0


def envoy_proxies(project: Project) -> Iterator[Proxy]:
    for rel in project.yaml_files:
        text = project.text(rel, report=False)
        if not text or "virtual_hosts" not in text:
            continue
        for doc in project.yaml(rel):
            yield from _envoy_doc(rel, doc)


def _walk_dicts(
    data: Any, path: tuple[str | int, ...] = (), depth: int = 0
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    if depth > 40:
        return
    if isinstance(data, dict):
        yield path, data
        for key, value in data.items():
            yield from _walk_dicts(value, (*path, key), depth + 1)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _walk_dicts(value, (*path, index), depth + 1)


def _envoy_doc(rel: str, doc: Located) -> Iterable[Proxy]:
    out = []
    for path, hcm in _walk_dicts(doc.data):
        route_config = hcm.get("route_config")
        if not isinstance(route_config, dict) or not isinstance(
            route_config.get("virtual_hosts"), list
        ):
            continue
        stream_idle = None
        if "stream_idle_timeout" in hcm:
            seconds = parse_duration(hcm["stream_idle_timeout"])
            if seconds is not None:
                stream_idle = (seconds, where_in(doc, rel, *path, "stream_idle_timeout"))
        for v, vhost in enumerate(route_config["virtual_hosts"]):
            routes = vhost.get("routes") if isinstance(vhost, dict) else None
            if not isinstance(routes, list):
                continue
            for r, route in enumerate(routes):
                action = route.get("route") if isinstance(route, dict) else None
                if not isinstance(action, dict):
                    continue  # redirect, direct_response
                base = (*path, "route_config", "virtual_hosts", v, "routes", r, "route")
                out.append(_envoy_route(rel, doc, base, route, action, stream_idle))
    return out


def _envoy_route(
    rel: str,
    doc: Located,
    base: tuple[str | int, ...],
    route: dict[str, Any],
    action: dict[str, Any],
    stream_idle: tuple[float, Where] | None,
) -> Proxy:
    add_at = where_in(doc, rel, *base, key=True)
    timeouts = []
    raw = action.get("timeout")
    seconds = parse_duration(raw) if raw is not None else _ENVOY_ROUTE_DEFAULT
    if seconds is not None:
        timeouts.append(
            Timeout(
                "timeout",
                seconds or None,
                where_in(doc, rel, *base, "timeout") if raw is not None else add_at,
                explicit=raw is not None,
                idle=False,
                fix="timeout: {seconds}s",
                note="in the route (or `timeout: 0s` with an `idle_timeout` for streaming routes)",
                origin="Envoy's default route timeout",
            )
        )
    raw_idle = action.get("idle_timeout")
    if raw_idle is not None:
        idle = parse_duration(raw_idle)
        at = where_in(doc, rel, *base, "idle_timeout")
        explicit = True
    elif stream_idle is not None:
        (idle, at), explicit = stream_idle, True
    else:
        idle, at, explicit = _ENVOY_STREAM_IDLE_DEFAULT, add_at, False
    if idle is not None:
        timeouts.append(
            Timeout(
                "idle_timeout",
                idle or None,
                at,
                explicit=explicit,
                idle=True,
                fix="idle_timeout: {seconds}s",
                origin="Envoy's default stream idle timeout",
            )
        )
    match = route.get("match")
    match = match if isinstance(match, dict) else {}
    prefix = match.get("prefix") or match.get("path") or match.get("safe_regex") or ""
    cluster = action.get("cluster")
    return Proxy(
        kind="envoy",
        name=f"route {prefix} ({rel})".replace("  ", " "),
        where=add_at,
        timeouts=timeouts,
        upstream=str(cluster) if cluster else None,
        hosts=(str(cluster),) if cluster else (),
    )
