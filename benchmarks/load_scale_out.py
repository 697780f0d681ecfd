"""Benchmark: what a second replica adds, as AC832 measures it, repeated.

Where AC832's default ``scale-out-efficiency`` comes from (issue 12: "measure what two replicas
of langhost on two cores give; set the default efficiency from what is measured"). Run:

    .venv/bin/python benchmarks/load_scale_out.py [--runs 3] [--jobs 2] [--users 8]
        [--seconds 10] [--server langhost|langgraph-dev]

Two replicas of the live fixture project (a ChatOpenAI graph on agentcheck's fake LLM) are
started; AC832 runs ``--runs`` times on them with the given load (the fake model takes
``--ttft`` seconds to its first token, then 20 tokens at 40 per second). ``--jobs`` is each
replica's job count (``--n-jobs-per-worker``): with few jobs, one replica's users queue for
them and a second replica's jobs are what it adds; with langhost's 10 and a busy 2-core machine
the cores run out first. Each run prints the verdict, the efficiency, both throughputs, the
median streams, how busy the machine's cores were and the replicas' CPU.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from agentcheck.live.backends import LocalBackend  # noqa: E402
from agentcheck.live.checks import LiveContext, run_check  # noqa: E402
from agentcheck.live.fake_llm import FakeLLM  # noqa: E402
from agentcheck.live.orchestrator import Deployment  # noqa: E402
from agentcheck.live.probe import FILES, GRAPHS  # noqa: E402
from agentcheck.live.settings import load_settings  # noqa: E402
from agentcheck.live.spec import DeploymentSpec  # noqa: E402
from agentcheck.load.checks import ScaleOut  # noqa: E402

PROJECT = ROOT / "tests" / "fixtures" / "live" / "project"
LANGHOST = ROOT / ".venv-langhost"
LANGGRAPH = Path(sys.executable).with_name("langgraph")


def command(server: str, jobs: int) -> str:
    if server == "langhost":
        return (
            f"{LANGHOST}/bin/langhost serve --config {{config}} --host {{host}} --port {{port}} "
            f"--no-browser --allow-blocking --n-jobs-per-worker {jobs}"
        )
    return (
        f"{LANGGRAPH} dev --no-browser --no-reload --allow-blocking --host {{host}} "
        f"--port {{port}} --n-jobs-per-worker {jobs} --config {{config}}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", choices=("langhost", "langgraph-dev"), default="langhost")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--ttft", type=float, default=1.0)
    parser.add_argument("--max-failure-ratio", type=float, default=0.05)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"{args.server}, 2 replicas of {args.jobs} jobs; {args.users} users for {args.seconds} s "
        f"per phase; fake model {args.ttft:g} s to the first token"
    )
    database = {"database": "postgres", "redis": True} if args.server == "langhost" else {}
    with FakeLLM() as llm, tempfile.TemporaryDirectory() as tmp:
        spec = DeploymentSpec(
            root=PROJECT, config=PROJECT / "langgraph.json", env=llm.env, extra_graphs=GRAPHS,
            files=FILES, server="command", command=command(args.server, args.jobs), replicas=2,
            **database,  # type: ignore[arg-type]
        )  # fmt: skip
        root = Path(tmp)
        (root / "pyproject.toml").write_text(
            "[tool.agentcheck.load]\n"
            f"users = {args.users}\nduration = {args.seconds}\n"
            f"max-failure-ratio = {args.max_failure_ratio}\n"
            f"fake-llm = {{ttft = {args.ttft}}}\n"
        )
        with Deployment(spec, LocalBackend()) as deployment:
            base = load_settings(PROJECT, table={}, run_budget=300.0)
            settings = dataclasses.replace(base, root=root, results=root / "results", load=True)
            print("\n| run | verdict | efficiency | message |")
            print("|---|---|---|---|")
            for run in range(1, args.runs + 1):
                ctx = LiveContext(deployment, settings, llm)
                try:
                    outcome = run_check(ScaleOut(), ctx, "agentcheck_probe")
                finally:
                    ctx.close_clients()
                found = outcome.message.split("efficiency ")
                efficiency = found[1].split(" ")[0].rstrip(":") if len(found) > 1 else "-"
                message = outcome.message.split("; reports:")[0].split(" (reports:")[0]
                print(f"| {run} | {outcome.status} | {efficiency} | {message} |")
                for path in sorted((root / "results" / "load").glob("*/summary.json")):
                    if path.parent.name.endswith(("1-replica", "2-replicas")):
                        data = json.loads(path.read_text())
                        gen = data["generator"]
                        print(
                            f"|  | {data['label']} | {data['runs_per_second']:.2f} runs/s | "
                            f"machine {gen['machine_busy']:.0%} busy, replicas' CPU "
                            f"{', '.join(f'{c:.2f}' for c in data['replica_cores'])} cores |"
                        )
                        path.unlink()
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
