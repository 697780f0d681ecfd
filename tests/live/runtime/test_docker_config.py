"""The docker runtime's configuration and wiring, without an engine: image sources, the graphs
an image serves, network placement (bridge included, which these machines cannot run), the
run labels the cleanup reads."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from agentcheck.errors import ConfigError, LiveError
from agentcheck.live.backends import runtimes
from agentcheck.live.backends.docker import DockerBackend
from agentcheck.live.backends.docker.containers import Placement
from agentcheck.live.backends.docker.engine import LABEL_OWNER, LABEL_RUN, Run
from agentcheck.live.backends.docker.images import ImageSource, built_tag, graphs_env
from agentcheck.live.settings import load_settings


def project(tmp_path: Path, table: str, *, dockerfile: bool = False) -> Path:
    (tmp_path / "langgraph.json").write_text('{"graphs": {"agent": "./agent.py:graph"}}')
    (tmp_path / "pyproject.toml").write_text(f"[tool.agentcheck.live]\n{table}\n")
    if dockerfile:
        (tmp_path / "Dockerfile").write_text("FROM example\n")
    return tmp_path


def backend(root: Path) -> DockerBackend:
    backend = load_settings(root).backend()
    assert isinstance(backend, DockerBackend)
    return backend


def test_docker_is_a_registered_runtime() -> None:
    assert runtimes()["docker"] is DockerBackend


@pytest.mark.parametrize(
    ("table", "dockerfile", "expected"),
    [
        ('runtime = "docker"\nimage = "registry.example.com/agent:1.4"', False,
         ("image", "registry.example.com/agent:1.4")),
        ('runtime = "docker"\ndockerfile = "Dockerfile"', True, ("dockerfile", "Dockerfile")),
        ('runtime = "docker"\nbuild = "langgraph"', True, ("langgraph", "langgraph.json")),
        ('runtime = "docker"', True, ("dockerfile", "Dockerfile")),
        ('runtime = "docker"', False, ("langgraph", "langgraph.json")),
    ],
    ids=["image", "dockerfile", "langgraph", "default-dockerfile", "default-langgraph"],
)  # fmt: skip
def test_the_image_comes_from_the_settings(
    tmp_path: Path, table: str, dockerfile: bool, expected: tuple[str, str]
) -> None:
    root = project(tmp_path, table, dockerfile=dockerfile)
    source = backend(root).source.locate(root, root / "langgraph.json")
    kind, value = expected
    assert source.kind == kind
    assert source.value == value if kind == "image" else Path(source.value).name == value


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('image = "a"\nbuild = "langgraph"', "give one of image, dockerfile and build, not image "
         "and build"),
        ('build = "docker"', 'build: expected "langgraph", got \'docker\''),
        ('image = "a"\nnetwork = "overlay"', 'network: expected "host" or "bridge"'),
        ('image = "a"\npostgres-image = ""', "postgres-image: expected an image reference"),
    ],
)  # fmt: skip
def test_bad_settings_are_config_errors_naming_the_key(
    tmp_path: Path, table: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=r"\[tool\.agentcheck\.live\]") as info:
        backend(project(tmp_path, f'runtime = "docker"\n{table}'))
    assert message in str(info.value)


def test_a_missing_dockerfile_is_said_when_the_deployment_opens(tmp_path: Path) -> None:
    root = project(tmp_path, 'runtime = "docker"\ndockerfile = "deploy/Dockerfile"')
    with pytest.raises(LiveError) as info:
        backend(root).source.locate(root, root / "langgraph.json")
    assert "deploy/Dockerfile (dockerfile in [tool.agentcheck.live]) does not exist" in str(
        info.value
    )


def test_service_images_default_to_the_official_ones(tmp_path: Path) -> None:
    plain = backend(project(tmp_path, 'runtime = "docker"\nimage = "a"'))
    assert plain.images == {"postgres": "postgres:16", "redis": "redis:7"}
    table = 'runtime = "docker"\nimage = "a"\npostgres-image = "mirror/pg:16"'
    assert backend(project(tmp_path, table)).images["postgres"] == "mirror/pg:16"


def test_built_images_get_a_valid_repository_name(tmp_path: Path) -> None:
    root = tmp_path / "My Agent_Project!"
    root.mkdir()
    assert built_tag(root) == "agentcheck/my-agent_project:latest"


def test_the_probe_graph_is_added_to_the_images_graphs() -> None:
    image = {"LANGSERVE_GRAPHS": json.dumps({"agent": "/deps/app/agent.py:graph"})}
    merged = json.loads(graphs_env(image, {"probe": "/agentcheck/files/p.py:g"}, "app:1"))
    assert merged == {"agent": "/deps/app/agent.py:graph", "probe": "/agentcheck/files/p.py:g"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "the image app:1 sets no LANGSERVE_GRAPHS"),
        ({"LANGSERVE_GRAPHS": "{not json"}, "invalid JSON"),
        ({"LANGSERVE_GRAPHS": '{"probe": "x.py:g"}'}, "already serves a graph 'probe'"),
    ],
)
def test_an_image_that_cannot_serve_the_probe_says_why(env: dict[str, str], message: str) -> None:
    with pytest.raises(LiveError) as info:
        graphs_env(env, {"probe": "/agentcheck/files/p.py:g"}, "app:1")
    assert message in str(info.value)


def test_host_placement_listens_on_its_loopback_port() -> None:
    placement = Placement.on("host", default_port=8000, host_port=41234)
    assert (placement.host_port, placement.inner_port) == (41234, 41234)
    assert placement.listen_host == "127.0.0.1"
    assert placement.create_kwargs() == {"network_mode": "host"}


def test_bridge_placement_publishes_on_loopback_only() -> None:
    placement = Placement.on(
        "bridge", default_port=8000, network="agentcheck-run", alias="replica-0",
        extra_hosts={"host.docker.internal": "172.30.0.1"}, host_port=41234,
    )  # fmt: skip
    assert placement.inner_port == 8000
    assert placement.listen_host == "0.0.0.0"
    assert placement.create_kwargs() == {
        "network": "agentcheck-run",
        "ports": {"8000/tcp": ("127.0.0.1", 41234)},
        "extra_hosts": {"host.docker.internal": "172.30.0.1"},
    }


def test_run_labels_name_the_owner_and_tell_a_dead_one() -> None:
    run = Run.current("abc123")
    labels = run.labels
    assert labels[LABEL_RUN] == "abc123"
    assert labels[LABEL_OWNER].split(":")[1] == str(os.getpid())
    assert Run.from_labels(labels) == Run(run.id, run.host, run.pid, round(run.started, 3))
    assert run.alive()
    dead = Run("abc123", run.host, run.pid, run.started - 1000)  # a reused pid
    assert not dead.alive()
    elsewhere = Run("abc123", f"not-{run.host}", 1, 0.0)
    assert elsewhere.alive()  # another machine's run is never swept from here
    assert Run.from_labels({LABEL_RUN: "x", LABEL_OWNER: "garbage"}) is None


def test_image_source_describes_itself() -> None:
    assert ImageSource("image", "a:1").describe() == "image a:1"
