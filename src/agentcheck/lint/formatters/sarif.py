"""The SARIF 2.1.0 format, for code scanning (GitHub, GitLab, IDEs).

One run; ``tool.driver.rules`` describes every enabled rule from its class (id, name, the
docstring as help, the default level); each result names its rule, its level, a message with
the fix, a location relative to ``%SRCROOT%`` (the linted root) and a partial fingerprint that
survives line moves.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from agentcheck import __version__
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.formatters._report import Report
from agentcheck.lint.rule import Rule

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "doc_section", "render", "sarif_log"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_HEADING = re.compile(r"^(?P<title>[^\n]+)\n-{3,}\s*$", re.MULTILINE)


def doc_section(doc: str, title: str) -> str:
    """The body of the ``title`` section of a rule docstring (``""`` when it has none)."""
    matches = list(_HEADING.finditer(doc))
    for i, match in enumerate(matches):
        if match["title"].strip() == title:
            end = matches[i + 1].start() if i + 1 < len(matches) else len(doc)
            return doc[match.end() : end].strip()
    return ""


def _rule_descriptor(code: str, name: str, rule: type[Rule] | None) -> dict[str, Any]:
    if rule is None:
        return {"id": code, "name": name, "shortDescription": {"text": name}}
    doc = rule.documentation()
    what = doc_section(doc, "What it does") or rule.summary()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": what},
        "help": {"text": doc or rule.message, "markdown": doc or rule.message},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": ["agentcheck", f"{rule.code[:-2]}xx"]},
    }


def _artifact(path: str) -> dict[str, str]:
    # A crashed rule is reported where it crashed, which may be outside the linted root.
    if PurePosixPath(path).is_absolute():
        return {"uri": PurePosixPath(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _result(finding: Finding, index: int) -> dict[str, Any]:
    text = finding.message if not finding.fix else f"{finding.message}\nFix: {finding.fix}"
    return {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": _LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(finding.path),
                    "region": {"startLine": finding.line, "startColumn": finding.column},
                }
            }
        ],
        "partialFingerprints": {"agentcheckFingerprint/v1": finding.fingerprint()},
    }


def sarif_log(report: Report) -> dict[str, Any]:
    """``report`` as a SARIF log object."""
    described = report.rules_with_findings()
    index = {code: i for i, (code, _name, _rule) in enumerate(described)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "agentcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule_descriptor(*entry) for entry in described],
            }
        },
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True}],
        "results": [_result(f, index[f.code]) for f in report.findings],
    }
    if report.root is not None:
        run["originalUriBaseIds"] = {SRCROOT: {"uri": report.root.as_uri().rstrip("/") + "/"}}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(report: Report, *, color: bool = False) -> str:
    """``report`` as a SARIF 2.1.0 document (``color`` is ignored)."""
    return json.dumps(sarif_log(report), indent=2) + "\n"
