"""Benchmark: `agentcheck lint` on corpus repositories, this checkout against another.

Target (issue 16, class 11): the ~2,900-file repository with large kustomize/Helm trees
(vishnu2kmohan/mcp-server-langgraph) under 1.5 s, and no repository slower than before. Run:

    .venv/bin/python benchmarks/realworld/speed.py [--repo NAME ...] [--extra DIR ...]
        [--runs 5] [--baseline-src /path/to/other/checkout/src]

Each run is the whole command as an installed agentcheck runs it (bytecode cached). With
``--baseline-src`` the same interpreter runs the other checkout's sources (``PYTHONPATH``) in
alternation with this one, run by run, so load from other work on the machine hits both alike;
CPU time (user + system, children included) is printed beside wall time for the same reason.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _corpus import CORPUS, load_corpus, select
from lint_example import installed_env, run_once, summary

BIG = "vishnu2kmohan/mcp-server-langgraph"
SRC = Path(__file__).resolve().parents[2] / "src"


def env_for(src: Path, cache: str) -> dict[str, str]:
    env = installed_env()
    env["PYTHONPATH"] = str(src)
    env["PYTHONPYCACHEPREFIX"] = env["PYTHONPYCACHEPREFIX"] + "-" + cache
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repo", action="append", help=f"a corpus repository (default {BIG})")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src/ to compare")
    parser.add_argument("--extra", type=Path, action="append", default=[], help="another dir")
    args = parser.parse_args(argv)
    names = args.repo or ([] if args.extra else [BIG])
    repos = select(load_corpus(), names) if names else []
    roots = [(r.repo, r.checkout(args.corpus)) for r in repos]
    roots += [(str(p), p.resolve()) for p in args.extra]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    variants = [("this checkout", env_for(SRC, "this"))]
    if args.baseline_src:
        variants.append((f"baseline {args.baseline_src}", env_for(args.baseline_src, "base")))
    for target, root in roots:
        files = sum(1 for _ in root.rglob("*") if ".git" not in _.parts and _.is_file())
        cmd = [sys.executable, "-m", "agentcheck", "lint", str(root), "--format", "json"]
        results: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in variants}
        for _name, env in variants:
            run_once(cmd, env)  # warm the bytecode cache and the page cache
        for _ in range(args.runs):
            for name, env in variants:
                results[name].append(run_once(cmd, env))
        print(f"\n{target} ({files} files)")
        for name, runs in results.items():
            print(f"  {name}: {summary(runs)}")
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
