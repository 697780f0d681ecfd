"""Benchmark: the live suite on the bundled example project, repeated.

The example's [tool.agentcheck.live] serves it with two langhost replicas (Agent Server on a
throwaway PostgreSQL + Redis) behind its nginx, so this is the whole suite: SSE, restart,
crash, database-outage and replica checks. Targets (DESIGN.md, issues 3 and 10): the
two-replica suite within 3 minutes on these 2-core machines, and repeated runs give identical
verdicts. Run:

    .venv/bin/python benchmarks/live_example.py [--runs 10] [--proxy examples/support-desk/deploy/nginx.conf]

Each run is a fresh `pytest --agentcheck --agentcheck-live` process (servers started and torn
down every time). It prints the wall time of each run, the verdict of every live item, and
whether all runs agreed.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "support-desk"


def verdicts(junit: Path) -> dict[str, str]:
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "")
        if not name.startswith("AC8"):
            continue
        status = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                status = child.tag
        out[name] = status
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--proxy", default=str(EXAMPLE / "deploy" / "nginx.conf"))
    args = parser.parse_args()
    runs: list[tuple[float, dict[str, str]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            junit = Path(tmp) / f"run{i}.xml"
            cmd = [
                sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--noconftest",
                "-c", os.devnull, "--rootdir", str(EXAMPLE), "--agentcheck", "--agentcheck-only",
                f"--agentcheck-root={EXAMPLE}", "--agentcheck-live",
                f"--agentcheck-proxy={Path(args.proxy).resolve()}", f"--junitxml={junit}",
                "-k", "live and AC8",
            ]  # fmt: skip
            start = time.perf_counter()
            subprocess.run(cmd, cwd=EXAMPLE, capture_output=True, check=False)
            elapsed = time.perf_counter() - start
            runs.append((elapsed, verdicts(junit)))
            print(f"run {i + 1}: {elapsed:.1f} s, {sum(v == 'passed' for v in runs[-1][1].values())}"
                  f"/{len(runs[-1][1])} live items passed", flush=True)  # fmt: skip
    times = [t for t, _ in runs]
    first = runs[0][1]
    agree = all(v == first for _, v in runs)
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[:3]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load {' '.join(load)}"
    )
    print(f"proxy: {args.proxy}")
    print(f"wall per run: median {statistics.median(times):.1f} s, max {max(times):.1f} s")
    for name, status in sorted(first.items()):
        print(f"  {name}: {status}")
    print(f"identical verdicts in all {len(runs)} runs: {'yes' if agree else 'NO'}")


if __name__ == "__main__":
    main()
