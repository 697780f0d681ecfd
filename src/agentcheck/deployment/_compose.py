"""Compose files (every spec version): services as workloads with env, ports and health checks."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._classify import join_rel, parse_duration, parse_int
from agentcheck.deployment._commands import split_command
from agentcheck.deployment._envfiles import dotenv_kind, env_bindings
from agentcheck.deployment._production import file_verdict
from agentcheck.deployment.model import (
    Container,
    EnvFileRef,
    EnvSetting,
    EnvValue,
    Port,
    Probe,
    SettingKind,
    Where,
    Workload,
)

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["read_compose", "services_of"]

#: Keys that make a mapping a service in a version-1 file (services at the top level).
_V1_SERVICE_KEYS = {"image", "build", "command", "ports", "environment", "links", "volumes"}


def services_of(data: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The services mapping and its path: ``services:`` (v2, v3, Compose Spec) or the top
    level (v1)."""
    if not isinstance(data, dict):
        return (), {}
    services = data.get("services")
    if isinstance(services, dict):
        return ("services",), services
    if "services" in data or "version" in data:
        return (), {}
    legacy = {k: v for k, v in data.items() if isinstance(v, dict) and _V1_SERVICE_KEYS & set(v)}
    return (), legacy


def _argv(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None)
    if isinstance(value, str):
        return split_command(value)
    return None


class _Reader:
    def __init__(
        self, project: Project, rel: str, doc: Located, settings: list[EnvSetting]
    ) -> None:
        self.project = project
        self.rel = rel
        self.doc = doc
        self.settings = settings
        self.verdict = file_verdict(project, rel, "compose")
        self.production = self.verdict.production
        self.dir = PurePosixPath(rel).parent.as_posix()
        self.dir = "" if self.dir == "." else self.dir

    def w(self, *path: str | int) -> Where:
        line, col = self.doc.loc(*path)
        return Where(self.rel, line, col)

    def kw(self, *path: str | int) -> Where:
        line, col = self.doc.key_loc(*path)
        return Where(self.rel, line, col)

    def services(self) -> list[Workload]:
        prefix, services = services_of(self.doc.data)
        out = []
        for name, svc in services.items():
            if isinstance(svc, dict):
                out.append(self._service(str(name), (*prefix, name), svc))
        return out

    def _service(self, name: str, path: tuple[str | int, ...], svc: dict[str, Any]) -> Workload:
        production = self.production
        workload = Workload(
            platform="compose",
            kind="service",
            name=name,
            where=self.kw(*path),
            production=production,
            raw=svc,
            verdict=self.verdict,
        )
        labels = svc.get("labels")
        if isinstance(labels, dict):
            workload.labels = {str(k): str(v) for k, v in labels.items()}
        elif isinstance(labels, list):
            for item in labels:
                key, _, value = str(item).partition("=")
                workload.labels[key] = value
        depends = svc.get("depends_on")
        if isinstance(depends, dict | list):
            workload.depends_on = tuple(str(d) for d in depends)
        deploy_raw = svc.get("deploy")
        deploy: dict[str, Any] = deploy_raw if isinstance(deploy_raw, dict) else {}
        if "replicas" in deploy:
            workload.replicas = parse_int(deploy["replicas"])
            workload.replicas_where = self.w(*path, "deploy", "replicas")
        elif "scale" in svc:
            workload.replicas = parse_int(svc["scale"])
            workload.replicas_where = self.w(*path, "scale")
        if svc.get("network_mode") == "host":
            workload.host_network = self.w(*path, "network_mode")
        if "stop_grace_period" in svc:
            workload.grace_period = parse_duration(svc["stop_grace_period"])
            workload.grace_where = self.w(*path, "stop_grace_period")
        workload.containers.append(self._container(name, path, svc, deploy))
        return workload

    def _container(
        self, name: str, path: tuple[str | int, ...], svc: dict[str, Any], deploy: dict[str, Any]
    ) -> Container:
        c = Container(name=name, where=self.kw(*path))
        if isinstance(svc.get("image"), str):
            c.image = svc["image"]
            c.image_where = self.w(*path, "image")
        build = svc.get("build")
        if isinstance(build, str | dict):
            context = build if isinstance(build, str) else str(build.get("context", "."))
            dockerfile = "Dockerfile"
            if isinstance(build, dict) and isinstance(build.get("dockerfile"), str):
                dockerfile = build["dockerfile"]
            if "://" not in context and not context.startswith("git@"):
                c.build_context = join_rel(self.dir, context)
                c.dockerfile = join_rel(c.build_context, dockerfile)
        entrypoint = _argv(svc.get("entrypoint"))
        command = _argv(svc.get("command"))
        if entrypoint is not None:
            c.command, c.args = entrypoint, command
            c.command_where = self.w(*path, "entrypoint")
        elif command is not None:
            c.args = command
            c.command_where = self.w(*path, "command")
        self._env(c, path, svc)
        self._health(c, path, svc)
        self._ports(c, path, svc)
        resources = deploy.get("resources")
        if isinstance(resources, dict):
            c.resources = {
                "limits": resources.get("limits") or {},
                "requests": resources.get("reservations") or {},
            }
            c.resources_where = self.kw(*path, "deploy", "resources")
        elif any(k in svc for k in ("mem_limit", "cpus", "mem_reservation")):
            c.resources = {
                "limits": {k: svc[k] for k in ("mem_limit", "cpus") if k in svc},
                "requests": {"memory": svc["mem_reservation"]} if "mem_reservation" in svc else {},
            }
            c.resources_where = self.kw(*path)
        return c

    def _setting(self, name: str, value: Any, where: Where, owner: str, kind: SettingKind) -> None:
        self.settings.append(
            EnvSetting(name, _setting_value(value), where, owner, kind, self.production)
        )

    def _env(self, c: Container, path: tuple[str | int, ...], svc: dict[str, Any]) -> None:
        owner = f"service `{c.name}` of {self.rel}"
        # env_file first: `environment` wins over it, as in compose.
        env_file = svc.get("env_file")
        refs = env_file if isinstance(env_file, list) else [env_file] if env_file else []
        committed = (
            self.project.tracked
            if self.project.git_root is not None
            else frozenset(self.project.files)
        )
        for i, ref in enumerate(refs):
            required = True
            if isinstance(ref, dict):
                required = ref.get("required", True) is not False
                ref = ref.get("path")
            if not isinstance(ref, str) or not ref:
                continue
            at = (
                self.w(*path, "env_file", i)
                if isinstance(env_file, list)
                else self.w(*path, "env_file")
            )
            rel = join_rel(self.dir, ref)
            exists = rel in self.project.files
            c.env_files.append(EnvFileRef(ref, rel, at, exists, required))
            bindings = env_bindings(self.project, rel) if exists else []
            # Committed env files (not examples) are manifests too: AC205 judges them.
            judged = rel in committed and dotenv_kind(PurePosixPath(rel).name) != "example"
            for key, value, line in bindings:
                c.env[key] = EnvValue(
                    key,
                    value,
                    Where(rel, line),
                    source="env-file",
                    interpolated=value is not None and "$" in value,
                )
                if judged:
                    self._setting(key, value, Where(rel, line), f"env_file of {owner}", "env-file")
        environment = svc.get("environment")
        if "environment" in svc:
            c.env_where = self.kw(*path, "environment")
        else:
            c.env_where = c.where
        if isinstance(environment, dict):
            for key, value in environment.items():
                text = None if value is None else _scalar(value)
                at = self.w(*path, "environment", key)
                c.env[str(key)] = EnvValue(
                    str(key),
                    text,
                    at,
                    source="compose",
                    interpolated=text is None or "$" in text,
                )
                self._setting(str(key), value, at, owner, "compose-env")
        elif isinstance(environment, list):
            for i, item in enumerate(environment):
                if not isinstance(item, str):
                    continue
                key, sep, value = item.partition("=")
                key = key.strip()
                if not key:
                    continue
                at = self.w(*path, "environment", i)
                c.env[key] = EnvValue(
                    key,
                    value if sep else None,
                    at,
                    source="compose",
                    interpolated=not sep or "$" in value,
                )
                self._setting(key, value if sep else None, at, owner, "compose-env")
        self._build_args(path, svc, f"build args of {owner}")

    def _build_args(self, path: tuple[str | int, ...], svc: dict[str, Any], owner: str) -> None:
        build = svc.get("build")
        args = build.get("args") if isinstance(build, dict) else None
        if isinstance(args, dict):
            for key, value in args.items():
                at = self.w(*path, "build", "args", key)
                self._setting(str(key), value, at, owner, "compose-build-arg")
        elif isinstance(args, list):
            for i, item in enumerate(args):
                if isinstance(item, str):
                    key, sep, value = item.partition("=")
                    at = self.w(*path, "build", "args", i)
                    self._setting(
                        key.strip(), value if sep else None, at, owner, "compose-build-arg"
                    )

    def _interpolate(self, text: str) -> str:
        """``${VAR:-default}``, ``${VAR}`` and ``$VAR`` as compose fills them: from the
        ``.env`` beside the file, else the values its ``.env.example`` documents, else the
        default written; a variable with no value stays as written."""
        if "$" not in text:
            return text
        values = _dotenv_values(self.project, self.dir)

        def fill(match: re.Match[str]) -> str:
            name = match[1] or match[4]
            if values.get(name):
                return values[name]
            if match[2] and match[2].lstrip(":").startswith("-"):
                return str(match[3])
            return match[0]

        return _VARIABLE.sub(fill, text)

    def _health(self, c: Container, path: tuple[str | int, ...], svc: dict[str, Any]) -> None:
        health = svc.get("healthcheck")
        if not isinstance(health, dict):
            return
        test = _argv(health.get("test"))
        disabled = health.get("disable") is True or (test is not None and test[:1] == ("NONE",))
        http_path = None
        for word in test or ():
            for token in word.split():
                if "://" in token:
                    rest = token.split("://", 1)[1]
                    http_path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        c.probes["healthcheck"] = Probe(
            kind="healthcheck",
            where=self.kw(*path, "healthcheck"),
            http_path=http_path,
            command=test,
            disabled=disabled,
            raw=health,
            value_where=self.w(*path, "healthcheck", "test") if "test" in health else None,
        )

    def _ports(self, c: Container, path: tuple[str | int, ...], svc: dict[str, Any]) -> None:
        ports = svc.get("ports")
        for i, item in enumerate(ports if isinstance(ports, list) else []):
            at = self.w(*path, "ports", i)
            if isinstance(item, dict):
                low, high = _port_range(str(item.get("target", "")))
                published = item.get("published")
                c.ports.append(
                    Port(
                        where=at,
                        container=low,
                        # Without `published`, compose publishes on a random host port.
                        published="random" if published is None and low else published,
                        host_ip=str(item["host_ip"]) if item.get("host_ip") else None,
                        protocol=str(item.get("protocol", "tcp")),
                        container_end=high,
                    )
                )
            elif isinstance(item, str | int):
                c.ports.append(_short_port(self._interpolate(str(item)), at))
        expose = svc.get("expose")
        for i, item in enumerate(expose if isinstance(expose, list) else []):
            c.ports.append(Port(where=self.w(*path, "expose", i), container=parse_int(str(item))))


_VARIABLE = re.compile(r"\$\{(\w+)(:?[-?](.*?))?\}|\$(\w+)")
_DOTENV_NAMES = (".env", ".env.example", ".env.sample", ".env.template")


def _dotenv_values(project: Project, directory: str) -> dict[str, str]:
    """The variables compose interpolates with in ``directory`` (memoized)."""

    def read() -> dict[str, str]:
        for name in _DOTENV_NAMES:
            rel = f"{directory}/{name}" if directory else name
            project.track(rel)
            if (project.root / rel).is_file() and not (project.root / rel).is_symlink():
                return {k: v for k, v, _ in env_bindings(project, rel) if v is not None}
        return {}

    return project.memo(f"deployment:compose-dotenv:{directory}", read)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _setting_value(value: Any) -> str | None:
    """A setting's value as text; None when it is not a scalar (or not written)."""
    if value is None or isinstance(value, dict | list):
        return None
    return _scalar(value)


def _short_port(spec: str, at: Where) -> Port:
    """``"8000"``, ``"8000:8000"``, ``"127.0.0.1:5432:5432"``, ``"[::1]:80:80/tcp"``."""
    protocol = "tcp"
    if "/" in spec:
        spec, protocol = spec.rsplit("/", 1)
    host_ip = None
    if spec.startswith("["):
        end = spec.find("]")
        host_ip, spec = spec[1:end], spec[end + 2 :]
    parts = spec.split(":")
    if len(parts) >= 3:
        host_ip = ":".join(parts[:-2])
        parts = parts[-2:]
    low, high = _port_range(parts[-1])
    if len(parts) == 1:
        # A container port alone: compose publishes it on a random host port.
        return Port(
            at,
            container=low,
            published="random",
            host_ip=host_ip,
            protocol=protocol,
            container_end=high,
        )
    published: int | str = parse_int(parts[0]) or parts[0]
    return Port(
        at,
        container=low,
        published=published,
        host_ip=host_ip or None,
        protocol=protocol,
        container_end=high,
    )


def _port_range(text: str) -> tuple[int | None, int | None]:
    """``"8000"`` -> (8000, None); ``"8000-8010"`` -> (8000, 8010)."""
    low, sep, high = text.strip().partition("-")
    return parse_int(low), parse_int(high) if sep else None


def read_compose(project: Project, settings: list[EnvSetting]) -> list[Workload]:
    """Every service of every compose file; the variables they write go to ``settings``."""
    out: list[Workload] = []
    for rel in project.compose_files:
        for doc in project.yaml(rel):
            try:
                out.extend(_Reader(project, rel, doc, settings).services())
            except (TypeError, AttributeError, ValueError):
                continue
    return out
