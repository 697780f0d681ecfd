"""The last release, as a source tree the deployment can start beside the working tree.

:mod:`agentcheck.versions` decides which release it is (``--since REF``, else ``release-ref``
in ``[tool.agentcheck]``, else the newest version tag HEAD descends from); this module checks
that commit out into the deployment's own temporary directory, without touching the user's
repository (a private index file, ``git checkout-index``: no worktree entry, no ref, no lock in
their ``.git``), and finds the project's langgraph.json in it. The checkout is removed with the
deployment's directory. AC851-AC853 run it with :meth:`Deployment.beside
<agentcheck.live.orchestrator.Deployment.beside>`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcheck.errors import LiveError
from agentcheck.live.checks._base import CheckSkipped

if TYPE_CHECKING:
    from agentcheck.live.checks._context import LiveContext
    from agentcheck.project import Project

__all__ = ["HOW_TO_NAME", "WORKING_TREE", "Release", "release"]

#: What the working tree is called in messages.
WORKING_TREE = "the working tree"
#: How to name the last release, for every message that lacks one.
HOW_TO_NAME = (
    'tag the last release (`git tag v1.2.3 COMMIT`), or name it with release-ref = "REF" in '
    "[tool.agentcheck] or --since REF (pytest: --agentcheck-since REF)"
)
#: Seconds one git command may take (a checkout of a large repository included).
_GIT_TIMEOUT = 300


@dataclass(frozen=True)
class Release:
    """The last release, checked out."""

    #: ``v1.0.0``: the tag or the ref given.
    label: str
    commit: str
    #: How it was chosen: ``"tag"``, ``"release-ref"`` or ``"--since"``.
    chosen_by: str
    #: The project's directory in the checkout, and its langgraph.json there.
    root: Path
    config: Path
    #: The graph ids that langgraph.json serves.
    graphs: tuple[str, ...]
    #: The working tree's project, as agentcheck reads it (AST; for the graphs' schemas).
    project: Project

    @property
    def named(self) -> str:
        """``v1.0.0 (the newest version tag, 1a2b3c4d)``."""
        how = {"tag": "the newest version tag", "release-ref": "release-ref"}.get(
            self.chosen_by, self.chosen_by
        )
        return f"{self.label} ({how}, {self.commit[:8]})"


def release(ctx: LiveContext) -> Release:
    """The last release of the project ``ctx`` checks, checked out once per context.

    CheckSkipped, saying how to name one, when there is none, or when the working tree is
    that release unchanged; LiveError when it cannot be checked out.
    """
    return ctx.once("agentcheck.live:release", lambda: _checkout(ctx))


def _checkout(ctx: LiveContext) -> Release:
    from agentcheck.config import load_config, since
    from agentcheck.project import Project
    from agentcheck.versions import NoBaseline, baseline

    settings = ctx.settings
    if settings.config is None:
        raise CheckSkipped("the project has no langgraph.json")
    project = Project(settings.root, since(load_config(settings.root), settings.since))
    found = baseline(project)
    if isinstance(found, NoBaseline):
        raise CheckSkipped(f"no release to start: {found.reason}; {HOW_TO_NAME}")
    git_root = project.git_root
    assert git_root is not None  # a baseline was found in it
    prefix = settings.root.resolve().relative_to(git_root.resolve()).as_posix()
    try:
        config_rel = settings.config.resolve().relative_to(settings.root.resolve())
    except ValueError:
        raise CheckSkipped(
            f"the served config {settings.config} is outside the project: it has no release"
        ) from None
    if _unchanged(git_root, found.commit, prefix):
        raise CheckSkipped(
            f"the working tree is {found.label} itself (nothing changed since it in "
            f"{prefix if prefix != '.' else 'the project'}): there is no other version to run "
            f"beside it; to check the upgrade from an earlier release, {HOW_TO_NAME}"
        )
    directory = ctx.deployment.directory
    if directory is None:
        raise LiveError("the deployment is not running: nowhere to check the release out")
    tree = directory / (
        "release-" + re.sub(r"[^\w.-]+", "-", found.label) + f"-{found.commit[:12]}"
    )
    if not tree.is_dir():  # another context of this deployment may have checked it out
        _git_checkout(git_root, found.commit, tree)
        ctx.deployment.report(f"checked out {found.label} ({found.commit[:8]}) in {tree}")
    root = tree / prefix if prefix != "." else tree
    config = root / config_rel
    if not config.is_file():
        raise CheckSkipped(
            f"{found.label} has no {config_rel.as_posix()}: it served no graphs to upgrade from"
        )
    return Release(
        found.label, found.commit, found.chosen_by, root, config, _graph_ids(config), project
    )


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """``git args`` in ``cwd``: its status and its output (stderr when it failed)."""
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return 124, f"git {args[0]} took more than {_GIT_TIMEOUT} s"
    except OSError as exc:
        return 127, f"cannot run git: {exc}"
    text = done.stdout if done.returncode == 0 else done.stderr
    return done.returncode, text.decode("utf-8", "replace")


def _unchanged(git_root: Path, commit: str, prefix: str) -> bool:
    """Whether the project directory is exactly ``commit``'s: no tracked file differs and no
    untracked file (one git does not ignore) is there."""
    status, _ = _run(git_root, "diff", "--quiet", commit, "--", prefix)
    if status != 0:
        return False
    status, untracked = _run(git_root, "ls-files", "--others", "--exclude-standard", "--", prefix)
    return status == 0 and not untracked.strip()


def _git_checkout(git_root: Path, commit: str, tree: Path) -> None:
    """The files of ``commit`` under ``tree``, with a private index: nothing of the user's
    repository is written (no worktree entry, no index, no lock). Checked out beside ``tree``
    and renamed: ``tree`` exists only complete."""
    partial = tree.with_name(f".{tree.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    env = {**os.environ, "GIT_INDEX_FILE": str(partial / ".agentcheck-index")}
    for args in (
        ("read-tree", commit),
        ("checkout-index", "--all", "--force", f"--prefix={partial}/"),
    ):
        status, said = _run(git_root, *args, env=env)
        if status != 0:
            raise LiveError(f"cannot check out {commit[:8]} into {tree}: {said.strip()}")
    Path(env["GIT_INDEX_FILE"]).unlink(missing_ok=True)
    partial.rename(tree)


def _graph_ids(config: Path) -> tuple[str, ...]:
    from agentcheck.live.derived import read_config

    graphs: Any = read_config(config).get("graphs")
    return tuple(str(g) for g in graphs) if isinstance(graphs, dict) else ()
