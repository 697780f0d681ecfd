"""agentcheck's summary of a load run: ``summary.json`` and a small self-contained HTML page.

The page shows the verdict, the figures, the latency distribution (time to first token and
full stream at each percentile Locust reports) and the throughput over time (streamed runs
completed each second, with the users), as inline SVG: no script, no stylesheet or font from a
network, readable offline and as a CI artifact. Locust's own report (``locust.html``) and CSV
files sit next to it.
"""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agentcheck.load.results import Distribution, LoadResult

__all__ = ["write_reports"]

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40
COLOURS = {
    "time to first event": "#2ca02c",
    "time to first token": "#1f77b4",
    "full stream": "#d62728",
    "users": "#7f7f7f",
}
SERIES = ("time to first event", "time to first token", "full stream")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _nice(top: float) -> float:
    """A round axis maximum at or above ``top``."""
    if top <= 0:
        return 1.0
    step = 10 ** len(str(int(top))) / 10 if top >= 1 else 0.1
    for factor in (1, 2, 2.5, 5, 10):
        if step * factor >= top:
            return step * factor
    return top


def _frame(y_max: float, y_label: str, x_ticks: Sequence[tuple[float, str]]) -> list[str]:
    """Axes, grid lines and labels; x positions are fractions of the plot's width."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" class="plot"/>']
    for i in range(5):
        value = y_max * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{value:g}</text>'
        )
    for fraction, label in x_ticks:
        x = LEFT + plot_w * fraction
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" class="tick" '
            f'text-anchor="middle">{_e(label)}</text>'
        )
    parts.append(
        f'<text x="14" y="{TOP + plot_h / 2:.1f}" class="axis" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})" '
        f'text-anchor="middle">{_e(y_label)}</text>'
    )
    return parts


def _svg(parts: Sequence[str], title: str) -> str:
    body = "\n".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{_e(title)}">\n{body}\n</svg>'
    )


def latency_chart(
    series: Mapping[str, Distribution | None], thresholds: Mapping[str, float] | None = None
) -> str:
    """Seconds at each reported percentile, one line per timing; thresholds as dashed lines."""
    shown = {name: dist for name, dist in series.items() if dist is not None}
    limits = dict(thresholds or {})
    values = [v for d in shown.values() for _, v in d.percentiles] + list(limits.values())
    y_max = _nice(max(values, default=1.0))
    points = next(iter(shown.values())).percentiles if shown else ()
    n = max(1, len(points) - 1)
    ticks = [(i / n, f"p{p * 100:g}") for i, (p, _) in enumerate(points)]
    parts = _frame(y_max, "seconds", ticks)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + plot_h - plot_h * min(value, y_max) / y_max

    for name, limit in limits.items():
        colour = COLOURS.get(name, "#000")
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y_of(limit):.1f}" y2="{y_of(limit):.1f}" '
            f'stroke="{colour}" class="limit">'
            f"<title>{_e(name)} p95 limit {limit:g} s</title></line>"
        )
    for name, dist in shown.items():
        colour = COLOURS.get(name, "#000")
        xy = [(LEFT + plot_w * i / n, y_of(v)) for i, (_, v) in enumerate(dist.percentiles)]
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        parts.append(f'<polyline points="{line}" stroke="{colour}" class="series"/>')
        for (x, y), (p, v) in zip(xy, dist.percentiles, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{_e(name)} p{p * 100:g}: {v:.3f} s</title></circle>"
            )
    return _svg(parts, "latency distribution")


def throughput_chart(timeline: Sequence[tuple[float, int, int]]) -> str:
    """Streamed runs completed in each second (bars) and the users (grey line)."""
    peak = max((max(runs, users) for _, users, runs in timeline), default=1)
    y_max = _nice(float(peak))
    span = max(1.0, timeline[-1][0] + 1) if timeline else 1.0
    step = max(1, round(span / 6))
    ticks = [(t / span, f"{t:g} s") for t in range(0, int(span) + 1, step)]
    parts = _frame(y_max, "runs completed per second / users", ticks)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar = plot_w / span
    users_line = []
    for t, users, runs in timeline:
        x = LEFT + plot_w * t / span
        h = plot_h * runs / y_max
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{TOP + plot_h - h:.1f}" width="{max(1.0, bar - 2):.1f}" '
            f'height="{h:.1f}" class="bar">'
            f"<title>{t:g} s: {runs} runs, {users} users</title></rect>"
        )
        users_line.append(f"{x + bar / 2:.1f},{TOP + plot_h - plot_h * users / y_max:.1f}")
    if users_line:
        parts.append(
            f'<polyline points="{" ".join(users_line)}" '
            f'stroke="{COLOURS["users"]}" class="series"/>'
        )
    return _svg(parts, "throughput over time")


_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: left; }
th { font-weight: 600; } tr:nth-child(even) { background: #f5f5f5; }
.pass { color: #1a7f37; } .fail { color: #b42318; } .warn { color: #9a6700; }
svg { max-width: 100%; height: auto; } .plot { fill: #fff; stroke: #ccc; }
.grid { stroke: #eee; } .tick { font-size: 11px; fill: #555; }
.axis { font-size: 12px; fill: #333; }
.series { fill: none; stroke-width: 2; } .limit { stroke-dasharray: 6 4; stroke-width: 1.5; }
.bar { fill: #9ecae1; } .key span { display: inline-block; width: 1em; height: 3px;
  vertical-align: middle; margin: 0 4px 0 12px; }
"""


def _seconds(dist: Distribution | None, attribute: str) -> str:
    return f"{getattr(dist, attribute):.3f} s" if dist is not None else "none"


def render_html(
    result: LoadResult,
    verdicts: Sequence[tuple[str, str]] = (),
    thresholds: Mapping[str, float] | None = None,
) -> str:
    """The summary page; ``verdicts`` are ``(status, message)`` pairs (passed/failed/...)."""
    r, g = result, result.generator
    rows = [
        ("users", r.users),
        ("host", r.host),
        ("replicas addressed", ", ".join(r.replicas) or "the host only"),
        ("seconds", f"{r.seconds:g}"),
        ("requests (failed)", f"{r.requests} ({r.failures}, {r.failure_ratio:.2%})"),
        ("streamed runs completed", f"{r.runs} ({r.runs_per_second:.2f} per second)"),
        ("time to first event (the run started) p50 / p95",
         f"{_seconds(r.first_event, 'p50')} / {_seconds(r.first_event, 'p95')}"),
        ("time to first token p50 / p95",
         f"{_seconds(r.first_token, 'p50')} / {_seconds(r.first_token, 'p95')}"),
        ("full stream p50 / p95", f"{_seconds(r.stream, 'p50')} / {_seconds(r.stream, 'p95')}"),
    ]  # fmt: skip
    if g is not None:
        wait = f", waited for a CPU {g.cpu_wait:.0%} of the time" if g.cpu_wait is not None else ""
        rows.append(
            (
                "load generator",
                f"{g.cpu_seconds:.1f} CPU s in {g.processes} process(es), {g.cores:.2f} cores "
                f"on average, busiest process {g.peak_core:.0%} of a core{wait}",
            )
        )
    if r.replica_cores:
        rows.append(("replicas' CPU", ", ".join(f"{c:.2f} cores" for c in r.replica_cores)))
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>agentcheck load: {_e(r.label)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>agentcheck load: {_e(r.label)}</h1>",
    ]
    for status, message in verdicts:
        css = {"passed": "pass", "failed": "fail"}.get(status, "warn")
        out.append(f'<p class="{css}"><strong>{_e(status)}</strong>: {_e(message)}</p>')
    for warning in r.warnings:
        out.append(f'<p class="warn"><strong>warning</strong>: {_e(warning)}</p>')
    out.append("<h2>Figures</h2><table>")
    out += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows]
    out.append("</table>")
    limits = {
        name: thresholds[key]
        for name, key in (("time to first token", "p95-first-token"), ("full stream", "p95-stream"))
        if thresholds and key in thresholds
    }
    dists = (r.first_event, r.first_token, r.stream)
    shown = [n for n, d in zip(SERIES, dists, strict=True) if d is not None]
    key = "".join(f'<span style="background:{COLOURS[n]}"></span>{_e(n)}' for n in shown)
    out.append(f'<h2>Latency distribution</h2><p class="key">{key} (dashed: p95 limits)</p>')
    out.append(latency_chart(dict(zip(SERIES, dists, strict=True)), limits))
    out.append("<h2>Throughput over time</h2>")
    out.append('<p class="key">bars: streamed runs completed each second; grey: users</p>')
    out.append(throughput_chart(r.timeline))
    out.append("<h2>Requests</h2><table><tr><th>request</th><th>count</th><th>failed</th></tr>")
    out += [f"<tr><td>{_e(n)}</td><td>{c}</td><td>{f}</td></tr>" for n, (c, f) in r.by_name.items()]
    out.append("</table>")
    if r.failure_kinds:
        out.append("<h2>Failures</h2><table><tr><th>request</th><th>error</th><th>times</th></tr>")
        out += [
            f"<tr><td>{_e(f.method)} {_e(f.name)}</td><td>{_e(f.error[:300])}</td>"
            f"<td>{f.occurrences}</td></tr>"
            for f in r.failure_kinds[:20]
        ]
        out.append("</table>")
    out.append(
        '<h2>Files</h2><p><a href="locust.html">Locust\'s report</a>, '
        '<a href="locust_stats.csv">stats</a>, <a href="locust_stats_history.csv">history</a>, '
        '<a href="locust_failures.csv">failures</a>, <a href="summary.json">figures as JSON</a>, '
        '<a href="locust.log">Locust\'s log</a></p></body></html>'
    )
    return "\n".join(out) + "\n"


def write_reports(
    result: LoadResult,
    verdicts: Sequence[tuple[str, str]] = (),
    thresholds: Mapping[str, float] | None = None,
) -> Path:
    """Write ``summary.json`` and ``summary.html`` into the run's directory; the page's path.

    A run judged before (AC832 judges the run AC831 made) keeps that verdict and its
    thresholds: the new ones are added to them.
    """
    kept: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):  # not judged before
        kept = json.loads((result.directory / "summary.json").read_text(encoding="utf-8"))
    before = [(str(v["status"]), str(v["message"])) for v in kept.get("verdicts", [])]
    verdicts = [*before, *(v for v in verdicts if v not in before)]
    thresholds = {**kept.get("thresholds", {}), **(thresholds or {})}
    data = {
        **result.to_json(),
        "verdicts": [{"status": s, "message": m} for s, m in verdicts],
        "thresholds": thresholds,
    }
    (result.directory / "summary.json").write_text(
        json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8"
    )
    result.html.write_text(render_html(result, verdicts, thresholds), encoding="utf-8")
    return result.html
