"""Benchmark: `agentcheck lint` on the bundled example project.

Target (DESIGN.md): under 0.5 s wall, most of it interpreter start-up, with no import of
langgraph, testcontainers or locust on that path. Run:

    .venv/bin/python benchmarks/lint_example.py [--runs 20]

It prints the median and best wall time of the whole command run as an installed agentcheck
runs (bytecode cached), the interpreter's own start-up for comparison, the same command without
a bytecode cache, the peak RSS, and which heavy modules the lint path imported (none expected).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "support-desk"
HEAVY = ("langgraph", "langchain", "testcontainers", "locust", "httpx", "langgraph_sdk")


def installed_env() -> dict[str, str]:
    """The environment of an installed agentcheck: its modules' bytecode cached, as pip
    compiles it at install. An editable install under ``PYTHONDONTWRITEBYTECODE=1`` (set on
    the project's machines) would compile every module from source on every run instead; the
    cache goes to ``benchmarks/.work/pycache``, never beside the sources."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(ROOT / "benchmarks" / ".work" / "pycache")
    env["AGENTCHECK_NO_CACHE"] = "1"  # cold lints, and no lint cache left in the linted tree
    return env


def uncached_env() -> dict[str, str]:
    """No bytecode cache for agentcheck: every run compiles its modules from source."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["AGENTCHECK_NO_CACHE"] = "1"
    return env


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


def summary(runs: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return (
        f"median {statistics.median(walls):.3f} s, best {min(walls):.3f} s "
        f"(CPU median {statistics.median(cpus):.3f} s)"
    )


def heavy_imports() -> list[str]:
    code = (
        "import sys; from agentcheck.cli import main\n"
        "try:\n    main(['lint', sys.argv[1], '--format', 'json', '--exit-zero'])\n"
        "except SystemExit:\n    pass\n"
        "print('HEAVY:' + ','.join(sorted(m for m in sys.modules "
        f"if m.split('.')[0] in {HEAVY!r})), file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, check=False
    )
    marked = [line for line in out.stderr.splitlines() if line.startswith("HEAVY:")]
    if not marked:
        raise SystemExit(f"the lint run failed:\n{out.stderr}")
    return [m for m in marked[-1].removeprefix("HEAVY:").split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    agentcheck = str(Path(sys.executable).parent / "agentcheck")
    cmd = [agentcheck, "lint", str(EXAMPLE), "--format", "json"]
    bare = [sys.executable, "-c", "pass"]
    installed, uncached = installed_env(), uncached_env()
    for _ in range(2):  # warm the page cache and the bytecode cache
        run_once(cmd, installed)
    # Alternating, so that load from other work on the machine hits every command alike.
    lint: list[tuple[float, float]] = []
    start: list[tuple[float, float]] = []
    source: list[tuple[float, float]] = []
    for _ in range(args.runs):
        lint.append(run_once(cmd, installed))
        start.append(run_once(bare, installed))
        source.append(run_once(cmd, uncached))
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"command: {' '.join(cmd)}  ({args.runs} runs, alternating)")
    print(f"agentcheck lint:  {summary(lint)}")
    print(f"python -c pass:   {summary(start)}")
    print(f"without bytecode: {summary(source)}  (agentcheck compiled from source every run)")
    print(f"peak RSS of any run: {peak_mib:.0f} MiB")
    heavy = heavy_imports()
    print(f"heavy modules imported by lint: {', '.join(heavy) if heavy else 'none'}")


if __name__ == "__main__":
    main()
