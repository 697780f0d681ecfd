"""What AC601-AC603 share: the two releases, the note when there is no last release, wording."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.versions import Comparison, NoBaseline, comparison

if TYPE_CHECKING:
    from agentcheck.deployment.model import Where
    from agentcheck.project import Project

__all__ = ["ReleaseRule", "at", "baseline_note", "graphs_named", "releases", "rename_hint"]

_NOTE_CLAIMED = "agentcheck.versions:note-claimed"
_SET_BASELINE = (
    "Tag each release as deployed (`git tag -a v1.2.3`), or name the last release with "
    '`release-ref = "<tag or commit>"` in [tool.agentcheck] or `--since REF`.'
)


def releases(project: Project) -> Comparison | None:
    """Both releases, or None when there is no last release (or no LangGraph project)."""
    if not project.langgraph_configs:
        return None
    found = comparison(project)
    return found if isinstance(found, Comparison) else None


def baseline_note(rule: Rule, project: Project) -> Iterator[Finding]:
    """Once per run (for the first AC60x rule that asks): why nothing was compared, when the
    user can do something about it. Silent outside git, before the second commit, and for a
    project without langgraph.json."""
    configs = project.langgraph_configs
    if not configs or project.memo(_NOTE_CLAIMED, lambda: rule.code) != rule.code:
        return
    found = comparison(project)
    if not isinstance(found, NoBaseline) or not found.tell:
        return
    shallow = "shallow" in found.reason
    fix = (
        "Fetch the history and tags (actions/checkout with `fetch-depth: 0`, or "
        "`git fetch --unshallow --tags`), or pass `--since REF`."
        if shallow
        else _SET_BASELINE
    )
    bad_ref = "is not a commit" in found.reason
    yield rule.finding(
        configs[0].path,
        message=(
            f"No last release to compare with ({found.reason}): AC601-AC603 cannot tell "
            "which changes break threads that wait under the release running now."
        ),
        fix=fix,
        severity=Severity.WARNING if bad_ref else Severity.INFO,
    )


def at(label: str, where: Where) -> str:
    """``v1.2.0: agent/state.py:12``."""
    return f"{label}: {where.path}:{where.line}"


def graphs_named(ids: Iterable[str]) -> str:
    """``graph 'a'`` or ``graphs 'a', 'b'``."""
    names = sorted(ids)
    quoted = ", ".join(f"'{n}'" for n in names)
    return f"graph {quoted}" if len(names) == 1 else f"graphs {quoted}"


def rename_hint(gone: str, candidates: Iterable[str]) -> str | None:
    """The single candidate ``gone`` was renamed to, or None."""
    found = sorted(set(candidates) - {gone})
    return found[0] if len(found) == 1 else None


class ReleaseRule(Rule):
    """A rule comparing the working tree with the last release: the note when there is none,
    else :meth:`compare`."""

    def check(self, project: Project) -> Iterator[Finding]:
        yield from baseline_note(self, project)
        found = releases(project)
        if found is not None:
            yield from self.compare(project, found)

    def compare(self, project: Project, found: Comparison) -> Iterator[Finding]:
        """The findings of this rule between ``found.old`` and ``found.new``."""
        raise NotImplementedError
