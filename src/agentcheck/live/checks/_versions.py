"""What AC851-AC853 share: the graphs they drive, the moves between versions, the verdicts.

Each check runs one scenario for every graph at once (starting a version takes seconds, a
thread's run a fraction of one) and keeps a verdict per graph; its items (one per graph, the
probe first) read theirs. A scenario moves the deployment between two versions of the project
on one database: the working tree (the deployment as started) and the last release
(:mod:`._release`, started beside it by :mod:`._moves`). Threads of each graph are left waiting on
one version (:mod:`._threads`) and continued on the other; the probe graph also has a run in
flight, in the middle of a step, when the version executing it stops.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from agentcheck.live.backends.base import Capability
from agentcheck.live.checks._base import CheckFailed, CheckSkipped
from agentcheck.live.checks._release import Release, release
from agentcheck.live.checks._threads import End, Left, Plan, Run, control, finish, judge, leave

if TYPE_CHECKING:
    from agentcheck.live.checks._context import LiveContext
    from agentcheck.versions import Schema

__all__ = ["Crossing", "Scenario", "VersionsCheck"]

#: The probe's threads: one event, no silence, then its interrupt.
PROBE_INPUT: Mapping[str, Any] = {"emit": 1, "interrupt": True}
#: The probe's threads wait at its interrupt only (its steps are the server's, not the user's).
PROBE_STOPS = 1
#: What an ``interrupt()`` is resumed with unless ``resume`` names a value.
DEFAULT_RESUME = "yes"


@dataclass
class Crossing:
    """A thread left waiting on one version and continued on the other."""

    left: Left
    #: The version that continued it, and how it ended there (None: it was never left).
    by: str
    end: End | None = None


@dataclass
class Verdict:
    """One graph's verdict: ``passed``, ``failed`` or ``skipped``, with what was observed."""

    status: str
    message: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class Scenario:
    """One check's work on every graph: the threads each version runs alone and those that
    cross, and the probe's run in flight."""

    release: Release
    plans: dict[str, Plan]
    #: Why a graph is not driven (graph id -> reason).
    skipped: dict[str, str]
    alone: dict[str, list[Run]] = field(default_factory=dict)
    crossings: dict[str, list[Crossing]] = field(default_factory=dict)
    #: What went wrong with the probe's run in flight, or what it did.
    in_flight: str | None = None
    in_flight_ok: bool = True

    # -- building it ---------------------------------------------------------------------------

    def run_alone(self, ctx: LiveContext, url: str, version: str) -> None:
        """Each graph's thread from start to end on ``version`` (at ``url``)."""
        for graph, plan in self.plans.items():
            self.alone.setdefault(graph, []).append(control(ctx, url, plan, version))

    def leave_all(self, ctx: LiveContext, url: str, version: str, by: str) -> list[Crossing]:
        """Threads left at each waiting point ``version``'s own run of the graph found."""
        out = []
        for graph, plan in self.plans.items():
            runs = [r for r in self.alone.get(graph, ()) if r.version == version]
            if not runs or not runs[0].end.ok:
                continue
            for stop in runs[0].stops:
                crossing = Crossing(leave(ctx, url, plan, stop, version), by)
                self.crossings.setdefault(graph, []).append(crossing)
                out.append(crossing)
        return out

    def finish_all(self, ctx: LiveContext, url: str, crossings: Sequence[Crossing]) -> None:
        """Continue each of ``crossings`` (those left well) at ``url`` to its end."""
        chosen = {id(c) for c in crossings}
        for graph, items in self.crossings.items():
            for crossing in items:
                if id(crossing) in chosen and crossing.left.problem is None:
                    crossing.end = finish(ctx, url, self.plans[graph], crossing.left.thread)

    # -- reading it ----------------------------------------------------------------------------

    def verdicts(self, probe: str) -> dict[str, Verdict]:
        out = {graph: Verdict("skipped", reason) for graph, reason in self.skipped.items()}
        for graph in self.plans:
            out[graph] = self._verdict(graph, graph == probe)
        return out

    def _verdict(self, graph: str, probe: bool) -> Verdict:
        plan, alone = self.plans[graph], self.alone.get(graph, [])
        for run in alone:
            if not run.end.ok:
                said = f"on {run.version} alone, thread {run.thread} of '{graph}': {run.end}"
                if probe:
                    return Verdict("failed", f"{said}: the server does not run agentcheck's probe")
                return Verdict(
                    "skipped",
                    f"cannot decide: {said}, with its input from {plan.source}; give it an input "
                    f"it runs with in [tool.agentcheck.live] inputs.{graph} (and its interrupt()'s "
                    f"answer in resume.{graph})",
                )
        crossings = self.crossings.get(graph, [])
        problems, unsure = [], []
        for crossing in crossings:
            left = crossing.left
            head = f"thread {left.thread} left by {left.version} {left.stop}"
            if left.problem is not None or crossing.end is None:
                unsure.append(f"{head}: {left.problem}")
                continue
            issues = judge(crossing.end, alone)
            if issues:
                problems.append(f"{head}, continued by {crossing.by}: " + "; ".join(issues))
        if probe and not self.in_flight_ok:
            problems.append(str(self.in_flight))
        ends = "; ".join(f"{run.version} alone: {run.end}" for run in alone)
        if problems:
            return Verdict(
                "failed",
                f"{len(problems)} thread(s) of '{graph}' did not end as on either version alone:\n"
                + "\n".join(f"  - {p}" for p in problems)
                + f"\n  ({ends})",
            )
        warnings = [f"'{graph}': {note}" for note in unsure]
        if not crossings:
            return Verdict("passed", f"threads of '{graph}' never wait: {ends}", warnings)
        places = sorted({str(c.left.stop) for c in crossings})
        moves = sorted({f"from {c.left.version} to {c.by}" for c in crossings})
        note = (
            f"{len(crossings) - len(unsure)} thread(s) of '{graph}' ({'; '.join(places)}) moved "
            f"{' and '.join(moves)} and ended as on either version alone"
        )
        if probe and self.in_flight:
            note += f"; {self.in_flight}"
        return Verdict("passed", note, warnings)


# -- the graphs and their inputs ------------------------------------------------------------------


def scenario(ctx: LiveContext, *, new_graphs: str) -> Scenario:
    """The release and each graph's plan; ``new_graphs`` says why a graph only the working
    tree serves is not driven (``{graph}`` and ``{release}`` are filled in).

    CheckSkipped when the deployment keeps no state in a database: each version would have
    its own threads, so nothing could cross (a deploy of such a server loses them anyway).
    """
    spec = ctx.deployment.spec
    if spec.server == "langgraph-dev" or spec.database is None:
        raise CheckSkipped(
            'needs a server whose threads live in a database (server = "langhost", or a '
            'command with database = "postgres"): '
            + (
                "langgraph dev keeps them in its own process and directory"
                if spec.server == "langgraph-dev"
                else "this deployment runs no database"
            )
        )
    rel = release(ctx)
    resume = f"agentcheck-{uuid.uuid4().hex[:8]}"
    plans = {
        ctx.probe: Plan(ctx.probe, PROBE_INPUT, resume, "agentcheck's probe graph", PROBE_STOPS)
    }
    skipped: dict[str, str] = {}
    for graph in ctx.graphs:
        if graph not in rel.graphs:
            skipped[graph] = new_graphs.format(graph=graph, release=rel.label)
            continue
        run_input, source = _input(ctx, rel, graph)
        if run_input is None:
            skipped[graph] = source
            continue
        plans[graph] = Plan(
            graph, run_input, ctx.settings.resume.get(graph, DEFAULT_RESUME), source
        )
    return Scenario(rel, plans, skipped)


def _input(ctx: LiveContext, rel: Release, graph: str) -> tuple[Mapping[str, Any] | None, str]:
    """The input a graph's threads start with, and where it comes from (or why there is none)."""
    from agentcheck.live.settings import DEFAULT_INPUT

    settings = ctx.settings
    if graph in settings.inputs:
        return settings.inputs[graph], f"inputs.{graph} in [tool.agentcheck.live]"
    configured = dict(settings.input) != dict(DEFAULT_INPUT)
    schema, reads = (None, frozenset[str]()) if configured else _schema(rel, graph)
    if schema is None:
        where = "input in [tool.agentcheck.live]" if configured else "the default input"
        return settings.input, where
    made, missing = from_schema(schema, reads)
    if made is None:
        return None, (
            f"no input for '{graph}': its {schema.name} field {missing} has no default agentcheck "
            f"can make up; give one in [tool.agentcheck.live] inputs.{graph} (only the probe "
            "graph runs meanwhile)"
        )
    return made, f"its {schema.name} schema"


def _schema(rel: Release, graph: str) -> tuple[Schema | None, frozenset[str]]:
    """The working tree's input (else state) schema of ``graph``, and the keys its code reads
    without a default (``state["key"]``)."""
    from agentcheck.versions import NoBaseline, comparison

    found = comparison(rel.project)
    shape = None if isinstance(found, NoBaseline) else found.new.graphs.get(graph)
    if shape is None:
        return None, frozenset()
    schema = shape.schemas.get("input") or shape.schemas.get("state")
    return schema, frozenset(shape.key_reads)


#: Values for a required field, by its type.
_SIMPLE: Mapping[str, Any] = {"str": "agentcheck", "int": 0, "float": 0.0, "bool": False}


def from_schema(schema: Schema, reads: frozenset[str]) -> tuple[dict[str, Any] | None, str]:
    """An input for a graph whose input (or state) schema is ``schema``: one user message in
    its messages field, a plain value for each other field without a default or that the
    graph's code ``reads`` without one (``state["key"]``: LangGraph does not require a
    TypedDict's keys); ``(None, "'name' (Type)")`` when such a field's type is not one
    agentcheck can fill."""
    from agentcheck.live.settings import DEFAULT_INPUT

    made: dict[str, Any] = {}
    for name, spec in schema.fields.items():
        if name == "messages" or spec.reducer == "add_messages":
            made[name] = [dict(m) for m in DEFAULT_INPUT["messages"]]
        elif not spec.has_default or name in reads:
            members = spec.members
            if "None" in members:
                made[name] = None
            elif len(members) == 1 and next(iter(members)) in _SIMPLE:
                made[name] = _SIMPLE[next(iter(members))]
            elif len(members) == 1 and next(iter(members)).startswith(("list", "dict")):
                made[name] = [] if next(iter(members)).startswith("list") else {}
            else:
                return None, f"'{name}' ({spec.annotation})"
    return made, ""


# -- the checks ----------------------------------------------------------------------------------


class VersionsCheck:
    """A check across versions: one item per graph (the probe first), one scenario for all.

    A mixin: ``class UpgradeResume(VersionsCheck, LiveCheck)``, which gives ``new_graphs`` and
    :meth:`cross` (how threads move between the versions); :meth:`exercise` builds the scenario.
    """

    code: ClassVar[str]
    requires: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.KILL, Capability.RESTART, Capability.SAME_PORT, Capability.VERSIONS}
    )
    per_graph: ClassVar[bool] = True
    #: Why a graph only the working tree serves is not driven (``{graph}`` and ``{release}``
    #: are filled in): see :func:`scenario`.
    new_graphs: ClassVar[str]

    def params(self, graphs: Sequence[str], probe: str) -> list[str]:
        return [probe, *graphs]

    def exercise(self, ctx: LiveContext) -> Scenario:
        """Run the scenario on every graph (once per context)."""
        scene = scenario(ctx, new_graphs=self.new_graphs)
        self.cross(ctx, scene, scene.release.label)
        return scene

    def cross(self, ctx: LiveContext, scene: Scenario, old: str) -> None:
        """Move the threads of ``scene`` between the last release (labelled ``old``) and the
        working tree."""
        raise NotImplementedError

    def run(self, ctx: LiveContext, graph: str) -> str:
        verdicts = ctx.once(f"{self.code}:verdicts", lambda: self.exercise(ctx).verdicts(ctx.probe))
        verdict = verdicts.get(graph)
        if verdict is None:
            raise CheckSkipped(f"'{graph}' is not served by the deployment")
        for warning in verdict.warnings:
            ctx.warn(f"{self.code}: {warning}")
        if verdict.status == "failed":
            raise CheckFailed(verdict.message)
        if verdict.status == "skipped":
            raise CheckSkipped(verdict.message)
        return verdict.message
