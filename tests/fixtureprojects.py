"""The fixture-project convention shared by every rule's tests.

A fixture project is a directory under ``tests/fixtures/projects/``:

- ``<code>-bad[-variant]``: the rule ``<code>`` (and every code marked in it) must report exactly
  the marked findings.
- ``<code>-good[-variant]``: every rule on, it must report nothing.

Expected findings are marked on their own line with a comment ``# expect: AC102`` (several:
``# expect: AC102, AC105``). Files without comments (JSON) list them in ``_expected.txt`` at the
project root, one ``path:line CODE`` per line.

Files the agentcheck repository itself must not interpret are stored under other names and
renamed in the copy the tests lint: ``_gitignore`` -> ``.gitignore``, ``_dockerignore`` ->
``.dockerignore``. An optional ``_fixture.toml`` says ``git = true`` to make the copy a git
repository with everything not ignored committed; ``untracked = ["path", ...]`` leaves those
files out of the commit; ``tracked = ["path", ...]`` force-adds ignored files.

A project with a past (for the rules that compare releases, AC6xx) lists earlier commits,
oldest first, as ``[[history]]`` tables: each commit is the project as it is, with the files of
``_history/<dir>/`` in place of (or beside) its own and the paths in ``remove`` deleted,
tagged ``tag`` when one is given. The project itself is committed last. Files under
``_history/`` carry no ``# expect:`` marks: expected findings are where the project is now.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECTS = Path(__file__).parent / "fixtures" / "projects"
RENAMES = {"_gitignore": ".gitignore", "_dockerignore": ".dockerignore"}
META_FILES = {"_expected.txt", "_fixture.toml", "_history"}
_MARK = re.compile(r"#\s*expect:\s*(?P<codes>AC\d{3}(?:\s*,\s*AC\d{3})*)")
_DIR = re.compile(r"^(?P<code>ac\d{3})-(?P<kind>bad|good)(?:-[a-z0-9-]+)?$")


@dataclass(frozen=True)
class FixtureProject:
    name: str
    path: Path
    code: str
    good: bool

    def expected(self) -> set[tuple[str, int, str]]:
        """``(path, line, code)`` of every marked finding."""
        found: set[tuple[str, int, str]] = set()
        for file in sorted(self.path.rglob("*")):
            if not file.is_file():
                continue
            rel = file.relative_to(self.path).as_posix()
            if rel.startswith("_history/"):
                continue
            if file.name == "_expected.txt":
                for raw in file.read_text(encoding="utf-8").splitlines():
                    line = raw.strip()
                    if not line or line.startswith("#"):
                        continue
                    where, code = line.rsplit(None, 1)
                    path, lineno = where.rsplit(":", 1)
                    found.add((path, int(lineno), code))
                continue
            try:
                text = file.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            rel = "/".join(RENAMES.get(part, part) for part in rel.split("/"))
            for lineno, line in enumerate(text.splitlines(), start=1):
                match = _MARK.search(line)
                if match:
                    for code in match["codes"].split(","):
                        found.add((rel, lineno, code.strip()))
        return found

    def materialize(self, dest: Path) -> Path:
        """Copy the project to ``dest`` (renaming ``_gitignore`` ...), git-init it if asked,
        with its history commits before its own."""
        self._copy(dest)
        meta_path = self.path / "_fixture.toml"
        meta = tomllib.loads(meta_path.read_text()) if meta_path.exists() else {}
        if not meta.get("git"):
            return dest
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
        }

        def git(*args: str) -> None:
            subprocess.run(["git", *args], cwd=dest, check=True, env=env, capture_output=True)

        git("init", "-q")
        for step in meta.get("history", []):
            _clear(dest)
            self._copy(dest)
            _overlay(self.path / "_history" / step["dir"], dest)
            for path in step.get("remove", []):
                (dest / path).unlink()
            git("add", "-A")
            git("commit", "-q", "-m", f"history: {step['dir']}", "--allow-empty")
            if step.get("tag"):
                git("tag", "-a", step["tag"], "-m", step["tag"])
        if meta.get("history"):
            _clear(dest)
            self._copy(dest)
        git("add", "-A")
        for path in meta.get("untracked", []):
            git("rm", "-q", "--cached", path)
        for path in meta.get("tracked", []):
            git("add", "-f", path)
        git("commit", "-q", "-m", "fixture", "--allow-empty")
        return dest

    def _copy(self, dest: Path) -> None:
        ignore = shutil.ignore_patterns(*META_FILES)
        shutil.copytree(self.path, dest, symlinks=True, ignore=ignore, dirs_exist_ok=True)
        _rename(dest)


def _rename(root: Path) -> None:
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            if name in RENAMES:
                os.replace(Path(dirpath, name), Path(dirpath, RENAMES[name]))


def _clear(dest: Path) -> None:
    """Everything of ``dest`` but its ``.git``."""
    for child in dest.iterdir():
        if child.name == ".git":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _overlay(source: Path, dest: Path) -> None:
    shutil.copytree(source, dest, symlinks=True, dirs_exist_ok=True)
    _rename(dest)


def all_fixture_projects() -> list[FixtureProject]:
    out = []
    for path in sorted(PROJECTS.iterdir()) if PROJECTS.is_dir() else []:
        match = _DIR.match(path.name)
        if path.is_dir() and match:
            out.append(
                FixtureProject(path.name, path, match["code"].upper(), match["kind"] == "good")
            )
    return out
