"""Releases of a LangGraph project: the last one, read from git, beside the working tree.

A thread that waits (at an ``interrupt()``, before an ``interrupt_before`` node) under one
release is resumed by the next, and a rollback resumes what the next one wrote. What that
thread depends on is the graph id it was started on, its state schema and reducers, and the
node it waits at: :class:`~agentcheck.versions._shapes.GraphShape` holds those for each graph,
:func:`comparison` for both releases. The lint rules AC601-AC603 compare them; the live checks
(AC851-AC853) can start :attr:`Comparison.baseline` (a commit) in a worktree and drive threads
to the waiting points :meth:`GraphShape.waiting_points` lists.

Everything is read from the AST, the release's files from git objects: nothing is imported or
checked out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentcheck._reads import VIRTUAL
from agentcheck.deployment import Deployment, deployment
from agentcheck.deployment._served import read_graphs
from agentcheck.errors import UsageError
from agentcheck.versions._git import Baseline, NoBaseline, RevisionProject, find_baseline
from agentcheck.versions._schemas import Schema, SchemaField
from agentcheck.versions._shapes import GraphShape, Node, shapes_by_id

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = [
    "Baseline",
    "Comparison",
    "GraphShape",
    "NoBaseline",
    "Node",
    "Release",
    "Schema",
    "SchemaField",
    "baseline",
    "check_since",
    "comparison",
]

WORKING_TREE = "the working tree"


@dataclass(frozen=True)
class Release:
    """One version of the project's graphs."""

    #: ``v1.2.0`` (the tag or ref), or ``"the working tree"``.
    label: str
    #: The commit, None for the working tree.
    commit: str | None
    #: Graphs by id (every langgraph.json of the project).
    graphs: Mapping[str, GraphShape]
    #: The langgraph.json (and aegra.json) files.
    configs: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    """The last release and the working tree."""

    baseline: Baseline
    old: Release
    new: Release

    def pairs(self) -> list[tuple[GraphShape, GraphShape]]:
        """``(old, new)`` for each graph of the release the working tree still serves: under
        the same id, or under the one new id that serves the same target (a renamed id)."""
        by_spec: dict[str, list[str]] = {}
        for graph_id, shape in self.new.graphs.items():
            if graph_id not in self.old.graphs and shape.spec:
                by_spec.setdefault(shape.spec, []).append(graph_id)
        out = []
        for graph_id, old in sorted(self.old.graphs.items()):
            new = self.new.graphs.get(graph_id)
            if new is None and old.spec and len(by_spec.get(old.spec, ())) == 1:
                new = self.new.graphs[by_spec[old.spec][0]]
            if new is not None:
                out.append((old, new))
        return out

    def renamed_id(self, graph_id: str) -> str | None:
        """The new id of the release's graph ``graph_id`` when only its id changed."""
        for old, new in self.pairs():
            if old.graph_id == graph_id and new.graph_id != graph_id:
                return new.graph_id
        return None


def baseline(project: Project) -> Baseline | NoBaseline:
    """The release ``project`` is compared with, or why there is none (memoized)."""

    def find() -> Baseline | NoBaseline:
        found = find_baseline(project.root, project.git_root, project.config)
        # The lint cache re-reads git's answer each run: the release's files are then fixed
        # by its commit (read from git's objects, never from the working tree).
        project.track_virtual(BASELINE_KEY, _baseline_sig(found))
        return found

    return project.memo("agentcheck.versions:baseline", find)


#: The release a lint compares with, as a dependency of the lint cache.
BASELINE_KEY = "\0agentcheck.versions:baseline"


def _baseline_sig(found: Baseline | NoBaseline) -> list[Any]:
    if isinstance(found, Baseline):
        return ["release", found.label, found.commit, found.chosen_by]
    return ["none", found.reason, found.tell]


VIRTUAL[BASELINE_KEY] = lambda project: _baseline_sig(
    find_baseline(project.root, project.git_root, project.config)
)


def check_since(project: Project) -> None:
    """Raise :class:`UsageError` when the last release was given on the command line
    (``--since``) and is not a commit here: a typo there is the caller's, not a finding."""
    if project.config.release_ref is None or project.config.release_ref_origin == "release-ref":
        return
    found = baseline(project)
    if isinstance(found, NoBaseline):
        ref, origin = project.config.release_ref, project.config.release_ref_origin
        given = f"{origin} {ref!r}"
        raise UsageError(found.reason if given in found.reason else f"{given}: {found.reason}")


def _working_tree(project: Project) -> Release:
    graphs = shapes_by_id(project, deployment(project).graphs)
    configs = tuple(c.path for c in project.langgraph_configs)
    return Release(WORKING_TREE, None, graphs, configs)


def _release(project: Project, base: Baseline) -> Release:
    git_root = project.git_root
    assert git_root is not None
    old = RevisionProject(project.root, project.config, git_root, base.commit)
    try:
        dep = Deployment()
        read_graphs(old, dep)
        graphs = shapes_by_id(old, dep.graphs)
        configs = tuple(c.path for c in old.langgraph_configs)
    finally:
        old.close()
    return Release(base.label, base.commit, graphs, configs)


def comparison(project: Project) -> Comparison | NoBaseline:
    """Both releases' graphs, or why there is no release to compare with (memoized)."""

    def build() -> Comparison | NoBaseline:
        base = baseline(project)
        if isinstance(base, NoBaseline):
            return base
        return Comparison(base, _release(project, base), _working_tree(project))

    return project.memo("agentcheck.versions:comparison", build)
