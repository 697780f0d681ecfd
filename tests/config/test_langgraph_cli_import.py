"""langgraph-cli's validator is imported for AC101 without httpx and click on the lint path."""

from __future__ import annotations

import subprocess
import sys

_CODE = """
import sys
from agentcheck.lint.rules.config._common import langgraph_cli_config
config = langgraph_cli_config()
assert "click" not in sys.modules, "click imported"
assert "httpx" not in sys.modules, "httpx imported"
config.validate_config({"dependencies": ["."], "graphs": {"agent": "./agent.py:graph"}})
assert "click" not in sys.modules, "click imported by a valid config"
try:
    config.validate_config({"graphs": {"agent": "./agent.py:graph"}})
except Exception as exc:
    import click
    assert isinstance(exc, click.UsageError), type(exc)
    print("ok", type(exc).__name__)
"""


def test_click_is_imported_only_when_langgraph_cli_rejects_a_config() -> None:
    out = subprocess.run([sys.executable, "-c", _CODE], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok UsageError", out.stderr
