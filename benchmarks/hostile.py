"""Benchmark: agentcheck on hostile input (issue 15), the long version of tests/core/test_fuzz.py.

Two parts:

1. ``--cases N`` seeded hostile projects (tests/hostile_projects.py: links out of the root with
   canaries beside it, special files, bad YAML tags and sizes, malformed langgraph.json and
   pyproject, broken nginx, pathological Python, bad ignore patterns, keys where names
   belong), each linted in-process and rendered in every format. Counted: crashed rules
   (AC901), guarded reader failures, internal errors (any exception but a usage error),
   opens of a path under the canary directory, planted keys or canaries in any output, and
   cases over 60 s. The slowest case and the peak RSS are reported.
2. The big-input corners, each in its own process (wall time and peak RSS): 8,000 nginx
   ``server`` blocks, 40,000 graphs in one langgraph.json, two 2 MB modules reached from a
   graph, a compose file and a module linked to /dev/zero.

Run::

    .venv/bin/python benchmarks/hostile.py [--cases 2000] [--seed 150000] [--corners-only]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HANG = 60


def fuzz(cases: int, seed: int) -> dict[str, Any]:
    from agentcheck.cli import error_message
    from agentcheck.deployment._guard import READER_FAILED
    from agentcheck.errors import AgentcheckError
    from agentcheck.lint.formatters import FORMATS, Report
    from agentcheck.lint.runner import enabled_rules, lint
    from agentcheck.plugins import get_plugin_manager
    from agentcheck.project import Project
    from tests.hostile_projects import CANARY, KEYS, make_case, plant_outside, watch_opens

    counts: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    slowest = (0.0, -1)
    pm = get_plugin_manager()
    with tempfile.TemporaryDirectory() as tmp:
        outside = (Path(tmp) / "outside").resolve()
        plant_outside(outside)

        def alarm(signum: int, frame: object) -> None:
            raise TimeoutError

        signal.signal(signal.SIGALRM, alarm)
        for case in range(seed, seed + cases):
            root = Path(tmp) / f"case{case}"
            classes.update(make_case(case, root, outside))
            watcher = watch_opens(outside)
            seen = watcher.__enter__()
            started = time.perf_counter()
            signal.alarm(HANG)
            outputs: list[str] = []
            try:
                project = Project(root)
                result = lint(project, enabled_rules(project, pm))
                report = Report.from_result(result, project)
                outputs = [render(report) for render in FORMATS.values()]
                counts["AC901"] += sum(f.code == "AC901" for f in result.findings)
                counts["guarded"] += sum(READER_FAILED in f.message for f in result.findings)
            except AgentcheckError as exc:
                counts["usage errors (exit 2)"] += 1
                outputs = [error_message(exc)]
            except TimeoutError:
                counts["hangs"] += 1
            except Exception:
                counts["internal errors"] += 1
            finally:
                signal.alarm(0)
                watcher.__exit__(None, None, None)
            took = time.perf_counter() - started
            slowest = max(slowest, (took, case))
            counts["outside opens"] += len(seen)
            text = "\n".join(outputs)
            counts["canary printed"] += CANARY in text or CANARY.lower() in text
            counts["key printed"] += sum(key in text for key in KEYS)
            subprocess.run(["rm", "-rf", str(root)], check=False)
    return {
        "cases": cases,
        "classes": dict(sorted(classes.items())),
        "counts": {
            k: counts[k]
            for k in (
                "AC901",
                "guarded",
                "internal errors",
                "hangs",
                "outside opens",
                "canary printed",
                "key printed",
                "usage errors (exit 2)",
            )
        },
        "slowest case": f"{slowest[0]:.2f} s (seed {slowest[1]})",
        "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


_CORNER = r"""
import json, os, resource, sys, time
from pathlib import Path
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.project import Project
which, root = sys.argv[1], Path(sys.argv[2])
root.mkdir()
if which == "nginx-8000-servers":
    (root / "nginx.conf").write_text("http {\n" + "".join(
        f"server {{ listen 80; server_name s{i}; location / {{ proxy_pass http://a{i}:8000; }} }}\n"
        for i in range(8000)) + "}\n")
elif which == "graphs-40000":
    (root / "langgraph.json").write_text(json.dumps(
        {"graphs": {f"g{i}": "./agent.py:graph" for i in range(40000)}}))
    (root / "agent.py").write_text(
        "from langgraph.graph import StateGraph\ngraph = StateGraph(dict).compile()\n")
elif which == "two-2MB-modules":
    (root / "langgraph.json").write_text('{"graphs": {"a": "./agent.py:graph"}}')
    (root / "agent.py").write_text("from big1 import *\nfrom big2 import *\n"
        "from langgraph.graph import StateGraph\ngraph = StateGraph(dict).compile()\n")
    body = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(60000))[:2_000_000]
    (root / "big1.py").write_text(body)
    (root / "big2.py").write_text(body.replace("def f", "def g"))
elif which == "dev-zero-links":
    (root / "langgraph.json").write_text('{"graphs": {"a": "./agent.py:graph"}}')
    os.symlink("/dev/zero", root / "agent.py")
    os.symlink("/dev/zero", root / "compose.yaml")
    os.mkfifo(root / ".env")
start = time.perf_counter()
project = Project(root)
result = lint(project, enabled_rules(project))
took = time.perf_counter() - start
info = [f.message for f in result.findings if f.code == "AC100"]
print(json.dumps({"wall s": round(took, 2),
                  "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "findings": len(result.findings), "AC100": info[:2]}))
"""


def corners() -> dict[str, Any]:
    out = {}
    for which in ("nginx-8000-servers", "graphs-40000", "two-2MB-modules", "dev-zero-links"):
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run(
                [sys.executable, "-c", _CORNER, which, str(Path(tmp) / "p")],
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            out[which] = json.loads(proc.stdout) if proc.returncode == 0 else proc.stderr[-500:]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=150_000)
    parser.add_argument("--corners-only", action="store_true")
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average at start: {os.getloadavg()}")
    started = time.perf_counter()
    if not args.corners_only:
        print(json.dumps(fuzz(args.cases, args.seed), indent=2))
        print(f"fuzz wall: {time.perf_counter() - started:.0f} s")
    print(json.dumps(corners(), indent=2))


if __name__ == "__main__":
    main()
