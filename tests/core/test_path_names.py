"""files.name_of, files.suffix_of and files.dir_of say what pathlib says, without building a
path."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from agentcheck.files import dir_of, name_of, suffix_of
from agentcheck.secrets import can_hold_secrets

NAMES = [
    "a",
    ".env",
    ".env.local",
    "file.",
    "a.b.c",
    "x.tar.gz",
    "a..",
    "..a",
    "...",
    ".a.",
    "Makefile",
    "uv.lock",
    "deploy/k8s/values.yaml",
    "pkg/icon.PNG",
    "dir.d/noext",
    "a b/c d.txt",
    "requirements/dev.txt",
    "svc/requirements/base.in",
    ".github/workflows/ci.yaml",
]


@pytest.mark.parametrize("rel", NAMES)
def test_name_and_suffix_are_pathlibs(rel: str) -> None:
    name = name_of(rel)
    assert name == PurePosixPath(rel).name
    assert suffix_of(name) == PurePosixPath(rel).suffix
    parent = PurePosixPath(rel).parent
    assert dir_of(rel) == ("" if parent.as_posix() == "." else parent.as_posix())
    assert name_of(dir_of(rel)) == parent.name
    assert dir_of(dir_of(rel)) == ("" if (g := parent.parent.as_posix()) == "." else g)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("deploy/uv.lock", False),
        ("static/logo.svg", False),
        ("Poetry.lock", False),
        ("app/.env", True),
        ("app/settings.py", True),
        ("chart.tgz/", False),  # not normalized: judged by what pathlib names
        ("dir/yarn.lock/.", False),
    ],
)
def test_can_hold_secrets_judges_the_name_pathlib_sees(path: str, expected: bool) -> None:
    assert can_hold_secrets(path) is expected
