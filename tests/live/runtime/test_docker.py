"""The docker runtime against a real engine and the images scripts/build-test-images makes.

Needs a Docker engine (scripts/dockerd) and the agentcheck-test/* images; without them these
tests skip, unless AGENTCHECK_REQUIRE_DOCKER=1 (CI sets it), when they fail.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agentcheck.live.settings import load_settings

pytestmark = [pytest.mark.slow, pytest.mark.docker]

REPO = Path(__file__).parents[3]
EXAMPLE = REPO / "examples" / "support-desk"
NGINX = REPO / "tests" / "fixtures" / "live" / "nginx"
AGENT = "agentcheck-test/support-desk:latest"
IMAGES = {
    "image": AGENT,
    "postgres-image": "agentcheck-test/postgres:15",
    "redis-image": "agentcheck-test/redis:7",
}
LABEL = "org.agentcheck.run"


def _docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(scope="module")
def engine() -> None:
    """Skip (or fail, under AGENTCHECK_REQUIRE_DOCKER=1) without an engine and the images."""
    missing = None
    try:
        if _docker("info").returncode != 0:
            missing = "no Docker engine answers (scripts/dockerd starts one)"
        else:
            absent = [i for i in IMAGES.values() if _docker("image", "inspect", i).returncode]
            if absent:
                missing = f"images {', '.join(absent)} are missing (scripts/build-test-images)"
    except (OSError, subprocess.TimeoutExpired) as exc:
        missing = f"no docker command: {exc}"
    if missing is None:
        return
    if os.environ.get("AGENTCHECK_REQUIRE_DOCKER") == "1":
        pytest.fail(missing)
    pytest.skip(missing)


def labelled(kind: str) -> list[str]:
    """Every container, network or volume carrying agentcheck's run label."""
    command = {"container": ["ps", "-a"], "network": ["network", "ls"], "volume": ["volume", "ls"]}
    done = _docker(*command[kind], "-q", "--filter", f"label={LABEL}")
    return done.stdout.split()


def leftovers() -> dict[str, list[str]]:
    found = {kind: labelled(kind) for kind in ("container", "network", "volume")}
    return {kind: ids for kind, ids in found.items() if ids}


def example(tmp_path: Path, **table: object) -> Path:
    """A copy of the example project (its tracked files) with a [tool.agentcheck.live] table."""
    root = tmp_path / "support-desk"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "examples/support-desk"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    for name in filter(None, listed):
        target = root / Path(name).relative_to("examples/support-desk")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / name).read_bytes())
    # As the example's own table: a 10 s job heartbeat keeps the crash checks (AC812, AC824)
    # to about 30 s instead of the server's 4-8 minutes.
    table = {"recovery-timeout": 120, "env": {"LG_BG_JOB_HEARTBEAT": "10"}, **table}
    lines = ["", "[tool.agentcheck.live]"]
    lines += [f"{key} = {toml_value(value)}" for key, value in table.items()]
    pyproject = root / "pyproject.toml"
    kept = without_table(pyproject.read_text(encoding="utf-8"), "[tool.agentcheck.live]")
    pyproject.write_text(kept.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return root


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return f'"{value}"'


def without_table(text: str, header: str) -> str:
    """``text`` with the TOML table ``header`` (its header line up to the next table) removed.

    The example declares its own live table (langhost, two replicas); each test states its own.
    """
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped == header
        if not inside:
            kept.append(line)
    return "".join(kept)


def verdicts(root: Path, *args: str, junit: Path, select: str = "AC8") -> dict[str, str]:
    """Run the live checks in ``root`` as a user's pytest would; item name -> outcome."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--agentcheck", "--agentcheck-live", "-k", select,
         "-p", "no:cacheprovider", f"--junitxml={junit}", "-q", *args],
        cwd=root, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if not junit.exists():  # a usage error: pytest ran no test
        pytest.fail(f"pytest exited {done.returncode} without a report:\n{done.stdout[-3000:]}")
    outcomes = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kinds = {child.tag for child in case} & {"failure", "error", "skipped"}
        outcomes[case.get("name", "")] = next(iter(kinds), "passed")
    return outcomes


# The example's nginx: every check that one replica can run passes (the restart checks too: the
# engine kills and restarts containers). bad.conf buffers with gzip behind a 3 s idle timeout:
# the proxy checks AC803 and AC804 fail on both runtimes (only the proxy checks run for it).
@pytest.mark.parametrize(("proxy", "select"), [("example", "AC8"), ("bad", "AC80")])
def test_the_example_gets_the_same_verdicts_on_docker_as_langhost_on_local(
    engine: None, tmp_path: Path, proxy: str, select: str
) -> None:
    # The same server kind on both: the stock Agent Server on langgraph-runtime-pg, in the image
    # and as `langhost serve` from scripts/bootstrap's .venv-langhost.
    langhost = REPO / ".venv-langhost"
    root = example(tmp_path, server="langhost", langhost=langhost, **IMAGES)
    conf = root / "deploy" / "nginx.conf" if proxy == "example" else NGINX / "bad.conf"
    common = [f"--agentcheck-proxy={conf}"]
    docker = verdicts(
        root, "--agentcheck-runtime=docker", *common, junit=tmp_path / "d.xml", select=select
    )
    local = verdicts(
        root, "--agentcheck-runtime=local", *common, junit=tmp_path / "l.xml", select=select
    )
    assert docker == local
    failed = {n for n, outcome in docker.items() if outcome not in ("passed", "skipped")}
    if proxy == "example":
        assert not failed, docker
        ran = {n.split("[")[0] for n, outcome in docker.items() if outcome == "passed"}
        assert {"AC801", "AC802", "AC803", "AC804", "AC811", "AC812", "AC813", "AC815"} <= ran
    else:
        assert failed == {"AC803[agentcheck_probe]", "AC804[agentcheck_probe]"}
    assert leftovers() == {}


def _deployment(root: Path):  # type: ignore[no-untyped-def]
    from agentcheck.live.orchestrator import Deployment

    settings = load_settings(root, runtime="docker")
    backend = settings.backend()
    return Deployment(settings.spec(managed=True), backend), backend


def test_kill_and_restart_act_on_containers(engine: None, tmp_path: Path) -> None:
    import httpx

    root = example(tmp_path, database="postgres", redis=True, replicas=2, **IMAGES)
    deployment, backend = _deployment(root)
    with deployment:
        assert len(deployment.urls) == 2
        first = backend._wrapped(0).id
        stats = deployment.stats(0)  # the container's own figures, from the engine
        assert stats.cpu_seconds > 0
        assert stats.memory_bytes > 10 * 1024 * 1024  # a Python server holds more than 10 MB
        assert stats.processes >= 1
        thread = httpx.post(f"{deployment.urls[0]}/threads", json={}, timeout=30).json()
        deployment.kill(0, signal.SIGKILL)
        assert not deployment.alive(0)
        state = backend._state(0)
        assert state["Status"] == "exited"
        assert state["ExitCode"] == 137  # killed by SIGKILL, as docker kill -s KILL does
        # The other replica shares the database: the thread made on the killed one is there.
        other = httpx.get(f"{deployment.urls[1]}/threads/{thread['thread_id']}", timeout=30)
        assert other.status_code == 200
        deployment.restart(0)
        assert deployment.alive(0)
        assert backend._wrapped(0).id == first  # the same container, started again
        log = deployment.logs(0)
        assert log.count("Application startup complete") == 2  # both lives, one log
        deployment.kill(1, signal.SIGTERM)
        assert backend._state(1)["ExitCode"] == 0  # uvicorn shuts down cleanly on SIGTERM
        assert httpx.get(f"{deployment.urls[0]}/ok", timeout=30).status_code == 200
        running = labelled("container")
        assert len(running) == 4  # two replicas, PostgreSQL, Redis
    assert leftovers() == {}


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            {"image": "agentcheck-test/no-such-image:1"},
            ["the agent image agentcheck-test/no-such-image:1 is not on this machine and cannot "
             "be pulled"],
        ),
        (
            {"image": AGENT, "server": "command", "command": "sh -c 'echo boom >&2; exit 3'"},
            ["replica 1/1 exited with status 3 before it became healthy", "boom"],
        ),
        (
            {"dockerfile": "Dockerfile.broken"},
            ["building the agent image from", "the build breaks here"],
        ),
        (
            {"image": "agentcheck-test/bookworm:12"},
            ["sets no LANGSERVE_GRAPHS, so it is not an Agent Server image"],
        ),
    ],
    ids=["not-pullable", "exits-at-once", "build-fails", "not-agent-server"],
)  # fmt: skip
def test_what_cannot_start_is_one_clear_ac801_failure(
    engine: None, tmp_path: Path, table: dict[str, str], expected: list[str]
) -> None:
    root = example(tmp_path, **table)
    (root / "Dockerfile.broken").write_text(
        "FROM agentcheck-test/bookworm:12\nRUN echo the build breaks here >&2 && exit 7\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--agentcheck", "--agentcheck-live",
         "--agentcheck-runtime=docker", "-k", "AC801", "-p", "no:cacheprovider"],
        cwd=root, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 1, out
    # One boot failure (AC801 of the first graph); the other graphs' AC801 skip, naming it.
    assert "1 failed, 2 skipped" in out, out
    for text in expected:
        assert text in out, out
    assert "Traceback" not in out
    assert leftovers() == {}


def test_no_engine_is_one_clear_ac801_failure(tmp_path: Path) -> None:
    root = example(tmp_path, image=AGENT)
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--agentcheck", "--agentcheck-live",
         "--agentcheck-runtime=docker", "-k", "AC801", "-p", "no:cacheprovider"],
        cwd=root, capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout
    assert "no Docker engine answers at unix://" in done.stdout
    assert "the socket does not exist" in done.stdout
    assert "Traceback" not in done.stdout


def test_a_killed_run_leaves_containers_the_next_run_sweeps(engine: None, tmp_path: Path) -> None:
    root = example(tmp_path, database="postgres", redis=True, **IMAGES)
    script = (
        "import sys, time\n"
        "from agentcheck.live.orchestrator import Deployment\n"
        "from agentcheck.live.settings import load_settings\n"
        "from pathlib import Path\n"
        "s = load_settings(Path(sys.argv[1]), runtime='docker')\n"
        "d = Deployment(s.spec(managed=True), s.backend())\n"
        "d.start()\n"
        "print('started', flush=True)\n"
        "time.sleep(600)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(root)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "started"
        assert len(labelled("container")) == 3  # the replica, PostgreSQL, Redis
        child.send_signal(signal.SIGKILL)  # nothing of it can clean up
        child.wait(timeout=30)
        assert len(labelled("container")) == 3
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    from agentcheck.live.backends.docker import engine as docker_engine

    client = docker_engine.connect()
    removed = docker_engine.sweep(client)
    assert len([r for r in removed if r.startswith("container ")]) == 3
    assert leftovers() == {}
