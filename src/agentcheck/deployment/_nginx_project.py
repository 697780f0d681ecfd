"""The nginx configurations of a project: which files are configurations and how their
``include`` patterns resolve among the project's files."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.deployment._nginx_model import _MAX_DEPTH, NginxConfig
from agentcheck.deployment._nginx_reader import Reader, match_path

if TYPE_CHECKING:
    from agentcheck.project import Project


# --------------------------------------------------------------------------- in a project

#: Where nginx looks for its configuration inside an image; stripped to find the repo's copy.
_CONF_PREFIXES = (
    "/etc/nginx/",
    "/usr/local/nginx/conf/",
    "/usr/local/etc/nginx/",
    "/usr/local/openresty/nginx/conf/",
    "/opt/homebrew/etc/nginx/",
)
_NOT_CONFIG = ("readme", "license", "changelog", "dockerfile", "makefile", "docker-compose")
_CONF_DIRS = frozenset({"nginx", "conf.d", "sites-available", "sites-enabled", "templates"})
_LOOKS_NGINX = re.compile(
    r"^[ \t]*(?:(?:http|server|location|upstream|events)\b[^;{}#\n]*\{|proxy_pass[ \t])",
    re.MULTILINE,
)


def is_candidate(rel: str) -> bool:
    """Whether ``rel`` may be an nginx configuration, by its name (content decides)."""
    *dirs, name = rel.split("/")
    name = name.lower()
    if name.startswith(_NOT_CONFIG):
        return False
    if name.endswith((".conf", ".conf.template", ".nginx", ".vhost")) or name.startswith("nginx"):
        return not name.endswith((".py", ".json", ".yaml", ".yml", ".toml", ".md", ".j2"))
    in_conf_dir = any(part.lower().startswith("nginx") or part in _CONF_DIRS for part in dirs)
    return in_conf_dir and ("." not in name or name.endswith((".template", ".inc")))


def looks_like_nginx(text: str) -> bool:
    """An nginx block (``server {``, ``location /x {`` ...) or a ``proxy_pass``; Jinja-style
    templates (``{{ }}``, ``{% %}``) only parse once rendered and are left out."""
    if "{{" in text or "{%" in text:
        return False
    return _LOOKS_NGINX.search(text) is not None


class ProjectReader(Reader):
    """The project's files. ``include`` patterns resolve against the including file's
    directory, the main file's directory (nginx's prefix) and its parent; absolute paths lose
    the usual in-image prefix (``/etc/nginx/``) first, so ``include /etc/nginx/snippets/x.conf``
    finds ``nginx/snippets/x.conf`` next to ``nginx/nginx.conf``."""

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._files = frozenset(project.files)

    def full_path(self, file: str) -> Path | None:
        if file not in self._files or self.project.text(file) is None:
            return None
        return self.project.root / file

    def resolve(self, pattern: str, including: str, root: str) -> list[str]:
        if pattern.startswith("/"):
            relative = next(
                (pattern[len(p) :] for p in _CONF_PREFIXES if pattern.startswith(p)), None
            )
            if relative is None:
                return []
        else:
            relative = pattern
        bases: list[str] = []
        for parent in (
            PurePosixPath(including).parent,
            PurePosixPath(root).parent,
            PurePosixPath(root).parent.parent,
        ):
            if parent.as_posix() not in bases:
                bases.append(parent.as_posix())
        for base in bases:
            joined = os.path.normpath(os.path.join(base, relative)).replace(os.sep, "/")
            if joined.startswith("../"):
                continue
            if glob.has_magic(joined):
                found = sorted(f for f in self._files if match_path(joined, f))
            else:
                found = [joined] if joined in self._files else []
            if found:
                return found
        return []


def project_configs(project: Project) -> list[NginxConfig]:
    """Every nginx configuration in the project, each from a file no other file includes.

    Errors nginx would refuse to load become AC100 findings (``project.problem``); includes
    that match nothing are silent (they make the enclosing block opaque).
    """
    return project.memo("agentcheck.nginx.configs", lambda: _project_configs(project))


def _project_configs(project: Project) -> list[NginxConfig]:
    files = []
    for rel in project.files:
        if not is_candidate(rel):
            continue
        text = project.text(rel, report=False)
        if text is not None and looks_like_nginx(text):
            files.append(rel)
    if not files:
        return []
    reader = ProjectReader(project)
    included: set[str] = set()
    for rel in files:
        raw, _ = reader.parse_file(rel)
        for pattern in _include_patterns(raw):
            included.update(t for t in reader.resolve(pattern, rel, rel) if t != rel)
    configs: list[NginxConfig] = []
    covered: set[str] = set()
    for rel in [f for f in files if f not in included] + [f for f in files if f in included]:
        if rel in covered:
            continue
        config = reader.load(rel)
        covered.update(config.files)
        configs.append(config)
        for error in config.errors:
            project.problem(error.file, f"invalid nginx configuration: {error.message}", error.line)
    return configs


def _include_patterns(raw: list[dict[str, Any]], depth: int = 0) -> Iterator[str]:
    if depth > _MAX_DEPTH:
        return
    for stmt in raw:
        args = stmt.get("args") or []
        if stmt.get("directive") == "include" and args:
            yield str(args[0])
        block = stmt.get("block")
        if block:
            yield from _include_patterns(block, depth + 1)
