"""Benchmark: the live suite on the example project, served by each server kind of README's table.

The README's table of server kind x check says what each kind does with the example project:
`langgraph dev` with one and two replicas (in memory), Aegra on PostgreSQL with two replicas,
and langhost (Agent Server on PostgreSQL + Redis) with two replicas, the example's own setting.
This runs the whole live suite once per kind on a copy of the example whose
[tool.agentcheck.live] table names that kind (the two-replica kinds behind the example's nginx,
with its `recovery-timeout` and heartbeat), and prints every check's verdict with the start of
what it observed. Run:

    .venv/bin/python benchmarks/live_servers.py [--kinds dev1,dev2,aegra2,langhost2]

Aegra runs as `aegra serve` from agentcheck's virtualenv (the tests' fixture does the same);
langhost from scripts/bootstrap's .venv-langhost.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "support-desk"
TIMEOUTS = 'recovery-timeout = 120\nenv = { LG_BG_JOB_HEARTBEAT = "10" }\n'
KINDS = {
    "dev1": 'server = "langgraph-dev"\nreplicas = 1\n',
    "dev2": 'server = "langgraph-dev"\nreplicas = 2\nproxy = "deploy/nginx.conf"\n',
    "aegra2": (
        'server = "command"\ncommand = "aegra serve --host {host} --port {port}"\n'
        'health = "/health"\ndatabase = "postgres"\nreplicas = 2\nproxy = "deploy/nginx.conf"\n'
        'recovery-timeout = 120\nenv = { AEGRA_CONFIG = "{config}", AUTH_TYPE = "noop" }\n'
    ),
    "langhost2": (
        f'server = "langhost"\nlanghost = "{ROOT / ".venv-langhost"}"\nreplicas = 2\n'
        f'proxy = "deploy/nginx.conf"\n{TIMEOUTS}'
    ),
}


def with_table(root: Path, table: str) -> None:
    """Replace the copy's [tool.agentcheck.live] table (up to the next table) with ``table``."""
    pyproject = root / "pyproject.toml"
    lines = pyproject.read_text().splitlines(keepends=True)
    start = lines.index("[tool.agentcheck.live]\n")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    pyproject.write_text("".join(lines[: start + 1]) + table + "\n" + "".join(lines[end:]))


def verdicts(junit: Path) -> dict[str, tuple[str, str]]:
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "")
        if not name.startswith("AC8"):
            continue
        status, said = "pass", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                status = {"failure": "FAIL", "error": "ERROR", "skipped": "skip"}[child.tag]
                said = " ".join((child.get("message") or child.text or "").split())
        out[name] = (status, said)
    return out


def run(kind: str, tmp: Path) -> tuple[float, dict[str, tuple[str, str]]]:
    root = tmp / kind
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".agentcheck", "__pycache__"))
    with_table(root, KINDS[kind])
    junit = tmp / f"{kind}.xml"
    cmd = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--noconftest",
        "-c", "/dev/null", "--rootdir", str(root), "--agentcheck", "--agentcheck-only",
        f"--agentcheck-root={root}", "--agentcheck-live", f"--junitxml={junit}",
        "-k", "live and AC8",
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(cmd, cwd=root, capture_output=True, check=False)
    return time.perf_counter() - start, verdicts(junit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--width", type=int, default=240, help="characters of each message")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            elapsed, found = run(kind, Path(tmp))
            with open("/proc/loadavg") as fh:
                load = " ".join(fh.read().split()[:3])
            print(f"== {kind}: {elapsed:.1f} s (load {load})", flush=True)
            for name, (status, said) in sorted(found.items()):
                print(f"  {name}: {status} {said[: args.width]}", flush=True)


if __name__ == "__main__":
    main()
