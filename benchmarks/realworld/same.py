"""Do two checkouts of agentcheck report the same thing? A guard for changes that must not
change any finding (speed work, refactors).

    .venv/bin/python benchmarks/realworld/same.py --baseline-src /path/to/other/checkout/src
        [--repo NAME ...] [--no-corpus] [--fixtures] [--extra DIR ...] [--out DIR]

Lints every prepared corpus repository, the example project (examples/support-desk), each
``--extra`` directory and, with ``--fixtures``, every project under tests/fixtures/projects/,
with this checkout's ``src/`` and with the baseline's: ``agentcheck lint DIR --format json
--exit-zero`` and ``agentcheck lint DIR --explain-production``, under the same interpreter
(``PYTHONPATH`` picks the sources), and compares the outputs (stdout, stderr and exit status)
byte for byte. A corpus repository gets a process of its own per lint, as the command runs;
the fixture projects, small and many, are linted one after another in one process per
checkout. Prints one line per directory and mode and every difference; exits 1 when any output
differs, a directory is missing or a lint hit an internal error. The outputs are kept in
``--out`` (default ``benchmarks/.work/same``) to diff by hand.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _corpus import CORPUS, load_corpus, select
from lint_example import EXAMPLE, installed_env

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "projects"
MODES = {"json": ["--format", "json", "--exit-zero"], "explain": ["--explain-production"]}
BROKEN = ("Traceback (most recent call last)", "agentcheck: internal error")

# Run in the checkout's interpreter: lints each target of argv[2:] in each mode, and writes a
# JSON list of [target, mode, exit status, stdout, stderr] to argv[1].
DRIVER = """
import contextlib, io, json, sys
from agentcheck.cli import main
modes = json.loads(sys.argv[1])
out = []
for target in sys.argv[3:]:
    for mode, flags in modes.items():
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["lint", target, *flags])
        out.append([target, mode, code, stdout.getvalue(), stderr.getvalue()])
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(out, f)
"""


def lint_all(src: Path, targets: list[Path], tag: str, out: Path) -> dict[tuple[str, str], str]:
    """Each target's output in each mode with ``src``'s agentcheck, as one text per lint."""
    env = installed_env()
    env["PYTHONPATH"] = str(src)
    env["PYTHONPYCACHEPREFIX"] = env["PYTHONPYCACHEPREFIX"] + "-" + tag
    env["AGENTCHECK_DEBUG"] = "1"  # an internal error prints its traceback
    env["AGENTCHECK_NO_CACHE"] = "1"  # never a lint cache in the corpus or the fixtures
    result = out / f".{tag}.json"
    cmd = [sys.executable, "-c", DRIVER, json.dumps(MODES), str(result)]
    done = subprocess.run(
        [*cmd, *map(str, targets)], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the {tag} driver failed:\n{done.stdout}{done.stderr}")
    rows = json.loads(result.read_text(encoding="utf-8"))
    result.unlink()
    return {
        (target, mode): f"exit {code}\n{stdout}" + (f"\n--- stderr ---\n{stderr}" if stderr else "")
        for target, mode, code, stdout, stderr in rows
    }


def compare(baseline: Path, groups: list[list[Path]], out: Path) -> tuple[int, int]:
    """Lint every group with both checkouts; returns (lints compared, lints differing)."""
    compared = differ = 0
    for group in groups:
        this = lint_all(ROOT / "src", group, "this", out)
        base = lint_all(baseline, group, "base", out)
        for target in group:
            for mode in MODES:
                key = (str(target), mode)
                stem = f"{target.name}.{mode}"
                (out / f"{stem}.this.txt").write_text(this[key], encoding="utf-8")
                (out / f"{stem}.base.txt").write_text(base[key], encoding="utf-8")
                same = this[key] == base[key] and not any(b in this[key] for b in BROKEN)
                compared += 1
                if same and len(group) > 1:
                    continue  # the fixtures: only what differs
                print(f"{'same' if same else 'DIFFERS'}  {target.name} ({mode})", flush=True)
                if not same:
                    differ += 1
                    lines = difflib.unified_diff(
                        base[key].splitlines(),
                        this[key].splitlines(),
                        "baseline",
                        "this",
                        lineterm="",
                    )
                    print("\n".join(list(lines)[:60]))
    return compared, differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repo", action="append", help="a corpus repository (default all)")
    parser.add_argument("--no-corpus", action="store_true", help="no corpus repository")
    parser.add_argument("--fixtures", action="store_true", help="every fixture project too")
    parser.add_argument("--extra", type=Path, action="append", default=[], help="another dir")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / ".work" / "same")
    args = parser.parse_args(argv)
    singles = (
        []
        if args.no_corpus
        else [r.checkout(args.corpus) for r in select(load_corpus(), args.repo)]
    )
    singles += [EXAMPLE, *(p.resolve() for p in args.extra)]
    missing = [t for t in singles if not t.is_dir()]
    for target in missing:
        print(f"missing  {target}")
    groups = [[t] for t in singles if t.is_dir()]
    if args.fixtures:
        groups.append(sorted(p for p in FIXTURES.iterdir() if p.is_dir()))
    args.out.mkdir(parents=True, exist_ok=True)
    compared, differ = compare(args.baseline_src.resolve(), groups, args.out)
    print(f"{compared} lints compared, {differ} differ, {len(missing)} directories missing")
    return 1 if differ or missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
