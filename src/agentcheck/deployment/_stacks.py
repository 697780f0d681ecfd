"""Compose files the way compose reads them: overlays, ``extends``, ``include`` and profiles.

``docker compose -f compose.yaml -f compose.prod.yaml up`` merges the second file into the
first: a service the overlay only adds env to is the base's service with more env, not a new
server with no image. The model folds each overlay into its base:

- which files are deployed together: ``-f a -f b`` chains written in scripts, Makefiles, CI
  files, the compose files' own comments and READMEs; ``docker-compose.override.yml`` beside
  its base (compose reads it by default); and a file whose services have neither ``image`` nor
  ``build`` while another compose file defines them with one;
- a service of an overlay that its base defines becomes the merged service (with the
  overlay's production verdict when the overlay's name or content says what it is for); a
  service only the overlay has stays as it is; the base keeps its own services (deployed
  alone). Values keep the position of the file that sets them;
- ``extends`` merges the service it names into the one that extends it;
- a file another one ``include``s takes the includer's verdict when it has none of its own;
- a service gated by ``profiles`` while others of its file are not is an optional extra that
  ``docker compose up`` does not start: not production (when every service has profiles,
  they only select parts of the stack).
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._production import PROD_WORDS, path_words
from agentcheck.deployment._scripts import compose_files_of, resolve_path
from agentcheck.deployment.model import Verdict, Where, Workload

if TYPE_CHECKING:
    from agentcheck.deployment.model import Deployment, ScriptCommand
    from agentcheck.project import Project

__all__ = ["compose_chains", "fold_compose"]

_COMPOSE_LINE = re.compile(r"(?:docker[- ]compose|podman[- ]compose|\bcompose\b)[^\n]*?-f\s")
_FILE_OPTION = re.compile(r"(?:-f|--file)[\s=]+[\"']?([^\s\"'`]+)")
_DEFINING = ("image", "build", "extends")


def fold_compose(project: Project, dep: Deployment) -> None:
    """Replace ``dep.workloads``' compose services by what compose deploys (see module)."""
    compose = [w for w in dep.workloads if w.platform == "compose"]
    if not compose:
        return
    by_file: dict[str, dict[str, Workload]] = {}
    for w in compose:
        by_file.setdefault(w.where.path, {})[w.name] = w
    _include_verdicts(project, by_file)
    bases = _bases(project, dep, by_file)
    # Files where some services run by default: the others wait for `--profile`.
    gated = {rel for rel, services in by_file.items() if not all(map(_profiles, services.values()))}
    folded: list[Workload] = []
    for w in compose:
        rel = w.where.path
        w = _extended(project, w, by_file)
        base = bases.get(rel)
        base_service = by_file.get(base, {}).get(w.name) if base else None
        if base_service is not None and base_service is not w:
            w = merge(base_service, w)
        folded.append(_profiled(w) if rel in gated else w)
    others = [w for w in dep.workloads if w.platform != "compose"]
    dep.workloads = [*others, *folded]


# --------------------------------------------------------------------------- chains


def compose_chains(project: Project, commands: list[ScriptCommand]) -> list[list[str]]:
    """``-f`` chains of compose files deployed together, as written in scripts, Makefiles,
    CI files, the compose files' comments and READMEs (relative paths resolved)."""

    def find() -> list[list[str]]:
        files = frozenset(project.files)
        chains = [compose_files_of(c, files) for c in commands if _is_compose(c.words)]
        texts = [*project.compose_files, *_readmes(project)]
        for rel in texts:
            text = project.text(rel, report=False) or ""
            if "-f" not in text:
                continue
            for line in text.splitlines():
                # "-f" first: a substring test, where most lines of a README hold none.
                if "-f" in line and _COMPOSE_LINE.search(line):
                    chain = [resolve_path(files, rel, ref) for ref in _FILE_OPTION.findall(line)]
                    chains.append([f for f in chain if f is not None])
        return [chain for chain in chains if len(chain) > 1]

    return project.memo("deployment:compose-chains", find)


def _is_compose(words: tuple[str, ...]) -> bool:
    tool = words[0].rsplit("/", 1)[-1] if words else ""
    return tool == "docker-compose" or (len(words) > 1 and words[1] == "compose")


def _readmes(project: Project) -> list[str]:
    return [
        rel
        for rel in project.files
        if rel.rsplit("/", 1)[-1].lower().startswith("readme") and rel.count("/") <= 2
    ]


def _bases(
    project: Project, dep: Deployment, by_file: dict[str, dict[str, Workload]]
) -> dict[str, str]:
    """Overlay file -> the base file it is merged into."""
    bases: dict[str, str] = {}
    for chain in compose_chains(project, dep.script_commands):
        first = chain[0]
        for overlay in chain[1:]:
            if overlay != first and overlay in by_file and first in by_file:
                bases.setdefault(overlay, first)
    for rel in by_file:
        if rel in bases:
            continue
        name = PurePosixPath(rel).name.lower()
        directory = PurePosixPath(rel).parent.as_posix()
        if "override" in name:
            for candidate in ("docker-compose.yml", "docker-compose.yaml", "compose.yaml"):
                base = posixpath.join(directory, candidate) if directory != "." else candidate
                if base in by_file and base != rel:
                    bases[rel] = base
                    break
            if rel in bases:
                continue
        found = _structural_base(rel, by_file)
        if found is not None:
            bases[rel] = found
    return bases


def _structural_base(rel: str, by_file: dict[str, dict[str, Workload]]) -> str | None:
    """The file defining the services ``rel`` only adds to (no image, build or extends)."""
    partial = [
        name for name, w in by_file[rel].items() if not any(k in (w.raw or {}) for k in _DEFINING)
    ]
    if not partial:
        return None
    candidates = [
        other
        for other, services in by_file.items()
        if other != rel
        and any(
            name in services and any(k in (services[name].raw or {}) for k in _DEFINING)
            for name in partial
        )
    ]
    if not candidates:
        return None
    here = PurePosixPath(rel).parent
    # The nearest: same directory, then a parent, then the shortest path.
    candidates.sort(
        key=lambda c: (
            PurePosixPath(c).parent != here,
            not here.is_relative_to(PurePosixPath(c).parent),
            c.count("/"),
            c,
        )
    )
    return candidates[0]


# --------------------------------------------------------------------------- merging


def merge(base: Workload, over: Workload) -> Workload:
    """``over`` (a service of an overlay) merged into ``base`` as compose merges them; values
    keep the position of the file that sets them."""
    raw: dict[str, Any] = over.raw if isinstance(over.raw, dict) else {}
    merged = replace(
        base,
        containers=[copy.copy(c) for c in base.containers],
        labels={**base.labels, **over.labels},
        depends_on=tuple(dict.fromkeys((*base.depends_on, *over.depends_on))),
        raw={**(base.raw if isinstance(base.raw, dict) else {}), **raw},
        verdict=over.verdict if over.verdict.sure else base.verdict,
        overlays=(*base.overlays, over.where.path, *over.overlays),
    )
    merged.production = merged.verdict.production
    if ("deploy" in raw or "scale" in raw) and over.replicas is not None:
        merged.replicas, merged.replicas_where = over.replicas, over.replicas_where
    if "stop_grace_period" in raw:
        merged.grace_period, merged.grace_where = over.grace_period, over.grace_where
    if "network_mode" in raw:
        merged.host_network = over.host_network
    c, o = merged.main, over.main
    if c is None or o is None:
        return merged
    c.env = dict(c.env)
    c.probes = dict(c.probes)
    if "image" in raw:
        c.image, c.image_where = o.image, o.image_where
    if "build" in raw:
        c.build_context, c.dockerfile = o.build_context, o.dockerfile
    if "entrypoint" in raw:
        c.command, c.command_where = o.command, o.command_where
    if "command" in raw:
        c.args, c.command_where = o.args, o.command_where
    if "environment" in raw or "env_file" in raw:
        c.env.update(o.env)
        c.env_files = [*c.env_files, *o.env_files]
        if "environment" in raw:
            c.env_where = o.env_where
    if "healthcheck" in raw and "healthcheck" in o.probes:
        c.probes["healthcheck"] = o.probes["healthcheck"]
    if "ports" in raw or "expose" in raw:
        c.ports = [*c.ports, *o.ports]
    if o.resources is not None:
        c.resources, c.resources_where = o.resources, o.resources_where
    return merged


def _extended(project: Project, w: Workload, by_file: dict[str, dict[str, Workload]]) -> Workload:
    """A service that ``extends`` another, merged onto it."""
    extends = (w.raw or {}).get("extends") if isinstance(w.raw, dict) else None
    if isinstance(extends, str):
        extends = {"service": extends}
    if not isinstance(extends, dict) or not isinstance(extends.get("service"), str):
        return w
    rel = w.where.path
    target = rel
    if isinstance(extends.get("file"), str):
        found = resolve_path(frozenset(project.files), rel, extends["file"])
        if found is None:
            return w
        target = found
    base = by_file.get(target, {}).get(extends["service"])
    if base is None or base is w:
        return w
    merged = merge(base, w)
    # The service is this file's: its name, position and verdict.
    return replace(
        merged,
        name=w.name,
        where=w.where,
        verdict=w.verdict,
        production=w.production,
        overlays=merged.overlays[:-1],
    )


def _include_verdicts(project: Project, by_file: dict[str, dict[str, Workload]]) -> None:
    """Services of a file another compose file ``include``s take the includer's verdict when
    nothing but defaults decided theirs."""
    for rel, services in list(by_file.items()):
        includer = next(iter(services.values()))
        for target in _includes(project, rel):
            for w in by_file.get(target, {}).values():
                if not w.verdict.sure and includer.verdict.sure:
                    w.verdict = replace(
                        includer.verdict, reason=f"{rel} includes it: {includer.verdict.reason}"
                    )
                    w.production = w.verdict.production


def _includes(project: Project, rel: str) -> Iterator[str]:
    files = frozenset(project.files)
    for doc in project.yaml(rel):
        items = doc.data.get("include") if isinstance(doc.data, dict) else None
        for item in items if isinstance(items, list) else []:
            paths = item.get("path") if isinstance(item, dict) else item
            for path in paths if isinstance(paths, list) else [paths]:
                if isinstance(path, str) and (found := resolve_path(files, rel, path)) is not None:
                    yield found


def _profiles(w: Workload) -> list[str]:
    profiles = (w.raw or {}).get("profiles") if isinstance(w.raw, dict) else None
    return [str(p) for p in profiles] if isinstance(profiles, list) else []


def _profiled(w: Workload) -> Workload:
    """A service gated by ``profiles`` in a file whose other services start by default: an
    optional extra (``docker compose --profile debug up``), not what ``up`` deploys."""
    names = _profiles(w)
    if not names:
        return w
    if any(word in PROD_WORDS for name in names for word in path_words(name)):
        return w
    where = Where(w.where.path, w.where.line)
    w.verdict = Verdict(
        False, f"its profiles ({', '.join(names)}) keep it out of `docker compose up`", where
    )
    w.production = False
    return w
