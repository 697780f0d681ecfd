"""Dockerfiles, read once with dockerfile-parse: the final stage's base image, ENV, CMD and
ENTRYPOINT; every stage's ENV and ARG settings, ARG declarations and copies from the context."""

from __future__ import annotations

import io
import json
import posixpath
import re
import shlex
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._commands import split_command
from agentcheck.deployment._production import file_verdict
from agentcheck.deployment.model import BuildCopy, DockerfileInfo, EnvSetting, EnvValue, Where

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["parse_dockerfile"]

_HEREDOC = re.compile(r"<<-?\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\1")


def _instructions(project: Project, rel: str, text: str) -> list[dict[str, Any]]:
    """dockerfile-parse's structure, with heredoc bodies (BuildKit ``<<EOF``) dropped."""
    from dockerfile_parse import DockerfileParser

    try:
        parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8", "replace")))
        structure: list[dict[str, Any]] = list(parser.structure)
    except Exception as exc:  # dockerfile-parse raises bare errors on odd input
        project.problem(rel, f"cannot parse Dockerfile ({type(exc).__name__})")
        return []
    out: list[dict[str, Any]] = []
    pending: list[str] = []
    for item in structure:
        if pending:
            if item.get("content", "").strip() == pending[0]:
                pending.pop(0)
            continue
        if item.get("instruction") == "COMMENT":
            continue
        out.append(item)
        value = str(item.get("value", ""))
        if item.get("instruction") in ("RUN", "COPY", "ADD") and "<<" in value:
            pending = [m.group(2) for m in _HEREDOC.finditer(value)]
    return out


def _env_pairs(value: str) -> list[tuple[str, str]]:
    from dockerfile_parse.util import extract_key_values

    try:
        pairs = extract_key_values(env_replace=False, args={}, envs={}, instruction_value=value)
    except (ValueError, IndexError):
        return []
    return [(str(k), str(v)) for k, v in pairs]


def _key_line(item: dict[str, Any], key: str) -> int:
    """The line of a (possibly continued) instruction that writes ``key``."""
    start = int(item.get("startline", 0)) + 1
    lines = str(item.get("content", "")).splitlines()
    return start + next((i for i, text in enumerate(lines) if key in text), 0)


def _copy_sources(value: str) -> tuple[list[str], bool]:
    """Sources of a COPY/ADD instruction, and whether it copies from the build context."""
    text = value.strip()
    if text.startswith("["):
        try:
            data = json.loads(text)
        except ValueError:
            return [], False
        args = [str(a) for a in data] if isinstance(data, list) else []
        flags: list[str] = []
    else:
        try:
            words = shlex.split(text)
        except ValueError:
            words = text.split()
        flags = [w for w in words if w.startswith("--")]
        args = [w for w in words if not w.startswith("--")]
    if any(f.startswith("--from") for f in flags):
        return [], False
    return [a for a in args[:-1] if not a.startswith("<<")], True


_ARG_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class _Stage:
    name: str
    parent: int | None
    workdir: str
    #: (line, absolute destination) of each copy from the build context.
    copies: list[tuple[int, str]] = field(default_factory=list)
    #: (stage copied from, absolute source) of each ``COPY --from=<stage>``.
    takes: list[tuple[str, str]] = field(default_factory=list)


def _left_in_build_stages(items: list[dict[str, Any]]) -> set[int]:
    """Lines of build-context copies that stay in a build stage: the final image neither
    descends from that stage nor copies back a path holding what they copied."""
    stages: list[_Stage] = []
    for item in items:
        instruction = str(item.get("instruction", "")).upper()
        value = str(item.get("value", ""))
        line = int(item.get("startline", 0)) + 1
        if instruction == "FROM":
            words = [w for w in value.split() if not w.startswith("--")]
            named = {s.name: i for i, s in enumerate(stages)}
            parent = named.get(words[0].lower()) if words else None
            workdir = stages[parent].workdir if parent is not None else "/"
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else ""
            stages.append(_Stage(name or str(len(stages)), parent, workdir))
        elif not stages:
            continue
        elif instruction == "WORKDIR" and value.strip():
            stages[-1].workdir = posixpath.join(stages[-1].workdir, value.strip())
        elif instruction in ("COPY", "ADD"):
            words = value.split()
            source = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
            args = [w for w in words if not w.startswith("--")]
            if len(args) < 2:
                continue
            dest = posixpath.normpath(posixpath.join(stages[-1].workdir, args[-1]))
            if source is None:
                stages[-1].copies.append((line, dest))
            else:
                stages[-1].takes.extend((source.lower(), "/" + a.lstrip("/")) for a in args[:-1])
    if len(stages) < 2:
        return set()
    lineage: set[int] = set()
    index: int | None = len(stages) - 1
    while index is not None and index not in lineage:
        lineage.add(index)
        index = stages[index].parent
    # what the final image takes from other stages, and from the stages those take from
    taken: dict[str, list[str]] = {}
    reached, todo = set(lineage), list(lineage)
    while todo:
        for source, path in stages[todo.pop()].takes:
            taken.setdefault(source, []).append(posixpath.normpath(path))
            for i, stage in enumerate(stages):
                if stage.name == source and i not in reached:
                    reached.add(i)
                    todo.append(i)
    left: set[int] = set()
    for i, stage in enumerate(stages):
        if i in lineage:
            continue
        paths = taken.get(stage.name, [])
        for line, dest in stage.copies:
            if not any(p == "/" or dest == p or dest.startswith(p + "/") for p in paths):
                left.add(line)
    return left


def parse_dockerfile(project: Project, rel: str) -> DockerfileInfo | None:
    """Parse ``rel``; None when it cannot be read. Never raises.

    The result describes the final stage; ``FROM <earlier stage>`` inherits that stage's base
    image, ENV, CMD and ENTRYPOINT, as Docker does. Settings (every ``ENV`` and ``ARG``
    default), ``ARG`` declarations and copies from the build context cover every stage.
    """
    text = project.text(rel)
    if text is None:
        return None
    verdict = file_verdict(project, rel, "dockerfile")
    production = verdict.production
    info = DockerfileInfo(path=rel, production=production, verdict=verdict)
    stages: dict[str, DockerfileInfo] = {}
    froms: list[tuple[str, Where]] = []
    settings: list[EnvSetting] = []
    args: dict[str, Where] = {}
    copies: list[BuildCopy] = []
    for item in _instructions(project, rel, text):
        instruction = str(item.get("instruction", "")).upper()
        value = str(item.get("value", ""))
        where = Where(rel, int(item.get("startline", 0)) + 1)
        if instruction == "FROM":
            words = [w for w in value.split() if not w.startswith("--")]
            if not words:
                continue
            image = words[0]
            froms.append((image, where))
            parent = stages.get(image.lower())
            if parent is not None:
                info = replace(parent, env=dict(parent.env), lineage=[*parent.lineage])
            else:
                info = DockerfileInfo(
                    path=rel,
                    production=production,
                    verdict=verdict,
                    base_image=image,
                    base_where=where,
                )
            info.lineage.append((image, where))
            if len(words) >= 3 and words[1].lower() == "as":
                stages[words[2].lower()] = info
        elif instruction == "ENV":
            for key, val in _env_pairs(value):
                info.env[key] = EnvValue(
                    key, val, where, source="dockerfile", interpolated="$" in val
                )
                at = Where(rel, _key_line(item, key))
                settings.append(
                    EnvSetting(key, val, at, f"ENV in {rel}", "dockerfile-env", production)
                )
        elif instruction == "ARG":
            for word in value.split():
                name = word.split("=", 1)[0]
                if name.isidentifier():
                    args.setdefault(name, Where(rel, _key_line(item, name)))
            if "=" in value:
                for key, val in _env_pairs(value):
                    at = Where(rel, _key_line(item, key))
                    settings.append(
                        EnvSetting(key, val, at, f"ARG in {rel}", "dockerfile-arg", production)
                    )
        elif instruction in ("COPY", "ADD"):
            sources, from_context = _copy_sources(value)
            if from_context and sources:
                content = str(item.get("content", "")).strip().splitlines()
                shown = content[0].strip() if content else instruction
                copies.append(BuildCopy(tuple(sources), where, shown))
        elif instruction == "CMD":
            info.cmd, info.cmd_where = split_command(value), where
        elif instruction == "ENTRYPOINT":
            info.entrypoint, info.entrypoint_where = split_command(value), where
            info.cmd = info.cmd_where = None  # ENTRYPOINT resets an inherited CMD
        elif instruction == "HEALTHCHECK":
            info.healthcheck = None if value.strip().upper().startswith("NONE") else where
    info.froms = froms
    info.stages = frozenset(stages)
    info.named_stages = {name: stage for name, stage in stages.items() if stage is not info}
    final = next((name for name, stage in stages.items() if stage is info), None)
    info.final_stage = final
    info.args = args
    left_behind = _left_in_build_stages(_instructions(project, rel, text))
    info.copies = [replace(c, in_image=c.where.line not in left_behind) for c in copies]
    info.settings = settings
    for env in info.env.values():
        for ref in _ARG_REF.findall(env.value or ""):
            if ref in args:
                info.baked_args.setdefault(ref, env.where)
    return info
