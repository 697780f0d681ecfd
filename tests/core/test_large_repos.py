"""Large repositories: modules whose text shows nothing to check are parsed, not kept.

Every served module must still parse (AC100 says where it does not), but the rules only keep
the trees of modules whose text names what they look for.
"""

from __future__ import annotations

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
