"""Does the lint cache change what agentcheck reports? A guard for the cache
(:mod:`agentcheck.lint.cache`): every lint with the cache must be byte-identical to the same
checkout's ``--no-cache`` lint.

    .venv/bin/python benchmarks/realworld/same_cache.py [--repo NAME ...] [--no-corpus]
        [--fixtures] [--extra DIR ...]

For every prepared corpus repository, the example project, each ``--extra`` directory and, with
``--fixtures``, every project under tests/fixtures/projects/, in one process of this checkout:

1. ``agentcheck lint DIR --format json --exit-zero --no-cache`` (the reference);
2. the same with a fresh ``--cache-dir`` (cold), then again (warm): both must equal 1;
3. touched: one file's modification time moved (content unchanged), then linted warm: equal to 1;
4. edited: a line appended to one file; the cached lint must equal a ``--no-cache`` lint of the
   edited tree; then the file is restored (content and times) and a cached lint equals 1 again.

The cache directories live in a temporary directory, never in the linted tree. Prints one line
per difference and a count; exits 1 when any output differs or a lint hit an internal error.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _corpus import CORPUS, load_corpus, select
from lint_example import EXAMPLE, installed_env
from same import BROKEN, FIXTURES, ROOT

# Run in this checkout's interpreter: argv[1] the result file, argv[2] a temporary directory,
# argv[3:] the targets. Writes a JSON list of [target, round, same, detail].
DRIVER = r"""
import contextlib, io, json, os, sys
from pathlib import Path
from agentcheck.cli import main
from agentcheck.project import Project

FLAGS = ["--format", "json", "--exit-zero"]

def run(target, *extra):
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["lint", str(target), *FLAGS, *extra])
    return f"exit {code}\n{stdout.getvalue()}\n--- stderr ---\n{stderr.getvalue()}"

def victim(target):
    # A file a rule reads: a served module, a compose or Kubernetes file, else any listed one.
    files = Project(target).files
    for suffix in (".py", ".yaml", ".yml", "Dockerfile", ".json", ".toml", ""):
        for rel in files:
            if rel.endswith(suffix):
                return rel
    return None

out = []
tmp = Path(sys.argv[2])
for n, target in enumerate(sys.argv[3:]):
    target = Path(target)
    cache = ["--cache-dir", str(tmp / f"c{n}")]
    ref = run(target, "--no-cache")
    rounds = [("cold", run(target, *cache)), ("warm", run(target, *cache))]
    rel = victim(target)
    if rel is not None:
        path = target / rel
        st = os.stat(path)
        data = path.read_bytes()
        try:
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
            rounds.append(("touched", run(target, *cache)))
            line = b'\nDB_PASSWORD = "Qm7xT2vL9pR4kW8z"\n' if rel.endswith(".py") else b"\n# x\n"
            path.write_bytes(data + line)
            edited_ref = run(target, "--no-cache")
            edited = run(target, *cache)
            out.append([str(target), f"edited {rel}", edited == edited_ref, edited[:4000]])
            warm_edited = run(target, *cache)
            out.append([str(target), "edited, warm", warm_edited == edited_ref, warm_edited[:4000]])
        finally:
            path.write_bytes(data)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        rounds.append(("restored", run(target, *cache)))
    for name, text in rounds:
        out.append([str(target), name, text == ref, "" if text == ref else text[:4000] + "\n=== reference ===\n" + ref[:4000]])
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(out, f)
"""


def check(targets: list[Path]) -> tuple[int, int]:
    env = installed_env()
    env["PYTHONPATH"] = str(ROOT / "src")
    env["AGENTCHECK_DEBUG"] = "1"
    env.pop("AGENTCHECK_NO_CACHE", None)
    with tempfile.TemporaryDirectory(prefix="agentcheck-same-cache-") as tmp:
        result = Path(tmp) / "result.json"
        done = subprocess.run(
            [sys.executable, "-c", DRIVER, str(result), tmp, *map(str, targets)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"the driver failed:\n{done.stdout}{done.stderr}")
        rows = json.loads(result.read_text(encoding="utf-8"))
    compared = differ = 0
    for target, name, same, detail in rows:
        compared += 1
        broken = any(b in detail for b in BROKEN)
        if not same or broken:
            differ += 1
            print(f"DIFFERS  {Path(target).name} ({name})\n{detail}", flush=True)
    return compared, differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--repo", action="append", help="a corpus repository (default all)")
    parser.add_argument("--no-corpus", action="store_true", help="no corpus repository")
    parser.add_argument("--fixtures", action="store_true", help="every fixture project too")
    parser.add_argument("--extra", type=Path, action="append", default=[], help="another dir")
    args = parser.parse_args(argv)
    targets = (
        []
        if args.no_corpus
        else [r.checkout(args.corpus) for r in select(load_corpus(), args.repo)]
    )
    targets += [EXAMPLE, *(p.resolve() for p in args.extra)]
    missing = [t for t in targets if not t.is_dir()]
    for target in missing:
        print(f"missing  {target}")
    targets = [t for t in targets if t.is_dir()]
    if args.fixtures:
        targets += sorted(p for p in FIXTURES.iterdir() if p.is_dir())
    compared, differ = check(targets)
    print(
        f"{len(targets)} targets, {compared} comparisons, {differ} differ, {len(missing)} missing"
    )
    return 1 if differ or missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
