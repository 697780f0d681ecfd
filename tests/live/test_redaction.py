"""What the live checks print passes the redactor: a key in a check's message, a warning, the
servers' log lines or a debug traceback is never shown in full."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agentcheck.cli import main
from agentcheck.errors import LiveError
from agentcheck.live.checks import CheckFailed, LiveCheck, LiveContext, run_check
from agentcheck.live.orchestrator import Deployment
from agentcheck.live.settings import load_settings
from tests.live.runtime.test_backends import Echo
from tests.secrets.fakekeys import KEYS

KEY = KEYS["openai_env"]
#: A server that logs its environment at startup, as some do on a crash.
LOG = f"INFO settings: OPENAI_API_KEY={KEY} model=gpt-4o\nERROR run failed\n"


class Context(LiveContext):
    """One replica whose log is :attr:`text` (what a started server would have written)."""

    text = ""

    def _replica_count(self) -> int:
        return 1

    def _log(self, index: int) -> str:
        return self.text

    def keep_logs(self) -> None:  # no run directory to keep
        return None


class Leaky(LiveCheck):
    """Fails, or passes with a warning, quoting the key the server was given."""

    code = "AC897"
    name = "leaky"
    summary = "Quotes a key."
    needs_deployment = False
    fail = True

    def run(self, ctx: LiveContext, graph: str) -> str:
        assert isinstance(ctx, Context)
        ctx.text = LOG  # written while the check runs: a failure shows it
        ctx.warn(f"the server echoed Authorization: Bearer {KEY}")
        if self.fail:
            raise CheckFailed(f"the run failed with OPENAI_API_KEY={KEY} in its input")
        return f"passed; the server was given {KEY}"


@pytest.mark.parametrize("fail", [True, False], ids=["failed", "passed"])
def test_a_checks_outcome_never_carries_a_key(tmp_path: Path, fail: bool) -> None:
    (tmp_path / "langgraph.json").write_text('{"graphs": {}}', encoding="utf-8")
    settings = load_settings(tmp_path, table={}, run_budget=300)
    # A deployment nobody reaches: the check sends no request.
    ctx = Context(Deployment(settings.spec(managed=False), Echo("http://127.0.0.1:9")), settings)
    check = Leaky()
    check.fail = fail
    outcome = run_check(check, ctx, "probe")
    assert outcome.status == ("failed" if fail else "passed")
    shown = "\n".join([outcome.message, outcome.logs, *outcome.warnings])
    assert KEY not in shown
    assert KEY[:6] in shown  # masked in place, not dropped
    if fail:
        assert "ERROR run failed" in outcome.logs


def test_the_debug_traceback_masks_a_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(args: list[str]) -> int:
        raise RuntimeError(f"bad value OPENAI_API_KEY={KEY}")

    monkeypatch.setattr("agentcheck.cli._run", boom)
    monkeypatch.setenv("AGENTCHECK_DEBUG", "1")
    assert main(["lint"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert "RuntimeError: bad value OPENAI_API_KEY=" in err
    assert KEY not in err


def test_agentcheck_load_masks_what_it_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from agentcheck.load.cli import _say

    _say(f"agentcheck load: 10 users for 60 s against https://ops:{KEY}@agent.internal")
    _say(f"agentcheck load: warning: the server answered 401 for Bearer {KEY}")
    out = capsys.readouterr().out
    assert "https://ops:" in out
    assert "agent.internal" in out
    assert KEY not in out


class Logged(Deployment):
    """A deployment whose every log is :data:`LOG` (a server that printed its environment)."""

    def all_logs(self) -> Iterator[tuple[str, str]]:
        yield "replica-0", LOG


def test_the_logs_a_failure_keeps_are_masked(tmp_path: Path) -> None:
    (tmp_path / "langgraph.json").write_text('{"graphs": {}}', encoding="utf-8")
    settings = load_settings(tmp_path, table={}, run_budget=300)
    ctx = LiveContext(Logged(settings.spec(managed=False), Echo("http://127.0.0.1:9")), settings)
    ctx.startup_error = LiveError(f"the server exited: openai.AuthenticationError for {KEY}")
    kept = ctx.keep_logs()
    assert kept is not None
    files = {p.name: p.read_text(encoding="utf-8") for p in kept.iterdir()}
    assert set(files) == {"replica-0.log", "startup-error.txt"}
    assert "ERROR run failed" in files["replica-0.log"]
    assert not any(KEY in text for text in files.values())
