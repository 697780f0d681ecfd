"""The JUnit XML format, for CI systems that show test reports.

One ``testcase`` per enabled rule (``classname="agentcheck"``,
``name="AC102[graph-target-missing]"``, the ids of ``pytest --agentcheck``). A rule with
findings at or above ``--fail-on`` fails, with one line per finding and its fix; findings below
it go to ``system-out``. Source lines are never included.
"""

from __future__ import annotations

import re
from functools import cache

from agentcheck.lint.finding import Finding
from agentcheck.lint.formatters._report import Report

__all__ = ["render"]

# Characters XML 1.0 cannot carry, even escaped. Compiled (5 ms) and xml.etree imported only
# when a JUnit report is written: every lint imports the formatters before it starts.
_INVALID_XML = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


@cache
def _invalid_xml() -> re.Pattern[str]:
    return re.compile(_INVALID_XML)


def _xml_text(text: str) -> str:
    return _invalid_xml().sub("\ufffd", text)


def _lines(findings: list[Finding], report: Report) -> str:
    out = []
    for f in findings:
        out.append(
            f"{report.display_path(f.path)}:{f.line}:{f.column}: {f.code} [{f.name}] {f.message}"
        )
        if f.fix:
            out.append(f"  = fix: {f.fix}")
    return _xml_text("\n".join(out))


def render(report: Report, *, color: bool = False) -> str:
    """``report`` as a JUnit XML document (``color`` is ignored)."""
    import xml.etree.ElementTree as ET

    by_code = report.by_code()
    cases = []
    failures = 0
    for code, name, _rule in report.rules_with_findings():
        findings = by_code.get(code, [])
        failing = [f for f in findings if f.severity >= report.fail_on]
        below = [f for f in findings if f.severity < report.fail_on]
        case = ET.Element(
            "testcase", {"classname": "agentcheck", "name": f"{code}[{name}]", "time": "0"}
        )
        if findings:
            case.set("file", _xml_text(report.display_path(findings[0].path)))
            case.set("line", str(findings[0].line))
        if failing:
            failures += 1
            noun = "finding" if len(failing) == 1 else "findings"
            failure = ET.SubElement(
                case,
                "failure",
                {"message": f"{len(failing)} {noun} of {code} [{name}]", "type": code},
            )
            failure.text = _lines(failing, report)
        if below:
            ET.SubElement(case, "system-out").text = _lines(below, report)
        cases.append(case)
    attrs = {
        "name": "agentcheck",
        "tests": str(len(cases)),
        "failures": str(failures),
        "errors": "0",
        "skipped": "0",
        "time": "0",
    }
    suites = ET.Element("testsuites", attrs)
    suite = ET.SubElement(suites, "testsuite", attrs)
    suite.extend(cases)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
