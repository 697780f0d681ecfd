"""The model's records of what files say, one per place: decisions with their reasons,
variables as files write them, copies into images, start and deploy commands, gunicorn runs,
Helm images. ``model`` re-exports them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agentcheck.deployment._base import Where
from agentcheck.scalars import parse_float

__all__ = [
    "UNSURE_PRODUCTION",
    "BuildCopy",
    "EnvSetting",
    "FileVerdict",
    "GunicornRun",
    "GunicornSetting",
    "HelmImage",
    "ScriptCommand",
    "SettingKind",
    "StartCommand",
    "Verdict",
]


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class Verdict:
    """Whether something describes production, why, and where the evidence is.

    ``sure`` is False when nothing but agentcheck's defaults decided (a compose file with no
    name, header, location or deploy command saying what it is for): rules then report less,
    at a lower severity, and say how to mark the file.
    """

    production: bool
    reason: str
    where: Where | None = None
    sure: bool = True


#: What a default that nothing confirms looks like.
UNSURE_PRODUCTION = Verdict(True, "agentcheck's default", None, sure=False)


@dataclass(frozen=True)
class FileVerdict:
    """A deployment file, what kind it is, and whether it describes production."""

    path: str
    #: ``compose``, ``kubernetes``, ``dockerfile``, ``env``, ``platform``.
    kind: str
    verdict: Verdict


SettingKind = Literal[
    "compose-env",
    "compose-build-arg",
    "env-file",
    "k8s-env",
    "configmap",
    "secret",
    "dockerfile-env",
    "dockerfile-arg",
    "langgraph-env",
]


@dataclass(frozen=True)
class EnvSetting:
    """One place a file writes a variable's value, literal or not (what AC205 judges).

    Unlike :class:`EnvValue` (what a container's process sees), every place counts: each
    stage of a Dockerfile, ``ARG`` defaults, compose ``build.args``, every key of a ConfigMap
    and Secret (a Secret's ``data`` decoded from base64), langgraph.json ``env``.
    """

    name: str
    #: The value as written; None when it comes from elsewhere (``valueFrom``, a bare
    #: compose ``- NAME``).
    value: str | None
    where: Where
    #: For messages: ``service `agent` of docker-compose.yml``, ``Secret `db```.
    owner: str
    kind: SettingKind
    production: bool
    #: Every value here is a secret whatever its name (a Kubernetes Secret's data).
    secret_store: bool = False


@dataclass(frozen=True)
class BuildCopy:
    """A ``COPY``/``ADD`` of paths from the build context into an image."""

    #: Source paths as written, relative to the build context.
    sources: tuple[str, ...]
    where: Where
    #: The instruction's first line, for messages.
    text: str
    #: Whether what it copies reaches the final image: False for a build stage whose result
    #: the final stage does not take whole (``COPY --from=build /app/dist ./`` only).
    in_image: bool = True


@dataclass(frozen=True)
class StartCommand:
    """A start command a platform file declares: a Procfile process, railway/fly/nixpacks/
    render start commands, App Engine's ``entrypoint``."""

    #: The file's name (``Procfile``, ``fly.toml``).
    platform: str
    #: The process it starts (``web``, ``release``; the key for other platforms).
    process: str
    argv: tuple[str, ...]
    where: Where
    production: bool
    #: The directory of the file (``""`` at the root): commands run from there.
    base: str = ""


@dataclass(frozen=True)
class HelmImage:
    """An image a Helm chart's values pin: a mapping with ``repository`` and ``tag``."""

    #: The values path of the mapping (``image``, ``images.backendImage``).
    name: str
    repository: str
    tag: str
    #: Where the tag is written.
    where: Where


@dataclass(frozen=True)
class ScriptCommand:
    """A docker, compose, kubectl or helm command in a script, Makefile or CI file."""

    #: The first line of its logical line (backslash continuations joined).
    where: Where
    #: The simple command from the tool's name on: ``("docker", "build", "-f", ...)``.
    words: tuple[str, ...]
    #: The physical lines of its logical line.
    lines: tuple[str, ...] = ()

    @property
    def tool(self) -> str:
        return self.words[0].rsplit("/", 1)[-1] if self.words else ""

    def line_of(self, text: str) -> int:
        """The line of the logical line that holds ``text`` (the first line if none does)."""
        for offset, line in enumerate(self.lines):
            if text in line:
                return self.where.line + offset
        return self.where.line


# --------------------------------------------------------------------------- gunicorn


@dataclass(frozen=True)
class GunicornSetting:
    """A setting's effective value, where it is written and whether it is written at all."""

    value: str
    where: Where
    explicit: bool


@dataclass(frozen=True)
class GunicornRun:
    """One way production starts gunicorn."""

    #: ``Dockerfile CMD``, ``compose service agent``, ``Procfile web``, ``gunicorn.conf.py``.
    source: str
    where: Where
    #: ``module:attr`` as written, when the command names it.
    app: str | None
    timeout: GunicornSetting
    worker_class: GunicornSetting
    threads: int
    #: The directory commands and config paths are relative to.
    base: str

    @property
    def timeout_seconds(self) -> float | None:
        return parse_float(self.timeout.value)

    @property
    def sync_workers(self) -> bool:
        """Requests run on the worker's only thread: a long one blocks the heartbeat."""
        return self.worker_class.value in ("sync", "") and self.threads <= 1
