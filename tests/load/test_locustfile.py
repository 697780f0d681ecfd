"""The shipped locustfile: loadtests/ links to it, and its SSE reading is right.

Importing Locust patches the standard library with gevent, so the locustfile's functions run in
a subprocess here, never in pytest's process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agentcheck.load.runner import LOCUSTFILE

ROOT = Path(__file__).parents[2]


def test_the_readable_copy_is_the_shipped_file() -> None:
    # A link, not a copy: `locust -f loadtests/locustfile.py` runs the package's own file.
    copy = ROOT / "loadtests" / "locustfile.py"
    assert copy.is_symlink()
    assert copy.resolve() == LOCUSTFILE.resolve()


PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import locustfile as lf
cases = json.loads(sys.stdin.read())
out = {
    "events": [list(lf.sse_events(c.encode() for c in chunks)) for chunks in cases["streams"]],
    "output": [lf.has_output(e, d) for e, d in cases["events"]],
    "gevent": "gevent" in sys.modules,
}
print(json.dumps(out))
"""


def run_locustfile(cases: dict[str, object]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(LOCUSTFILE.parent)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_sse_events_split_lines_however_the_chunks_fall() -> None:
    whole = 'event: metadata\r\ndata: {"run_id": "r"}\r\n\r\n: heartbeat\r\n\r\nevent: messages\r\ndata: [1]\r\n\r\n'
    streams = [
        [whole],
        [whole[:15], whole[15:16], whole[16:]],  # a CRLF split across two chunks
        list(whole),  # one character at a time
        ["data: a\ndata: b\n\nevent: end\n\n"],  # LF, two data lines, no event name
        ["event: values\rdata: {}\r\r"],  # CR alone
        ["event: updates\ndata: {}"],  # cut before its blank line: not an event
    ]
    result = run_locustfile({"streams": streams, "events": []})
    expected = [["metadata", '{"run_id": "r"}'], ["messages", "[1]"]]
    assert result["events"][:3] == [expected, expected, expected]
    assert result["events"][3] == [["message", "a\nb"], ["end", ""]]
    assert result["events"][4] == [["values", "{}"]]
    assert result["events"][5] == []
    assert result["gevent"]  # it did run Locust's patched world, in its own process


def test_has_output_knows_model_tokens_from_the_rest() -> None:
    events = [
        ["messages", json.dumps([{"content": "Hi", "type": "AIMessageChunk"}, {}])],
        ["messages", json.dumps([{"content": "", "type": "AIMessageChunk"}, {}])],
        ["messages", json.dumps([{"content": "", "tool_call_chunks": [{"name": "f"}]}, {}])],
        ["messages/partial", json.dumps([{"content": "Hel", "type": "ai"}])],
        ["messages/metadata", json.dumps({"run": {"content": "x"}})],
        ["updates", json.dumps({"answer": {"messages": [{"content": "Hi"}]}})],
        ["messages", "not json"],
    ]
    result = run_locustfile({"streams": [], "events": events})
    assert result["output"] == [True, False, True, True, False, False, False]
