"""AC601-AC603 on the corpus repositories' real history: each pinned commit against earlier ones.

    python benchmarks/realworld/history.py [--repo NAME ...] [--back N ...] [--json FILE]

The prepared corpus (prepare.py) holds one commit per repository and no tags, so AC601-AC603
have nothing to compare there and stay silent. This script clones each snapshot (history and
tags included, from /work/.mirror) into a temporary directory, checks out the pinned commit,
and lints it with only AC601-AC603: once against the newest release tag it descends from (when
the repository tags releases), and once with ``--since`` each pinned commit's N-th first-parent
ancestor (``--back``, default 25 and 100). Every finding is printed with its judgement from
history_judgements.csv (repo, since, path, line, code, verdict, why), or as unjudged. The
clones are removed afterwards. A benchmark, not a test: CI never runs it.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import HERE, Repo, load_corpus, select

JUDGEMENTS = HERE / "history_judgements.csv"


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def _lint(root: Path, since: str | None) -> list[dict[str, Any]]:
    agentcheck = Path(sys.executable).parent / "agentcheck"
    args = [str(agentcheck), "lint", str(root), "--select", "AC6", "--format", "json"]
    if since:
        args += ["--since", since]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        return [{"code": "ERROR", "path": "", "line": 0, "message": out.stderr.strip()}]
    findings: list[dict[str, Any]] = json.loads(out.stdout)["findings"]
    return findings


def _judgements() -> dict[tuple[str, str, str, int, str], tuple[str, str]]:
    if not JUDGEMENTS.exists():
        return {}
    with JUDGEMENTS.open(encoding="utf-8") as fh:
        return {
            (r["repo"], r["since"], r["path"], int(r["line"]), r["code"]): (r["verdict"], r["why"])
            for r in csv.DictReader(fh)
        }


def _baselines(clone: Path, backs: list[int]) -> list[tuple[str, str | None]]:
    """``(label, --since value)``: the tag baseline, then each ancestor that exists."""
    out: list[tuple[str, str | None]] = [("newest release tag", None)]
    for n in backs:
        try:
            commit = _git(clone, "rev-parse", "--verify", "-q", f"HEAD~{n}")
        except subprocess.CalledProcessError:
            continue
        out.append((f"HEAD~{n}", commit))
    return out


def run(repo: Repo, backs: list[int], judged: dict[Any, tuple[str, str]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="agentcheck-history-") as tmp:
        clone = Path(tmp) / repo.slug
        subprocess.run(
            ["git", "clone", "-q", "--no-checkout", str(repo.snapshot()), str(clone)], check=True
        )
        _git(clone, "checkout", "-q", repo.commit)
        for label, since in _baselines(clone, backs):
            for f in _lint(clone, since):
                verdict, why = judged.get(
                    (repo.repo, label, f["path"], f["line"], f["code"]), ("unjudged", "")
                )
                rows.append({"repo": repo.repo, "since": label, **f, "verdict": verdict,
                             "why": why})  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", action="append", help="owner/name, OWNER+NAME or a part")
    parser.add_argument("--back", action="append", type=int, help="compare with HEAD~N")
    parser.add_argument("--json", metavar="FILE", help="write every finding as JSON")
    args = parser.parse_args()
    judged = _judgements()
    everything: list[dict[str, Any]] = []
    for repo in select(load_corpus(), args.repo):
        if not repo.snapshot().exists():
            print(f"{repo.repo}: no snapshot in the mirror, skipped")
            continue
        rows = run(repo, args.back or [25, 100], judged)
        everything += rows
        print(f"{repo.repo}: {len(rows)} finding(s)")
        for r in rows:
            print(f"  [{r['since']}] {r['path']}:{r['line']} {r['code']} ({r['verdict']}) "
                  f"{r['message']}")  # fmt: skip
            if r["why"]:
                print(f"      why: {r['why']}")
    counts = {v: sum(r["verdict"] == v for r in everything) for v in
              ("right", "wrong", "debatable", "unjudged")}  # fmt: skip
    print(f"total {len(everything)}: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(everything, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
