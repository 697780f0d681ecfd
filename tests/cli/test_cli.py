"""``agentcheck`` end to end, in process, on a copy of tests/fixtures/cli/project.

The project has one finding of each test rule (tests/cli/testrules.py): TST101 (error) on
langgraph.json:5, TST102 (warning) on compose.yaml:3, TST103 (info) on langgraph.json:1 and
AC299 (error, secrets family) on .env:1.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agentcheck import __version__
from agentcheck.cli import main
from agentcheck.live.checks import LiveCheck, all_live_checks
from agentcheck.plugins import all_rules
from tests.cli.testrules import TEST_RULES

ALL_CODES = {"TST101", "TST102", "TST103", "AC299"}


def lint_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["lint", "--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


def codes(data: dict) -> set[str]:  # type: ignore[type-arg]
    return {f["code"] for f in data["findings"]}


# ---------------------------------------------------------------------------- lint


@pytest.mark.usefixtures("project")
def test_lint_text_is_ruff_like_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 1
    out = capsys.readouterr().out
    assert (
        "langgraph.json:5:15: TST101 [graph-file-missing] Graph 'triage': triage.py does not exist.\n"
        "  |\n"
        '5 |     "triage": "./triage.py:graph"\n'
        "  |               ^\n"
        "  = fix: Point the graph at a file that exists.\n"
    ) in out
    assert out.endswith("Found 4 findings: 2 errors, 1 warning, 1 info.\n")
    assert "\x1b[" not in out  # not a terminal: no colour
    assert "hunter2" not in out


def test_lint_path_argument_shows_paths_from_the_current_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project.parent)
    assert main(["lint", "project", "-q", "--select", "TST102"]) == 1
    assert capsys.readouterr().out == (
        "project/compose.yaml:3:12: TST102 [latest-image] agent runs support-agent:latest.\n"
        "\n"
        "Found 1 finding: 1 warning.\n"
    )


@pytest.mark.usefixtures("project")
def test_lint_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = lint_json(capsys)
    assert code == 1
    assert data["version"] == __version__
    assert codes(data) == ALL_CODES
    assert data["summary"]["total"] == 4
    assert all(not Path(f["path"]).is_absolute() for f in data["findings"])


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_every_format_runs_and_never_prints_the_secret(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--format", fmt]) == 1
    out = capsys.readouterr().out
    assert "hunter2" not in out
    assert "TST101" in out
    if fmt in ("json", "sarif"):
        json.loads(out)
    if fmt == "junit":
        assert ET.fromstring(out).tag == "testsuites"


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["--select", "TST103"], 0),  # info is below the default fail-on (warning)
        (["--select", "TST103", "--fail-on", "info"], 1),
        (["--select", "TST102"], 1),
        (["--select", "TST102", "--fail-on", "error"], 0),
        (["--exit-zero"], 0),
        (["--select", "AC100"], 0),  # nothing found
    ],
)
def test_exit_status_follows_fail_on(args: list[str], status: int) -> None:
    assert main(["lint", "-q", *args]) == status


def test_configured_fail_on_and_select(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.agentcheck]\nselect = ["TST1"]\nignore = ["TST101"]\nfail-on = "error"\n'
    )
    code, data = lint_json(capsys)
    assert codes(data) == {"TST102", "TST103"}
    assert code == 0
    code, data = lint_json(capsys, "--fail-on", "warning")
    assert code == 1


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "TST1"], {"TST101", "TST102", "TST103"}),
        (["--select", "TST1", "--ignore", "TST103"], {"TST101", "TST102"}),
        (["--select", "tst101,latest-image"], {"TST101", "TST102"}),
        (["--select", "TST101", "--select", "AC2"], {"TST101", "AC299"}),
        (["--ignore", "AC2,TST10"], set()),
        (["--select", "ALL", "--ignore", "graph-file-missing"], {"TST102", "TST103", "AC299"}),
    ],
)
def test_select_and_ignore(
    args: list[str], expected: set[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _code, data = lint_json(capsys, *args)
    assert codes(data) == expected


@pytest.mark.usefixtures("project")
def test_unknown_selector_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--select", "TST109"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("agentcheck: error: --select: 'TST109' matches no rule; did you mean")


def test_unknown_config_key_exits_2_with_did_you_mean(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.agentcheck]\nselct = ["AC1"]\n')
    assert main(["lint"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown key 'selct'; did you mean 'select'?" in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lint", "no/such/dir"], "no/such/dir: no such directory"),
        (["lint", "langgraph.json"], "not a directory"),
        (["lint", "--format", "xml"], "invalid choice: 'xml'"),
        (["lint", "--fail-on", "fatal"], "invalid choice: 'fatal'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "required: COMMAND"),
        (["lint", "--baseline", "missing.json"], "baseline file not found"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.usefixtures("project")
def test_output_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    assert main(["lint", "--format", "sarif", "--output-file", str(target)]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


@pytest.mark.usefixtures("project")
def test_internal_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("agentcheck.lint.runner.lint", crash)
    monkeypatch.delenv("AGENTCHECK_DEBUG", raising=False)
    assert main(["lint"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("agentcheck: internal error: RuntimeError: boom second line")
    assert "please report" in err
    assert "Traceback" not in err


@pytest.mark.usefixtures("project")
def test_ctrl_c_exits_130_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("agentcheck.lint.runner.lint", interrupt)
    assert main(["lint"]) == 130
    assert "Traceback" not in capsys.readouterr().err


# ---------------------------------------------------------------------------- baseline


def test_baseline_round_trip_reports_only_new_findings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = project / ".agentcheck-baseline.json"
    assert main(["lint", "--write-baseline", str(baseline)]) == 0
    assert "recorded 4 findings" in capsys.readouterr().err
    stored = baseline.read_text()
    assert "hunter2" not in stored
    assert "does not exist" not in stored
    assert {e["code"] for e in json.loads(stored)["findings"]} == ALL_CODES

    assert main(["lint", "--baseline", str(baseline)]) == 0
    assert capsys.readouterr().out == "All checks passed (4 in the baseline).\n"

    # Lines move (the finding stays baselined) and a new problem appears (it is reported).
    config = project / "langgraph.json"
    text = config.read_text().replace(
        '"graphs": {', '"graphs": {\n    "billing": "./billing.py:graph",'
    )
    config.write_text(text)
    code, data = lint_json(capsys, "--baseline", str(baseline))
    assert code == 1
    assert [(f["code"], f["message"]) for f in data["findings"]] == [
        ("TST101", "Graph 'billing': billing.py does not exist.")
    ]
    assert data["summary"]["baselined"] == 4


def test_baseline_counts_duplicates(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    compose = project / "compose.yaml"
    baseline = project / "baseline.json"
    assert main(["lint", "--select", "TST102", "--write-baseline", str(baseline)]) == 0
    # A second service with the same image text but another name is a different finding;
    # the same finding twice needs two entries.
    compose.write_text(compose.read_text() + "  worker:\n    image: support-agent:latest\n")
    capsys.readouterr()
    code, data = lint_json(capsys, "--select", "TST102", "--baseline", str(baseline))
    assert code == 1
    assert [f["message"] for f in data["findings"]] == ["worker runs support-agent:latest."]


def test_bad_baseline_file_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = project / "baseline.json"
    bad.write_text('{"findings": []}')
    assert main(["lint", "--baseline", str(bad)]) == 2
    assert "not an agentcheck baseline" in capsys.readouterr().err


# ---------------------------------------------------------------------------- rules, explain


def test_rules_lists_every_registered_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["CODE", "NAME", "SEVERITY", "SUMMARY"]
    listed = [line.split()[:3] for line in lines[1:]]
    rules = [[r.code, r.name, r.severity.value] for r in all_rules()]
    checks = [[c.code, c.name, "error"] for c in all_live_checks()]
    assert listed == sorted(rules + checks)
    assert [line for line in lines if line.startswith("AC803")] == [
        "AC803  sse-incremental" + " " * 22 + "error     (live) The first event arrives long "
        "before the run ends: nothing buffers the stream."
    ]


def test_rules_json_lists_the_live_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    by_code = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert by_code["AC805"]["live"] is True
    assert by_code["AC804"]["fix"].startswith("Raise ``proxy_read_timeout``")


@pytest.mark.parametrize("check", all_live_checks(), ids=lambda c: c.code)
def test_explain_documents_every_live_check(
    check: LiveCheck, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in (check.code, check.code.lower(), check.name):
        assert main(["explain", key]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"{check.code} [{check.name}]\nLive check: ")
        for heading in ("What it checks", "Why it matters", "How to fix"):
            assert f"\n{heading}\n" in out


def test_explain_ac805_says_what_shared_event_ids_mean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "AC805"]) == 0
    out = capsys.readouterr().out
    assert "Shared event ids" in out
    assert "Last-Event-ID: -1" in out


def test_rules_json_with_a_plugins_rules(
    test_rules: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_code = {r["code"]: r for r in data}
    assert set(by_code) >= {r.code for r in TEST_RULES} | {"AC100", "AC900", "AC901"}
    assert by_code["TST102"] == {
        "code": "TST102",
        "name": "latest-image",
        "severity": "warning",
        "summary": "An image tagged latest.",
        "message": "An image is tagged latest.",
        "fix": "Pin the image to a version.",
    }


@pytest.mark.parametrize("key", ["AC100", "ac100", "parse-error"])
def test_explain_prints_the_documentation(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", key]) == 0
    out = capsys.readouterr().out
    assert out.startswith("AC100 [parse-error]\nSeverity: error\n\n")
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert f"\n{heading}\n" in out
    assert "\nFix: Fix the file so that it parses" in out


@pytest.mark.parametrize(
    ("key", "hint"),
    [("AC10", "did you mean 'AC100'?"), ("parse-eror", "did you mean 'parse-error'?")],
)
def test_explain_unknown_rule_exits_2(
    key: str, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", key]) == 2
    err = capsys.readouterr().err
    assert f"unknown rule {key!r}" in err
    assert hint in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"agentcheck (langgraph-agentcheck) {__version__}\n"
