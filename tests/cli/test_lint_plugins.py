"""A lint loads the plugins that add rules, not the live checks, load checks or runtimes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from agentcheck.plugins import _NOT_RULES, all_rules, get_plugin_manager

REPO = Path(__file__).resolve().parents[2]


def test_a_lint_plugin_manager_has_every_rule_and_no_live_check() -> None:
    full, lint = get_plugin_manager(), get_plugin_manager(lint=True)
    assert all_rules(lint) == all_rules(full)
    names = {name for name, _ in full.list_name_plugin()}
    left_out = {name for name, plugin in full.list_name_plugin() if plugin.__name__ in _NOT_RULES}
    assert left_out, "the built-in live checks are entry points"
    assert {name for name, _ in lint.list_name_plugin()} == names - left_out
    assert lint.hook.agentcheck_live_checks() == []
    assert lint.hook.agentcheck_runtimes() == []


def test_agentcheck_lint_does_not_import_the_live_checks(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("x = 1\n")
    code = (
        "import sys\n"
        "from agentcheck.cli import main\n"
        f"main(['lint', {str(tmp_path)!r}, '--no-cache', '--exit-zero'])\n"
        f"print(sorted(m for m in sys.modules if m.startswith({tuple(_NOT_RULES)!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    assert out.splitlines()[-1] == "[]"
