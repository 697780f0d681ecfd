"""Reading Locust's CSV files into figures, and agentcheck's summary page of them."""

from __future__ import annotations

import json
from pathlib import Path

from agentcheck.load.report import write_reports
from agentcheck.load.results import read_result

PCT = "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
STATS = f"""Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,{PCT}
POST,create thread,10,0,40,45.0,7,99,287.0,1.0,0.0,40,50,60,70,90,99,99,99,99,99,99
POST,stream run,10,0,30,38.0,10,58,0.0,1.0,0.0,30,40,50,50,58,58,58,58,58,58,58
POST,continue thread,10,4,70,77.0,50,92,0.0,1.0,0.4,70,80,90,90,92,92,92,92,92,92,92
SSE,full stream,16,0,2400,2583.0,1982,3383,0.0,1.9,0.0,2400,2400,3400,3400,3400,3400,3400,3400,3400,3400,3400
SSE,time to first event,16,0,200,310.0,90,1400,0.0,1.9,0.0,200,200,300,300,900,1400,1400,1400,1400,1400,1400
SSE,time to first token,16,0,1500,1887.0,1422,2748,0.0,1.9,0.0,1500,1500,2700,2700,2700,2700,2700,2700,2700,2700,2700
,Aggregated,62,4,1400,1140.0,7,3383,0.0,7.58,0.4,1400,1500,2400,2400,2700,3400,3400,3400,3400,3400,3400
"""
HEAD = f"Timestamp,User Count,Type,Name,Requests/s,Failures/s,{PCT},Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size"
NA = ",".join(["N/A"] * 11)


def history() -> str:
    rows = [HEAD, f"100,0,,Aggregated,0,0,{NA},0,0,0,0,0,0,0"]
    done = {103: 4, 104: 4, 105: 8, 106: 10, 107: 14, 108: 16, 109: 16}  # full streams so far
    users = {101: 5, 102: 5, 103: 5, 104: 5, 105: 5, 106: 5, 107: 5, 108: 2, 109: 1}
    for stamp, count in users.items():
        rows.append(f"{stamp},{count},,Aggregated,1,0,{NA},{stamp},0,0,0,0,0,0")
        if stamp in done:
            total = done[stamp]
            rows.append(f"{stamp},{count},SSE,full stream,1,0,{NA},{total},0,0,0,0,0,0")
    return "\n".join(rows) + "\n"


FAILURES = """Method,Name,Error,Occurrences,First Seen,Last Seen
POST,continue thread,"CatchResponseError('HTTP 404: {""detail"":""Thread not found <script>""}')",4,1,2
"""


def write_run(directory: Path) -> None:
    directory.mkdir(parents=True)
    (directory / "locust_stats.csv").write_text(STATS)
    (directory / "locust_stats_history.csv").write_text(history())
    (directory / "locust_failures.csv").write_text(FAILURES)


def test_figures_come_from_locusts_files(tmp_path: Path) -> None:
    write_run(tmp_path / "run")
    result = read_result(tmp_path / "run", label="2 replicas", host="h", replicas=(), users=5)
    assert (result.requests, result.failures) == (30, 4)  # HTTP requests only, not SSE events
    assert result.failure_ratio == 4 / 30
    assert result.by_name["continue thread"] == (10, 4)
    assert result.runs == 16
    assert result.first_token is not None
    assert result.stream is not None
    assert (result.first_token.p50, result.first_token.p95) == (1.5, 2.7)
    assert result.stream.p95 == 3.4
    assert result.first_event is not None
    assert (result.first_event.p50, result.first_event.p95) == (0.2, 1.4)
    # Every user ran from second 101 to 107: 6 s, in which 14 streams completed.
    assert result.seconds == 6.0
    assert result.runs_per_second == 14 / 6
    assert [runs for _, _, runs in result.timeline] == [0, 0, 4, 0, 4, 2, 4, 2, 0]
    assert result.failure_kinds[0].error == 'HTTP 404: {"detail":"Thread not found <script>"}'


def test_the_summary_page_is_self_contained_and_escaped(tmp_path: Path) -> None:
    write_run(tmp_path / "run")
    result = read_result(tmp_path / "run", label="2 replicas", host="h", replicas=(), users=5)
    page = write_reports(
        result, [("failed", "max-failure-ratio: 13.33% <b>")], {"p95-first-token": 5.0}
    )
    text = page.read_text()
    assert text.count("<svg") == 2
    assert "<script" not in text
    assert "&lt;script&gt;" in text
    assert "&lt;b&gt;" in text
    for external in ("http://", "https://", "//cdn", "<link", "@import"):
        assert external not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert 'class="limit"' in text  # the p95 limit drawn on the latency chart
    for series in ("time to first event", "time to first token", "full stream"):
        assert f"<title>{series} p95: " in text  # each timing is a line on the chart
    figures = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert figures["runs"] == 16
    assert figures["first_token"]["p95"] == 2.7
    assert figures["first_event"]["p95"] == 1.4
    assert figures["verdicts"] == [{"status": "failed", "message": "max-failure-ratio: 13.33% <b>"}]
    assert figures["thresholds"] == {"p95-first-token": 5.0}


def test_a_run_without_results_reads_as_empty(tmp_path: Path) -> None:
    result = read_result(tmp_path, label="x", host="h", replicas=(), users=1)
    assert (result.requests, result.runs, result.first_token, result.timeline) == (0, 0, None, [])


def test_a_run_judged_again_keeps_the_first_verdict(tmp_path: Path) -> None:
    # AC832 judges the run AC831 made: the summary shows both verdicts and AC831's thresholds.
    write_run(tmp_path / "run")
    result = read_result(tmp_path / "run", label="2 replicas", host="h", replicas=(), users=5)
    write_reports(result, [("passed", "AC831 load-slo: figures")], {"p95-first-token": 5.0})
    page = write_reports(result, [("failed", "AC832 scale-out: efficiency 0.40")])
    write_reports(result, [("failed", "AC832 scale-out: efficiency 0.40")])  # written twice
    figures = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert figures["verdicts"] == [
        {"status": "passed", "message": "AC831 load-slo: figures"},
        {"status": "failed", "message": "AC832 scale-out: efficiency 0.40"},
    ]
    assert figures["thresholds"] == {"p95-first-token": 5.0}
    text = page.read_text()
    assert "AC831 load-slo: figures" in text
    assert "AC832 scale-out: efficiency 0.40" in text
