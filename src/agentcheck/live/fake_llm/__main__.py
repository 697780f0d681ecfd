"""``python -m agentcheck.live.fake_llm``: serve the fake LLM until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from agentcheck.live.fake_llm import DEFAULT_REPLY, FakeLLM

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m agentcheck.live.fake_llm``: serve until interrupted, print the base URL."""
    parser = argparse.ArgumentParser(
        prog="python -m agentcheck.live.fake_llm",
        description="An OpenAI-compatible fake chat model on loopback.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--ttft", type=float, default=0.0, help="seconds to the first token")
    parser.add_argument("--tokens-per-second", type=float, default=None, help="token pace")
    parser.add_argument(
        "--error-ratio", type=float, default=0.0, help="share of requests answered HTTP 500"
    )
    parser.add_argument("--reply", default=DEFAULT_REPLY, help="the reply text")
    args = parser.parse_args(argv)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    llm = FakeLLM(
        ttft=args.ttft,
        tokens_per_second=args.tokens_per_second,
        error_ratio=args.error_ratio,
        default_reply=args.reply,
        port=args.port,
    )
    with llm:
        print(llm.url, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
