"""Benchmark: agentcheck's whole lint against `detect-secrets scan` on the same large tree.

Target (DESIGN.md and the secrets issue): on a generated repository of about 2,400 Python
files full of random hex ids, hashes, UUIDs and digests plus a few hundred YAML files,
`agentcheck lint` with every rule takes no longer than `detect-secrets scan` alone, then well
under it, with zero AC201 findings (none of those values is a secret). Run:

    /tmp/venv/bin/python benchmarks/secrets_bench.py [--python 2400] [--yaml 300] [--runs 3]

The tree is generated deterministically (seeded) into a temporary git repository, committed
(both tools then scan the tracked files), and the commands run side by side, alternating, so
that load from other work on the machine hits them alike: detect-secrets, agentcheck's whole
lint, and agentcheck with only the secrets rules (AC2xx). agentcheck runs with its bytecode
cached, as an installed agentcheck does. It prints a Markdown table for BENCHMARKS.md: median
wall time, every run, peak RSS and the finding counts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HEX = "0123456789abcdef"


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(HEX) for _ in range(n))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _b64(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(n))


def python_module(rng: random.Random, index: int) -> str:
    """A plausible module of an agent code base: ordinary code with a few ids and hashes that
    are not secrets (run and thread ids, checksums, digests, cache and idempotency keys)."""
    ids = [
        f'RUN_ID = "{_hex(rng, 32)}"',
        f'THREAD_ID = "{_uuid(rng)}"',
        f'CHECKSUM = "{_hex(rng, 64)}"',
        f'COMMIT = "{_hex(rng, 40)}"',
        f'IMAGE_DIGEST = "sha256:{_hex(rng, 64)}"',
        f'CACHE_KEY = "{_hex(rng, 40)}"',
        f'IDEMPOTENCY_KEY = "{_uuid(rng)}"',
        f'INTEGRITY = "sha512-{_b64(rng, 86)}=="',
    ]
    lines = [
        f'"""Node {index}: routing and bookkeeping for the support graph."""',
        "",
        "from __future__ import annotations",
        "",
        "import hashlib",
        "import os",
        "from dataclasses import dataclass",
        "",
        *rng.sample(ids, 3),
        "MAX_TOKENS = 1024",
        'OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]',
        'DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres:postgres@localhost/app")',
        "",
        "",
        "@dataclass",
        f"class Step{index}:",
        "    thread_id: str",
        "    token_count: int = 0",
        '    secret_name: str = "agent-secrets"',
        "",
        "    def key(self) -> str:",
        '        return hashlib.sha256(f"{self.thread_id}:{RUN_ID}".encode()).hexdigest()',
        "",
    ]
    for j in range(rng.randint(2, 5)):
        lines += [
            "",
            f"def node_{index}_{j}(state: dict, max_tokens: int = MAX_TOKENS) -> dict:",
            f'    """Route step {j} of the graph; keep the last {rng.randint(2, 9)} messages."""',
            '    messages = state.get("messages", [])[-8:]',
            '    seen = {k: v for k, v in state.items() if k != "messages"}',
            "    for key in sorted(seen.keys()):",
            "        if seen[key] is None:",
            "            seen.pop(key)",
            f'    return {{"messages": messages, "route": "{rng.choice(["triage", "research", "end"])}", '
            '"max_tokens": max_tokens}',
        ]
    return "\n".join(lines) + "\n"


def yaml_file(rng: random.Random, index: int) -> str:
    """A Kubernetes manifest or a config file, with digests, ids and secret references."""
    if index % 3 == 0:
        return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker-{index}
  annotations:
    checksum/config: {_hex(rng, 64)}
    deployment.kubernetes.io/revision: "{rng.randint(1, 90)}"
spec:
  replicas: 2
  selector:
    matchLabels:
      app: worker-{index}
  template:
    metadata:
      labels:
        app: worker-{index}
        pod-template-hash: {_hex(rng, 10)}
    spec:
      containers:
        - name: worker
          image: registry.example.com/worker@sha256:{_hex(rng, 64)}
          env:
            - name: RUN_ID
              value: "{_hex(rng, 32)}"
            - name: OPENAI_API_KEY
              valueFrom:
                secretKeyRef:
                  name: agent-secrets
                  key: openai-api-key
            - name: TRACE_ID
              value: "{_uuid(rng)}"
"""
    if index % 3 == 1:
        ids = "\n".join(f"  - id: {_uuid(rng)}\n    sha: {_hex(rng, 40)}" for _ in range(4))
        return f"# release manifest {index}\nbuild: {_hex(rng, 40)}\nartifacts:\n{ids}\n"
    tokens = "\n".join(f"  {_hex(rng, 12)}: {_hex(rng, 64)}" for _ in range(5))
    return f"cache:\n  key_prefix: run-{index}\n  max_tokens: 2048\nhashes:\n{tokens}\n"


def generate(root: Path, n_python: int, n_yaml: int, seed: int = 20240601) -> int:
    """Write the tree under ``root`` and commit it; return its size in bytes."""
    rng = random.Random(seed)
    total = 0
    for i in range(n_python):
        path = root / "src" / f"pkg{i // 100:02d}" / f"node_{i:04d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = python_module(rng, i)
        path.write_text(text)
        total += len(text)
    for i in range(n_yaml):
        sub = "k8s" if i % 3 == 0 else "config"
        path = root / sub / f"file_{i:03d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml_file(rng, i)
        path.write_text(text)
        total += len(text)
    lock = "\n".join(
        f'[[package]]\nname = "pkg{i}"\nversion = "1.0.{i}"\n'
        f'wheels = [{{ hash = "sha256:{_hex(rng, 64)}" }}]'
        for i in range(400)
    )
    (root / "uv.lock").write_text(lock)
    (root / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0.1.0"\n')
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.invalid",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.invalid",
    }
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "bench"]):
        subprocess.run(cmd, cwd=root, check=True, env=env)
    return total


def installed_env() -> dict[str, str]:
    """The environment of an installed agentcheck: its modules' bytecode cached, as pip
    compiles it at install (an editable install under ``PYTHONDONTWRITEBYTECODE=1``, as on the
    project's machines, would compile every module from source on every run). The cache goes
    to ``benchmarks/.work/pycache``, never beside the sources."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(__file__).resolve().parent / ".work" / "pycache")
    env["AGENTCHECK_NO_CACHE"] = "1"  # cold lints
    return env


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str, int]:
    """Wall time, stdout, and the command's own peak RSS in KiB (from wait4's rusage)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, _, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = 0  # reaped above
        out.seek(0)
        return elapsed, out.read().decode("utf-8", "replace"), usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", type=int, default=2400, help="Python files (default 2400)")
    parser.add_argument("--yaml", type=int, default=300, help="YAML files (default 300)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (median kept)")
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    args = parser.parse_args()

    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="secrets-bench-") as tmp:
        root = args.keep or Path(tmp) / "repo"
        root.mkdir(parents=True, exist_ok=True)
        size = generate(root, args.python, args.yaml)
        lint = [str(bindir / "agentcheck"), "lint", ".", "--format", "json", "--exit-zero"]
        commands = {
            "detect-secrets scan": [str(bindir / "detect-secrets"), "scan"],
            "agentcheck lint (all rules)": lint,
            "agentcheck lint --select AC2": [*lint, "--select", "AC2"],
        }
        installed = installed_env()
        envs = {name: installed if name.startswith("agentcheck") else None for name in commands}
        timed(lint, root, installed)  # warm the page cache and the bytecode cache
        times: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, int] = dict.fromkeys(commands, 0)
        outputs: dict[str, str] = {}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                elapsed, outputs[name], peak = timed(cmd, root, envs[name])
                times[name].append(elapsed)
                peaks[name] = max(peaks[name], peak)
        ds = json.loads(outputs["detect-secrets scan"])["results"]
        counts = {
            "detect-secrets scan": f"{sum(len(v) for v in ds.values())} findings",
            "agentcheck lint (all rules)": _summary(outputs["agentcheck lint (all rules)"]),
            "agentcheck lint --select AC2": _summary(outputs["agentcheck lint --select AC2"]),
        }
        files = args.python + args.yaml + 2
        cpus = len(os.sched_getaffinity(0))
        print(
            f"machine: {platform.machine()}, {cpus} usable CPUs, Python {platform.python_version()}"
        )
        print(f"tree: {files} files, {size / 1e6:.1f} MB, a git repository with every file tracked")
        print(f"runs: {args.runs}, alternating; median wall time")
        print()
        print("| command | median | runs | peak RSS | findings |")
        print("|---|---|---|---|---|")
        for name in commands:
            runs = ", ".join(f"{t:.1f}" for t in times[name])
            median = statistics.median(times[name])
            peak = peaks[name] / 1024
            print(f"| `{name}` | {median:.1f} s | {runs} | {peak:.0f} MB | {counts[name]} |")


def _summary(output: str) -> str:
    findings = json.loads(output)["findings"]
    ac201 = sum(1 for f in findings if f["code"] == "AC201")
    return f"{len(findings)} findings, {ac201} AC201"


if __name__ == "__main__":
    main()
