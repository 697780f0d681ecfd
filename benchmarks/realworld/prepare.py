"""Check the corpus out of the local snapshots, one git working copy per repository.

    python benchmarks/realworld/prepare.py [--corpus DIR] [--repo NAME ...] [--force]

Each repository of corpus.toml is read from its bare snapshot
(/work/.mirror/OWNER+NAME/repo, made by the search tool's `fetch`), its pinned commit written
out with `git archive`, and committed again in a fresh repository at DIR/OWNER+NAME, so that
the files upstream tracks are tracked there too (agentcheck's AC202/AC203 read git). Snapshots
lack files of 4 MiB and more: when `git archive` cannot read a blob, the tree is written blob by
blob and the missing ones are listed. A checkout already at its pinned commit is left alone.
Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import CORPUS, Repo, load_corpus, select

MARK = "agentcheck-corpus "
GIT_ENV = {
    "GIT_AUTHOR_NAME": "corpus",
    "GIT_AUTHOR_EMAIL": "corpus@localhost",
    "GIT_COMMITTER_NAME": "corpus",
    "GIT_COMMITTER_EMAIL": "corpus@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
}


def git(*args: str, cwd: Path | None = None, data: bytes | None = None) -> bytes:
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
    done = subprocess.run(
        ["git", *args], cwd=cwd, input=data, capture_output=True, env=env, check=False
    )
    if done.returncode:
        raise RuntimeError(f"git {' '.join(args[:3])}: {done.stderr.decode(errors='replace')}")
    return done.stdout


def prepared_commit(dest: Path) -> str | None:
    """The upstream commit a checkout was made from, or None."""
    if not (dest / ".git").is_dir():
        return None
    try:
        subject = git("log", "-1", "--format=%s", cwd=dest).decode().strip()
    except RuntimeError:
        return None
    return subject.removeprefix(MARK) if subject.startswith(MARK) else None


def write_tree(snapshot: Path, commit: str, dest: Path) -> list[str]:
    """Write the commit's files into dest; return the paths the snapshot lacks."""
    archive = subprocess.run(
        ["git", f"--git-dir={snapshot}", "archive", "--format=tar", commit],
        capture_output=True,
        check=False,
    )
    if archive.returncode == 0:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(dest, filter="tar")
        return []
    return write_blobs(snapshot, commit, dest)


def write_blobs(snapshot: Path, commit: str, dest: Path) -> list[str]:
    """The slow path: blob by blob, skipping those the snapshot does not hold."""
    listing = git(f"--git-dir={snapshot}", "ls-tree", "-r", "-z", "--full-tree", commit)
    entries = []
    for raw in listing.split(b"\0"):
        if raw:
            meta, path = raw.split(b"\t", 1)
            mode, kind, sha = meta.split()
            entries.append((mode.decode(), kind.decode(), sha.decode(), path.decode()))
    blobs = [e for e in entries if e[1] == "blob"]
    query = "".join(f"{sha}\n" for _, _, sha, _ in blobs).encode()
    out = git(f"--git-dir={snapshot}", "cat-file", "--batch", data=query)
    missing: list[str] = []
    pos = 0
    for mode, _, _sha, path in blobs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":
            missing.append(path)
            continue
        size = int(header[2])
        body = out[pos : pos + size]
        pos += size + 1
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            target.symlink_to(body.decode())
        else:
            target.write_bytes(body)
            if mode == "100755":
                target.chmod(0o755)
    return missing


def prepare(repo: Repo, corpus: Path, force: bool) -> str:
    dest = repo.checkout(corpus)
    if not force and prepared_commit(dest) == repo.commit:
        return "ready"
    snapshot = repo.snapshot()
    if not snapshot.is_dir():
        return f"no snapshot at {snapshot} (fetch github:{repo.repo} first)"
    try:
        git(f"--git-dir={snapshot}", "cat-file", "-e", f"{repo.commit}^{{commit}}")
    except RuntimeError:
        return f"the snapshot lacks commit {repo.commit[:12]} (a newer fetch moved on)"
    tmp = dest.with_name(dest.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    missing = write_tree(snapshot, repo.commit, tmp)
    git("init", "-q", "-b", "main", cwd=tmp)
    git("add", "-A", "-f", cwd=tmp)
    git("commit", "-q", "--no-verify", "-m", MARK + repo.commit, cwd=tmp)
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    note = f", {len(missing)} files absent from the snapshot" if missing else ""
    return f"prepared{note}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="where checkouts go")
    parser.add_argument("--repo", action="append", help="only this repository (repeatable)")
    parser.add_argument("--force", action="store_true", help="rebuild even when ready")
    args = parser.parse_args(argv)
    args.corpus.mkdir(parents=True, exist_ok=True)
    failed = 0
    for repo in select(load_corpus(), args.repo):
        status = prepare(repo, args.corpus, args.force)
        failed += not status.startswith(("ready", "prepared"))
        print(f"{repo.repo:60} {status}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
