"""``agentcheck lint --explain-production``: what the model decided, and why.

For every deployment file, whether it describes production and the signal that decided it;
for every workload, the same and its role (the agent or not), with the evidence's position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentcheck.deployment.model import Deployment, Verdict, Where

__all__ = ["ExplainRow", "explain_rows", "render_json", "render_text"]


@dataclass(frozen=True)
class ExplainRow:
    """One file or workload and what the model decided about it."""

    #: ``file`` or ``workload``.
    what: str
    #: The file's path, or ``compose service agent``, ``Deployment agent``.
    name: str
    #: The file's kind (``compose``, ``kubernetes`` ...) or the workload's role.
    kind: str
    production: bool
    sure: bool
    reason: str
    evidence: str
    #: For workloads: why it has its role, and where it is defined.
    role_reason: str = ""
    where: str = ""


def _at(where: Where | None) -> str:
    return f"{where.path}:{where.line}" if where is not None else ""


def explain_rows(dep: Deployment) -> list[ExplainRow]:
    """Every file, then every workload, in a stable order."""
    rows = []
    for rel in sorted(dep.files):
        known = dep.files[rel]
        rows.append(_row("file", rel, known.kind, known.verdict))
    for w in sorted(dep.workloads, key=lambda w: (w.where.path, w.where.line, w.name)):
        label = f"compose service {w.name}" if w.platform == "compose" else f"{w.kind} {w.name}"
        if w.overlays:
            label += f" (+ {', '.join(w.overlays)})"
        row = _row("workload", label, w.role, w.verdict)
        rows.append(
            ExplainRow(
                **{**row.__dict__, "role_reason": w.role_reason, "where": _at(w.where)},
            )
        )
    return rows


def _row(what: str, name: str, kind: str, verdict: Verdict) -> ExplainRow:
    return ExplainRow(
        what, name, kind, verdict.production, verdict.sure, verdict.reason, _at(verdict.where)
    )


def _verdict(row: ExplainRow) -> str:
    if not row.production:
        return "not production"
    return "production" if row.sure else "production?"


def render_text(rows: list[ExplainRow]) -> str:
    """A table per section; ``production?`` marks a default nothing confirms."""
    lines = [
        "What agentcheck counts as production, and why (strongest signal first: "
        "[tool.agentcheck] globs, the path's words, deploy commands, header comments, "
        "READMEs, deploy/ and k8s/ locations, then defaults).",
        "`production?`: only agentcheck's default says so; findings there are one severity "
        'lower. Mark such files in pyproject.toml: [tool.agentcheck] production = ["..."] or '
        'not-production = ["..."].',
    ]
    for what, title in (("file", "Files"), ("workload", "Workloads")):
        section = [row for row in rows if row.what == what]
        if not section:
            continue
        lines += ["", f"{title}:"]
        width = max(len(row.name) for row in section)
        for row in section:
            evidence = (
                f" ({row.evidence})" if row.evidence and row.evidence not in row.reason else ""
            )
            lines.append(
                f"  {_verdict(row):<15} {row.name:<{width}}  {row.kind:<13} {row.reason}{evidence}"
            )
            if row.role_reason:
                lines.append(f"  {'':<15} {'':<{width}}  {'role':<13} {row.role_reason}")
    if len(lines) == 2:
        lines += ["", "No deployment file was found."]
    return "\n".join(lines) + "\n"


def render_json(rows: list[ExplainRow]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item: dict[str, Any] = {
            "what": row.what,
            "name": row.name,
            "kind": row.kind,
            "production": row.production,
            "sure": row.sure,
            "reason": row.reason,
            "evidence": row.evidence,
        }
        if row.what == "workload":
            item.update(role_reason=row.role_reason, where=row.where)
        out.append(item)
    return out
