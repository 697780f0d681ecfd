from __future__ import annotations

import subprocess
import sys

import pytest

from agentcheck.lint.rules.config._common import image_python_version


def test_langgraph_cli_config_is_imported_without_httpx() -> None:
    code = """
import sys
from agentcheck.lint.rules.config._common import langgraph_cli_config
config = langgraph_cli_config()
assert callable(config.validate_config)
assert "httpx" not in sys.modules, "httpx imported"
import httpx
assert type(httpx).__name__ == "module" and hasattr(httpx, "Client")
assert config.httpx.HTTPError is httpx.HTTPError  # the stand-in reaches the real module
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr


@pytest.mark.parametrize(
    ("image", "version"),
    [
        ("python:3.12-slim", "3.12"),
        ("docker.io/library/python:3.11.9-bookworm", "3.11"),
        ("langchain/langgraph-api:3.11", "3.11"),
        ("langchain/langgraph-api:0.2.3-py3.12", "3.12"),
        ("ghcr.io/astral-sh/uv:python3.13-bookworm-slim", "3.13"),
        ("python:3", None),
        ("python", None),
        ("ubuntu:24.04", None),
        ("node:20-alpine", None),
        ("registry.example.com:5000/team/app:3.12", None),
    ],
)
def test_image_python_version(image: str, version: str | None) -> None:
    assert image_python_version(image) == version
