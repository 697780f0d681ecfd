"""The output formats, on reports built by hand: exact text, and the structure of each format."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agentcheck import __version__
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.formatters import FORMATS, Report, display_prefix, github, junit, sarif, text
from agentcheck.lint.formatters._redact import redact_line
from tests.cli.testrules import EnvPassword, GraphFileMissing, LatestImage, ReadmeMissing

SOURCES = {
    "langgraph.json": '{\n  "graphs": {\n    "triage": "./triage.py:graph"\n  }\n}\n',
    "compose.yaml": "services:\n  agent:\n    image: agent:latest\n",
    ".env": "POSTGRES_PASSWORD=hunter2-very-secret\n",
}


def finding(rule: type, path: str, line: int, column: int, message: str = "") -> Finding:
    return rule().finding(path, line, column, message=message or None)


GRAPH = finding(
    GraphFileMissing, "langgraph.json", 3, 15, "Graph 'triage': triage.py does not exist."
)
IMAGE = finding(LatestImage, "compose.yaml", 3, 12, "agent runs agent:latest.")
README = finding(ReadmeMissing, "langgraph.json", 1, 1)
SECRET = finding(EnvPassword, ".env", 1, 19, "POSTGRES_PASSWORD is set to hu***.")
RULES = (EnvPassword, GraphFileMissing, LatestImage, ReadmeMissing)


def make_report(*findings: Finding, **kwargs: object) -> Report:
    defaults: dict[str, object] = {
        "rules": RULES,
        "root": Path("/srv/agent"),
        "source": SOURCES.get,
    }
    defaults.update(kwargs)
    return Report(findings=sorted(findings, key=lambda f: f.sort_key), **defaults)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- text


def test_text_shows_location_code_source_caret_and_fix() -> None:
    out = text.render(make_report(GRAPH))
    assert out == (
        "langgraph.json:3:15: TST101 [graph-file-missing] Graph 'triage': triage.py does not exist.\n"
        "  |\n"
        '3 |     "triage": "./triage.py:graph"\n'
        "  |               ^\n"
        "  = fix: Point the graph at a file that exists.\n"
        "\n"
        "Found 1 finding: 1 error.\n"
    )


def test_text_summary_counts_severities_suppressed_and_baselined() -> None:
    report = make_report(GRAPH, IMAGE, README, suppressed=2, baselined=1)
    last = text.render(report).splitlines()[-1]
    assert last == "Found 3 findings: 1 error, 1 warning, 1 info (2 suppressed, 1 in the baseline)."


def test_text_when_clean() -> None:
    assert text.render(make_report(suppressed=1)) == "All checks passed (1 suppressed).\n"


def test_text_prefix_makes_paths_relative_to_the_current_directory() -> None:
    out = text.render(make_report(IMAGE, prefix="deploy/agent/"), concise=True)
    assert out.splitlines()[0] == (
        "deploy/agent/compose.yaml:3:12: TST102 [latest-image] agent runs agent:latest."
    )


def test_text_never_prints_the_line_of_a_secrets_finding() -> None:
    out = text.render(make_report(SECRET))
    assert "hunter2" not in out
    assert out.startswith(
        ".env:1:19: AC299 [test-env-password] POSTGRES_PASSWORD is set to hu***.\n"
        "  = fix: Inject it at deploy time.\n"
    )


def test_text_hides_a_line_a_secrets_finding_points_at_even_for_another_rule() -> None:
    other = finding(LatestImage, ".env", 1, 1, "something else on that line")
    out = text.render(make_report(SECRET, other))
    assert "hunter2" not in out
    assert "other" not in out  # no stray text
    assert out.count("= fix:") == 2


def test_text_masks_credentials_in_lines_it_shows() -> None:
    source = {"compose.yaml": "x: postgres://app:s3cr3t-pw@db:5432/app  # image: agent:latest\n"}
    f = finding(LatestImage, "compose.yaml", 1, 44)
    out = text.render(make_report(f, source=source.get))
    assert "s3cr3t-pw" not in out
    assert "postgres://app:*********@db:5432/app" in out


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("DATABASE_URI=postgres://u:pa55word@db/app", "DATABASE_URI=postgres://u:********@db/app"),
        ('"OPENAI_API_KEY": "abcd1234efgh"', '"OPENAI_API_KEY": "************"'),
        ("password: changeme", "password: ********"),
        ("key = sk-proj-abcdefghijklmnop1234", "key = sk-proj-********************"),
        ("token: ${TOKEN}", "token: ${TOKEN}"),
        ('"auth": {"path": "./auth.py:auth"}', '"auth": {"path": "./auth.py:auth"}'),
        ('    "triage": "./triage.py:graph"', '    "triage": "./triage.py:graph"'),
    ],
)
def test_redact_line(line: str, expected: str) -> None:
    assert redact_line(line) == expected
    assert len(redact_line(line)) == len(line)


def test_text_caret_under_the_column_with_tabs_and_wide_characters() -> None:
    source = {"a.yaml": "\t# 代理\tkey: value\n"}
    f = finding(LatestImage, "a.yaml", 1, 7)  # the "k" of key
    lines = text.render(make_report(f, source=source.get)).splitlines()
    shown, caret = lines[2], lines[3]
    # Tabs become spaces (4-column stops, counted in characters); the caret is placed in
    # terminal columns: "    # 代理    " is 4 + 2 + 4 (two wide characters) + 4 columns wide.
    assert shown == "1 |     # 代理    key: value"
    assert caret == "  | " + " " * 14 + "^"


def test_text_windows_long_lines_around_the_column() -> None:
    long = "a" * 500 + "TARGET" + "b" * 500
    f = finding(LatestImage, "a.yaml", 1, 501)
    lines = text.render(make_report(f, source={"a.yaml": long}.get)).splitlines()
    shown, caret = lines[2][len("1 | ") :], lines[3][len("  | ") :]
    assert len(shown) <= text.MAX_WIDTH
    assert shown.startswith("…")
    assert shown.endswith("…")
    assert shown[caret.index("^") :].startswith("TARGET")


def test_text_escapes_control_characters_from_files() -> None:
    source = {"a.yaml": "image: \x1b[31mred\x1b[0m\n"}
    f = finding(LatestImage, "a.yaml", 1, 8, "bad \x1b]0;title\x07 message")
    out = text.render(make_report(f, source=source.get))
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\\x1b[31mred" in out


def test_text_skips_the_excerpt_when_the_line_is_not_there() -> None:
    f = finding(LatestImage, "gone.yaml", 40, 1)
    out = text.render(make_report(f))
    assert out.splitlines()[:2] == [
        "gone.yaml:40:1: TST102 [latest-image] An image is tagged latest.",
        "  = fix: Pin the image to a version.",
    ]


def test_text_colour_only_when_asked() -> None:
    assert "\x1b[" not in text.render(make_report(GRAPH))
    coloured = text.render(make_report(GRAPH), color=True)
    assert "\x1b[1m\x1b[31mTST101\x1b[0m" in coloured


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_use_color_needs_a_terminal_and_no_NO_COLOR() -> None:
    assert text.use_color(_Tty(), {}) is True
    assert text.use_color(_Tty(), {"NO_COLOR": "1"}) is False
    assert text.use_color(io.StringIO(), {}) is False


# ---------------------------------------------------------------------------- json


def test_json_has_exactly_the_documented_shape() -> None:
    data = json.loads(FORMATS["json"](make_report(GRAPH, README, suppressed=3)))
    assert set(data) == {"version", "findings", "summary"}
    assert data["version"] == __version__
    assert data["findings"] == [
        {
            "code": "TST103",
            "name": "readme-missing",
            "severity": "info",
            "path": "langgraph.json",
            "line": 1,
            "column": 1,
            "message": "The project has no README.md.",
            "fix": "Write one.",
        },
        {
            "code": "TST101",
            "name": "graph-file-missing",
            "severity": "error",
            "path": "langgraph.json",
            "line": 3,
            "column": 15,
            "message": "Graph 'triage': triage.py does not exist.",
            "fix": "Point the graph at a file that exists.",
        },
    ]
    assert data["summary"] == {
        "total": 2,
        "error": 1,
        "warning": 0,
        "info": 1,
        "suppressed": 3,
        "baselined": 0,
    }


# ---------------------------------------------------------------------------- sarif

_SARIF_LEVELS = {"none", "note", "warning", "error"}


def check_sarif(log: dict) -> None:  # type: ignore[type-arg]
    """The parts of SARIF 2.1.0 that consumers (GitHub code scanning) require."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "agentcheck"
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule["shortDescription"]["text"]
        if "defaultConfiguration" in rule:
            assert rule["defaultConfiguration"]["level"] in _SARIF_LEVELS
    base_ids = run.get("originalUriBaseIds", {})
    for result in run["results"]:
        assert result["ruleId"] == ids[result["ruleIndex"]]
        assert result["level"] in _SARIF_LEVELS
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        artifact = physical["artifactLocation"]
        if "uriBaseId" in artifact:
            assert not artifact["uri"].startswith(("/", "file:"))
            assert artifact["uriBaseId"] in base_ids
            assert base_ids[artifact["uriBaseId"]]["uri"].endswith("/")
        else:
            assert artifact["uri"].startswith("file:///")
        region = physical["region"]
        assert region["startLine"] >= 1
        assert region["startColumn"] >= 1
        assert all(isinstance(v, str) and v for v in result["partialFingerprints"].values())


def test_sarif_is_structurally_valid_with_rule_metadata() -> None:
    log = json.loads(FORMATS["sarif"](make_report(GRAPH, IMAGE, README)))
    check_sarif(log)
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"AC299", "TST101", "TST102", "TST103"}  # every enabled rule
    graph = rules["TST101"]
    assert graph["name"] == "graph-file-missing"
    assert graph["defaultConfiguration"]["level"] == "error"
    assert rules["TST103"]["defaultConfiguration"]["level"] == "note"
    assert graph["shortDescription"]["text"] == "A graph names a file that is not there."
    assert graph["fullDescription"]["text"] == "Checks graphs."
    assert "Why is this bad?" in graph["help"]["text"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"TST101": "error", "TST102": "warning", "TST103": "note"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///srv/agent/"


def test_sarif_uris_are_percent_encoded_and_fingerprints_stable() -> None:
    moved = finding(LatestImage, "deploy/my compose.yaml", 9, 3, "agent runs agent:latest.")
    same = finding(LatestImage, "deploy/my compose.yaml", 30, 3, "agent runs agent:latest.")
    log = sarif.sarif_log(make_report(moved, same))
    check_sarif(log)
    first, second = log["runs"][0]["results"]
    uri = first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "deploy/my%20compose.yaml"
    assert first["partialFingerprints"] == second["partialFingerprints"]


def test_sarif_describes_a_crash_outside_the_root_without_its_rule() -> None:
    crash = Finding(
        "AC901", "rule-crashed", Severity.ERROR, "/opt/plugin/rule.py", 1, 1, "TST101 crashed"
    )
    log = sarif.sarif_log(make_report(crash, rules=()))
    check_sarif(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["AC901"]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "file:///opt/plugin/rule.py"}


def test_doc_section() -> None:
    doc = GraphFileMissing.documentation()
    assert sarif.doc_section(doc, "Why is this bad?") == "Because the test says so."
    assert sarif.doc_section(doc, "References") == ""


# ---------------------------------------------------------------------------- github


def test_github_workflow_commands() -> None:
    out = github.render(make_report(GRAPH, IMAGE, README))
    assert out.splitlines() == [
        "::warning file=compose.yaml,line=3,col=12,title=TST102::[latest-image] "
        "agent runs agent:latest.%0Afix: Pin the image to a version.",
        "::notice file=langgraph.json,line=1,col=1,title=TST103::[readme-missing] "
        "The project has no README.md.%0Afix: Write one.",
        "::error file=langgraph.json,line=3,col=15,title=TST101::[graph-file-missing] "
        "Graph 'triage': triage.py does not exist.%0Afix: Point the graph at a file that exists.",
    ]


def test_github_escapes_properties_and_data() -> None:
    f = finding(LatestImage, "a,b:c%.yaml", 1, 1, "100% wrong\r\nreally: yes, really")
    (line,) = github.render(make_report(f)).splitlines()
    assert line.startswith("::warning file=a%2Cb%3Ac%25.yaml,line=1,col=1,title=TST102::")
    assert line.endswith(
        "::[latest-image] 100%25 wrong%0D%0Areally: yes, really%0Afix: Pin the image to a version."
    )


# ---------------------------------------------------------------------------- junit


def test_junit_one_testcase_per_rule_failing_at_or_above_fail_on() -> None:
    report = make_report(GRAPH, IMAGE, README, fail_on=Severity.WARNING, prefix="agent/")
    root = ET.fromstring(junit.render(report))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == [
        "AC299[test-env-password]",
        "TST101[graph-file-missing]",
        "TST102[latest-image]",
        "TST103[readme-missing]",
    ]
    assert {c.get("classname") for c in cases.values()} == {"agentcheck"}
    assert suite.get("tests") == "4"
    assert suite.get("failures") == "2"
    assert cases["AC299[test-env-password]"].find("failure") is None
    failure = cases["TST101[graph-file-missing]"].find("failure")
    assert failure is not None
    assert failure.text == (
        "agent/langgraph.json:3:15: TST101 [graph-file-missing] Graph 'triage': triage.py does "
        "not exist.\n  = fix: Point the graph at a file that exists."
    )
    assert cases["TST101[graph-file-missing]"].get("file") == "agent/langgraph.json"
    info = cases["TST103[readme-missing]"]
    assert info.find("failure") is None
    out = info.find("system-out")
    assert out is not None
    assert "TST103" in (out.text or "")


def test_junit_stays_well_formed_with_control_characters() -> None:
    f = finding(LatestImage, "a.yaml", 1, 1, "bell \x07 and \x1b escape")
    root = ET.fromstring(junit.render(make_report(f)))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert "\ufffd and \ufffd escape" in (failure.text or "")


# ---------------------------------------------------------------------------- shared


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_no_format_prints_a_secret_from_the_source(name: str) -> None:
    out = FORMATS[name](make_report(SECRET, GRAPH))
    assert "hunter2" not in out


def test_display_prefix(tmp_path: Path) -> None:
    (tmp_path / "sub" / "dir").mkdir(parents=True)
    assert display_prefix(tmp_path, tmp_path) == ""
    assert display_prefix(tmp_path / "sub" / "dir", tmp_path) == "sub/dir/"
    assert display_prefix(tmp_path, tmp_path / "sub") == f"{tmp_path}/"
