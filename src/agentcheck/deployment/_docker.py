"""Dockerfiles, read with dockerfile-parse: final base image, ENV, CMD and ENTRYPOINT."""

from __future__ import annotations

import io
import json
import re
import shlex
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from agentcheck.deployment.model import DockerfileInfo, EnvValue, Where

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["parse_dockerfile", "split_command"]

_HEREDOC = re.compile(r"<<-?\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\1")


def split_command(value: str) -> tuple[str, ...] | None:
    """A CMD/ENTRYPOINT/command value as argv: JSON (exec) form or shell form."""
    text = value.strip()
    if not text:
        return None
    if text.startswith("["):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, list) and all(isinstance(x, str) for x in data):
            return tuple(data)
    try:
        return tuple(shlex.split(text, comments=False, posix=True))
    except ValueError:
        return tuple(text.split())


def _instructions(text: str) -> list[dict[str, Any]]:
    """dockerfile-parse's structure, with heredoc bodies (BuildKit ``<<EOF``) dropped."""
    from dockerfile_parse import DockerfileParser

    try:
        parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8", "replace")))
        structure: list[dict[str, Any]] = list(parser.structure)
    except Exception:  # dockerfile-parse raises bare errors on odd input
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


def parse_dockerfile(project: Project, rel: str) -> DockerfileInfo | None:
    """Parse ``rel``; None when it cannot be read. Never raises.

    The result describes the final stage; ``FROM <earlier stage>`` inherits that stage's base
    image, ENV, CMD and ENTRYPOINT, as Docker does.
    """
    text = project.text(rel)
    if text is None:
        return None
    production = project.is_production(rel)
    info = DockerfileInfo(path=rel, production=production)
    stages: dict[str, DockerfileInfo] = {}
    froms: list[tuple[str, Where]] = []
    for item in _instructions(text):
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
                info = replace(parent, env=dict(parent.env))
            else:
                info = DockerfileInfo(
                    path=rel, production=production, base_image=image, base_where=where
                )
            if len(words) >= 3 and words[1].lower() == "as":
                stages[words[2].lower()] = info
        elif instruction == "ENV":
            for key, val in _env_pairs(value):
                info.env[key] = EnvValue(
                    key, val, where, source="dockerfile", interpolated="$" in val
                )
        elif instruction == "CMD":
            info.cmd, info.cmd_where = split_command(value), where
        elif instruction == "ENTRYPOINT":
            info.entrypoint, info.entrypoint_where = split_command(value), where
            info.cmd = info.cmd_where = None  # ENTRYPOINT resets an inherited CMD
        elif instruction == "HEALTHCHECK":
            info.healthcheck = None if value.strip().upper().startswith("NONE") else where
    info.froms = froms
    return info
