"""AC851 on the example project with a release history: examples/support-desk committed as
v0.3.0 (its version), then a change on top, served as its [tool.agentcheck.live] says (langhost
on PostgreSQL + Redis, the fake LLM) with one replica and no proxy. Its graphs run with inputs
made from their State schema; escalation waits at an interrupt() and between its two steps."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from agentcheck.live.backends import LocalBackend
from agentcheck.live.checks import LiveContext, Outcome, all_live_checks, run_check
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.settings import load_settings
from tests.versions.conftest import Repo

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[3] / "examples" / "support-desk"
(AC851,) = [c for c in all_live_checks() if c.code == "AC851"]
STATE = "support_desk/state.py"
ESCALATION = "support_desk/agents/escalation.py"


def _replaced(root: Path, rel: str, old: str, new: str) -> dict[str, str]:
    text = (root / rel).read_text(encoding="utf-8")
    assert old in text, (rel, old)
    return {rel: text.replace(old, new)}


def _released(tmp_path: Path, change: dict[str, tuple[str, str]]) -> Path:
    """The example as a repository: v0.3.0, then ``change`` (path -> (old, new)) on top."""
    root = tmp_path / "support-desk"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".agentcheck", "__pycache__"))
    repo = Repo(root)
    repo.commit(tag="v0.3.0")
    files: dict[str, str] = {}
    for rel, (old, new) in change.items():
        files.update(_replaced(root, rel, old, new))
    repo.commit(files)
    return root


def _ac851(root: Path, langhost: Path) -> dict[str, Outcome]:
    settings = load_settings(root, run_budget=300.0)
    settings = dataclasses.replace(settings, replicas=1, proxy=None, results=None)
    backend = LocalBackend(langhost=str(langhost))
    with Deployment(settings.spec(), backend) as deployment:
        ctx = LiveContext(deployment, settings)
        try:
            return {g: run_check(AC851, ctx, g) for g in AC851.params(ctx.graphs, ctx.probe)}
        finally:
            ctx.close_clients()


def test_a_field_added_with_a_default_resumes_every_thread(tmp_path: Path, langhost: Path) -> None:
    root = _released(
        tmp_path,
        {
            STATE: ("    approved: bool\n", "    approved: bool\n    priority: str\n"),
            ESCALATION: ('"Refund approved."', '"Refund approved: it reaches you in 3 days."'),
        },
    )
    outcomes = _ac851(root, langhost)
    assert sorted(outcomes) == ["agentcheck_probe", "escalation", "research", "triage"]
    for graph, outcome in outcomes.items():
        assert outcome.status == "passed", f"{graph}: {outcome.message}\n{outcome.logs}"
        assert "moved from v0.3.0 to the working tree" in outcome.message
    escalation = outcomes["escalation"].message
    assert "waiting at the interrupt() in 'request_approval'" in escalation
    assert "between steps, at step 1 before 'notify'" in escalation


def test_a_renamed_field_fails_the_thread_that_waits_after_it_was_written(
    tmp_path: Path, langhost: Path
) -> None:
    root = _released(
        tmp_path,
        {
            STATE: ("    approved: bool\n", "    refund_approved: bool\n"),
            ESCALATION: ('"approved"', '"refund_approved"'),
        },
    )
    outcomes = _ac851(root, langhost)
    for graph in ("agentcheck_probe", "triage", "research"):
        assert outcomes[graph].status == "passed", outcomes[graph].message
    escalation = outcomes["escalation"]
    assert escalation.status == "failed", escalation.message
    # Written as 'approved' by v0.3.0, read as 'refund_approved' (with .get) after the upgrade:
    # no error, the wrong answer. The thread waiting at the interrupt() writes the new name.
    assert escalation.message.startswith("1 thread(s) of 'escalation' did not end as")
    assert (
        "left by v0.3.0 between steps, at step 1 before 'notify', continued by the working tree: "
        "'messages' item 2 is {'type': 'ai', 'content': 'Refund declined.', 'calls': []} where "
        "each version alone has {'type': 'ai', 'content': 'Refund approved.', 'calls': []}"
    ) in escalation.message
