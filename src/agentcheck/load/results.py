"""What one load run measured, read from Locust's own CSV files.

Locust writes ``locust_stats.csv`` (each request name's totals and percentiles),
``locust_stats_history.csv`` (every second, with ``--csv-full-history`` per name: users,
cumulative counts, the last seconds' percentiles) and ``locust_failures.csv``. In distributed
mode the master writes them from what every worker reported, so the figures here merge as
Locust's do. Names are the locustfile's (:mod:`agentcheck.load.locustfile`): its HTTP requests,
and the ``SSE`` events ``time to first token`` and ``full stream`` fired for each streamed run
that completed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "FIRST_EVENT",
    "FIRST_TOKEN",
    "FULL_STREAM",
    "Distribution",
    "Failure",
    "Generator",
    "LoadResult",
    "read_result",
]

SSE = "SSE"
FIRST_EVENT = "time to first event"
FIRST_TOKEN = "time to first token"
FULL_STREAM = "full stream"
#: The percentiles Locust reports (its CSV columns), as fractions.
PERCENTILES = (0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0)


@dataclass(frozen=True)
class Distribution:
    """One timing's distribution, in seconds (Locust rounds to 2 significant digits)."""

    count: int
    average: float
    minimum: float
    #: ``(percentile, seconds)`` for each of :data:`PERCENTILES`.
    percentiles: tuple[tuple[float, float], ...]

    def at(self, percentile: float) -> float:
        """The value at ``percentile`` (0.95 for p95)."""
        for p, value in self.percentiles:
            if p >= percentile:
                return value
        return self.percentiles[-1][1] if self.percentiles else 0.0

    @property
    def p50(self) -> float:
        return self.at(0.5)

    @property
    def p95(self) -> float:
        return self.at(0.95)


@dataclass(frozen=True)
class Failure:
    """One kind of failure: the request's name, what went wrong, how often."""

    method: str
    name: str
    error: str
    occurrences: int


@dataclass(frozen=True)
class Generator:
    """The load generator's own use of the machine during the run."""

    #: CPU seconds of every Locust process (master and workers).
    cpu_seconds: float
    #: Seconds the run took, start to exit.
    wall_seconds: float
    #: How many Locust processes ran.
    processes: int
    #: The busiest process's share of one core: its 90th percentile over 1 s samples.
    peak_core: float
    #: Share of the wall time Locust's processes waited for a CPU (Linux), or None.
    cpu_wait: float | None = None
    #: The machine's cores, and how busy all of them were (0-1) while the users ran: the
    #: replicas, the databases, the generator and anything else running here.
    machine_cores: int = 0
    machine_busy: float = 0.0

    @property
    def cores(self) -> float:
        """CPU cores used on average."""
        return self.cpu_seconds / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def saturated(self) -> bool:
        """One process used a whole core for a tenth of the run or more."""
        return self.peak_core >= 0.9


@dataclass
class LoadResult:
    """The figures of one load run, and where its reports are."""

    #: A name for the run ("2 replicas", "1 replica").
    label: str
    #: The entry point and the replicas the users addressed.
    host: str
    replicas: tuple[str, ...]
    users: int
    #: Seconds every user was running (Locust's history, one row a second): the load proper,
    #: before the stop let the streams in flight finish.
    seconds: float
    requests: int
    failures: int
    #: Streamed runs that completed (``full stream`` events).
    runs: int
    #: Streamed runs completed per second while every user was running (the rate in the
    #: ``seconds`` above; Locust's own "Requests/s" when that is under two seconds).
    runs_per_second: float
    first_token: Distribution | None
    stream: Distribution | None
    #: ``(seconds since start, users, runs completed in that second)``.
    timeline: list[tuple[float, int, int]]
    failure_kinds: list[Failure]
    #: Requests and failures by request name.
    by_name: dict[str, tuple[int, int]]
    directory: Path
    #: To the run's first event (its ``metadata``: the run started; before it, it queued).
    first_event: Distribution | None = None
    generator: Generator | None = None
    #: CPU cores each replica used during the run (backends with the stats capability).
    replica_cores: list[float] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    @property
    def html(self) -> Path:
        """agentcheck's summary page of this run."""
        return self.directory / "summary.html"

    @property
    def locust_html(self) -> Path:
        return self.directory / "locust.html"

    def to_json(self) -> dict[str, Any]:
        """The figures as JSON (``summary.json``): seconds, ratios and counts."""
        data = asdict(self)
        data["directory"] = str(self.directory)
        data["failure_ratio"] = self.failure_ratio
        if self.generator is not None:
            data["generator"]["cores"] = self.generator.cores
            data["generator"]["saturated"] = self.generator.saturated
        for key in ("first_event", "first_token", "stream"):
            dist = getattr(self, key)
            if dist is not None:
                data[key]["p50"], data[key]["p95"] = dist.p50, dist.p95
        return data


def _rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            yield from csv.DictReader(handle)
    except OSError:
        return


def _number(text: str | None) -> float:
    try:
        return float(text or 0)
    except ValueError:  # "N/A" before the first sample
        return 0.0


_WRAPPED = re.compile(r"""^(?:CatchResponseError|ResponseError)\((['"])(.*)\1\)$""", re.DOTALL)


def _error(text: str) -> str:
    """Locust's text of a failure without its exception wrapper (``CatchResponseError('...')``)."""
    found = _WRAPPED.match(text.strip())
    return found[2] if found else text.strip()


def _distribution(row: dict[str, str] | None) -> Distribution | None:
    if row is None or not int(_number(row.get("Request Count"))):
        return None
    columns = [f"{p * 100:g}%" for p in PERCENTILES]
    return Distribution(
        count=int(_number(row["Request Count"])),
        average=_number(row.get("Average Response Time")) / 1000,
        minimum=_number(row.get("Min Response Time")) / 1000,
        percentiles=tuple(
            (p, _number(row.get(c)) / 1000) for p, c in zip(PERCENTILES, columns, strict=True)
        ),
    )


def _timeline(history: list[dict[str, str]]) -> list[tuple[float, int, int]]:
    """Per second since the first user started: users, and streamed runs completed."""
    users: dict[int, int] = {}
    done: dict[int, int] = {}
    for row in history:
        stamp = int(_number(row.get("Timestamp")))
        users[stamp] = max(users.get(stamp, 0), int(_number(row.get("User Count"))))
        if row.get("Type") == SSE and row.get("Name") == FULL_STREAM:
            done[stamp] = int(_number(row.get("Total Request Count")))
    started = next((s for s in sorted(users) if users[s]), None)
    if started is None:
        return []
    timeline, before = [], 0
    for stamp in sorted(users):
        if stamp < started:
            continue
        total = done.get(stamp, before)
        timeline.append((float(stamp - started), users[stamp], total - before))
        before = total
    return timeline


def steady(timeline: list[tuple[float, int, int]]) -> tuple[float, int]:
    """Seconds every user was running (from the first second with all of them to the last),
    and the streamed runs completed in them."""
    peak = max((users for _, users, _ in timeline), default=0)
    full = [i for i, (_, users, _) in enumerate(timeline) if users == peak and peak]
    if not full:
        return 0.0, 0
    first, last = full[0], full[-1]
    return timeline[last][0] - timeline[first][0], sum(
        r for _, _, r in timeline[first + 1 : last + 1]
    )


def read_result(
    directory: Path, *, label: str, host: str, replicas: tuple[str, ...], users: int
) -> LoadResult:
    """The figures of the run whose Locust CSV files (prefix ``locust``) are in ``directory``."""
    stats = {
        (r.get("Type", ""), r.get("Name", "")): r for r in _rows(directory / "locust_stats.csv")
    }
    history = list(_rows(directory / "locust_stats_history.csv"))
    requests = failures = 0
    by_name = {}
    for (kind, name), row in stats.items():
        if name == "Aggregated" or kind == SSE:
            continue
        count, failed = int(_number(row["Request Count"])), int(_number(row["Failure Count"]))
        requests, failures = requests + count, failures + failed
        by_name[name] = (count, failed)
    kinds = [
        Failure(r["Method"], r["Name"], _error(r["Error"]), int(_number(r["Occurrences"])))
        for r in _rows(directory / "locust_failures.csv")
    ]
    kinds.sort(key=lambda f: -f.occurrences)
    timeline = _timeline(history)
    seconds, completed = steady(timeline)
    stream_row = stats.get((SSE, FULL_STREAM))
    stream = _distribution(stream_row)
    rate = completed / seconds if seconds >= 2 else 0.0
    if not rate and stream_row is not None:
        rate = _number(stream_row.get("Requests/s"))
    return LoadResult(
        label=label,
        host=host,
        replicas=replicas,
        users=users,
        seconds=seconds,
        requests=requests,
        failures=failures,
        runs=stream.count if stream else 0,
        runs_per_second=rate,
        first_token=_distribution(stats.get((SSE, FIRST_TOKEN))),
        stream=stream,
        first_event=_distribution(stats.get((SSE, FIRST_EVENT))),
        timeline=timeline,
        failure_kinds=kinds,
        by_name=by_name,
        directory=directory,
    )
