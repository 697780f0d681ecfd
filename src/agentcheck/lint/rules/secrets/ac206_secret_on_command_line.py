"""AC206 secret-on-command-line."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentcheck.deployment import deployment
from agentcheck.deployment._scripts import build_dockerfile
from agentcheck.deployment.model import DockerfileInfo, ScriptCommand
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rules.secrets._common import ScanningRule, scanned_hits
from agentcheck.secrets import is_dummy, is_placeholder, name_words, secret_word

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["SecretOnCommandLine"]

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


@dataclass(frozen=True)
class _Arg:
    """A ``NAME[=VALUE]`` passed on a command line, and how."""

    name: str
    value: str | None
    option: str
    #: For ``--build-arg``: the Dockerfile the command builds, when it can be told.
    dockerfile: str | None = None


def _args(command: ScriptCommand, files: frozenset[str]) -> Iterator[_Arg]:
    """Secret-bearing arguments of a docker, kubectl or helm command."""
    tool, rest = command.tool, list(command.words[1:])
    if tool in _ENGINES:
        yield from _engine_args(command, rest, files)
    elif tool == "kubectl" and rest[:2] == ["create", "secret"]:
        yield from _option_values(rest, ("--from-literal",))
    elif tool == "helm" and rest[:1] and rest[0] in ("install", "upgrade", "template"):
        yield from _option_values(rest, ("--set", "--set-string"))


def _engine_args(command: ScriptCommand, words: list[str], files: frozenset[str]) -> Iterator[_Arg]:
    verbs = [w for w in words[:3] if not w.startswith("-")]
    if "compose" in verbs[:1]:
        verbs = verbs[1:]
    if not verbs:
        return
    if verbs[0] in _RUN_VERBS or verbs[:2] == ["container", "run"]:
        yield from _option_values(words, ("-e", "--env"), bare_is_safe=True)
    elif verbs[0] in _BUILD_VERBS or verbs[:2] == ["image", "build"]:
        target = build_dockerfile(command, files)
        for arg in _option_values(words, ("--build-arg",)):
            yield _Arg(arg.name, arg.value, arg.option, target)


def _option_values(
    words: list[str], options: tuple[str, ...], *, bare_is_safe: bool = False
) -> Iterator[_Arg]:
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


class SecretOnCommandLine(ScanningRule):
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
        # Kept in the lint cache: this rule re-runs whenever any file changes (the scan reads
        # every file), the deployment model behind the candidates does not.
        candidates = project.kept_memo(
            "secrets:command-line", lambda: self._candidates(project), list, _decode
        )
        for rel, line, message in candidates:
            if line in {h.line for h in hits.get(rel, [])}:
                continue  # a literal credential: AC201 reports it
            yield self.finding(rel, line, message=message)

    def _candidates(self, project: Project) -> list[tuple[str, int, str]]:
        """``(path, line, message)`` of each secret a script passes on the command line."""
        out = []
        dep = deployment(project)
        files = frozenset(project.files)
        for command in dep.script_commands:
            rel = command.where.path
            for arg in _args(command, files):
                value = arg.value
                if value is not None and (
                    not value
                    or (is_placeholder(value) and "$" not in value)
                    or ("$" not in value and is_dummy(value))
                ):
                    continue  # an empty, placeholder or test value is no secret
                baked = None
                if arg.option == "--build-arg":
                    baked = _declared(dep.dockerfiles, arg)
                    if baked is False:
                        continue  # the Dockerfile declares no such ARG: docker drops it
                if secret_word(arg.name) is None and not (baked == "env" and _is_db_url(arg)):
                    continue
                line = command.line_of(arg.name)
                out.append((rel, line, self._message(arg, baked)))
        return out

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


def _decode(raw: Any) -> list[tuple[str, int, str]]:
    out = [(rel, line, message) for rel, line, message in raw]
    if not all(isinstance(r, str) and type(n) is int and isinstance(m, str) for r, n, m in out):
        raise TypeError("not a list of candidates")
    return out


def _is_db_url(arg: _Arg) -> bool:
    parts = name_words(arg.name)
    return bool(parts) and parts[-1] in _URL_WORDS and any(w in _DATABASE_WORDS for w in parts)


def _declared(dockerfiles: Mapping[str, DockerfileInfo], arg: _Arg) -> str | bool | None:
    """``"env"`` when the built Dockerfile declares the ARG and copies it into ENV, True when
    it declares it, False when it does not (docker discards the value), None when the
    Dockerfile cannot be found."""
    info = dockerfiles.get(arg.dockerfile) if arg.dockerfile else None
    if info is None:
        return None
    if arg.name not in info.args:
        return False
    return "env" if arg.name in info.baked_args else True
