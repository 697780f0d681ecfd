"""Benchmark: the time to first token a load run measures, against the fake LLM's setting.

Target (DESIGN.md, issue 12): on an idle server the measured time to first token comes within
10% of what the fake LLM was set to, so load runs are deterministic and a slow first token is
the server's doing. Run:

    .venv/bin/python benchmarks/load_ttft.py [--server langhost|langgraph-dev] [--ttft 0.5 1 2]
        [--seconds 20]

One replica of the live fixture project (a ChatOpenAI graph) is started with agentcheck's fake
LLM; for each setting one Locust user streams runs back to back (an idle server: never two runs
at once) through agentcheck's locustfile and runner, as `agentcheck load` does. It prints, per
setting, the mean and median time to first token (Locust rounds values of a second and more to
two significant digits; the mean is exact), the error of the mean against the setting, the
time to the run's first event (the server's own share: queue pick-up), the error once that is
taken off (the model's share as the client sees it) and what the load generator used. The
"fake LLM alone" column is the fake's own time to first token, streamed straight from it by
httpx (no server between): what agentcheck's side adds to the setting.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from agentcheck.live.backends import LocalBackend  # noqa: E402
from agentcheck.live.fake_llm import API_KEY, FakeLLM, Reply  # noqa: E402
from agentcheck.live.orchestrator import Deployment  # noqa: E402
from agentcheck.live.probe import FILES, GRAPHS  # noqa: E402
from agentcheck.live.spec import DeploymentSpec  # noqa: E402
from agentcheck.load.checks._common import reply_of  # noqa: E402
from agentcheck.load.runner import LoadPlan, run_load  # noqa: E402

PROJECT = ROOT / "tests" / "fixtures" / "live" / "project"
LANGHOST = ROOT / ".venv-langhost"


def fake_alone(llm: FakeLLM, streams: int = 5) -> float:
    """Mean seconds from sending a streamed chat completion to the fake LLM to its first
    content delta, measured by a client talking to it directly."""
    import httpx

    body = {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    headers = {"Authorization": f"Bearer {API_KEY}"}
    times = []
    with httpx.Client(timeout=60) as client:
        for _ in range(streams):
            began = time.perf_counter()
            with client.stream(
                "POST", f"{llm.url}/chat/completions", json=body, headers=headers
            ) as response:
                for line in response.iter_lines():
                    if line.startswith("data: {") and '"content"' in line:
                        times.append(time.perf_counter() - began)
                        break
    llm.reset()
    return statistics.fmean(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=("langhost", "langgraph-dev"), default="langhost")
    parser.add_argument("--ttft", type=float, nargs="+", default=[0.5, 1.0, 1.5, 2.0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--tokens", type=int, default=20, help="reply tokens")
    parser.add_argument("--tokens-per-second", type=float, default=40.0)
    args = parser.parse_args()
    extra: dict[str, object] = {}
    if args.server == "langhost":
        extra = {"server": "langhost", "database": "postgres", "redis": True}
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"server: {args.server}, one replica; {args.seconds} s per setting, one user")
    print(f"reply: {args.tokens} tokens at {args.tokens_per_second:g}/s")
    with FakeLLM() as llm, tempfile.TemporaryDirectory() as tmp:
        spec = DeploymentSpec(
            root=PROJECT, config=PROJECT / "langgraph.json", env=llm.env,
            extra_graphs=GRAPHS, files=FILES, **extra,  # type: ignore[arg-type]
        )  # fmt: skip
        with Deployment(spec, LocalBackend(langhost=str(LANGHOST))) as deployment:
            llm.tokens_per_second = args.tokens_per_second
            llm.default_reply = Reply(reply_of(args.tokens))
            print(
                "\n| ttft set | runs | first token mean | median | p95 | error of the mean "
                "| first event mean | error after the first event | full stream mean "
                "| generator CPU | fake LLM alone |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            for ttft in args.ttft:
                llm.ttft = ttft
                plan = LoadPlan(
                    host=deployment.urls[0], users=1, spawn_rate=1, duration=args.seconds,
                    graph="chat", label=f"ttft {ttft:g} s", stop_timeout=30,
                )  # fmt: skip
                result = run_load(plan, Path(tmp) / f"ttft-{ttft:g}")
                first, event, stream = result.first_token, result.first_event, result.stream
                gen = result.generator
                if first is None or event is None or stream is None or gen is None:
                    print(f"| {ttft:g} s | no run completed |")
                    continue
                error = (first.average - ttft) / ttft
                model = (first.average - event.average - ttft) / ttft
                print(
                    f"| {ttft:g} s | {first.count} | {first.average:.3f} s | {first.p50:.2f} s | "
                    f"{first.p95:.2f} s | {error:+.1%} | {event.average:.3f} s | {model:+.1%} | "
                    f"{stream.average:.3f} s | {gen.cores:.2f} cores (busiest {gen.peak_core:.0%}) "
                    f"| {fake_alone(llm):.3f} s |"
                )
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
