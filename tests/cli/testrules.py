"""Rules that exist only in agentcheck's own tests, and a plugin manager that serves them.

The CLI and pytest plugin tests use these instead of the built-in families so that their
expectations do not move when a rule is added. They load through a pluggy plugin manager, as a
third party's rules would.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pluggy
import pytest

from agentcheck import hookimpl, hookspecs
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules import core
from agentcheck.project import Project
from tests.fixtureprojects import RENAMES

FIXTURE = Path(__file__).parent.parent / "fixtures" / "cli" / "project"
_DOC = """{summary}

What it does
------------
{what}

Why is this bad?
----------------
Because the test says so.

Example
-------
```text
bad
```

Use instead
-----------
```text
good
```
"""


class GraphFileMissing(Rule):
    code = "TST101"
    name = "graph-file-missing"
    severity = Severity.ERROR
    message = "A graph's file does not exist."
    fix = "Point the graph at a file that exists."
    __doc__ = _DOC.format(summary="A graph names a file that is not there.", what="Checks graphs.")

    def check(self, project: Project) -> Iterable[Finding]:
        for config in project.langgraph_configs:
            graphs = config.data.get("graphs")
            if not isinstance(graphs, dict) or config.doc is None:
                continue
            for graph, target in graphs.items():
                if not isinstance(target, str):
                    continue
                rel = config.resolve(target.split(":")[0])
                if rel not in project.files:
                    line, column = config.doc.loc("graphs", graph)
                    yield self.finding(
                        config.path, line, column, message=f"Graph {graph!r}: {rel} does not exist."
                    )


class LatestImage(Rule):
    code = "TST102"
    name = "latest-image"
    severity = Severity.WARNING
    message = "An image is tagged latest."
    fix = "Pin the image to a version."
    __doc__ = _DOC.format(summary="An image tagged latest.", what="Checks compose images.")

    def check(self, project: Project) -> Iterable[Finding]:
        for rel in project.compose_files:
            for doc in project.yaml(rel):
                services = doc.data.get("services") if isinstance(doc.data, dict) else None
                for name, service in (services or {}).items():
                    image = service.get("image", "") if isinstance(service, dict) else ""
                    if str(image).endswith(":latest"):
                        line, column = doc.loc("services", name, "image")
                        yield self.finding(rel, line, column, message=f"{name} runs {image}.")


class ReadmeMissing(Rule):
    code = "TST103"
    name = "readme-missing"
    severity = Severity.INFO
    message = "The project has no README.md."
    fix = "Write one."
    __doc__ = _DOC.format(summary="No README.", what="Checks for a README.")

    def check(self, project: Project) -> Iterable[Finding]:
        if "README.md" not in project.files and project.langgraph_configs:
            yield self.finding(project.langgraph_configs[0].path, 1, 1)


class EnvPassword(Rule):
    code = "AC299"
    name = "test-env-password"
    severity = Severity.ERROR
    message = "An env file holds a password."
    fix = "Inject it at deploy time."
    __doc__ = _DOC.format(summary="A password in an env file.", what="Checks env files.")

    def check(self, project: Project) -> Iterable[Finding]:
        for rel in project.env_files:
            for lineno, line in enumerate((project.text(rel) or "").splitlines(), start=1):
                key, sep, value = line.partition("=")
                if sep and "PASSWORD" in key and value:
                    yield self.finding(
                        rel, lineno, len(key) + 2, message=f"{key} is set to {value[:2]}***."
                    )


TEST_RULES: list[type[Rule]] = [GraphFileMissing, LatestImage, ReadmeMissing, EnvPassword]


class RulesPlugin:
    @hookimpl
    def agentcheck_rules(self) -> list[type[Rule]]:
        return list(TEST_RULES)


#: The plugin object, also named by the entry point the subprocess tests install.
PLUGIN = RulesPlugin()


def plugin_manager_with_test_rules(*, lint: bool = False) -> pluggy.PluginManager:
    """agentcheck's core rules plus the test rules, loaded through pluggy (for a lint or
    not: no live checks either way)."""
    pm = pluggy.PluginManager("agentcheck")
    pm.add_hookspecs(hookspecs)
    pm.register(core)
    pm.register(PLUGIN)
    pm.check_pending()
    return pm


def use_test_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI and the pytest plugin load the test rules instead of the built-in ones."""
    monkeypatch.setattr("agentcheck.plugins.get_plugin_manager", plugin_manager_with_test_rules)


def copy_fixture(dest: Path, source: Path = FIXTURE) -> Path:
    """Copy the test project to ``dest`` (``_env`` becomes ``.env``)."""
    renames = {**RENAMES, "_env": ".env"}
    dest.mkdir(parents=True, exist_ok=True)
    for file in source.rglob("*"):
        if file.is_file():
            rel = file.relative_to(source)
            target = dest.joinpath(*(renames.get(part, part) for part in rel.parts))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.read_bytes())
    return dest
