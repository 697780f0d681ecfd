"""The helpers the AC5xx rules share: ignore annotations, health paths, probe URLs."""

from __future__ import annotations

from typing import Any

import pytest

from agentcheck.deployment import Probe, Where
from agentcheck.lint.rules.operations import MissingProbes, MissingResources
from agentcheck.lint.rules.operations._common import (
    annotation_ignores,
    ignored_codes,
    is_db_checking_path,
    is_example,
    normalize_path,
    probe_path,
)


def _obj(meta: Any = None, template: Any = None) -> dict[str, Any]:
    return {"metadata": meta or {}, "spec": {"template": {"metadata": template or {}}}}


class TestIgnoreAnnotation:
    def test_codes_and_names_from_object_and_pod_template(self) -> None:
        obj = _obj(
            {"annotations": {"agentcheck.io/ignore": "AC503, AC505"}},
            {"annotations": {"agentcheck.io/ignore": "mutable-image-tag"}},
        )
        assert ignored_codes(obj) == {"AC503", "AC505", "mutable-image-tag"}
        assert annotation_ignores(obj, MissingProbes)
        assert annotation_ignores(obj, MissingResources)

    @pytest.mark.parametrize(
        "obj",
        [
            None,
            "text",
            _obj({"annotations": ["agentcheck.io/ignore"]}),
            _obj({"annotations": {"agentcheck.io/ignore": 503}}),
            _obj({"annotations": {"agentcheck.io/ignore": "AC5"}}),
            {"metadata": {}, "spec": ["not", "a", "mapping"]},
        ],
    )
    def test_nothing_is_ignored_by_malformed_or_partial_annotations(self, obj: Any) -> None:
        assert not annotation_ignores(obj, MissingProbes)


@pytest.mark.parametrize(
    ("path", "normal"),
    [
        ("/ok", "/ok"),
        ("/ok/", "/ok"),
        ("ok", "/ok"),
        ("/ok?check_db=1", "/ok"),
        ("http://localhost:8000/health#x", "/health"),
        ("/", "/"),
    ],
)
def test_normalize_path(path: str, normal: str) -> None:
    assert normalize_path(path) == normal


@pytest.mark.parametrize(
    ("kind", "path", "checks_db"),
    [
        ("agent-server", "/ok?check_db=1", True),
        ("agent-server", "/ok?check_db=true", True),
        ("agent-server", "/ok?check_db=0", False),
        ("agent-server", "/ok", False),
        ("agent-server", "http://127.0.0.1:8000/ok?check_db=1", True),
        ("aegra", "/health", True),
        ("aegra", "/ready", True),
        ("aegra", "/live", False),
        ("custom", "/health", False),
    ],
)
def test_is_db_checking_path(kind: Any, path: str, checks_db: bool) -> None:
    assert is_db_checking_path(kind, path) is checks_db


@pytest.mark.parametrize(
    ("command", "path"),
    [
        (("CMD", "curl", "-fsS", "http://localhost:8000/ok"), "/ok"),
        (("CMD-SHELL", "wget -qO- http://127.0.0.1:8000/health || exit 1"), "/health"),
        (
            (
                "CMD",
                "python",
                "-c",
                "urllib.request.urlopen('http://localhost:8000/ok?check_db=1')",
            ),
            "/ok?check_db=1",
        ),
        (("CMD", "curl", "http://localhost:8000"), "/"),
        (("CMD", "pg_isready"), None),
    ],
)
def test_probe_path_from_a_command(command: tuple[str, ...], path: str | None) -> None:
    probe = Probe("healthcheck", Where("docker-compose.yml", 3), command=command)
    assert probe_path(probe) == path


@pytest.mark.parametrize(
    ("rel", "example"),
    [
        (".env.example", True),
        ("prod.env.sample", True),
        ("config/.env.template", True),
        (".env.production", False),
        ("prod.env", False),
    ],
)
def test_is_example(rel: str, example: bool) -> None:
    assert is_example(rel) is example
