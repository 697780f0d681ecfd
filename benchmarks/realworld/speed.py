"""Benchmark: `agentcheck lint` on corpus repositories, this checkout against another.

Target (issue 16, class 11): the ~2,900-file repository with large kustomize/Helm trees
(vishnu2kmohan/mcp-server-langgraph) under 1.5 s, and no repository slower than before. Run:

    .venv/bin/python benchmarks/realworld/speed.py [--repo NAME ...] [--extra DIR ...]
        [--runs 5] [--baseline-src /path/to/other/checkout/src]

Each run is the whole command as an installed agentcheck runs it (bytecode cached). With
``--baseline-src`` the same interpreter runs the other checkout's sources (``PYTHONPATH``) in
alternation with this one, run by run, so load from other work on the machine hits both alike;
CPU time (user + system, children included) is printed beside wall time for the same reason.

With ``--cache`` it measures the lint cache (this checkout only), in alternation run by run:
cold (``--no-cache``), cold writing a new cache, warm with nothing changed, warm after one documentation file's
modification time moved, and warm after one served Python module was edited (a comment line
appended before each run; the module is restored at the end). The cache lives in a temporary
directory, never in the linted tree.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
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
    parser.add_argument("--cache", action="store_true", help="measure the lint cache")
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
    if args.cache:
        for target, root in roots:
            cache_rows(target, root, args.runs)
        print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        return 0
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


def _victims(root: Path, cache_dir: Path) -> dict[str, Path]:
    """What to change between runs: a documentation file no rule but the secrets scan reads
    (not a README: the deployment model reads those for what a file is for), the root README,
    and the Python module that the most cached rules read (from the filled cache)."""
    from agentcheck.project import Project

    files = Project(root).files
    out = {}
    docs = [rel for rel in files if rel.endswith(".md") and "readme" not in rel.lower()]
    if docs:
        out["a documentation file"] = root / docs[0]
    if "README.md" in files:
        out["the README"] = root / "README.md"
    readers: dict[str, int] = {}
    for cache_file in cache_dir.glob("lint-*.json"):
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        paths = [p for p, _ in data["paths"]]
        for entry in data["entries"].values():
            for i in entry["paths"]:
                if paths[i].endswith(".py"):
                    readers[paths[i]] = readers.get(paths[i], 0) + 1
    if readers:
        module = max(sorted(readers), key=lambda rel: readers[rel])
        out["the Python module most rules read"] = root / module
    return out


def _set_mtime(path: Path) -> None:
    """A new modification time, a few seconds old (the cache does not trust newer ones)."""
    then = time.time() - 5
    os.utime(path, (then, then))


def cache_rows(target: str, root: Path, runs: int) -> None:
    env = env_for(SRC, "this")
    env.pop("AGENTCHECK_NO_CACHE", None)
    with tempfile.TemporaryDirectory(prefix="agentcheck-speed-cache-") as tmp:
        base = [sys.executable, "-m", "agentcheck", "lint", str(root), "--format", "json"]
        cached = [*base, "--cache-dir", f"{tmp}/cache"]
        run_once([*base, "--no-cache"], env)  # the bytecode and page caches
        run_once(cached, env)  # fills the lint cache
        victims = _victims(root, Path(tmp) / "cache")
        rows: dict[str, list[tuple[float, float]]] = {
            "cold (--no-cache)": [],
            "cold, writing an empty cache": [],
            "warm, nothing changed": [],
        }
        for what, path in victims.items():
            rows[f"warm, {what} ({path.relative_to(root)}) touched"] = []
        module = victims.get("the Python module most rules read")
        if module is not None:
            rows[f"warm, {module.relative_to(root)} edited (a comment appended)"] = []
        original = module.read_bytes() if module is not None else b""
        stats = {path: path.stat() for path in victims.values()}
        try:
            for i in range(runs):
                rows["cold (--no-cache)"].append(run_once([*base, "--no-cache"], env))
                empty = [*base, "--cache-dir", f"{tmp}/empty{i}"]
                rows["cold, writing an empty cache"].append(run_once(empty, env))
                rows["warm, nothing changed"].append(run_once(cached, env))
                for what, path in victims.items():
                    _set_mtime(path)
                    key = f"warm, {what} ({path.relative_to(root)}) touched"
                    rows[key].append(run_once(cached, env))
                if module is not None:
                    module.write_bytes(original + f"\n# speed.py edit {i}\n".encode())
                    _set_mtime(module)
                    key = f"warm, {module.relative_to(root)} edited (a comment appended)"
                    rows[key].append(run_once(cached, env))
                    module.write_bytes(original)
                    _set_mtime(module)
                run_once(cached, env)  # warm again for the next round
        finally:
            if module is not None:
                module.write_bytes(original)
            for path, st in stats.items():
                os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    print(f"\n{target} (lint cache, this checkout)")
    for name, measured in rows.items():
        print(f"  {name}: {summary(measured)}")


if __name__ == "__main__":
    raise SystemExit(main())
