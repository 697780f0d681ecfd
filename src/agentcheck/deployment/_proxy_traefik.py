"""Traefik: static and dynamic files, command-line flags, ServersTransport objects
(see :mod:`.proxies`)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._proxy_model import (
    Proxy,
    Timeout,
    dig,
    k8s_name,
    parse_duration,
    where_in,
)
from agentcheck.deployment.model import Where
from agentcheck.parsing import may_hold

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["traefik_proxies"]


def traefik_proxies(project: Project) -> Iterator[Proxy]:
    """Traefik's entry points and servers transports, wherever they are configured."""
    yield from _traefik_files(project)
    yield from _traefik_containers(project)
    for rel, doc in project.k8s_objects:
        api = str(doc.data.get("apiVersion", ""))
        if doc.data.get("kind") == "ServersTransport" and api.startswith(
            ("traefik.io/", "traefik.containo.us/")
        ):
            yield from _traefik_servers_transport(rel, doc)


# --------------------------------------------------------------------------- Traefik

_TRAEFIK_FLAG = re.compile(
    r"^--entrypoints\.([^.=]+)\.(address|transport\.respondingtimeouts\.(read|write)timeout)=(.*)$",
    re.IGNORECASE,
)
_TRAEFIK_TRANSPORT_FLAG = re.compile(
    r"^--serverstransport\.forwardingtimeouts\.responseheadertimeout=(.*)$", re.IGNORECASE
)


def _lower_keys(data: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in data.items()} if isinstance(data, dict) else {}


def _real_key(data: Any, lower: str) -> str | None:
    if isinstance(data, dict):
        for key in data:
            if str(key).lower() == lower:
                return str(key)
    return None


def _traefik_read_default(project: Project) -> float | None:
    """Traefik's default entry-point ``readTimeout``: 60 s since v2.11, none before."""
    versions = [tag for tag in _image_tags(project, "traefik") if tag is not None]
    old = re.compile(r"^v?(1\.|2\.(\d|10)(\.|$))")
    if versions and all(old.match(v) for v in versions):
        return None
    return 60.0


def _image_tags(project: Project, image: str) -> Iterator[str | None]:
    """Tags of the ``image`` images compose and Kubernetes run (None: untagged)."""
    for _rel, service in _compose_services(project):
        yield from _tag_of(service.get("image"), image)
    for _rel, _doc, container, _path in _k8s_containers(project):
        yield from _tag_of(container.get("image"), image)


def _tag_of(ref: Any, image: str) -> Iterator[str | None]:
    if not isinstance(ref, str):
        return
    ref = ref.split("@", 1)[0]
    name, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "")
    if name.rsplit("/", 1)[-1] == image:
        yield tag or None


def _compose_services(project: Project) -> Iterator[tuple[str, dict[str, Any]]]:
    for rel in project.compose_files:
        for doc in project.yaml(rel):
            services = dig(doc.data, "services")
            if isinstance(services, dict):
                for service in services.values():
                    if isinstance(service, dict):
                        yield rel, service


def _k8s_containers(
    project: Project,
) -> Iterator[tuple[str, Located, dict[str, Any], tuple[str | int, ...]]]:
    for rel, doc in project.k8s_objects:
        spec_path: tuple[str | int, ...] = ("spec", "template", "spec")
        if doc.data.get("kind") == "Pod":
            spec_path = ("spec",)
        elif doc.data.get("kind") == "CronJob":
            spec_path = ("spec", "jobTemplate", "spec", "template", "spec")
        containers = dig(doc.data, *spec_path, "containers")
        if not isinstance(containers, list):
            continue
        for i, container in enumerate(containers):
            if isinstance(container, dict):
                yield rel, doc, container, (*spec_path, "containers", i)


def _traefik_containers(project: Project) -> Iterator[Proxy]:
    """Traefik configured with command-line flags in compose or a Kubernetes container."""
    default = _traefik_read_default(project)
    for rel in project.compose_files:
        for doc in project.yaml(rel):
            services = dig(doc.data, "services")
            if not isinstance(services, dict):
                continue
            for name, service in services.items():
                if not isinstance(service, dict) or not _is_traefik(service.get("image")):
                    continue
                command = service.get("command")
                items: list[tuple[str, tuple[str | int, ...]]]
                if isinstance(command, str):
                    items = [(w, ("services", name, "command")) for w in _split(command)]
                elif isinstance(command, list):
                    items = [
                        (str(w), ("services", name, "command", i)) for i, w in enumerate(command)
                    ]
                else:
                    continue
                yield from _traefik_flags(
                    rel, doc, f"traefik service {name} ({rel})", items, default
                )
    for rel, doc, container, path in _k8s_containers(project):
        if not _is_traefik(container.get("image")):
            continue
        items = []
        for key in ("command", "args"):
            values = container.get(key)
            if isinstance(values, list):
                items.extend((str(w), (*path, key, i)) for i, w in enumerate(values))
        label = f"traefik container {container.get('name', '?')} ({rel})"
        yield from _traefik_flags(rel, doc, label, items, default)


def _is_traefik(image: Any) -> bool:
    return any(True for _ in _tag_of(image, "traefik"))


def _split(command: str) -> list[str]:
    try:
        return shlex.split(command)
    except ValueError:
        return command.split()


def _traefik_flags(
    rel: str,
    doc: Located,
    label: str,
    items: list[tuple[str, tuple[str | int, ...]]],
    default: float | None,
) -> Iterator[Proxy]:
    entrypoints: dict[str, dict[str, tuple[str, tuple[str | int, ...]]]] = {}
    transport = []
    for word, path in items:
        match = _TRAEFIK_FLAG.match(word.strip())
        if match:
            kind = (match[3] or "address").lower()
            entrypoints.setdefault(match[1], {})[kind] = (match[4], path)
            continue
        match = _TRAEFIK_TRANSPORT_FLAG.match(word.strip())
        if match:
            transport.append((match[1], path))
    for entrypoint, flags in entrypoints.items():
        timeouts = []
        for kind in ("read", "write"):
            flag = f"--entrypoints.{entrypoint}.transport.respondingTimeouts.{kind}Timeout"
            if kind in flags:
                raw, path = flags[kind]
                seconds = parse_duration(raw)
                if seconds is None:
                    continue
                at, explicit = where_in(doc, rel, *path), True
            elif kind == "read" and default is not None and "address" in flags:
                seconds, at, explicit = default, where_in(doc, rel, *flags["address"][1]), False
            else:
                continue
            timeouts.append(
                Timeout(
                    f"{flag}",
                    seconds or None,
                    at,
                    explicit,
                    idle=False,
                    fix=f"{flag}={{seconds}}s",
                    origin="Traefik's default since v2.11",
                )
            )
        if timeouts:
            yield Proxy(
                kind="traefik",
                name=f"entry point {entrypoint} of {label}",
                where=timeouts[0].where,
                timeouts=timeouts,
            )
    for raw, path in transport:
        seconds = parse_duration(raw)
        if seconds:
            flag = "--serversTransport.forwardingTimeouts.responseHeaderTimeout"
            at = where_in(doc, rel, *path)
            yield Proxy(
                kind="traefik",
                name=f"servers transport of {label}",
                where=at,
                timeouts=[Timeout(flag, seconds, at, True, idle=False, fix=f"{flag}={{seconds}}s")],
            )


def _traefik_files(project: Project) -> Iterator[Proxy]:
    """Traefik's static (``entryPoints``) and dynamic (``serversTransports``) files."""
    compose = set(project.compose_files)
    default = _traefik_read_default(project)
    for rel in project.files:
        name = rel.rsplit("/", 1)[-1].lower()
        if name.endswith((".yml", ".yaml")) and rel not in compose:
            text = project.text(rel, report=False)
            if not text or not (
                may_hold(text, ("entrypoints", "serverstransport"))
                and re.search(r"(?i)entrypoints|serverstransport", text)
            ):
                continue
            if "apiVersion" in text and "kind" in text:
                continue  # Kubernetes objects are read above
            for doc in project.yaml(rel):
                yield from _traefik_doc(rel, doc, default)
        elif name.endswith(".toml") and "traefik" in rel.lower():
            table = project.toml(rel)
            if table is not None:
                yield from _traefik_toml(rel, table, project.text(rel, report=False) or "", default)


def _traefik_doc(rel: str, doc: Located, default: float | None) -> Iterator[Proxy]:
    data = doc.data
    eps_key = _real_key(data, "entrypoints")
    if eps_key is not None and isinstance(data[eps_key], dict):
        for ep_name, ep in data[eps_key].items():
            if not isinstance(ep, dict):
                continue
            timeouts = []
            t_key = _real_key(ep, "transport")
            r_key = _real_key(ep.get(t_key) if t_key else None, "respondingtimeouts")
            responding = ep[t_key][r_key] if t_key and r_key else None
            for kind in ("read", "write"):
                k = _real_key(responding, f"{kind}timeout")
                if k is not None and t_key and r_key and isinstance(responding, dict):
                    seconds = parse_duration(responding[k])
                    if seconds is None:
                        continue
                    at = where_in(doc, rel, eps_key, ep_name, t_key, r_key, k)
                    explicit = True
                elif kind == "read" and default is not None:
                    seconds, explicit = default, False
                    at = where_in(doc, rel, eps_key, ep_name, key=True)
                else:
                    continue
                timeouts.append(
                    _responding_timeout(
                        ep_name,
                        kind,
                        seconds,
                        at,
                        explicit,
                        fix=f"{kind}Timeout: {{seconds}}s",
                        note=f"under entryPoints.{ep_name}.transport.respondingTimeouts",
                    )
                )
            if timeouts:
                yield _entry_point(
                    rel, ep_name, where_in(doc, rel, eps_key, ep_name, key=True), timeouts
                )
    # static serversTransport, dynamic http.serversTransports.<name>
    transports: list[tuple[tuple[str, ...], Any]] = []
    st_key = _real_key(data, "serverstransport")
    if st_key is not None:
        transports.append(((st_key,), data[st_key]))
    http_key = _real_key(data, "http")
    sts_key = _real_key(data.get(http_key) if http_key else None, "serverstransports")
    if http_key and sts_key and isinstance(data[http_key][sts_key], dict):
        for t_name, transport in data[http_key][sts_key].items():
            transports.append(((http_key, sts_key, str(t_name)), transport))
    for path, transport in transports:
        f_key = _real_key(transport, "forwardingtimeouts")
        h_key = _real_key(transport.get(f_key) if f_key else None, "responseheadertimeout")
        if not f_key or not h_key:
            continue
        seconds = parse_duration(transport[f_key][h_key])
        if not seconds:
            continue
        at = where_in(doc, rel, *path, f_key, h_key)
        yield Proxy(
            kind="traefik",
            name=f"servers transport {path[-1]} ({rel})",
            where=at,
            timeouts=[_response_header_timeout(seconds, at)],
        )


def _traefik_toml(
    rel: str, table: dict[str, Any], text: str, default: float | None
) -> Iterator[Proxy]:
    """TOML has no positions in tomllib: find the line of each key in the text."""
    lines = text.splitlines()

    def line_of(word: str, after: int = 0) -> Where:
        for index in range(after, len(lines)):
            if word.lower() in lines[index].lower():
                return Where(rel, index + 1, lines[index].lower().index(word.lower()) + 1)
        return Where(rel, 1)

    eps = table.get(_real_key(table, "entrypoints") or "")
    if isinstance(eps, dict):
        for ep_name, ep in eps.items():
            header = line_of(f"entryPoints.{ep_name}")
            responding = _lower_keys(
                _lower_keys(_lower_keys(ep).get("transport")).get("respondingtimeouts")
            )
            timeouts = []
            for kind in ("read", "write"):
                if f"{kind}timeout" in responding:
                    seconds = parse_duration(responding[f"{kind}timeout"])
                    if seconds is None:
                        continue
                    at, explicit = line_of(f"{kind}Timeout", header.line - 1), True
                elif kind == "read" and default is not None:
                    seconds, at, explicit = default, header, False
                else:
                    continue
                timeouts.append(
                    _responding_timeout(
                        ep_name,
                        kind,
                        seconds,
                        at,
                        explicit,
                        fix=f'{kind}Timeout = "{{seconds}}s"',
                        note=f"in [entryPoints.{ep_name}.transport.respondingTimeouts]",
                    )
                )
            if timeouts:
                yield _entry_point(rel, ep_name, header, timeouts)


def _traefik_servers_transport(rel: str, doc: Located) -> Iterator[Proxy]:
    raw = dig(doc.data, "spec", "forwardingTimeouts", "responseHeaderTimeout")
    seconds = parse_duration(raw)
    if not seconds:
        return
    at = where_in(doc, rel, "spec", "forwardingTimeouts", "responseHeaderTimeout")
    yield Proxy(
        kind="traefik",
        name=f"ServersTransport {k8s_name(doc.data) or '?'} ({rel})",
        where=where_in(doc, rel, "metadata", key=True),
        timeouts=[_response_header_timeout(seconds, at)],
    )


def _responding_timeout(
    ep_name: str, kind: str, seconds: float, at: Where, explicit: bool, *, fix: str, note: str
) -> Timeout:
    """An entry point's ``respondingTimeouts.readTimeout`` or ``writeTimeout`` (0 is none)."""
    return Timeout(
        f"entryPoints.{ep_name}.transport.respondingTimeouts.{kind}Timeout",
        seconds or None,
        at,
        explicit,
        idle=False,
        fix=fix,
        note=note,
        origin="Traefik's default since v2.11",
    )


def _entry_point(rel: str, ep_name: str, where: Where, timeouts: list[Timeout]) -> Proxy:
    return Proxy(
        kind="traefik", name=f"entry point {ep_name} ({rel})", where=where, timeouts=timeouts
    )


def _response_header_timeout(seconds: float, at: Where) -> Timeout:
    """A serversTransport's ``forwardingTimeouts.responseHeaderTimeout``."""
    return Timeout(
        "forwardingTimeouts.responseHeaderTimeout",
        seconds,
        at,
        True,
        idle=False,
        fix="responseHeaderTimeout: {seconds}s",
    )
