"""Lint the prepared corpus with this checkout and score the findings against the judgements.

    python benchmarks/realworld/run.py [--corpus DIR] [--repo NAME ...] [--json FILE]
                                       [--unjudged-csv] [--show-wrong]

Runs `agentcheck lint --format json` (the one installed beside this interpreter, i.e. the
checkout's editable install) on each repository prepare.py checked out, then matches every
finding against judgements.csv on (repo, commit, path, line, code). Prints per rule and overall
precision = right / (right + wrong), debatable counted apart, recall against problems.toml (the
deployment problems found by reading each repository by hand), every unjudged finding with
path:line and message, and the wall and CPU time of each lint. A benchmark, not a test: CI never
runs it, and it needs no network.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import CORPUS, HERE, Repo, load_corpus, select

VERDICTS = ("right", "wrong", "debatable")
Key = tuple[str, str, str, int, str]


@dataclass
class Judgement:
    verdict: str
    why: str
    match: str = ""


@dataclass
class Problem:
    repo: str
    path: str
    line: int | None
    code: str
    what: str


@dataclass
class RepoResult:
    repo: Repo
    wall: float = 0.0
    cpu: float = 0.0
    findings: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


def load_judgements(path: Path = HERE / "judgements.csv") -> dict[Key, list[Judgement]]:
    """(repo, commit, path, line, code) -> verdicts.

    One row covers every finding at its key, unless its `match` column is set: then only the
    findings whose message contains that text (two secrets on one line, say).
    """
    out: dict[Key, list[Judgement]] = defaultdict(list)
    if not path.exists():
        return out
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            verdict = row["verdict"].strip()
            if verdict not in VERDICTS:
                raise SystemExit(f"{path}: verdict {verdict!r} is not one of {VERDICTS}")
            key = (row["repo"], row["commit"], row["path"], int(row["line"]), row["code"])
            out[key].append(Judgement(verdict, row["why"], row.get("match") or ""))
    return out


def judge(finding: dict[str, Any], rows: list[Judgement]) -> Judgement | None:
    """The row for this finding: the first whose match text is in its message, else a plain one."""
    for row in rows:
        if row.match and row.match in finding["message"]:
            return row
    return next((row for row in rows if not row.match), None)


def load_problems(path: Path = HERE / "problems.toml") -> list[Problem]:
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Problem(p["repo"], p["path"], p.get("line"), p["code"], p["what"])
        for p in data.get("problem", [])
    ]


def agentcheck_command() -> list[str]:
    beside = Path(sys.executable).with_name("agentcheck")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "agentcheck"]


def lint(repo: Repo, corpus: Path) -> RepoResult:
    result = RepoResult(repo)
    root = repo.checkout(corpus)
    if not (root / ".git").is_dir():
        result.error = "not prepared (run prepare.py)"
        return result
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [*agentcheck_command(), "lint", str(root), "--format", "json", "--exit-zero"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "AGENTCHECK_NO_CACHE": "1"},
    )
    result.wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        result.error = f"exit {done.returncode}: {done.stderr.strip()[-500:]}"
        return result
    result.findings = json.loads(done.stdout)["findings"]
    return result


def key_of(repo: Repo, finding: dict[str, Any]) -> Key:
    return (repo.repo, repo.commit, finding["path"], int(finding["line"] or 0), finding["code"])


def found(problem: Problem, results: dict[str, RepoResult]) -> bool:
    result = results.get(problem.repo)
    if result is None:
        return False
    return any(
        f["code"] == problem.code
        and f["path"] == problem.path
        and (problem.line is None or int(f["line"] or 0) == problem.line)
        for f in result.findings
    )


def score(
    results: list[RepoResult], judgements: dict[Key, list[Judgement]], problems: list[Problem]
) -> dict[str, Any]:
    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    unjudged: list[dict[str, Any]] = []
    wrong: list[dict[str, Any]] = []
    for result in results:
        for finding in result.findings:
            judgement = judge(finding, judgements.get(key_of(result.repo, finding), []))
            verdict = judgement.verdict if judgement else "unjudged"
            per_rule[finding["code"]][verdict] += 1
            entry = {"repo": result.repo.repo, "commit": result.repo.commit, **finding}
            if judgement is None:
                unjudged.append(entry)
            elif verdict == "wrong":
                wrong.append({**entry, "why": judgement.why})
    names = {r.repo.repo: r for r in results}
    relevant = [p for p in problems if p.repo in names]
    recall: dict[str, Counter[str]] = defaultdict(Counter)
    missed = []
    for problem in relevant:
        hit = found(problem, names)
        recall[problem.code]["found" if hit else "missed"] += 1
        if not hit:
            missed.append(problem.__dict__)
    total: Counter[str] = sum(per_rule.values(), Counter())
    found_total = sum(c["found"] for c in recall.values())
    return {
        "per_rule": {code: dict(c) for code, c in sorted(per_rule.items())},
        "total": dict(total),
        "precision": precision(total),
        "recall": {code: dict(c) for code, c in sorted(recall.items())},
        "recall_total": found_total / len(relevant) if relevant else None,
        "problems": len(relevant),
        "missed": missed,
        "unjudged": unjudged,
        "wrong": wrong,
        "repos": [
            {
                "repo": r.repo.repo,
                "commit": r.repo.commit,
                "findings": len(r.findings),
                "wall": round(r.wall, 2),
                "cpu": round(r.cpu, 2),
                "error": r.error,
            }
            for r in results
        ],
    }


def precision(counts: Counter[str] | dict[str, int]) -> float | None:
    right, wrong = counts.get("right", 0), counts.get("wrong", 0)
    return right / (right + wrong) if right + wrong else None


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def report(summary: dict[str, Any], show_wrong: bool) -> None:
    print(f"{'repository':58} {'findings':>8} {'wall s':>7} {'cpu s':>6}")
    for r in summary["repos"]:
        extra = f"  ERROR {r['error']}" if r["error"] else ""
        print(f"{r['repo']:58} {r['findings']:8} {r['wall']:7.2f} {r['cpu']:6.2f}{extra}")
    print()
    head = ("rule", "right", "wrong", "debat.", "unjudged", "precision", "recall")
    print("{:8} {:>6} {:>6} {:>7} {:>9} {:>10} {:>8}".format(*head))
    codes = sorted(set(summary["per_rule"]) | set(summary["recall"]))
    for code in codes:
        c = summary["per_rule"].get(code, {})
        r = summary["recall"].get(code, {})
        listed = r.get("found", 0) + r.get("missed", 0)
        rec = f"{r.get('found', 0)}/{listed}" if listed else "-"
        print(
            f"{code:8} {c.get('right', 0):6} {c.get('wrong', 0):6} {c.get('debatable', 0):7}"
            f" {c.get('unjudged', 0):9} {pct(precision(c)):>10} {rec:>8}"
        )
    t = summary["total"]
    print(
        f"{'all':8} {t.get('right', 0):6} {t.get('wrong', 0):6} {t.get('debatable', 0):7}"
        f" {t.get('unjudged', 0):9} {pct(summary['precision']):>10}"
        f" {pct(summary['recall_total']):>8}"
    )
    print(f"\nprecision {pct(summary['precision'])}, recall {pct(summary['recall_total'])}", end="")
    print(f" of {summary['problems']} problems listed by hand")
    if summary["missed"]:
        print("\nmissed problems:")
        for p in summary["missed"]:
            print(f"  {p['repo']} {p['path']}:{p['line'] or '*'} {p['code']} {p['what']}")
    if show_wrong and summary["wrong"]:
        print("\nwrong findings:")
        for f in summary["wrong"]:
            print(f"  {f['repo']} {f['path']}:{f['line']} {f['code']} {f['why']}")
    if summary["unjudged"]:
        print(f"\n{len(summary['unjudged'])} unjudged findings:")
        for f in summary["unjudged"]:
            print(f"  {f['repo']} {f['path']}:{f['line']} {f['code']} {f['message']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="where prepare.py put them")
    parser.add_argument("--repo", action="append", help="only this repository (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the whole result as JSON here")
    parser.add_argument(
        "--unjudged-csv", action="store_true", help="print unjudged findings as judgement rows"
    )
    parser.add_argument("--show-wrong", action="store_true", help="list the wrong findings")
    args = parser.parse_args(argv)
    repos = select(load_corpus(), args.repo)
    results = []
    for repo in repos:
        results.append(lint(repo, args.corpus))
        print(f"linted {repo.repo}: {len(results[-1].findings)} findings", file=sys.stderr)
    summary = score(results, load_judgements(), load_problems())
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    if args.unjudged_csv:
        writer = csv.writer(sys.stdout)
        for f in summary["unjudged"]:
            row = [f["repo"], f["commit"], f["path"], f["line"], f["code"], "", f["message"], ""]
            writer.writerow(row)
        return 0
    report(summary, args.show_wrong)
    return 1 if any(r["error"] for r in summary["repos"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
