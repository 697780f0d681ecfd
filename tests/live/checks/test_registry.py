"""The live checks register through the agentcheck entry points, like any plugin's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy
import pytest

from agentcheck import hookimpl, hookspecs
from agentcheck.live.backends import Capability
from agentcheck.live.checks import LiveCheck, all_live_checks
from agentcheck.live.checks._runs import ranges
from agentcheck.plugins import get_plugin_manager


def test_the_builtin_checks_in_running_order() -> None:
    checks = all_live_checks(get_plugin_manager())
    assert [(c.code, c.name) for c in checks] == [
        ("AC801", "boot"),
        ("AC802", "sse-contract"),
        ("AC803", "sse-incremental"),
        ("AC804", "sse-idle-survival"),
        ("AC805", "sse-resume"),
        ("AC821", "cross-replica-state"),
        ("AC822", "cross-replica-stream"),
        ("AC823", "concurrent-thread-safety"),
        ("AC831", "load-slo"),
        ("AC811", "graceful-restart"),
        ("AC812", "crash-recovery"),
        ("AC813", "durable-after-ack"),
        ("AC814", "hitl-restart"),
        ("AC815", "database-outage"),
        ("AC824", "replica-loss"),
        ("AC832", "scale-out"),
        ("AC851", "upgrade-resume"),
        ("AC852", "rollback-read"),
        ("AC853", "mixed-version"),
    ]


def test_checks_that_break_the_deployment_say_what_they_need() -> None:
    by_code = {c.code: c for c in all_live_checks(get_plugin_manager())}
    for code in ("AC811", "AC812", "AC813", "AC814", "AC824", "AC832"):
        assert {Capability.KILL, Capability.RESTART} <= by_code[code].requires, code
    assert by_code["AC815"].requires == {Capability.RESTART}
    for code in ("AC851", "AC852", "AC853"):
        assert {Capability.KILL, Capability.RESTART, Capability.VERSIONS} <= by_code[code].requires
        assert by_code[code].destructive, code
    for code in ("AC801", "AC805", "AC821", "AC822", "AC823", "AC831"):
        assert not by_code[code].destructive, code


def test_each_check_documents_itself() -> None:
    for check in all_live_checks(get_plugin_manager()):
        doc = type(check).__doc__ or ""
        for heading in ("What it checks", "Why it matters", "How to fix"):
            assert f"{heading}\n    {'-' * len(heading)}" in doc, (check.code, heading)
        assert check.summary.endswith(".")


def test_params_are_the_users_graphs_or_the_probe() -> None:
    by_code = {c.code: c for c in all_live_checks(get_plugin_manager())}
    assert by_code["AC802"].params(["triage", "research"], "probe") == ["triage", "research"]
    assert by_code["AC803"].params(["triage", "research"], "probe") == ["probe"]
    assert by_code["AC851"].params(["triage", "research"], "probe") == [
        "probe",
        "triage",
        "research",
    ]


def _manager(*plugins: object) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("agentcheck")
    pm.add_hookspecs(hookspecs)
    for plugin in plugins:
        pm.register(plugin)
    return pm


class Restart(LiveCheck):
    code = "AC898"
    name = "graceful-restart"
    summary = "SIGTERM mid-run: the run completes."
    requires = frozenset({Capability.KILL, Capability.RESTART})


class Early(LiveCheck):
    code = "AC899"
    name = "third-party"
    summary = "A third party's check."


def test_destructive_checks_run_last_whatever_their_code() -> None:
    class Plugin:
        @hookimpl
        def agentcheck_live_checks(self) -> list[Any]:
            return [Restart, Early]

    from agentcheck.live import checks

    codes = [c.code for c in all_live_checks(_manager(checks, Plugin()))]
    assert codes[:5] == ["AC801", "AC802", "AC803", "AC804", "AC805"]
    assert codes.index("AC899") < codes.index("AC811")
    assert codes[-1] == "AC898"


def test_a_code_defined_twice_is_an_error() -> None:
    class Other(LiveCheck):
        code = "AC801"
        name = "other-boot"
        summary = "Another boot check."

    class Plugin:
        @hookimpl
        def agentcheck_live_checks(self) -> list[Any]:
            return [Other]

    from agentcheck.live import checks

    with pytest.raises(RuntimeError, match="AC801 is defined twice"):
        all_live_checks(_manager(checks, Plugin()))


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"code": "AC123", "name": "x", "summary": "s"}, "code must look like AC8xx"),
        ({"code": "AC899", "name": "Not_Kebab", "summary": "s"}, "name must be kebab-case"),
        ({"code": "AC899", "name": "x"}, "needs a one-sentence summary"),
    ],
)
def test_a_malformed_check_class_is_refused(attributes: dict[str, str], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        type("Bad", (LiveCheck,), attributes)


@pytest.mark.parametrize(
    ("numbers", "text"),
    [([], ""), ([3], "3"), ([1, 2, 3, 7, 9, 10], "1-3, 7, 9-10"), ([5, 4, 4], "4-5")],
)
def test_ranges(numbers: list[int], text: str) -> None:
    assert ranges(numbers) == text


def test_on_an_existing_deployment_the_breaking_checks_are_skipped_with_the_reason(
    tmp_path: Path,
) -> None:
    from agentcheck.live.backends import UrlBackend
    from agentcheck.live.checks import LiveContext, run_check
    from agentcheck.live.orchestrator import Deployment
    from agentcheck.live.settings import load_settings

    (tmp_path / "langgraph.json").write_text('{"graphs": {}}')
    settings = load_settings(tmp_path, table={}, run_budget=300.0, urls=["http://127.0.0.1:9"])
    ctx = LiveContext(Deployment(settings.spec(managed=False), UrlBackend(settings.urls)), settings)
    skipped = {}
    for check in all_live_checks(get_plugin_manager()):
        if check.destructive:
            outcome = run_check(check, ctx, "agentcheck_probe")
            assert outcome.status == "skipped", check.code
            skipped[check.code] = outcome.message
    assert sorted(skipped) == [
        *("AC811", "AC812", "AC813", "AC814", "AC815", "AC824", "AC832"),
        *("AC851", "AC852", "AC853"),
    ]
    assert (
        skipped["AC851"] == "the url runtime cannot kill, restart, run-another-version, same-port"
    )
    assert skipped["AC812"] == "the url runtime cannot kill, restart, same-port"
    assert skipped["AC815"] == "the url runtime cannot restart"
