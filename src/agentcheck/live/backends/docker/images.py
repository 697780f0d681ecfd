"""The agent's image: a tag to run, a Dockerfile to build, or ``langgraph build``.

``image = "tag"`` runs that image (pulled when it is not on the machine); ``dockerfile =
"Dockerfile"`` builds it from the project directory; ``build = "langgraph"`` runs ``langgraph
build -t`` on the project's langgraph.json. With none of the three, a ``Dockerfile`` at the
project root is built, else ``langgraph build`` runs. Built images are tagged
``agentcheck/<project>:latest`` and kept (the engine's build cache makes the next build quick).

Whatever fails (no such image and no registry, a build error) is a :class:`LiveError` naming
the image and the last lines of the pull or build output.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agentcheck.errors import ConfigError, LiveError

if TYPE_CHECKING:
    from docker import DockerClient

__all__ = ["LABEL_BUILT", "ImageSource", "graphs_env", "image_env", "resolve"]

#: The label of images agentcheck built (``dockerfile``); kept after the run.
LABEL_BUILT = "org.agentcheck.built"
#: Lines of build or pull output a failure shows.
TAIL = 20


@dataclass(frozen=True)
class ImageSource:
    """Where the agent image comes from (see the module docstring)."""

    kind: Literal["image", "dockerfile", "langgraph", "default"]
    #: The tag (``image``), the Dockerfile (``dockerfile``), or the langgraph.json (``langgraph``);
    #: ``default`` (none given) until :meth:`locate` decides.
    value: str

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ImageSource:
        """The source the options name; paths stay as given until :meth:`locate`."""
        given = [key for key in ("image", "dockerfile", "build") if key in options]
        where = "[tool.agentcheck.live]"
        if len(given) > 1:
            both = " and ".join(given)
            raise ConfigError(f"{where}: give one of image, dockerfile and build, not {both}")
        if "image" in options:
            return cls("image", _text(options["image"], f"{where} image"))
        if "dockerfile" in options:
            return cls("dockerfile", _text(options["dockerfile"], f"{where} dockerfile"))
        if "build" in options and options["build"] != "langgraph":
            raise ConfigError(f'{where} build: expected "langgraph", got {options["build"]!r}')
        return cls("langgraph" if "build" in options else "default", "")

    def locate(self, root: Path, config: Path) -> ImageSource:
        """This source with its paths resolved in the project ``root`` (LiveError when the
        Dockerfile is missing); the default becomes the root's Dockerfile, else langgraph build."""
        if self.kind == "image":
            return self
        if self.kind == "dockerfile":
            path = (root / self.value).resolve()
            if not path.is_file():
                raise LiveError(
                    f"the Dockerfile {path} (dockerfile in [tool.agentcheck.live]) does not exist"
                )
            return ImageSource("dockerfile", str(path))
        if self.kind == "default" and (root / "Dockerfile").is_file():
            return ImageSource("dockerfile", str((root / "Dockerfile").resolve()))
        return ImageSource("langgraph", str(config))

    def describe(self) -> str:
        what = {"image": "image", "dockerfile": "Dockerfile", "langgraph": "langgraph build of"}
        return f"{what.get(self.kind, self.kind)} {self.value}".strip()


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty string, got {value!r}")
    return value.strip()


def built_tag(root: Path) -> str:
    """``agentcheck/<project directory, as a valid repository name>:latest``."""
    name = re.sub(r"[^a-z0-9._-]+", "-", root.resolve().name.lower()).strip("-._") or "project"
    return f"agentcheck/{name}:latest"


def _tail(text: str) -> str:
    return "\n".join(line for line in text.splitlines()[-TAIL:])


def resolve(
    client: DockerClient,
    source: ImageSource,
    root: Path,
    *,
    labels: Mapping[str, str],
    timeout: float,
) -> str:
    """Make the image exist on the engine and return the reference to run."""
    if source.kind == "image":
        ensure(client, source.value, what="the agent image")
        return source.value
    tag = built_tag(root)
    if source.kind == "dockerfile":
        _build(client, Path(source.value), root, tag, labels)
    else:
        _langgraph_build(Path(source.value), tag, timeout)
    return tag


def ensure(client: DockerClient, reference: str, *, what: str) -> None:
    """Pull ``reference`` unless the engine has it; LiveError with the engine's reason."""
    from docker.errors import DockerException, ImageNotFound

    try:
        client.images.get(reference)
        return
    except ImageNotFound:
        pass
    except DockerException as exc:
        raise LiveError(f"cannot look up {what} {reference}: {exc}") from None
    try:
        client.images.pull(reference)
    except DockerException as exc:
        reason = getattr(exc, "explanation", None) or str(exc)
        raise LiveError(
            f"{what} {reference} is not on this machine and cannot be pulled: {reason}"
        ) from None


def _build(
    client: DockerClient, dockerfile: Path, root: Path, tag: str, labels: Mapping[str, str]
) -> None:
    from docker.errors import APIError, BuildError

    try:
        relative = str(dockerfile.relative_to(root))
    except ValueError:
        relative = str(dockerfile)  # outside the context: the engine reads it by path
    lines: list[str] = []
    try:
        stream = client.api.build(
            path=str(root), dockerfile=relative, tag=tag, rm=True, forcerm=True,
            network_mode="host", labels=dict(labels), decode=True,
        )  # fmt: skip
        for chunk in stream:
            if "stream" in chunk:
                lines.extend(str(chunk["stream"]).splitlines())
            if "error" in chunk:
                lines.append(str(chunk["error"]))
                raise BuildError(str(chunk["error"]), lines)
    except BuildError as exc:
        output = _tail("\n".join(lines))
        raise LiveError(
            f"building the agent image from {dockerfile} failed: {exc.msg}\n{output}"
        ) from None
    except APIError as exc:
        raise LiveError(f"building the agent image from {dockerfile} failed: {exc}") from None


def _langgraph_build(config: Path, tag: str, timeout: float) -> None:
    langgraph = Path(sys.executable).parent / "langgraph"
    head = [str(langgraph)] if langgraph.exists() else [sys.executable, "-m", "langgraph_cli"]
    if shutil.which("docker") is None:
        raise LiveError(
            'build = "langgraph" runs `langgraph build`, which needs the docker command'
        )
    argv = [*head, "build", "-t", tag, "-c", str(config)]
    try:
        done = subprocess.run(
            argv, cwd=config.parent, capture_output=True, text=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise LiveError(f"`langgraph build` did not finish within {timeout:g} s") from None
    if done.returncode != 0:
        raise LiveError(
            f"`langgraph build -t {tag}` failed (exit {done.returncode}):\n"
            + _tail(done.stdout + done.stderr)
        )


def image_env(client: DockerClient, reference: str) -> dict[str, str]:
    """The environment the image sets (``ENV``)."""
    config = client.images.get(reference).attrs.get("Config") or {}
    env: dict[str, str] = {}
    for entry in config.get("Env") or []:
        key, _, value = str(entry).partition("=")
        env[key] = value
    return env


def graphs_env(image: Mapping[str, str], extra: Mapping[str, str], reference: str) -> str:
    """``LANGSERVE_GRAPHS`` of ``image`` with ``extra`` (graph id -> container path) added.

    Agent Server images (``langgraph build``, the official base and its kin) name their graphs
    there; another image cannot be given agentcheck's probe graph.
    """
    raw = image.get("LANGSERVE_GRAPHS")
    if raw is None:
        raise LiveError(
            f"the image {reference} sets no LANGSERVE_GRAPHS, so it is not an Agent Server image "
            "(langgraph build, or FROM langchain/langgraph-api): agentcheck cannot serve its "
            "probe graph there"
        )
    try:
        graphs = json.loads(raw)
    except ValueError:
        raise LiveError(f"the image {reference} sets LANGSERVE_GRAPHS to invalid JSON") from None
    if not isinstance(graphs, dict):
        raise LiveError(f"the image {reference}: LANGSERVE_GRAPHS is not a JSON object")
    for graph_id, target in extra.items():
        if graph_id in graphs:
            raise LiveError(f"the image {reference} already serves a graph {graph_id!r}")
        graphs[graph_id] = target
    return json.dumps(graphs)
