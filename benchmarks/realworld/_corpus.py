"""What prepare.py and run.py share: the corpus list, where the snapshots and checkouts live."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIRROR = Path(os.environ.get("AGENTCHECK_MIRROR", "/work/.mirror"))
CORPUS = Path(os.environ.get("AGENTCHECK_CORPUS", "/work/corpus"))


@dataclass(frozen=True)
class Repo:
    """One corpus entry: a public repository pinned at a commit."""

    repo: str
    commit: str
    kind: tuple[str, ...]
    why: str

    @property
    def slug(self) -> str:
        """The folder name used by the mirror and the corpus: OWNER+NAME."""
        return self.repo.replace("/", "+")

    def snapshot(self) -> Path:
        """The bare git directory `fetch` made for this repository."""
        base = MIRROR / self.slug / "repo"
        return base / ".git" if (base / ".git").is_dir() else base

    def checkout(self, corpus: Path) -> Path:
        """Where prepare.py puts the working copy."""
        return corpus / self.slug


def load_corpus(path: Path = HERE / "corpus.toml") -> list[Repo]:
    """The repositories of corpus.toml, in file order."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Repo(e["repo"], e["commit"], tuple(e.get("kind", ())), e.get("why", ""))
        for e in data["repo"]
    ]


def select(repos: list[Repo], names: list[str] | None) -> list[Repo]:
    """The repositories named (owner/name, OWNER+NAME or a unique part of it), or all."""
    if not names:
        return repos
    chosen: list[Repo] = []
    for name in names:
        hits = [r for r in repos if name in (r.repo, r.slug, r.repo.split("/")[1])] or [
            r for r in repos if name.lower() in r.repo.lower()
        ]
        if len(hits) != 1:
            raise SystemExit(f"--repo {name!r} matches {len(hits)} corpus repositories")
        chosen.append(hits[0])
    return chosen
