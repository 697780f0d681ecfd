"""AC204 env-file-in-image."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.secrets._common import dotenv_files, dotenv_kind
from agentcheck.secrets import docker_excludes, dockerignore_spec

if TYPE_CHECKING:
    import pathspec

    from agentcheck.project import Project

__all__ = ["EnvFileInImage"]

_WHOLE = frozenset({".", "./", "*", "/", "./*"})


@dataclass(frozen=True)
class _Carrier:
    """Something that copies paths of a build context into an image."""

    context: str  # directory relative to the project root ("" for the root)
    path: str  # the Dockerfile or langgraph.json doing it
    line: int
    sources: tuple[str, ...]  # relative to the context
    how: str
    dockerignore: str  # relative to the project root


def _norm(path: str) -> str:
    out = PurePosixPath(path.replace("\\", "/")).as_posix()
    while out.startswith("./"):
        out = out[2:]
    return "" if out == "." else out.lstrip("/")


def _join(base: str, rel: str) -> str:
    return _norm(f"{base}/{rel}" if base else rel)


def _within(path: str, directory: str) -> str | None:
    if not directory:
        return path
    return path[len(directory) + 1 :] if path.startswith(directory + "/") else None


def _dockerfile_carriers(project: Project) -> Iterator[_Carrier]:
    dep = deployment(project)
    # Dockerfile -> the build context a compose file gives it (the first one).
    contexts: dict[str, str] = {}
    for workload in dep.workloads:
        for c in workload.containers:
            if c.dockerfile and c.build_context is not None:
                contexts.setdefault(c.dockerfile, _norm(c.build_context))
    for rel, info in dep.dockerfiles.items():
        parent = str(PurePosixPath(rel).parent)
        context = contexts.get(rel, "" if parent == "." else parent)
        name = PurePosixPath(rel).name
        own = _join(str(PurePosixPath(rel).parent), f"{name}.dockerignore")
        ignore = own if project.is_file(own) else _join(context, ".dockerignore")
        for copy in info.copies:
            if not copy.in_image:
                continue  # a build stage's copy the final image does not take whole
            how = f"`{copy.text}`"
            yield _Carrier(context, rel, copy.where.line, copy.sources, how, ignore)


def _langgraph_carriers(project: Project) -> Iterator[_Carrier]:
    for config in project.langgraph_configs:
        deps = config.data.get("dependencies")
        if not isinstance(deps, list) or config.doc is None:
            continue
        local = [(i, d) for i, d in enumerate(deps) if isinstance(d, str) and d.startswith(".")]
        if not local:
            continue
        line = config.doc.line("dependencies", local[0][0])
        sources = tuple(d for _, d in local)
        yield _Carrier(
            config.dir,
            config.path,
            line,
            sources,
            "`langgraph build`",
            _join(config.dir, ".dockerignore"),
        )


def _expected_env_files(project: Project) -> dict[str, str]:
    """``.env`` files that exist, or that the project expects to exist, with why."""
    found: dict[str, str] = {}
    for rel in dotenv_files(project):
        kind = dotenv_kind(PurePosixPath(rel).name)
        if kind == "env":
            found.setdefault(rel, "")
        elif kind == "example":
            parent = str(PurePosixPath(rel).parent)
            target = _join("" if parent == "." else parent, ".env")
            found.setdefault(target, f"expected beside {PurePosixPath(rel).name}")
    for config in project.langgraph_configs:
        env = config.data.get("env")
        if isinstance(env, str) and env.strip():
            target = _norm(config.resolve(env.strip()))
            if dotenv_kind(PurePosixPath(target).name) is not None:
                found.setdefault(target, f"expected by the `env` of {config.path}")
    return found


def _carries(sources: tuple[str, ...], rel_in_context: str) -> bool:
    for source in sources:
        if source in _WHOLE:
            return True
        src = _norm(source)
        if not src or rel_in_context == src or rel_in_context.startswith(src.rstrip("/") + "/"):
            return True
        if any(c in src for c in "*?[") and _glob_matches(rel_in_context, src):
            return True
    return False


def _glob_matches(name: str, pattern: str) -> bool:
    try:
        return fnmatch.fnmatchcase(name, pattern)
    except re.error:  # COPY [z-a] ./: Docker would refuse the pattern too
        return False


def _spec(project: Project, rel: str) -> pathspec.PathSpec[Any] | None:
    if rel not in project.files and not project.is_file(rel):
        return None
    text = project.text(rel, report=False)
    return dockerignore_spec(text.splitlines()) if text is not None else None


class EnvFileInImage(Rule):
    """The Docker build context would carry a .env file into the image.

    What it does
    ------------
    Finds what copies a build context into an image (a Dockerfile's ``COPY``/``ADD`` from the
    context, with the context a compose file gives it; ``langgraph build``, which adds the
    ``langgraph.json`` directory's local dependencies) and the ``.env`` files in that context:
    those on disk, and those the project expects (langgraph.json ``"env": ".env"``, a
    ``.env.example`` beside which developers create ``.env``). It reports the copy when the
    context's ``.dockerignore`` does not exclude them, matched with Docker's rules, which
    differ from git's: ``.env`` in a ``.dockerignore`` excludes only the top-level file,
    ``**/.env`` excludes them all.

    Why is this bad?
    ----------------
    ``COPY . .`` and ``langgraph build`` copy everything that is not dockerignored, and a
    ``.gitignore`` does not count. The image then carries your local keys to the registry and
    to everyone who can pull it (``docker run --rm image cat .env``). The seed checklist:
    production secrets are injected, not baked into files.

    Example
    -------
    ```text
    # .dockerignore
    __pycache__/
    ```

    Use instead
    -----------
    ```text
    # .dockerignore
    __pycache__/
    **/.env
    **/.env.*
    !**/.env.example
    ```
    """

    code = "AC204"
    name = "env-file-in-image"
    severity = Severity.ERROR
    message = "The Docker build context would carry a .env file into the image."
    fix = "Exclude them in the context's .dockerignore with `**/.env` and `**/.env.*`."

    def check(self, project: Project) -> Iterator[Finding]:
        env_files = _expected_env_files(project)
        if not env_files:
            return
        reported: set[str] = set()
        carriers = [*_dockerfile_carriers(project), *_langgraph_carriers(project)]
        for carrier in carriers:
            if carrier.context in reported:
                continue
            spec = _spec(project, carrier.dockerignore)
            carried = []
            nested = False
            for env, why in sorted(env_files.items()):
                inside = _within(env, carrier.context)
                if inside is None or not _carries(carrier.sources, inside):
                    continue
                if docker_excludes(spec, inside):
                    continue
                carried.append(f"{env} ({why})" if why else env)
                nested = nested or "/" in inside
            if not carried:
                continue
            reported.add(carrier.context)
            context = carrier.context or "."
            if spec is None:
                reason = f"there is no {carrier.dockerignore}"
            else:
                reason = f"{carrier.dockerignore} does not exclude it"
                if nested:
                    reason += " (a .dockerignore pattern without `**/` matches only at the root)"
            yield self.finding(
                carrier.path,
                carrier.line,
                message=f"{carrier.how} copies the build context `{context}` into the image "
                f"with {', '.join(carried)}: {reason}.",
            )
