"""Benchmark: agentcheck's whole lint against `detect-secrets scan` on the same large tree.

Target (DESIGN.md and the secrets issue): on a generated repository of about 2,400 Python
files full of random hex ids, hashes, UUIDs and digests plus a few hundred YAML files,
`agentcheck lint` with every rule takes no longer than `detect-secrets scan` alone, then well
under it, with zero AC201 findings (none of those values is a secret). Run:

    /tmp/venv/bin/python benchmarks/secrets_bench.py [--python 2400] [--yaml 300] [--runs 3]

The tree is generated deterministically (seeded) into a temporary git repository, committed
(both tools then scan the tracked files), and both commands run side by side in one process
tree, alternating, so that load from other work on the machine hits both alike. It prints the
median wall time of each, the peak RSS of the lint, the finding counts, and a Markdown row for
BENCHMARKS.md.
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
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.invalid"}
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "bench"]):
        subprocess.run(cmd, cwd=root, check=True, env=env)
    return total


def timed(cmd: list[str], cwd: Path) -> tuple[float, str, int]:
    """Wall time, stdout, and the command's own peak RSS in KiB (from wait4's rusage)."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
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
        lint_cmd = [str(bindir / "agentcheck"), "lint", ".", "--format", "json", "--exit-zero"]
        ds_cmd = [str(bindir / "detect-secrets"), "scan"]
        timed(lint_cmd, root)  # warm the page cache and .pyc files
        lint_times, ds_times, rss = [], [], 0
        lint_out = ds_out = ""
        for _ in range(args.runs):
            t, ds_out, _ = timed(ds_cmd, root)
            ds_times.append(t)
            t, lint_out, peak = timed(lint_cmd, root)
            lint_times.append(t)
            rss = max(rss, peak)
        findings = json.loads(lint_out)["findings"]
        ac201 = [f for f in findings if f["code"] == "AC201"]
        ds_results = json.loads(ds_out)["results"]
        ds_count = sum(len(v) for v in ds_results.values())
        lint_med, ds_med = statistics.median(lint_times), statistics.median(ds_times)
        files = args.python + args.yaml + 2
        print(f"machine      : {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(f"tree         : {files} files, {size / 1e6:.1f} MB (git repository, all tracked)")
        print(f"detect-secrets scan : median {ds_med:.2f} s  {[round(t, 2) for t in ds_times]}  "
              f"{ds_count} findings in {len(ds_results)} files")
        print(f"agentcheck lint     : median {lint_med:.2f} s  {[round(t, 2) for t in lint_times]}  "
              f"{len(findings)} findings, {len(ac201)} AC201, peak RSS {rss / 1024:.0f} MB")
        print(f"ratio        : agentcheck takes {lint_med / ds_med:.2f}x the time of detect-secrets")
        print()
        print("| files | detect-secrets scan | its findings | agentcheck lint (all rules) | AC201 | peak RSS |")
        print(f"| {files} | {ds_med:.1f} s | {ds_count} | {lint_med:.1f} s | {len(ac201)} | {rss / 1024:.0f} MB |")
        for f in ac201[:10]:
            print(f"  unexpected AC201: {f['path']}:{f['line']} {f['message']}")


if __name__ == "__main__":
    main()
