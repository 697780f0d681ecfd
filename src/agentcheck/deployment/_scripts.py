"""Deploy commands written in scripts, Makefiles and CI files, read once.

Shell scripts, Makefiles, justfiles and CI definitions (GitHub Actions, GitLab CI, CircleCI,
Cloud Build ...) are where a repository says how it builds and deploys: ``docker build -f
Dockerfile.prod``, ``docker compose -f compose.yml -f compose.prod.yml up``, ``kubectl apply
-k overlays/prod``, ``helm upgrade --set``. Each logical line (backslash continuations joined)
that names one of those tools is split into words once; lines that name none are never
tokenized (a large repository has thousands of script lines).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.deployment._commands import SEPARATORS
from agentcheck.deployment.model import ScriptCommand, Where
from agentcheck.files import name_of, suffix_of

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = [
    "TOOLS",
    "build_dockerfile",
    "compose_files_of",
    "is_script",
    "read_scripts",
    "resolve_path",
]

_SCRIPT_SUFFIXES = frozenset({".sh", ".bash", ".zsh", ".ksh", ".mk"})
_SCRIPT_NAMES = frozenset(
    {
        "makefile",
        "gnumakefile",
        "justfile",
        "jenkinsfile",
        ".gitlab-ci.yml",
        ".gitlab-ci.yaml",
        "azure-pipelines.yml",
        "azure-pipelines.yaml",
        "bitbucket-pipelines.yml",
        "cloudbuild.yaml",
        "cloudbuild.yml",
        ".travis.yml",
        ".drone.yml",
        "buildspec.yml",
        "taskfile.yml",
        "taskfile.yaml",
    }
)
_CI_DIRS = (".github/workflows/", ".github/actions/", ".circleci/", ".buildkite/", ".gitlab/")
#: Tools whose commands the model keeps.
TOOLS = frozenset({"docker", "podman", "nerdctl", "docker-compose", "kubectl", "helm"})
_NEEDLES = ("docker", "podman", "nerdctl", "kubectl", "helm")
#: A tool's name where a command starts it (not inside a path or a longer word).
_TOOL = re.compile(
    r"(?:^|[\s;&|(`$/\"'])(?:docker|podman|nerdctl|kubectl|helm|docker-compose)(?=[\s;&|)`\"']|$)"
)


def is_script(rel: str) -> bool:
    """Shell scripts, Makefiles and CI definitions: where deploy commands are written."""
    name = name_of(rel)
    suffix = suffix_of(name).lower()
    if name.lower() in _SCRIPT_NAMES or suffix in _SCRIPT_SUFFIXES:
        return True
    return rel.startswith(_CI_DIRS) and suffix in (".yml", ".yaml")


def read_scripts(project: Project) -> list[ScriptCommand]:
    """Every docker/compose/kubectl/helm command of every script, in file order (memoized:
    read once per project)."""
    return project.memo("deployment:scripts", lambda: _read(project))


def _read(project: Project) -> list[ScriptCommand]:
    out: list[ScriptCommand] = []
    for rel in project.files:
        if not is_script(rel):
            continue
        text = project.text(rel)
        if not text or not any(needle in text for needle in _NEEDLES):
            continue
        lines = text.splitlines()
        for first, last, command in _logical_lines(lines, _needle_lines(lines)):
            if _TOOL.search(command) is None:
                continue  # no tool run here (a `docker/Dockerfile` path is not a command)
            physical = tuple(lines[first - 1 : last])
            for words in _commands(_words(command)):
                out.append(ScriptCommand(Where(rel, first), tuple(words), physical))
    return out


#: Any tool's name anywhere in a line (a logical line without one runs no tool).
_NEEDLE = re.compile("|".join(_NEEDLES))


def _needle_lines(lines: list[str]) -> list[int]:
    """Indexes of the lines that hold a tool's name: the only commands worth splitting (a
    script of thousands of lines runs a tool on a few)."""
    search = _NEEDLE.search
    return [i for i, line in enumerate(lines) if search(line)]


def _continued(line: str) -> bool:
    return line.rstrip().endswith("\\")


def _logical_lines(lines: list[str], wanted: list[int]) -> Iterator[tuple[int, int, str]]:
    """``(first line, last line, command)`` of each command holding a line of ``wanted``
    (sorted indexes), backslash continuations joined; a trailing backslash on the last line
    continues nothing. The logical lines are those of a pass over every line, in order."""
    end = -1  # index of the last line of the command yielded last
    for k in wanted:
        if k <= end:
            continue  # part of that command
        i = k
        while i > end + 1 and _continued(lines[i - 1]):
            i -= 1
        first = i + 1
        parts = [lines[i]]
        while _continued(parts[-1]) and i + 1 < len(lines):
            parts[-1] = parts[-1].rstrip()[:-1]
            i += 1
            parts.append(lines[i])
        end = i
        yield first, i + 1, " ".join(parts)


def _words(command: str) -> list[str]:
    try:
        return shell_split(command)
    except ValueError:
        return command.split()


#: The pieces :func:`shell_split` reads, in the order shlex tries them.
_PIECE = re.compile(
    r"""(?P<space>[ \t\r\n]+)"""
    r"""|(?P<comment>\#[^\n]*\n?)"""
    r"""|(?P<punct>[;&|]+)"""
    r"""|'(?P<single>[^']*)'"""
    r'|"(?P<double>(?:[^"\\]|\\[\s\S])*)"'
    r"""|\\(?P<escaped>[\s\S])"""
    r"""|(?P<plain>[^ \t\r\n'"\\#;&|]+)"""
    r"""|(?P<unclosed>['"\\])"""
)
_ESCAPED_IN_DOUBLE = re.compile(r"\\([\s\S])")


def _unescape_double(match: re.Match[str]) -> str:
    char = match.group(1)
    return char if char in '"\\' else match.group(0)


def shell_split(command: str) -> list[str]:
    """``list(shlex)`` with ``posix=True``, ``punctuation_chars=";&|"``, ``whitespace_split``
    and ``#`` comments, read by one expression rather than character by character (shlex
    costs about 60 microseconds per command; a script of thousands of lines has hundreds).

    Words are separated by spaces, tabs and line breaks; runs of ``;``, ``&`` and ``|`` are
    words of their own; ``#`` starts a comment anywhere outside quotes (also inside a word);
    single quotes keep everything, double quotes let ``\\`` escape only ``"`` and ``\\``;
    a backslash outside quotes keeps the next character. An empty quoted word is a word.

    :raises ValueError: on an unclosed quote or a trailing backslash, as shlex does.
    """
    words: list[str] = []
    word: str | None = None
    for match in _PIECE.finditer(command):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            if word is not None:
                words.append(word)
                word = None
        elif kind == "punct":
            if word is not None:
                words.append(word)
                word = None
            words.append(match.group())
        elif kind == "unclosed":
            raise ValueError("No closing quotation or escaped character")
        else:
            piece = match.group(kind or "plain")
            if kind == "double" and "\\" in piece:
                piece = _ESCAPED_IN_DOUBLE.sub(_unescape_double, piece)
            word = piece if word is None else word + piece
    if word is not None:
        words.append(word)
    return words


def _commands(words: list[str]) -> Iterator[list[str]]:
    """Each simple command that runs a tool, from the tool's name on (``sudo``, ``run:``,
    ``- `` and other words before it are dropped)."""
    current: list[str] = []
    for word in [*words, ";"]:
        if word not in SEPARATORS and word not in (";;",):
            current.append(word)
            continue
        for i, candidate in enumerate(current):
            # A word without "/" is its own name ("" and "." are no tool's).
            name = PurePosixPath(candidate).name if "/" in candidate else candidate
            if name in TOOLS:
                yield current[i:]
                break
        current = []


def _option(words: tuple[str, ...], *names: str) -> list[str]:
    """Every value of the options ``names`` (``-f a -f b``, ``--file=a``)."""
    values = []
    for i, word in enumerate(words):
        option, eq, inline = word.partition("=")
        if option in names:
            if eq:
                values.append(inline)
            elif i + 1 < len(words):
                values.append(words[i + 1])
    return values


def resolve_path(project_files: frozenset[str], script: str, path: str) -> str | None:
    """``path`` as written in ``script`` (or in any file that names another): relative to the
    repository root (CI runs there) or to its own directory; None when neither is a file of
    the project, or when it is interpolated or a URL."""
    if "$" in path or "://" in path:
        return None
    base = posixpath.dirname(script)
    for directory in dict.fromkeys(("", base)):
        rel = posixpath.normpath(posixpath.join(directory or ".", path))
        if rel in project_files:
            return rel
    return None


#: ``docker build`` options that take a value (the build context is the word left over).
_BUILD_VALUE_OPTIONS = frozenset(
    {"-t", "--tag", "-f", "--file", "--build-arg", "--target", "--platform", "--label",
     "--network", "--secret", "--ssh", "--cache-from", "--cache-to", "--progress", "-o",
     "--output", "--iidfile", "--add-host", "--shm-size", "-m", "--memory", "--builder",
     "--build-context", "--metadata-file", "--provenance", "--sbom", "--ulimit", "--allow"}
)  # fmt: skip


def build_dockerfile(command: ScriptCommand, files: frozenset[str]) -> str | None:
    """The Dockerfile a ``docker build`` command builds (``-f``, else the context's
    ``Dockerfile``), when it is a file of the project (from the root or the script's folder)."""
    words = command.words[1:]
    file, context = None, None
    i = 0
    while i < len(words):
        word = words[i]
        option, eq, inline = word.partition("=")
        if option in ("-f", "--file"):
            file = inline if eq else (words[i + 1] if i + 1 < len(words) else None)
        if word.startswith("-"):
            i += 2 if option in _BUILD_VALUE_OPTIONS and not eq else 1
            continue
        if word not in ("build", "buildx", "image"):
            context = word
        i += 1
    if file is not None:
        written = file
    elif context is not None and "://" not in context:
        written = posixpath.join(context, "Dockerfile")
    else:
        return None
    if "$" in written:
        return None
    return resolve_path(files, command.where.path, written)


def compose_files_of(command: ScriptCommand, files: frozenset[str]) -> list[str]:
    """The compose files a ``docker compose -f a -f b ...`` command reads, in order."""
    return [
        found
        for ref in _option(command.words, "-f", "--file")
        if (found := resolve_path(files, command.where.path, ref)) is not None
    ]
