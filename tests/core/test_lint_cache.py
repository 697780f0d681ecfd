"""The lint cache (agentcheck.lint.cache) on real files: a cached lint reports what a lint
without the cache reports, after every kind of change, and a broken cache is only a miss."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from agentcheck.cli import main
from agentcheck.lint import cache as cache_mod
from agentcheck.lint.cache import CACHE_DIR, open_cache
from agentcheck.lint.finding import Finding
from agentcheck.lint.runner import lint
from agentcheck.plugins import all_rules
from agentcheck.project import Project

GRAPH = """\
from langgraph.graph import END, START, StateGraph

builder = StateGraph(dict)
builder.add_node("answer", lambda state: state)
builder.add_edge(START, "answer")
builder.add_edge("answer", END)
graph = builder.compile()
"""
KEY = 'OPENAI_SERVICE_KEY = "sk-svcacct-dEf-b56icrAIFtihqSaDhBDTehPByuFpUtvs4nKQ4WQnbRfI4uZ8iPMX"\n'
SAFE = (
    'OPENAI_SERVICE_KEY = os.environ["OPENAI_SERVICE_KEY"]  # read at start-up from the '
    "environment, never written in the source\n"
)


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AGENTCHECK_NO_CACHE", raising=False)


def write(root: Path, files: dict[str, str], *, age: float = 100.0) -> None:
    """Write ``files`` with a modification time ``age`` seconds ago (a file modified in the
    two seconds before a run is never trusted by the cache, by design)."""
    then = time.time() - age
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        os.utime(path, (then, then))


def project_files(**extra: str) -> dict[str, str]:
    return {
        "langgraph.json": '{"dependencies": ["."], "graphs": {"agent": "./agent.py:graph"}}\n',
        "agent.py": GRAPH,
        "settings.py": "import os\n" + SAFE,
        **extra,
    }


def run(root: Path, cache_dir: Path | None) -> list[Finding]:
    project = Project(root)
    return lint(project, cache=cache_dir is not None, cache_dir=cache_dir).findings


def cached(root: Path, cache_dir: Path) -> list[Finding]:
    """A cached lint, checked against a lint without the cache."""
    found = run(root, cache_dir)
    assert found == run(root, None)
    return found


def codes(found: list[Finding]) -> set[tuple[str, str]]:
    return {(f.code, f.path) for f in found}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def valid_entries(root: Path, cache_dir: Path) -> set[str]:
    project = Project(root)
    store = open_cache(project, all_rules(), cache_dir)
    assert store is not None
    return set(store.valid)


def test_warm_lint_replays_and_an_edit_of_the_same_size_is_seen(tmp_path: Path) -> None:
    root, cdir = tmp_path / "p", tmp_path / "c"
    write(root, project_files())
    assert ("AC201", "settings.py") not in codes(cached(root, cdir))
    assert {"AC201", "AC102", "AC100:inputs"} <= valid_entries(root, cdir)
    assert ("AC201", "settings.py") not in codes(cached(root, cdir))  # warm

    text = "import os\n" + KEY
    text += "#" * (len("import os\n" + SAFE) - len(text) - 1) + "\n"
    assert len(text) == len("import os\n" + SAFE)
    write(root, {"settings.py": text}, age=50)  # same size, new content and time
    assert "AC201" not in valid_entries(root, cdir)
    assert ("AC201", "settings.py") in codes(cached(root, cdir))
    assert ("AC201", "settings.py") in codes(cached(root, cdir))  # warm again

    write(root, project_files(), age=20)
    assert ("AC201", "settings.py") not in codes(cached(root, cdir))


def test_an_unrelated_edit_keeps_the_rules_that_did_not_read_it(tmp_path: Path) -> None:
    root, cdir = tmp_path / "p", tmp_path / "c"
    write(root, project_files(**{"notes.md": "# notes\n"}))
    cached(root, cdir)
    write(root, {"notes.md": "# notes, longer\n"}, age=50)
    valid = valid_entries(root, cdir)
    assert "AC102" in valid  # the graph rule never read notes.md
    assert "AC201" not in valid  # the secrets scan reads every file


def test_an_edit_that_keeps_size_and_mtime_is_not_seen(tmp_path: Path) -> None:
    """The documented limit, as ruff's and mypy's: size and modification time decide."""
    root, cdir = tmp_path / "p", tmp_path / "c"
    write(root, project_files())
    cached(root, cdir)
    path = root / "settings.py"
    st = path.stat()
    text = "import os\n" + KEY
    text += "#" * (st.st_size - len(text) - 1) + "\n"
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert ("AC201", "settings.py") not in codes(run(root, cdir))
    assert ("AC201", "settings.py") in codes(run(root, None))


def test_a_file_modified_just_before_the_run_is_not_trusted(tmp_path: Path) -> None:
    root, cdir = tmp_path / "p", tmp_path / "c"
    write(root, project_files(), age=0)
    cached(root, cdir)
    assert "AC201" not in valid_entries(root, cdir)


def test_new_and_deleted_files(tmp_path: Path) -> None:
    root, cdir = tmp_path / "p", tmp_path / "c"
    write(root, project_files())
    cached(root, cdir)
    write(root, {"keys.py": KEY}, age=50)
    assert ("AC201", "keys.py") in codes(cached(root, cdir))
    (root / "keys.py").unlink()
    assert ("AC201", "keys.py") not in codes(cached(root, cdir))
    (root / "agent.py").unlink()
    assert any(f.code == "AC102" for f in cached(root, cdir))


def test_a_configuration_change(tmp_path: Path) -> None:
    root, cdir = tmp_path / "p", tmp_path / "c"
    write(root, project_files(**{"keys.py": KEY}))
    assert ("AC201", "keys.py") in codes(cached(root, cdir))
    config = '[tool.agentcheck]\nper-file-ignores = {"keys.py" = ["AC201"]}\n'
    write(root, {"pyproject.toml": config}, age=50)
    assert ("AC201", "keys.py") not in codes(cached(root, cdir))
    write(root, {"pyproject.toml": "[tool.agentcheck]\nexclude = []\n"}, age=40)
    assert ("AC201", "keys.py") in codes(cached(root, cdir))


def test_a_gitignore_change_and_a_new_ignored_env_file(tmp_path: Path) -> None:
    root, cdir = tmp_path / "p", tmp_path / "c"
    files = project_files(**{".gitignore": ".agentcheck_cache/\n"})
    files["langgraph.json"] = (
        '{"dependencies": ["."], "graphs": {"agent": "./agent.py:graph"}, "env": ".env"}\n'
    )
    write(root, files)
    git(root, "init", "-q")
    git(root, "add", "-A")
    first = cached(root, cdir)
    assert ("AC104", "langgraph.json") in codes(first)  # .env is missing

    write(root, {".gitignore": ".agentcheck_cache/\n.env\n"}, age=50)
    cached(root, cdir)
    write(root, {".env": "OPENAI_API_KEY=sk-local\n"}, age=40)  # ignored: not in the listing
    assert ("AC104", "langgraph.json") not in codes(cached(root, cdir))
    (root / ".env").unlink()
    assert ("AC104", "langgraph.json") in codes(cached(root, cdir))

    write(root, {"keys.py": KEY}, age=30)
    assert ("AC201", "keys.py") in codes(cached(root, cdir))
    write(root, {".gitignore": ".agentcheck_cache/\n.env\nkeys.py\n"}, age=20)
    assert ("AC201", "keys.py") not in codes(cached(root, cdir))


def test_a_new_version_or_source_of_agentcheck_invalidates_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, cdir = tmp_path / "p", tmp_path / "c"
    write(root, project_files())
    cached(root, cdir)
    assert valid_entries(root, cdir)
    monkeypatch.setattr(cache_mod, "_sources_signature", lambda: "an edited checkout")
    assert valid_entries(root, cdir) == set()
    cached(root, cdir)
    assert valid_entries(root, cdir)


def forge(root: Path, cdir: Path, pattern: str, content: str) -> None:
    """Lint a project with a secret into ``cdir``, then replace the cache file ``pattern``
    names with ``content`` (``KEY`` in it becomes the file's real key)."""
    write(root, project_files(**{"keys.py": KEY}))
    cached(root, cdir)
    (cache_file,) = cdir.glob(pattern)
    key = json.loads(cache_file.read_text(encoding="utf-8"))["key"]
    cache_file.write_text(content.replace("KEY", key), encoding="utf-8")


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"format": 1}',
        "\0\1\2",
        '{"format": 1, "key": "KEY", "paths": [["settings.py", 5]], "dirs": [], '
        '"marked": [], "entries": {"AC201": {"findings": [["AC201", "x", "bogus", "a", 1, 1, '
        '"m", "", ""]], "paths": [-1], "dirs": [], "texts": [], "events": []}}}',
        '{"format": 1, "key": "KEY", "paths": [], "dirs": [], "marked": [], "entries": '
        '{"AC201": {"findings": [], "paths": [7], "dirs": [], "texts": [], "events": '
        '[["p", "x", "m", 1, 1, "error", null]]}}}',
        '{"format": 1, "key": "KEY", "paths": [], "dirs": [], "marked": [], "entries": '
        '{"AC201": {"findings": [], "paths": [], "dirs": [], "texts": [], "events": '
        '[["exec", "import os"]]}}}',
        "[" * 100_000,
    ],
)
def test_a_corrupt_or_hostile_cache_is_a_miss(tmp_path: Path, content: str) -> None:
    root, cdir = tmp_path / "p", tmp_path / "c"
    forge(root, cdir, "lint-*.json", content)
    assert valid_entries(root, cdir) == set()
    assert ("AC201", "keys.py") in codes(cached(root, cdir))


def test_a_cache_directory_git_tracks_is_never_read(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write(root, project_files(**{"keys.py": KEY}))
    cached(root, root / CACHE_DIR)
    (root / CACHE_DIR / ".gitignore").unlink()
    git(root, "init", "-q")
    git(root, "add", "-A")
    assert open_cache(Project(root), all_rules(), None) is None
    assert ("AC201", "keys.py") in codes(run(root, root / CACHE_DIR))


def test_a_cache_directory_that_is_a_link_is_never_used(tmp_path: Path) -> None:
    """A repository (an unpacked archive) holding ``.agentcheck_cache`` as a link: the lint
    writes nothing where it points."""
    root, elsewhere = tmp_path / "p", tmp_path / "elsewhere"
    write(root, project_files(**{"keys.py": KEY}))
    elsewhere.mkdir()
    (root / CACHE_DIR).symlink_to(elsewhere, target_is_directory=True)
    assert open_cache(Project(root), all_rules(), None) is None
    assert ("AC201", "keys.py") in codes(run(root, root / CACHE_DIR))
    assert list(elsewhere.iterdir()) == []


def test_planted_files_in_the_cache_directory_are_never_followed(tmp_path: Path) -> None:
    """A FIFO where the cache file goes is a miss (the lint does not block on it); a dangling
    link where the cache's .gitignore goes is left alone (nothing is created where it
    points)."""
    root, cdir = tmp_path / "p", tmp_path / "c"
    forge(root, cdir, "lint-*.json", "{}")
    (cache_file,) = cdir.glob("lint-*.json")
    cache_file.unlink()
    os.mkfifo(cache_file)
    (cdir / ".gitignore").unlink()
    target = tmp_path / "planted" / "target"
    target.parent.mkdir()
    (cdir / ".gitignore").symlink_to(target)
    assert ("AC201", "keys.py") in codes(cached(root, cdir))
    assert not target.exists()
    assert (cdir / ".gitignore").is_symlink()


def cli(root: Path, *flags: str) -> str:
    from contextlib import redirect_stdout
    from io import StringIO

    out = StringIO()
    with redirect_stdout(out):
        main(["lint", str(root), "--format", "json", "--exit-zero", *flags])
    return out.getvalue()


def test_the_cli_caches_at_the_root_and_no_cache_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "p"
    write(root, project_files(**{"keys.py": KEY}))
    reference = cli(root, "--no-cache")
    assert not (root / CACHE_DIR).exists()
    assert cli(root) == reference
    then = time.time() - 30  # making the cache changed the root's listing: make that old news
    os.utime(root, (then, then))
    assert cli(root) == reference
    (written,) = (root / CACHE_DIR).glob("lint-*.json")
    before = written.stat().st_ino
    assert cli(root) == reference
    assert written.stat().st_ino == before  # nothing changed: the cache is not rewritten
    assert (root / CACHE_DIR / "CACHEDIR.TAG").is_file()
    monkeypatch.setenv("AGENTCHECK_NO_CACHE", "1")
    assert cli(root, "--cache-dir", str(tmp_path / "c")) == reference
    assert not (tmp_path / "c").exists()
    monkeypatch.delenv("AGENTCHECK_NO_CACHE")
    assert cli(root, "--cache-dir", str(tmp_path / "c")) == reference
    assert cli(root, "--cache-dir", str(tmp_path / "c")) == reference
    written = sorted(p.name for p in (tmp_path / "c").iterdir())
    assert written[:2] == [".gitignore", "CACHEDIR.TAG"]
    assert written[2].startswith("lint-")
    assert (tmp_path / "c" / ".gitignore").read_text() == "*\n"


def test_an_unwritable_cache_is_no_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "p"
    write(root, project_files(**{"keys.py": KEY}))
    reference = cli(root, "--no-cache")
    capsys.readouterr()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n", encoding="utf-8")
    assert cli(root, "--cache-dir", str(blocker / "cache")) == reference
    assert cli(root, "--cache-dir", str(blocker)) == reference
    assert capsys.readouterr().err == ""


def test_the_secrets_scan_reads_only_changed_files(tmp_path: Path) -> None:
    """The per-file cache of the scan is what AC201 uses for unchanged files: a forged entry
    for an unchanged file is believed (which is how it saves the reading), a changed file is
    scanned again."""
    root, cdir = tmp_path / "p", tmp_path / "c"
    write(root, project_files(**{"keys.py": KEY, "more.py": KEY}))
    assert {("AC201", "keys.py"), ("AC201", "more.py")} <= codes(cached(root, cdir))
    (hits_file,) = cdir.glob("secrets-*.json")
    data = json.loads(hits_file.read_text(encoding="utf-8"))
    assert data["files"]["keys.py"][1]  # its hits
    data["files"]["keys.py"][1] = []
    data["files"]["more.py"][1] = []
    hits_file.write_text(json.dumps(data), encoding="utf-8")
    write(root, {"notes.md": "# notes\n", "more.py": KEY + "\n"}, age=50)
    found = codes(run(root, cdir))
    assert ("AC201", "keys.py") not in found  # unchanged: the (forged) cache answered
    assert ("AC201", "more.py") in found  # changed: scanned again


@pytest.mark.parametrize("content", ["{", '{"format": 1, "key": "KEY", "files": {"keys.py": 3}}'])
def test_a_corrupt_secrets_cache_is_a_miss(tmp_path: Path, content: str) -> None:
    root, cdir = tmp_path / "p", tmp_path / "c"
    forge(root, cdir, "secrets-*.json", content)
    write(root, {"notes.md": "# notes\n"}, age=50)
    assert ("AC201", "keys.py") in codes(cached(root, cdir))


def test_an_ignored_env_file_found_by_listing_its_directory(tmp_path: Path) -> None:
    """AC204 looks for ``.env`` files on disk, ignored ones included (not in the file
    listing): its cached result depends on the directory's listing."""
    root, cdir = tmp_path / "p", tmp_path / "c"
    files = project_files(**{".gitignore": ".env\n"})
    files["Dockerfile"] = "FROM python:3.11-slim\nCOPY . /app\nCMD python -m app\n"
    write(root, files)
    git(root, "init", "-q")
    git(root, "add", "-A")
    then = time.time() - 60
    os.utime(root, (then, then))
    assert not any(f.code == "AC204" for f in cached(root, cdir))
    assert "AC204" in valid_entries(root, cdir)
    write(root, {".env": "OPENAI_API_KEY=sk-local\n"}, age=50)  # ignored: listing unchanged
    assert "AC204" not in valid_entries(root, cdir)
    assert any(f.code == "AC204" for f in cached(root, cdir))


def test_a_gitignore_edit_that_keeps_the_listing(tmp_path: Path) -> None:
    """AC203 reads the .gitignore files itself: an edit that git's listing does not show (the
    .env was already excluded by .git/info/exclude) still re-runs it."""
    root, cdir = tmp_path / "p", tmp_path / "c"
    write(root, project_files(**{".gitignore": "__pycache__/\n"}))
    git(root, "init", "-q")
    git(root, "add", "-A")
    (root / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text(".env\n", encoding="utf-8")
    write(root, {".env": "OPENAI_API_KEY=sk-local\n"}, age=80)
    then = time.time() - 60
    os.utime(root, (then, then))
    assert ("AC203", ".env") in codes(cached(root, cdir))
    write(root, {".gitignore": "__pycache__/\n.env\n"}, age=50)
    assert ("AC203", ".env") not in codes(cached(root, cdir))


STATE = """\
from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    question: {kind}

builder = StateGraph(State)
builder.add_node("answer", lambda state: state)
builder.add_edge(START, "answer")
builder.add_edge("answer", END)
graph = builder.compile()
"""


def test_the_release_compared_with_is_asked_of_git_each_run(tmp_path: Path) -> None:
    """AC601-AC603 compare with the newest release tag: a tag moved to another commit (no
    file changed) re-runs them."""
    root, cdir = tmp_path / "p", tmp_path / "c"
    write(root, project_files(**{"agent.py": STATE.format(kind="str")}))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "release")
    git(root, "tag", "v1.0.0")
    write(root, {"agent.py": STATE.format(kind="int")}, age=50)  # a field's type changed
    git(root, "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qam", "next")
    then = time.time() - 60
    os.utime(root, (then, then))
    assert any(f.code == "AC601" for f in cached(root, cdir))
    assert "AC601" in valid_entries(root, cdir)
    git(root, "tag", "-f", "v1.0.0", "HEAD")  # the release is now what the tree holds
    assert "AC601" not in valid_entries(root, cdir)
    assert not any(f.code == "AC601" for f in cached(root, cdir))
