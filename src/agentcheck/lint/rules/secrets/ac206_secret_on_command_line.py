"""AC206 secret-on-command-line."""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.secrets._common import scanned_hits
from agentcheck.secrets import is_dummy, is_placeholder, name_words, secret_word

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["SecretOnCommandLine"]

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
_ENGINES = frozenset({"docker", "podman", "nerdctl"})
_RUN_VERBS = frozenset({"run", "create", "exec"})
_BUILD_VERBS = frozenset({"build", "buildx"})


#: A database URL carries its password: secret enough for a build argument baked into ENV.
_DATABASE_WORDS = frozenset(
    {
        "postgres",
        "postgresql",
        "pg",
        "database",
        "db",
        "redis",
        "mongo",
        "mongodb",
        "mysql",
        "mariadb",
        "amqp",
        "rabbitmq",
    }
)
_URL_WORDS = frozenset({"url", "uri", "dsn"})
#: ``docker build`` options that take a value (the build context is the word left over).
_BUILD_VALUE_OPTIONS = frozenset(
    (
        "-t",
        "--tag",
        "-f",
        "--file",
        "--build-arg",
        "--target",
        "--platform",
        "--label",
        "--network",
        "--secret",
        "--ssh",
        "--cache-from",
        "--cache-to",
        "--progress",
        "-o",
        "--output",
        "--iidfile",
        "--add-host",
        "--shm-size",
        "-m",
        "--memory",
        "--builder",
        "--build-context",
        "--metadata-file",
        "--provenance",
        "--sbom",
        "--ulimit",
        "--allow",
    )
)


@dataclass(frozen=True)
class _Arg:
    """A ``NAME[=VALUE]`` passed on a command line, and how."""

    name: str
    value: str | None
    option: str
    #: For ``--build-arg``: the Dockerfile the command builds, when it can be told.
    dockerfile: str | None = None


def is_script(rel: str) -> bool:
    """Shell scripts, Makefiles and CI definitions: where deploy commands are written."""
    path = PurePosixPath(rel)
    if path.name.lower() in _SCRIPT_NAMES or path.suffix.lower() in _SCRIPT_SUFFIXES:
        return True
    return rel.startswith(_CI_DIRS) and path.suffix.lower() in (".yml", ".yaml")


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(first line number, command)`` of each command, backslash continuations joined."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        first = i + 1
        parts = [lines[i]]
        while parts[-1].rstrip().endswith("\\") and i + 1 < len(lines):
            parts[-1] = parts[-1].rstrip()[:-1]
            i += 1
            parts.append(lines[i])
        yield first, " ".join(parts)
        i += 1


def _words(command: str) -> list[str]:
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        return list(lexer)
    except ValueError:
        return command.split()


def _args(words: list[str]) -> Iterator[_Arg]:
    """Secret-bearing arguments of docker, kubectl and helm commands in ``words``."""
    for i, word in enumerate(words):
        tool = PurePosixPath(word).name
        rest = words[i + 1 :]
        if tool in _ENGINES:
            yield from _engine_args(rest)
        elif tool == "kubectl" and rest[:2] == ["create", "secret"]:
            yield from _option_values(rest, ("--from-literal",))
        elif tool == "helm" and rest[:1] and rest[0] in ("install", "upgrade", "template"):
            yield from _option_values(rest, ("--set", "--set-string"))


def _command(words: list[str]) -> list[str]:
    out = []
    for word in words:
        if word in (";", "&&", "||", "|", "&"):
            break
        out.append(word)
    return out


def _engine_args(words: list[str]) -> Iterator[_Arg]:
    words = _command(words)
    verbs = [w for w in words[:3] if not w.startswith("-")]
    if "compose" in verbs[:1]:
        verbs = verbs[1:]
    if not verbs:
        return
    if verbs[0] in _RUN_VERBS or verbs[:2] == ["container", "run"]:
        yield from _option_values(words, ("-e", "--env"), bare_is_safe=True)
    elif verbs[0] in _BUILD_VERBS or verbs[:2] == ["image", "build"]:
        target = _build_target(words)
        for arg in _option_values(words, ("--build-arg",)):
            yield _Arg(arg.name, arg.value, arg.option, target)


def _build_target(words: list[str]) -> str | None:
    """The Dockerfile a ``docker build`` builds, as written: ``-f`` or ``CONTEXT/Dockerfile``."""
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
        return posixpath.normpath(file)
    return posixpath.normpath(posixpath.join(context, "Dockerfile")) if context else None


def _option_values(
    words: list[str], options: tuple[str, ...], *, bare_is_safe: bool = False
) -> Iterator[_Arg]:
    words = _command(words)
    for i, word in enumerate(words):
        option, eq, inline = word.partition("=")
        if option not in options:
            continue
        if eq:
            arg = inline
        elif i + 1 < len(words):
            arg = words[i + 1]
        else:
            continue
        name, sep, value = arg.partition("=")
        if not sep and bare_is_safe:
            continue  # `-e NAME`: docker reads the value from its own environment
        yield _Arg(
            name.split(".")[-1] if option.startswith("--set") else name,
            value if sep else None,
            option,
        )


class SecretOnCommandLine(Rule):
    """A deploy script passes a secret on the command line.

    What it does
    ------------
    In shell scripts, Makefiles, justfiles and CI definitions (GitHub Actions, GitLab CI,
    CircleCI, Cloud Build ...), reports ``docker run -e KEY=value`` (also ``create``, ``exec``,
    ``compose run``, podman and nerdctl), ``docker build --build-arg KEY[=value]``,
    ``kubectl create secret ... --from-literal=KEY=value`` and ``helm --set key=value`` when
    ``KEY`` names a secret and the value is written out or expanded (``$KEY``,
    ``${{ secrets.KEY }}``). ``-e KEY`` without a value is fine: docker reads it from its own
    environment. A literal credential on such a line is AC201's finding instead; an empty,
    placeholder or test value (``-e POSTGRES_PASSWORD=postgres`` for a CI database) is none.
    A ``--build-arg`` the built Dockerfile never declares as ``ARG`` is discarded by docker
    and not reported; one it declares and copies into ``ENV`` is, and so is a database URL
    (``--build-arg POSTGRES_URL``) copied that way: its password lands in the image.

    Why is this bad?
    ----------------
    A command line is visible to every user of the host in ``ps`` and ``/proc``, lands in
    shell history and in CI logs (``set -x``), and a build argument is stored in the image's
    history for anyone who pulls it (``docker history --no-trunc``).

    Example
    -------
    ```bash
    docker build --build-arg OPENAI_API_KEY="$OPENAI_API_KEY" -t agent .
    docker run -e LANGSMITH_API_KEY="$LANGSMITH_API_KEY" agent
    ```

    Use instead
    -----------
    ```bash
    docker build --secret id=openai,env=OPENAI_API_KEY -t agent .
    docker run -e LANGSMITH_API_KEY --env-file /run/secrets/agent.env agent
    ```
    """

    code = "AC206"
    name = "secret-on-command-line"
    severity = Severity.WARNING
    message = "A deploy script passes a secret on the command line."
    fix = (
        "Pass secrets through the environment (`docker run -e NAME` with no value, "
        "`--env-file`), BuildKit `--secret`, or `kubectl create secret --from-file`."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        hits = scanned_hits(project)
        for rel in project.files:
            if not is_script(rel):
                continue
            text = project.text(rel)
            if not text or not any(
                t in text for t in ("docker", "podman", "nerdctl", "kubectl", "helm")
            ):
                continue
            lines = text.splitlines()
            hit_lines = {h.line for h in hits.get(rel, [])}
            for first, command in _logical_lines(text):
                for arg in _args(_words(command)):
                    value = arg.value
                    if value is not None and (
                        not value
                        or (is_placeholder(value) and "$" not in value)
                        or ("$" not in value and is_dummy(value))
                    ):
                        continue  # an empty, placeholder or test value is no secret
                    baked = None
                    if arg.option == "--build-arg":
                        baked = _declared(project, rel, arg)
                        if baked is False:
                            continue  # the Dockerfile declares no such ARG: docker drops it
                    if secret_word(arg.name) is None and not (baked == "env" and _is_db_url(arg)):
                        continue
                    line = _line_of(lines, first, arg.name)
                    if line in hit_lines:
                        continue  # a literal credential: AC201 reports it
                    yield self.finding(rel, line, message=self._message(arg, baked))

    @staticmethod
    def _message(arg: _Arg, baked: str | bool | None) -> str:
        if arg.option == "--build-arg":
            if baked == "env":
                return (
                    f"`--build-arg {arg.name}`: {arg.dockerfile} copies the ARG into ENV, so the "
                    "value is in every container's environment and in the image (`docker "
                    "inspect`, `docker history`)."
                )
            return (
                f"`--build-arg {arg.name}` stores the secret in the image's history "
                "(`docker history` shows it)."
            )
        return (
            f"`{arg.option} {arg.name}=...` puts the secret on the command line "
            "(ps, shell history, CI logs)."
        )


def _is_db_url(arg: _Arg) -> bool:
    parts = name_words(arg.name)
    return bool(parts) and parts[-1] in _URL_WORDS and any(w in _DATABASE_WORDS for w in parts)


def _resolve_dockerfile(known: Iterable[str], script: str, written: str) -> str | None:
    """The project's Dockerfile that ``written`` names, from the root or the script's folder."""
    if "$" in written:
        return None
    here = posixpath.dirname(script)
    names = set(known)
    for base in ("", here):
        rel = posixpath.normpath(posixpath.join(base, written))
        if rel in names:
            return rel
    return None


def _declared(project: Project, script: str, arg: _Arg) -> str | bool | None:
    """``"env"`` when the built Dockerfile declares the ARG and copies it into ENV, True when
    it declares it, False when it does not (docker discards the value), None when the
    Dockerfile cannot be found."""
    if arg.dockerfile is None:
        return None
    dockerfiles = deployment(project).dockerfiles
    rel = _resolve_dockerfile(dockerfiles, script, arg.dockerfile)
    if rel is None:
        return None
    info = dockerfiles[rel]
    if arg.name not in info.args:
        return False
    return "env" if arg.name in info.baked_args else True


def _line_of(lines: list[str], first: int, name: str) -> int:
    for offset, text in enumerate(lines[first - 1 :], start=first):
        if name in text:
            return offset
        if not text.rstrip().endswith("\\"):
            break
    return first
