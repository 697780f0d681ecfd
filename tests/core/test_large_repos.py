"""Large repositories: modules whose text shows nothing to check are parsed, not kept.

Every served module must still parse (AC100 says where it does not), but the rules only keep
the trees of modules whose text names what they look for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.project import Project
from agentcheck.pyindex import python_naming

PLAIN = "import os\n\n\ndef route(state: dict) -> dict:\n    return state\n"
BROKEN = "def route(state:\n    return state\n"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def codes(root: Path) -> list[tuple[str, str, int]]:
    project = Project(root)
    result = lint(project, enabled_rules(project))
    return [(f.code, f.path, f.line) for f in result.findings]


def test_parses_reports_exactly_what_python_reports(tmp_path: Path) -> None:
    write(tmp_path, {"ok.py": PLAIN, "broken.py": BROKEN})
    checked, parsed = Project(tmp_path), Project(tmp_path)

    assert checked.parses("ok.py") is True
    assert checked.parses("broken.py") is False
    assert parsed.python("broken.py") is None
    assert checked.problems == parsed.problems
    assert len(checked.problems) == 1
    # The tree is still there for a rule that asks for it afterwards.
    assert checked.python("ok.py") is not None


def test_parses_after_python_agrees_without_parsing_again(tmp_path: Path) -> None:
    write(tmp_path, {"broken.py": BROKEN})
    project = Project(tmp_path)
    assert project.python("broken.py") is None
    assert project.parses("broken.py") is False
    assert len(project.problems) == 1


def test_python_naming_skips_modules_without_the_words(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "plain.py": PLAIN,
            "broken.py": BROKEN,
            "logs.py": "import logging\nlogging.basicConfig(level=logging.DEBUG)\n",
        },
    )
    project = Project(tmp_path)
    words = ("basicConfig", "setLevel")

    assert python_naming(project, "plain.py", words) is None
    assert python_naming(project, "logs.py", words) is not None
    # Skipped, and still reported: the server could not import it.
    assert python_naming(project, "broken.py", words) is None
    assert [(p.path, p.line) for p in project.problems] == [("broken.py", 1)]


def test_non_ascii_text_is_parsed_because_identifiers_are_normalized(tmp_path: Path) -> None:
    # U+FF42 FULLWIDTH LATIN SMALL LETTER B: Python reads the attribute as basicConfig.
    write(tmp_path, {"app.py": "import logging\nlogging.\uff42asicConfig(level=logging.DEBUG)\n"})
    project = Project(tmp_path)
    assert python_naming(project, "app.py", ("basicConfig",)) is not None
    assert ("AC501", "app.py", 2) in codes(tmp_path)


def test_many_plain_modules_one_broken_one_debug(tmp_path: Path) -> None:
    files = {f"src/pkg/node_{i:03d}.py": PLAIN for i in range(60)}
    files["src/pkg/node_017.py"] = BROKEN
    files["src/pkg/logs.py"] = "import logging\n\nlogging.basicConfig(level='DEBUG')\n"
    files["src/pkg/worker.py"] = (
        "async def node(state):\n    open('x').read()\n    return state\n"  # not a graph node
    )
    write(tmp_path, files)

    assert codes(tmp_path) == [
        ("AC501", "src/pkg/logs.py", 3),
        ("AC100", "src/pkg/node_017.py", 1),
    ]


def test_check_parses_reports_what_parses_reports(tmp_path: Path) -> None:
    # A NUL byte past the binary sniff reaches the parser, which refuses it.
    write(tmp_path, {"ok.py": PLAIN, "broken.py": BROKEN, "nul.py": "#" * 9000 + "\nx = 1\0\n"})
    (tmp_path / "blob.py").write_bytes(b"\x00\x01binary")
    (tmp_path / "latin1.py").write_bytes(b"name = 'caf\xe9'\n")
    rels = ["ok.py", "broken.py", "nul.py", "blob.py", "latin1.py"]
    batch, one_by_one = Project(tmp_path), Project(tmp_path)

    batch.check_parses(rels)

    assert [batch.parses(rel) for rel in rels] == [one_by_one.parses(rel) for rel in rels]
    assert [batch.parses(rel) for rel in rels] == [True, False, False, False, False]
    assert sorted(batch.problems, key=lambda f: f.sort_key) == sorted(
        one_by_one.problems, key=lambda f: f.sort_key
    )
    assert {f.path: f.message.split(":")[0] for f in batch.problems} == {
        "broken.py": "broken.py invalid Python",
        "nul.py": "nul.py invalid Python",
        "blob.py": "blob.py is a binary file, not Python source",
        "latin1.py": "latin1.py is not valid UTF-8 (byte offset 11); cannot parse Python source",
    }


_BOTH_CORES = """
import json, sys
from agentcheck import _pysources, project
root = sys.argv[1]
rels = [f"pkg/m{i:03d}.py" for i in range(200)]
serial = project.Project(root)
serial.check_parses(rels)
_pysources.PARALLEL_PARSE_MIN_CHARS = 0
used = []
run = _pysources._workers.run_forked
_pysources._workers.run_forked = lambda *a: used.append(a[2]) or run(*a)
parallel = project.Project(root)
parallel.check_parses(rels)
print(json.dumps({
    "workers": used,
    "same": [f.sort_key for f in serial.problems] == [f.sort_key for f in parallel.problems],
    "broken": sorted(f.path for f in parallel.problems),
    "parses": [parallel.parses(rel) for rel in rels] == [serial.parses(rel) for rel in rels],
}))
"""


def test_both_cores_report_exactly_what_one_core_reports(tmp_path: Path) -> None:
    files = {f"pkg/m{i:03d}.py": PLAIN if i % 37 else BROKEN for i in range(200)}
    write(tmp_path, files)
    # A fresh interpreter: this test process may run other tests' threads, which rule out fork.
    out = subprocess.run(
        [sys.executable, "-c", _BOTH_CORES, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "AGENTCHECK_JOBS": "2"},
    )
    result = json.loads(out.stdout)
    assert result == {
        "workers": [2],
        "same": True,
        "broken": [f"pkg/m{i:03d}.py" for i in range(0, 200, 37)],
        "parses": True,
    }
