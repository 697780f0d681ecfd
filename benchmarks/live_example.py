"""Benchmark: the live suite on the bundled example project, repeated.

The example's [tool.agentcheck.live] serves it with two langhost replicas (Agent Server on a
throwaway PostgreSQL + Redis) behind its nginx, so this is the whole suite: SSE, restart,
crash, database-outage and replica checks. Targets (DESIGN.md, issues 3 and 10): the
two-replica suite within 3 minutes on these 2-core machines, and repeated runs give identical
verdicts. Run:

    .venv/bin/python benchmarks/live_example.py [--runs 10] [--proxy examples/support-desk/deploy/nginx.conf] [--load]

``--load`` adds the load checks (AC831 load-slo, AC832 scale-out: the example's 20 users for
30 s on two replicas, then on one) with ``--agentcheck-load``.

Each run is a fresh `pytest --agentcheck --agentcheck-live` process (servers started and torn
down every time). It prints the wall time of each run, the verdict of every live item, and
whether all runs agreed.
"""

from __future__ import annotations

import argparse
import json
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


def load_summaries(since: float) -> list[str]:
    """One line per load run (AC831, AC832) written since then: its figures and verdicts."""
    lines = []
    for path in sorted((EXAMPLE / ".agentcheck" / "results").glob("**/load/*/summary.json")):
        if path.stat().st_mtime < since:
            continue
        data = json.loads(path.read_text())
        first = (data.get("first_token") or {}).get("p95")
        verdicts = "; ".join(f"{v['status']}: {v['message']}" for v in data["verdicts"])
        lines.append(
            f"  load {data['label']}: {data['runs']} runs ({data['runs_per_second']:.2f}/s), "
            f"p95 first token {first} s, {data['failures']}/{data['requests']} failed, "
            f"generator {data['generator']['cores']:.2f} cores, machine "
            f"{data['generator']['machine_busy']:.0%} busy; {verdicts or '-'} ({path.parent})"
        )
    return lines


def _loadavg() -> str:
    """The 1-minute load average."""
    return f"{os.getloadavg()[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--proxy", default=str(EXAMPLE / "deploy" / "nginx.conf"))
    parser.add_argument("--load", action="store_true", help="add AC831-AC832")
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
                "-k", "live and AC8", *(["--agentcheck-load"] if args.load else []),
            ]  # fmt: skip
            start = time.perf_counter()
            began = time.time()
            before = _loadavg()
            subprocess.run(cmd, cwd=EXAMPLE, capture_output=True, check=False)
            elapsed = time.perf_counter() - start
            runs.append((elapsed, verdicts(junit)))
            print(f"run {i + 1} (ended {time.strftime('%H:%M:%S')}): {elapsed:.1f} s, "
                  f"{sum(v == 'passed' for v in runs[-1][1].values())}/{len(runs[-1][1])} live "
                  f"items passed; load average {before} before, {_loadavg()} after",
                  flush=True)  # fmt: skip
            for line in load_summaries(began):
                print(line, flush=True)
    times = [t for t, _ in runs]
    first = runs[0][1]
    agree = all(v == first for _, v in runs)
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[:3]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load {' '.join(load)}"
    )
    print(f"proxy: {args.proxy}{', with load' if args.load else ''}")
    print(
        f"wall per run: median {statistics.median(times):.1f} s, max {max(times):.1f} s, "
        f"min {min(times):.1f} s ({', '.join(f'{t:.1f}' for t in times)})"
    )
    for name, status in sorted(first.items()):
        print(f"  {name}: {status}")
    print(f"identical verdicts in all {len(runs)} runs: {'yes' if agree else 'NO'}")


if __name__ == "__main__":
    main()
