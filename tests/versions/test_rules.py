"""AC601-AC603 end to end: both versions' locations, the note without a release, the options."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from agentcheck.cli import main
from agentcheck.config import Config, since
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import DOC_HEADINGS
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.plugins import all_rules
from agentcheck.project import Project
from tests.fixtureprojects import all_fixture_projects
from tests.versions.conftest import GRAPH, PROJECT, Repo

CODES = ("AC601", "AC602", "AC603")
RULES = [r for r in all_rules() if r.code in CODES]
_OLD = re.compile(r"\(?(?:[\w; ]+; )?v1\.0\.0: (?P<path>[\w/.]+):(?P<line>\d+)")


def _lint(root: Path, select: list[str] | None = None, ref: str | None = None) -> list[Finding]:
    project = Project(root, since(Config(), ref))
    return list(lint(project, enabled_rules(project, select=select or list(CODES))).findings)


def test_the_rules_load_through_the_entry_point_group_with_their_documentation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert [r.code for r in RULES] == list(CODES)
    for rule in RULES:
        doc = rule.documentation()
        for heading in (*DOC_HEADINGS, "References"):
            assert f"\n{heading}\n---" in doc, (rule.code, heading)
        assert main(["explain", rule.code]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"{rule.code} [{rule.name}]")
        assert "https://docs.langchain.com/" in out


@pytest.mark.parametrize(
    "fixture",
    [f for f in all_fixture_projects() if f.code in CODES and not f.good],
    ids=lambda f: f.name,
)
def test_each_finding_names_the_release_location_of_what_it_lost(fixture: object) -> None:
    """The message points at the release's line, which holds the old name."""
    from tests.fixtureprojects import FixtureProject

    assert isinstance(fixture, FixtureProject)
    history = fixture.path / "_history" / "v1"
    with tempfile.TemporaryDirectory() as tmp:
        root = fixture.materialize(Path(tmp) / fixture.name)
        findings = _lint(root)
        assert findings
        for finding in findings:
            match = _OLD.search(finding.message)
            assert match, finding.message
            old_file = history / match["path"]
            if not old_file.exists():  # unchanged in the release: the current file holds it
                old_file = fixture.path / match["path"]
            old_line = old_file.read_text().splitlines()[int(match["line"]) - 1]
            lost = re.search(r"'([\w-]+)'", finding.message)
            assert lost is not None
            assert lost[1] in old_line or finding.message.count("is new and") == 1, (
                finding.message,
                old_line,
            )
            # What happens to a waiting thread, or to the clients of the release.
            assert "thread" in finding.message or "clients written for v1.0.0" in finding.message


def _history(repo: Repo) -> None:
    repo.commit(PROJECT)
    repo.commit({"README.md": "second commit\n"})


def test_without_a_release_tag_one_note_says_how_to_set_one(repo: Repo) -> None:
    _history(repo)
    findings = _lint(repo.path, ["ALL"])
    notes = [f for f in findings if f.code.startswith("AC6")]
    assert len(notes) == 1
    (note,) = notes
    assert (note.code, note.severity, note.path, note.line) == (
        "AC601", Severity.INFO, "langgraph.json", 1,
    )  # fmt: skip
    assert "no release tag (v1.2.3 or 1.2.3)" in note.message
    assert "release-ref" in note.fix
    assert "--since REF" in note.fix
    # With AC601 not selected, the next rule of the family says it.
    assert [f.code for f in _lint(repo.path, ["AC602", "AC603"])] == ["AC602"]


def test_a_release_ref_that_is_no_commit_is_a_warning(repo: Repo) -> None:
    _history(repo)
    project = Project(repo.path, Config(release_ref="v7.0.0"))
    (finding,) = lint(project, enabled_rules(project, select=list(CODES))).findings
    assert finding.severity is Severity.WARNING
    assert "release-ref 'v7.0.0' is not a commit" in finding.message


def test_a_single_commit_or_a_folder_without_git_says_nothing(repo: Repo, tmp_path: Path) -> None:
    repo.commit(PROJECT)
    assert [f for f in _lint(repo.path, ["ALL"]) if f.code.startswith("AC6")] == []
    plain = tmp_path / "plain"
    plain.mkdir()
    for rel, text in PROJECT.items():
        (plain / rel).parent.mkdir(parents=True, exist_ok=True)
        (plain / rel).write_text(text)
    assert _lint(plain) == []


def test_an_unchanged_release_is_silent_and_a_renamed_id_is_still_compared(repo: Repo) -> None:
    repo.commit(PROJECT, tag="v1.0.0")
    assert _lint(repo.path) == []
    repo.write(
        {
            "langgraph.json": '{"dependencies": ["."], "graphs": {"desk": "./agent/graph.py:graph"}}',
            "agent/graph.py": GRAPH.replace('"review"', '"approve"'),
        }
    )
    found = {(f.code, f.path, f.line) for f in _lint(repo.path)}
    assert found == {("AC603", "langgraph.json", 1), ("AC602", "agent/graph.py", 12)}
    (topology,) = [f for f in _lint(repo.path) if f.code == "AC602"]
    assert "of graph 'desk'" in topology.message


def test_since_on_the_command_line_and_in_pytest(
    repo: Repo, capsys: pytest.CaptureFixture[str], pytester: pytest.Pytester
) -> None:
    first = repo.commit(PROJECT)
    repo.commit({"agent/graph.py": GRAPH.replace('"review"', '"approve"')})
    assert main(["lint", str(repo.path), "--select", "AC6", "-q"]) == 0  # no tag: a note only
    assert "No last release" in capsys.readouterr().out
    assert main(["lint", str(repo.path), "--select", "AC6", "-q", "--since", first]) == 1
    out = capsys.readouterr().out
    assert f"Node 'review' of graph 'support' ({first}: agent/graph.py:12" in out
    assert main(["lint", str(repo.path), "--since", "nope"]) == 2
    assert "--since 'nope' is not a commit" in capsys.readouterr().err

    result = pytester.runpytest_inprocess(
        "--agentcheck",
        "--agentcheck-only",
        f"--agentcheck-root={repo.path}",
        "--agentcheck-select=AC602",
        f"--agentcheck-since={first}",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(failed=1, passed=1)  # AC602, and AC901 (crashes), which passes
    result.stdout.fnmatch_lines(["*AC602 [[]graph-topology-break] Node 'review'*"])
    bad = pytester.runpytest_inprocess(
        "--agentcheck", f"--agentcheck-root={repo.path}", "--agentcheck-since=nope"
    )
    assert bad.ret == pytest.ExitCode.USAGE_ERROR


@pytest.mark.parametrize(
    ("read", "reported"),
    [('state["sleep"]', True), ('state.get("sleep")', False), ("0", False)],
)
def test_a_removed_field_is_reported_when_the_release_needs_it(
    repo: Repo, read: str, reported: bool
) -> None:
    state = PROJECT["agent/state.py"] + "    sleep: int\n"
    graph = GRAPH.replace('return {"notes": [interrupt("ok?")]}', f"return {{'notes': [{read}]}}")
    repo.commit({**PROJECT, "agent/state.py": state, "agent/graph.py": graph}, tag="v1.0.0")
    repo.write({"agent/state.py": PROJECT["agent/state.py"]})
    findings = _lint(repo.path, ["AC601"])
    assert bool(findings) is reported
    if reported:
        (finding,) = findings
        assert finding.severity is Severity.WARNING
        assert "v1.0.0 reads it without a default (agent/graph.py:8)" in finding.message
