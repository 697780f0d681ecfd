"""Hostile projects, generated from a seed: what a stranger's pull request may hold.

Each case is a small LangGraph project with one or more hostile ingredients drawn from the
classes agentcheck must survive: symbolic links out of the root (canaries planted beside it),
special files, YAML values with bad tags or sizes, malformed langgraph.json, hostile
``[tool.agentcheck]`` tables, broken nginx, pathological Python, bad ignore patterns, and keys
written where names and paths belong. ``tests/core/test_fuzz.py`` runs a few hundred cases;
``benchmarks/hostile.py`` runs thousands.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import random
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["CANARY", "CLASSES", "KEYS", "make_case", "plant_outside", "watch_opens"]

#: Text planted in every file outside the root: it must appear in no output.
CANARY = "CANARYOUTSIDE7731"
_RNG_KEYS = random.Random(771)


def _body(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_RNG_KEYS.choice(alphabet) for _ in range(n))


#: Keys planted where agentcheck echoes what it read: none may be printed in full.
KEYS = [
    "sk-proj-" + _body(60),
    "sk-ant-api03-" + _body(80),
    "lsv2_pt_" + _body(32, "0123456789abcdef") + "_" + _body(10, "0123456789abcdef"),
    "ghp_" + _body(36),
    "AKIA" + _body(16, string.ascii_uppercase + string.digits),
    "tvly-" + _body(32),
    "gsk_" + _body(52),
]

_GRAPH = (
    "from langgraph.graph import StateGraph\n\nbuilder = StateGraph(dict)\n"
    "graph = builder.compile()\n"
)
_CONFIG = {"graphs": {"agent": "./agent/graph.py:graph"}, "env": ".env", "dependencies": ["."]}
_BAD_SCALARS = [
    "!!int abc",
    "!!bool x",
    "!!float y",
    "!!timestamp 2024-13-01",
    "!!binary abc",
    "9" * 5000,
    "9" * 400,
    "1.0e+400",
    "-.inf",
    ".nan",
    "'" + "9" * 5000 + "'",
    "'1e99999s'",
    "!!int 0b102",
    "[[[[[[[[[[1]]]]]]]]]]",
    "{a: {b: {c: 1}}}",
    "~",
    "!!set {a, b}",
    "&a [*a]",
]


def plant_outside(outside: Path) -> None:
    """The files links point to: each holds the canary in a form a reader would echo."""
    outside.mkdir(parents=True, exist_ok=True)
    low = CANARY.lower()
    files = {
        "canary.py": f"import {low}\n{CANARY} = (\ngraph = 1\n",
        "pyproject.toml": f'[project]\nname = "{low}"\ndependencies = ["{low}"]\n'
        f'[tool.agentcheck]\n{CANARY} = 1\nselect = ["{CANARY}"]\n',
        "ignore": "agent/\n*.py\n",
        "env": f"{CANARY}=sk-proj-{'a' * 48}\nOPENAI_API_KEY={CANARY}{'b' * 40}\n",
        "req.txt": f"{low}==1\n-r other.txt\n",
        "nginx.conf": f"location / {{ proxy_pass http://{low}:1; proxy_read_timeout 1s; }}\n",
        "deploy.yaml": f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {low}}}\n",
        "Dockerfile": f"FROM {low}\nCOPY . .\n",
    }
    for name, text in files.items():
        (outside / name).write_text(text)
    (outside / "dir").mkdir(exist_ok=True)
    (outside / "dir" / "graph.py").write_text(f"{CANARY} = 1\n")


# --------------------------------------------------------------------------- the classes


def _write(path: Path, content: str | bytes) -> None:
    """Write ``path`` unless an earlier ingredient made it a link, a FIFO or a directory."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        return
    if not path.parent.is_dir() or path.parent.is_symlink():
        return
    data = content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content
    path.write_bytes(data)


def _links(rng: random.Random, root: Path, outside: Path) -> None:
    choices: list[tuple[str, Path]] = [
        ("agent/graph.py", outside / "canary.py"),
        ("pyproject.toml", outside / "pyproject.toml"),
        (".gitignore", outside / "ignore"),
        (".dockerignore", outside / "ignore"),
        (".env", outside / "env"),
        ("requirements.txt", outside / "req.txt"),
        ("nginx.conf", outside / "nginx.conf"),
        ("k8s/deploy.yaml", outside / "deploy.yaml"),
        ("Dockerfile", outside / "Dockerfile"),
        ("etc", outside),
        ("agent/sub", outside / "dir"),
        ("langgraph.json", outside / "canary.py"),
        ("zero.yaml", Path("/dev/zero")),
        ("agent/zero.py", Path("/dev/zero")),
    ]
    for rel, target in rng.sample(choices, rng.randint(1, 4)):
        path = root / rel
        if not path.parent.exists():
            path.parent.mkdir(parents=True)
        if path.is_symlink() or path.is_file():
            path.unlink()
        if not path.exists() and path.parent.is_dir():
            os.symlink(target, path)
    rel_out = os.path.relpath(outside, root)
    refs = rng.choice(
        [
            {"requirements.txt": f"-r {outside}/req.txt\n-r {rel_out}/req.txt\nrequests\n"},
            {"nginx.conf": f"http {{ include {outside}/nginx.conf; include {rel_out}/*.conf; }}\n"},
            {
                "docker-compose.yml": "services:\n  agent:\n    image: langchain/langgraph-api:0.2\n"
                f"    build: {{context: {rel_out}, dockerfile: {outside}/Dockerfile}}\n"
                f"    env_file: [{rel_out}/env, {outside}/env]\n"
            },
        ]
    )
    for rel, text in refs.items():
        _write(root / rel, text)


def _special(rng: random.Random, root: Path, outside: Path) -> None:
    for rel in rng.sample(
        ["langgraph.json", "agent/graph.py", ".env", "requirements.txt", "compose.yaml",
         "pyproject.toml", "nginx.conf", ".gitignore"],
        rng.randint(1, 3),
    ):  # fmt: skip
        path = root / rel
        if path.is_symlink() or path.is_file():
            path.unlink()
        if path.exists() or not path.parent.is_dir():
            continue
        kind = rng.choice(["fifo", "directory", "loop", "dangling"])
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "directory":
            path.mkdir()
        elif kind == "loop":
            os.symlink(path, path)
        else:
            os.symlink(root / "nowhere", path)


def _yaml_values(rng: random.Random, root: Path, outside: Path) -> None:
    def v() -> str:
        return rng.choice(_BAD_SCALARS)

    if not (root / "k8s").exists():
        (root / "k8s").mkdir()
    _write(
        root / "k8s" / "deploy.yaml",
        f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: agent, annotations: {{agentcheck.io/ignore: {v()}}}}}
spec:
  replicas: {v()}
  template:
    spec:
      terminationGracePeriodSeconds: {v()}
      containers:
      - name: agent
        image: {rng.choice(["langchain/langgraph-api:0.2", v()])}
        command: {rng.choice(['["langgraph", "dev"]', v()])}
        env: [{{name: N_JOBS_PER_WORKER, value: {v()}}}, {{name: DATABASE_URL, value: {v()}}}]
        resources: {{limits: {{memory: {v()}, cpu: {v()}}}}}
        readinessProbe: {{httpGet: {{path: {v()}, port: {v()}}}, timeoutSeconds: {v()}}}
        ports: [{{containerPort: {v()}}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: a, annotations: {{nginx.ingress.kubernetes.io/proxy-read-timeout: {v()}}}}}
spec: {{rules: [{{http: {{paths: [{{path: /, backend: {{service: {{name: agent}}}}}}]}}}}]}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: a}}
spec: {{scaleTargetRef: {{kind: Deployment, name: agent}}, minReplicas: {v()}, maxReplicas: {v()}}}
""",
    )
    _write(
        root / "docker-compose.yml",
        f"""services:
  agent:
    image: langchain/langgraph-api:0.2
    deploy: {{replicas: {v()}}}
    stop_grace_period: {v()}
    ports: [{v()}]
    environment: {{N_JOBS_PER_WORKER: {v()}, REDIS_URI: {v()}}}
    command: ["uvicorn", "app:app", "--timeout-keep-alive", {v()}]
    healthcheck: {{interval: {v()}, test: {v()}}}
""",
    )


def _json_config(rng: random.Random, root: Path, outside: Path) -> None:
    key = rng.choice(KEYS)
    weird: list[object] = [
        10**400,
        "__BIGINT__",
        "__INFINITY__",
        "9" * 5000,
        1e300,
        None,
        [],
        {},
        "../" * 50 + "etc/passwd:x",
        "./" + "a" * 300 + ".py:graph",
        "./" + "a/" * 2000 + "x.py:graph",
        f"./agent/graph.py:{key}",
        f"OPENAI_API_KEY={key}",
        key,
        "::",
        "\u0000",
        "./agent/graph.py:" + "x" * 10_000,
    ]
    graphs: dict[str, object] = {"agent": "./agent/graph.py:graph"}
    for i in range(rng.randint(0, 4)):
        graphs[rng.choice([f"g{i}", key, "x" * 500, f"g{i}-{key}"])] = rng.choice(weird)
    config: dict[str, object] = {"graphs": graphs}
    for field in ("env", "python_version", "dependencies", "checkpointer", "store", "auth"):
        if rng.random() < 0.5:
            config[field] = rng.choice(weird)
    text = json.dumps(config)
    text = text.replace('"__BIGINT__"', "9" * 5000).replace('"__INFINITY__"', "1e400")
    if rng.random() < 0.2:
        text = "[" * 500 + "]" * 500
    _write(root / "langgraph.json", text)


def _pyproject(rng: random.Random, root: Path, outside: Path) -> None:
    key = rng.choice(KEYS)
    entries = rng.sample(
        [
            'exclude = ["[z-a]"]',
            'production = ["\\\\"]',
            'not-production = ["ok", "[z-a]"]',
            f"run-budget = {'9' * rng.choice([20, 400, 5000])}",
            "run-budget = 1e400",
            f"max-file-size = {'9' * 30}",
            'select = ["AC1O2"]',
            f'select = ["{key}"]',
            f'fail-on = "{key}"',
            "select = " + "[" * 300 + "]" * 300,
            f'ignore = ["{"x" * 10_000}"]',
            'severity = { AC5O7 = "warning" }',
            'per-file-ignores = { "[z-a]" = ["AC100"] }',
            f'python_version = "{key}"',
            "live = 3",
        ],
        rng.randint(1, 2),
    )
    _write(
        root / "pyproject.toml",
        f'[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.11"\n'
        f'dependencies = ["langgraph"]\n\n[tool.agentcheck]\n{chr(10).join(entries)}\n',
    )


def _nginx(rng: random.Random, root: Path, outside: Path) -> None:
    parts = rng.sample(
        [
            "location / { proxy_pass http://[::1; }",
            "location / { proxy_pass http://[::1]:99999x; proxy_read_timeout " + "9" * 400 + "s; }",
            "location / { proxy_pass http://a:1; proxy_read_timeout " + "9" * 5000 + "; }",
            "location / { proxy_pass http://$host; }",
            "location / { if ($x) { proxy_pass http://a; } }",
            "location /" + "a" * 5000 + " { proxy_pass http://a:1; }",
            "include [z-a].conf;",
            "{" * 300 + "}" * 300,
            "location / { proxy_pass http://app; } upstream app { server [::1; }",
            "\x00\x01",
            "location / { proxy_pass " + rng.choice(KEYS) + "; }",
        ],
        rng.randint(1, 3),
    )
    servers = "".join(f"server {{ listen 80; {p} }}\n" for p in parts)
    _write(root / "nginx.conf", f"http {{\n{servers}}}\n")


def _python(rng: random.Random, root: Path, outside: Path) -> None:
    n = rng.choice([100, 500, 990])
    chain = "    if x == 0:\n        return 0\n" + "".join(
        f"    elif x == {i}:\n        import os\n        time.sleep({i})\n" for i in range(1, n)
    )
    key = rng.choice(KEYS)
    bodies = [
        f"import time\n{_GRAPH}async def node(x):\n{chain}",
        f"import time\n{_GRAPH}def route(x):\n{chain}",
        _GRAPH + "x = " + "-" * 3000 + "1\n",
        _GRAPH + "x = " + "(" * 300 + ")" * 300 + "\n",
        _GRAPH + f"x = {'9' * 5000}\n",
        _GRAPH + f"KEY = '{key}' +\n",  # a syntax error on a line holding a key
        _GRAPH + "graph = graph.with_config(" * 200 + ")" * 200 + "\n",
        "\x00" + _GRAPH,
        _GRAPH.encode("utf-8").decode("latin-1") + "\udcff = 1\n",
    ]
    body = rng.choice(bodies)
    _write(root / "agent" / "graph.py", body)


def _ignores(rng: random.Random, root: Path, outside: Path) -> None:
    lines = rng.sample(["[z-a]", "\\", "a[", "**/[!", "!", "/", "agent/\n!agent/graph.py"], 3)
    _write(
        root / rng.choice([".gitignore", ".dockerignore", "agent/.gitignore"]),
        "\n".join(lines) + "\n",
    )
    _write(root / "Dockerfile", "FROM python:3.12\nCOPY [z-a] ./\nCOPY . .\n")


def _keys(rng: random.Random, root: Path, outside: Path) -> None:
    key = rng.choice(KEYS)
    config = dict(_CONFIG)
    config["graphs"] = {f"agent-{key}": f"./{key}.py:graph", "a": "./agent/graph.py:graph"}
    config["env"] = f"OPENAI_API_KEY={key}"
    config["python_version"] = key
    _write(root / "langgraph.json", json.dumps(config))
    _write(root / "agent" / "graph.py", f"{_GRAPH}API_KEY = '{key}' +\n")


CLASSES: dict[str, Callable[[random.Random, Path, Path], None]] = {
    "links": _links,
    "special": _special,
    "yaml-values": _yaml_values,
    "json-config": _json_config,
    "pyproject": _pyproject,
    "nginx": _nginx,
    "python": _python,
    "ignores": _ignores,
    "keys": _keys,
}


def make_case(seed: int, root: Path, outside: Path) -> list[str]:
    """Write hostile case ``seed`` at ``root`` (links point into ``outside``, already planted);
    returns the classes it mixes (one to three)."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    (root / "agent").mkdir()
    _write(root / "langgraph.json", json.dumps(_CONFIG))
    _write(root / "agent" / "graph.py", _GRAPH)
    names = rng.sample(sorted(CLASSES), rng.choice([1, 1, 2, 3]))
    for name in names:
        CLASSES[name](rng, root, outside)
    return names


@contextlib.contextmanager
def watch_opens(outside: Path) -> Iterator[list[str]]:
    """Every path under ``outside`` (or /dev/zero) that the process opens meanwhile, caught
    where the read would happen: ``open`` and ``os.open``."""
    seen: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def note(file: Any) -> None:
        if isinstance(file, str | os.PathLike):
            try:
                resolved = os.path.realpath(file)
            except (OSError, ValueError):
                return
            if resolved.startswith((str(outside), "/dev/zero")):
                seen.append(resolved)

    def watched_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        note(file)
        return real_open(file, *args, **kwargs)

    def watched_os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        note(path)
        return real_os_open(path, *args, **kwargs)

    builtins.open, os.open = watched_open, watched_os_open  # type: ignore[assignment]
    try:
        yield seen
    finally:
        builtins.open, os.open = real_open, real_os_open  # type: ignore[assignment]
