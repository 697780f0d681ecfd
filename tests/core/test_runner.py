from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pluggy
import pytest

from agentcheck import hookimpl, hookspecs
from agentcheck.config import Config
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules import core
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.plugins import all_rules
from agentcheck.project import Project


class TodoRule(Rule):
    """Flags TODO lines."""

    code = "XT001"
    name = "todo-line"
    severity = Severity.WARNING
    message = "A TODO."

    def check(self, project: Project) -> Iterable[Finding]:
        for rel in project.files:
            text = project.text(rel) or ""
            for lineno, line in enumerate(text.splitlines(), 1):
                if "TODO" in line:
                    yield self.finding(rel, lineno, line.index("TODO") + 1)


class CrashingRule(Rule):
    """Always crashes."""

    code = "XT002"
    name = "always-crashes"
    message = "never"

    def check(self, project: Project) -> Iterable[Finding]:
        raise KeyError("graphs")


class _Plugin:
    @hookimpl
    def agentcheck_rules(self) -> list[type[Rule]]:
        return [TodoRule, CrashingRule]


@pytest.fixture
def pm() -> pluggy.PluginManager:
    manager = pluggy.PluginManager("agentcheck")
    manager.add_hookspecs(hookspecs)
    manager.register(core)
    manager.register(_Plugin())
    return manager


def project_with(tmp_path: Path, files: dict[str, str], config: Config | None = None) -> Project:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return Project(tmp_path, config or Config())


def codes(findings: list[Finding]) -> list[tuple[str, str, int]]:
    return [(f.code, f.path, f.line) for f in findings]


def test_a_crashing_rule_is_ac901_and_the_others_run(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    project = project_with(tmp_path, {"a.py": "# TODO\n"})
    result = lint(project, enabled_rules(project, pm), pm=pm)
    assert sorted(f.code for f in result.findings) == ["AC901", "XT001"]
    crash = next(f for f in result.findings if f.code == "AC901")
    assert crash.message == "XT002 [always-crashes] crashed: KeyError: 'graphs'"
    assert crash.path.endswith("test_runner.py")


def test_suppression_covers_exactly_its_line(tmp_path: Path, pm: pluggy.PluginManager) -> None:
    project = project_with(
        tmp_path,
        {
            "a.sh": "echo TODO  # agentcheck: ignore[XT001] later\n# agentcheck: ignore[XT001]\necho TODO\n"
        },
    )
    result = lint(project, [TodoRule, core.UnusedSuppression], pm=pm)
    assert codes(result.findings) == [("AC900", "a.sh", 2), ("XT001", "a.sh", 3)]
    assert result.suppressed == 1
    unused = result.findings[0]
    assert unused.message.startswith("Unused suppression of XT001")


def test_suppression_by_name_and_unused_codes(tmp_path: Path, pm: pluggy.PluginManager) -> None:
    project = project_with(
        tmp_path, {"a.yaml": "x: TODO  # agentcheck: ignore[todo-line, XT002]\n"}
    )
    result = lint(project, [TodoRule, CrashingRule, core.UnusedSuppression], pm=pm)
    assert [(f.code, f.message) for f in result.findings if f.code != "AC901"] == [
        ("AC900", "Unused suppression of XT002: nothing on this line has that finding.")
    ]


def test_per_file_ignores_and_severity_override(tmp_path: Path, pm: pluggy.PluginManager) -> None:
    config = Config(per_file_ignores={"legacy/*": ("XT001",)}, severity={"XT001": Severity.ERROR})
    project = project_with(tmp_path, {"legacy/a.py": "TODO\n", "b.py": "TODO\n"}, config)
    result = lint(project, [TodoRule], pm=pm)
    assert [(f.path, f.severity) for f in result.findings] == [("b.py", Severity.ERROR)]
    assert result.suppressed == 1
    assert result.failed(Severity.ERROR)


def test_selection_from_config_and_command_line(tmp_path: Path, pm: pluggy.PluginManager) -> None:
    project = project_with(tmp_path, {}, Config(ignore=("XT002",)))
    assert [r.code for r in enabled_rules(project, pm)] == ["AC100", "AC900", "AC901", "XT001"]
    assert [r.code for r in enabled_rules(project, pm, select=["XT"])] == ["XT001", "XT002"]
    assert [r.code for r in enabled_rules(project, pm, select=["ALL"], ignore=["AC9"])] == [
        "AC100",
        "XT001",
        "XT002",
    ]


def test_parse_errors_are_reported_after_the_rules_that_found_them(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    class ReadsJson(TodoRule):
        code = "XT003"
        name = "reads-json"

        def check(self, project: Project) -> Iterable[Finding]:
            project.json("langgraph.json")
            return ()

    project = project_with(tmp_path, {"langgraph.json": "{"})
    result = lint(project, [core.ParseError, ReadsJson], pm=pm)
    assert codes(result.findings) == [("AC100", "langgraph.json", 1)]


def test_duplicate_codes_across_plugins_are_refused(pm: pluggy.PluginManager) -> None:
    class Other(Rule):
        """Dup."""

        code = "XT001"
        name = "dup"
        message = "dup"

    class _Dup:
        @hookimpl
        def agentcheck_rules(self) -> list[type[Rule]]:
            return [Other]

    pm.register(_Dup())
    with pytest.raises(RuntimeError, match="XT001 is defined twice"):
        all_rules(pm)


def test_rule_classes_validate_code_and_name() -> None:
    with pytest.raises(TypeError, match="kebab-case"):

        class Bad(Rule):
            code = "AC999"
            name = "Not_Kebab"
            message = "x"


class ImageRule(Rule):
    """Flags image lines."""

    code = "XT004"
    name = "image-line"
    message = "An image."

    def check(self, project: Project) -> Iterable[Finding]:
        for rel in project.files:
            for lineno, line in enumerate((project.text(rel) or "").splitlines(), 1):
                if "image:" in line:
                    yield self.finding(rel, lineno)


def test_k8s_annotation_suppresses_findings_inside_its_object(
    tmp_path: Path, pm: pluggy.PluginManager
) -> None:
    project = project_with(
        tmp_path,
        {
            "k8s/app.yaml": (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n"
                "  annotations:\n    agentcheck.io/ignore: AC503, image-line\n"
                "spec:\n  template:\n    spec:\n      containers:\n      - image: a:1\n"
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n"
                "spec:\n  template:\n    spec:\n      containers:\n      - image: b:1\n"
            )
        },
    )
    result = lint(project, [ImageRule], pm=pm)
    assert codes(result.findings) == [("XT004", "k8s/app.yaml", 21)]
    assert result.suppressed == 1


def test_rules_that_prefetch_run_after_the_others_and_before_ac100(tmp_path: Path) -> None:
    """A rule that starts work on other processes (the secrets scan) runs after every rule
    that does not, so that this process works while the other one does; AC100 still runs
    last; the findings come out sorted whatever the order."""
    ran: list[str] = []

    def rule(code: str, *, prefetches: bool) -> type[Rule]:
        def check(self: Rule, project: Project) -> Iterable[Finding]:
            ran.append(code)
            yield self.finding("a.txt", 1 if prefetches else 2)

        def prefetch(cls: type[Rule], project: Project) -> None:
            ran.append(f"prefetch {code}")

        body: dict[str, object] = {
            "code": code,
            "name": f"rule-{code.lower()}",
            "message": "m",
            "check": check,
        }
        if prefetches:
            body["prefetch"] = classmethod(prefetch)
        return type(f"Rule{code}", (Rule,), body)

    (tmp_path / "a.txt").write_text("x\ny\n")
    rules = [
        rule("XT010", prefetches=True),
        rule("XT020", prefetches=False),
        rule("XT030", prefetches=True),
        rule("XT040", prefetches=False),
        core.ParseError,
    ]
    project = Project(tmp_path, Config())
    result = lint(project, rules)
    assert ran == [
        "prefetch XT010",
        "prefetch XT030",
        "XT020",
        "XT040",
        "XT010",
        "XT030",
    ]
    assert [(f.code, f.line) for f in result.findings] == [
        ("XT010", 1),
        ("XT030", 1),
        ("XT020", 2),
        ("XT040", 2),
    ]
