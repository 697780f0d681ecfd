"""Requirements files as pip reads them, following ``-r`` includes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.deps._model import _EGG, Declared, LocalPath, _rel_join, _requirement, normalize

if TYPE_CHECKING:
    from agentcheck.project import Project


# --------------------------------------------------------------------------- requirements.txt

_OPTION_ARG = re.compile(
    r"^(?P<opt>-r|--requirement|-c|--constraint|-e|--editable|-i|--index-url|"
    r"--extra-index-url|-f|--find-links|--trusted-host|--no-binary|--only-binary|"
    r"--prefer-binary|--pre|--no-index|--use-feature|--hash|--config-settings)"
    r"(?:\s*=\s*|\s+|(?=\S))?(?P<arg>.*)$"
)
_COMMENT = re.compile(r"(^|\s+)#.*$")


@dataclass
class _ReqFile:
    """What one requirements file declares, and the files it includes."""

    declared: list[Declared] = field(default_factory=list)
    local: list[LocalPath] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    #: Every requirement pins an exact version (the output of pip-compile / uv export).
    fully_pinned: bool = False


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """pip's reading: comments stripped, backslash continuations joined."""
    buf: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw)
        if not buf:
            start = number
        if line.endswith("\\"):
            buf.append(line[:-1])
            continue
        buf.append(line)
        joined = " ".join(part.strip() for part in buf).strip()
        buf = []
        if joined:
            yield start, joined
    if buf:
        joined = " ".join(part.strip() for part in buf).strip()
        if joined:
            yield start, joined


def _is_path_like(text: str) -> bool:
    return text.startswith((".", "/", "file:")) or text in (".", "..")


def requirements_file(project: Project, rel: str) -> tuple[list[Declared], list[LocalPath]]:
    """The requirements and local paths of a requirements file and the files it includes
    with ``-r`` (constraints files, ``-c``, declare nothing)."""
    declared: list[Declared] = []
    local: list[LocalPath] = []
    seen: set[str] = set()
    stack = [rel]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        parsed = _requirements(project, current)
        declared += parsed.declared
        local += parsed.local
        files = project.memo("deps:file-set", lambda: frozenset(project.files))
        # pip would stop at an include that is missing; lint reads what is there.
        stack += [inc for inc in reversed(parsed.includes) if inc not in seen and inc in files]
    return declared, local


def requirements_fully_pinned(project: Project, rel: str) -> bool:
    """Whether every requirement of the file pins an exact version (a lock in all but name)."""
    return _requirements(project, rel).fully_pinned


def _requirements(project: Project, rel: str) -> _ReqFile:
    return project.memo(f"deps:requirements:{rel}", lambda: _parse_requirements(project, rel))


def _parse_requirements(project: Project, rel: str) -> _ReqFile:
    out = _ReqFile()
    text = project.text(rel)
    if text is None:
        return out
    base = PurePosixPath(rel).parent
    pins: list[bool] = []
    for number, line in _logical_lines(text):
        if line.startswith("-"):
            match = _OPTION_ARG.match(line)
            if match is None:
                continue
            opt, arg = match["opt"], match["arg"].strip().split(" --", 1)[0].strip()
            if opt in ("-r", "--requirement") and arg:
                target = _rel_join(base, arg)
                if target is not None:
                    out.includes.append(target)
            elif opt in ("-e", "--editable") and arg:
                _add_reference(out, arg, base, rel, number)
            continue
        requirement = line.split(" --", 1)[0].strip().split(" -", 1)[0].strip()
        if _is_path_like(requirement) or re.match(r"^[a-z+]+://", requirement):
            _add_reference(out, requirement, base, rel, number)
            pins.append(True)
            continue
        found = _requirement(requirement, rel, number, 1, "requirements")
        if found is not None:
            out.declared.append(found)
            pins.append(found.url is not None or bool(re.search(r"===?", found.specifier)))
    out.fully_pinned = bool(pins) and all(pins)
    return out


def _add_reference(out: _ReqFile, arg: str, base: PurePosixPath, rel: str, line: int) -> None:
    egg = _EGG.search(arg)
    if "://" in arg and not arg.startswith("file:"):
        if egg:
            name = egg.group(1)
            out.declared.append(
                Declared(
                    name, normalize(name), "", frozenset(), rel, line, kind="requirements", url=arg
                )
            )
        return
    path = arg[len("file:") :] if arg.startswith("file:") else arg
    path = path.split("#", 1)[0].split("[", 1)[0].strip()
    out.local.append(LocalPath(_rel_join(base, path), arg, rel, line))
