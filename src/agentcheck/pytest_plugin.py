"""pytest plugin: ``pytest --agentcheck`` runs every enabled lint rule as a test item.

Items are named after their rule (``agentcheck::AC102[graph-target-missing]``) and marked
``agentcheck``, so ``-k``, ``-m``, ``--deselect`` and ``--junitxml`` treat them like any test.
An item fails when its rule finds something at or above ``fail-on`` and prints the findings as
``agentcheck lint`` does, not a traceback; findings below ``fail-on`` leave the item passing and
are listed in an ``agentcheck`` section of the terminal summary. The project is linted once,
when the first item runs.

Without ``--agentcheck`` the plugin only adds its options: nothing is imported, collected or
registered. ``--agentcheck-only`` collects no test files, only what agentcheck adds (the live
plugin's checks too).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import os

    import pluggy

    from agentcheck.lint.finding import Finding, Severity
    from agentcheck.lint.rule import Rule
    from agentcheck.lint.runner import LintResult
    from agentcheck.project import Project

__all__ = ["LintPlugin", "RuleItem", "RulesCollector"]

#: Where the plugin keeps agentcheck's own plugin manager and the linted project.
PLUGIN_MANAGER_KEY: pytest.StashKey[pluggy.PluginManager] = pytest.StashKey()
PROJECT_KEY: pytest.StashKey[Project] = pytest.StashKey()

COLLECTOR_NAME = "agentcheck"
MARKER = "agentcheck"
_CRASH_CODE = "AC901"


class RuleFindings(Exception):
    """Raised by a rule's item when the rule found something at or above ``fail-on``."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__(f"{len(findings)} finding(s)")
        self.findings = list(findings)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("agentcheck", "agentcheck: deployment checks for LangGraph agents")
    group.addoption(
        "--agentcheck",
        action="store_true",
        default=False,
        help="run agentcheck's lint rules as test items, one per rule",
    )
    group.addoption(
        "--agentcheck-root",
        metavar="PATH",
        default=None,
        help="the project to check, when langgraph.json is not at the rootdir (default: rootdir)",
    )
    group.addoption(
        "--agentcheck-only",
        action="store_true",
        default=False,
        help="collect no test files: run only agentcheck's items",
    )
    group.addoption(
        "--agentcheck-select",
        action="append",
        default=[],
        metavar="CODES",
        help="comma-separated codes, prefixes or names to run instead of the configured selection",
    )
    group.addoption(
        "--agentcheck-ignore",
        action="append",
        default=[],
        metavar="CODES",
        help="comma-separated codes, prefixes or names not to run",
    )
    group.addoption(
        "--agentcheck-since",
        metavar="REF",
        default=None,
        help="AC601-AC603: the git revision of the last release (default: release-ref, else "
        "the newest version tag)",
    )
    group.addoption(
        "--agentcheck-fail-on",
        choices=("error", "warning", "info"),
        default=None,
        help="lowest severity that fails a rule's item (default: the configured fail-on, "
        "else warning); lower ones are listed in the summary",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("agentcheck_only"):
        config.pluginmanager.register(OnlyAgentcheck(), "agentcheck-only")
    if not config.getoption("agentcheck"):
        return
    config.addinivalue_line(
        "markers", f"{MARKER}: an agentcheck rule or check (pytest --agentcheck)"
    )
    config.pluginmanager.register(LintPlugin.from_config(config), "agentcheck-lint")


class OnlyAgentcheck:
    """``--agentcheck-only``: no test file is collected."""

    def pytest_ignore_collect(self, collection_path: Path) -> bool:
        return True


def _root_option(config: pytest.Config) -> Path:
    value = config.getoption("agentcheck_root")
    if value is None:
        return Path(config.rootpath)
    root = (config.invocation_params.dir / str(value)).resolve()
    if not root.is_dir():
        raise pytest.UsageError(f"--agentcheck-root {value}: no such directory")
    return root


class LintPlugin:
    """The state of one ``pytest --agentcheck`` session: the project, its rules, the result."""

    def __init__(
        self,
        config: pytest.Config,
        project: Project,
        rules: Sequence[type[Rule]],
        fail_on: Severity,
    ) -> None:
        self.config = config
        self.project = project
        self.rules = list(rules)
        self.fail_on = fail_on
        self._result: LintResult | None = None
        #: Findings below fail-on of the items that ran, for the terminal summary.
        self.below_fail_on: list[Finding] = []

    @classmethod
    def from_config(cls, config: pytest.Config) -> LintPlugin:
        """Read the project's configuration and select its rules.

        :raises pytest.UsageError: for a configuration error or an unknown selector.
        """
        __tracebackhide__ = True
        from agentcheck import plugins
        from agentcheck.config import load_config, since
        from agentcheck.errors import AgentcheckError
        from agentcheck.lint.finding import Severity
        from agentcheck.lint.runner import enabled_rules
        from agentcheck.lint.selectors import check_selectors, split_codes
        from agentcheck.project import Project

        root = _root_option(config)
        try:
            settings = since(
                load_config(root), config.getoption("agentcheck_since"), "--agentcheck-since"
            )
            project = Project(root, settings)
            if settings.release_ref_origin != "release-ref":
                from agentcheck.versions import check_since

                check_since(project)
            pm = plugins.get_plugin_manager()
            known = plugins.all_rules(pm)
            select = check_selectors(
                split_codes(config.getoption("agentcheck_select")), known, "--agentcheck-select"
            )
            ignore = check_selectors(
                split_codes(config.getoption("agentcheck_ignore")), known, "--agentcheck-ignore"
            )
            rules = enabled_rules(project, pm, select=select or None, ignore=ignore or None)
        except AgentcheckError as exc:
            from agentcheck.secrets import mask_text

            raise pytest.UsageError(mask_text(str(exc))) from None
        # The runner reports crashed rules whatever the selection; give them an item.
        if rules and all(r.code != _CRASH_CODE for r in rules):
            rules += [r for r in known if r.code == _CRASH_CODE]
        fail_on_option = config.getoption("agentcheck_fail_on")
        fail_on = Severity.parse(fail_on_option) if fail_on_option else project.config.fail_on
        config.stash[PLUGIN_MANAGER_KEY] = pm
        config.stash[PROJECT_KEY] = project
        return cls(config, project, rules, fail_on)

    # ----------------------------------------------------------------- hooks

    def pytest_report_header(self) -> str:
        return f"agentcheck: {self.project.root}, {len(self.rules)} rules"

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.below_fail_on:
            return
        from agentcheck.lint.formatters.text import format_findings

        findings = sorted(self.below_fail_on, key=lambda f: f.sort_key)
        terminalreporter.section("agentcheck")
        noun = "finding" if len(findings) == 1 else "findings"
        terminalreporter.line(
            f"{len(findings)} {noun} below fail-on ({self.fail_on.value}), not failing:"
        )
        terminalreporter.line(format_findings(findings, prefix=self.display_prefix(), concise=True))

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        # Runs before -k, -m and --deselect filter the items, so they apply to ours too.
        collector = RulesCollector.from_parent(
            session, path=config.rootpath / COLLECTOR_NAME, plugin=self
        )
        new: list[pytest.Item | pytest.Collector] = list(collector.collect())
        report = pytest.CollectReport(collector.nodeid, "passed", None, new)
        config.hook.pytest_collectreport(report=report)
        items[:0] = [item for item in new if isinstance(item, pytest.Item)]

    # ----------------------------------------------------------------- lint

    def result(self) -> LintResult:
        """The lint result, computed on first use."""
        if self._result is None:
            from agentcheck.lint.runner import lint

            # The lint cache, as the CLI keeps it (AGENTCHECK_NO_CACHE=1 turns it off).
            self._result = lint(self.project, self.rules, cache=True)
        return self._result

    def findings(self, code: str) -> list[Finding]:
        return list(self.result().by_rule.get(code, []))

    def display_prefix(self) -> str:
        from agentcheck.lint.formatters import display_prefix

        return display_prefix(self.project.root, self.config.invocation_params.dir)

    def format(self, findings: Sequence[Finding]) -> str:
        """``findings`` as ``agentcheck lint`` prints them (without colour)."""
        from agentcheck.lint.formatters.text import format_findings

        all_findings = self.result().findings
        hidden = {(f.path, f.line) for f in all_findings if f.code.startswith("AC2")}

        def source(path: str) -> str | None:
            return self.project.text(path, report=False) if path in self.project.files else None

        return format_findings(
            findings, source=source, prefix=self.display_prefix(), hidden_lines=hidden
        )


class RulesCollector(pytest.File):
    """The ``agentcheck`` node: one item per enabled rule."""

    def __init__(self, *, plugin: LintPlugin, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plugin = plugin

    def collect(self) -> Iterator[RuleItem]:
        for rule in self.plugin.rules:
            name = f"{rule.code}[{rule.name}]"
            # The node id is given as a string, as pytest parses the ids it stores (--lf, --sw):
            # pytest 9 then reads "[graph-target-missing]" as the id's parameters, like a
            # parametrized test's, and a failed rule matches its cached id on the next run.
            item = RuleItem.from_parent(self, name=name, nodeid=f"{self.nodeid}::{name}", rule=rule)
            item.add_marker(MARKER)
            yield item


class RuleItem(pytest.Item):
    """One lint rule as a test: passes when the rule finds nothing at or above ``fail-on``."""

    def __init__(self, *, rule: type[Rule], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule

    @property
    def plugin(self) -> LintPlugin:
        assert isinstance(self.parent, RulesCollector)
        return self.parent.plugin

    def runtest(self) -> None:
        plugin = self.plugin
        findings = plugin.findings(self.rule.code)
        failing = [f for f in findings if f.severity >= plugin.fail_on]
        plugin.below_fail_on.extend(f for f in findings if f.severity < plugin.fail_on)
        if failing:
            raise RuleFindings(failing)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, RuleFindings):
            findings = excinfo.value.findings
            text = self.plugin.format(findings)
            return f"{text}\n\n`agentcheck explain {self.rule.code}` documents this rule."
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        domain = f"{self.rule.code} [{self.rule.name}]"
        root = self.plugin.project.root
        try:
            findings = self.plugin.findings(self.rule.code)
        except Exception:  # reported by runtest, with its traceback
            findings = []
        if findings:
            return root / findings[0].path, findings[0].line - 1, domain
        return root, None, domain
