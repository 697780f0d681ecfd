"""The live pytest plugin end to end, with pytester: options, items, fixtures, verdicts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agentcheck.live.services.ports import free_port
from tests.live.checks.conftest import NGINX, PROJECT, needs_nginx

LIVE = ["--agentcheck", "--agentcheck-live", "-p", "no:cacheprovider"]

USER_TEST = """
def test_user_graph_answers_with_the_scripted_reply(agent_client, fake_llm):
    fake_llm.script("Refunds take five days.")
    thread = agent_client.threads.create()
    state = agent_client.runs.wait(
        thread["thread_id"], "chat", input={"messages": [{"role": "user", "content": "refund?"}]}
    )
    assert state["messages"][-1]["content"] == "Refunds take five days."
    assert fake_llm.requests[-1].body["messages"][-1]["content"] == "refund?"
"""


# Runs that make HTTP requests go through runpytest_subprocess, as a user's pytest would: the
# in-process runner drops the modules an inner run imported, which leaves httpx (and openai)
# holding exception classes of an httpcore that is imported again later.


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    shutil.copytree(PROJECT, pytester.path, dirs_exist_ok=True)
    return pytester


def test_options_are_in_the_agentcheck_group(project: pytest.Pytester) -> None:
    result = project.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "*--agentcheck-live*with --agentcheck: start the agent and run the live",
            "*--agentcheck-runtime=*",
            "*--agentcheck-replicas=N*",
            "*--agentcheck-proxy=PATH*",
            "*--agentcheck-url=URL*",
        ]
    )


def test_no_live_item_without_agentcheck_live(project: pytest.Pytester) -> None:
    result = project.runpytest("--agentcheck", "--collect-only", "-q", "-p", "no:cacheprovider")
    assert "agentcheck::live" not in result.stdout.str()
    result = project.runpytest("--agentcheck-live", "--collect-only", "-q")
    assert "agentcheck::live" not in result.stdout.str()


def test_items_carry_their_code_and_graph_and_start_nothing(project: pytest.Pytester) -> None:
    result = project.runpytest(*LIVE, "--collect-only", "-q", "-k", "AC8")
    result.stdout.fnmatch_lines(
        [
            "agentcheck::live::AC801[[]chat[]]",
            "agentcheck::live::AC802[[]chat[]]",
            "agentcheck::live::AC803[[]agentcheck_probe[]]",
            "agentcheck::live::AC804[[]agentcheck_probe[]]",
            "agentcheck::live::AC805[[]agentcheck_probe[]]",
        ]
    )
    assert "starting" not in result.stdout.str()


def test_k_selects_live_items_like_any_test(project: pytest.Pytester) -> None:
    result = project.runpytest(*LIVE, "--collect-only", "-q", "-k", "AC803")
    lines = [line for line in result.stdout.lines if line.startswith("agentcheck::")]
    assert lines == ["agentcheck::live::AC803[agentcheck_probe]"]


def test_a_misspelt_setting_is_a_usage_error(project: pytest.Pytester) -> None:
    project.path.joinpath("pyproject.toml").write_text(
        "[tool.agentcheck.live]\nreplica = 2\n", encoding="utf-8"
    )
    result = project.runpytest(*LIVE, "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*[[]tool.agentcheck.live[]]: unknown key 'replica'; did you mean 'replicas'?*"]
    )


def test_a_project_without_langgraph_json_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(*LIVE, "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no langgraph.json in *; name one with `config` in*"])


def test_a_deployment_that_is_not_there_fails_ac801_and_skips_the_rest(
    project: pytest.Pytester,
) -> None:
    project.path.joinpath("pyproject.toml").write_text(
        "[tool.agentcheck.live]\nstartup-timeout = 1\n", encoding="utf-8"
    )
    dead = f"http://127.0.0.1:{free_port()}"
    result = project.runpytest_subprocess(*LIVE, f"--agentcheck-url={dead}", "-k", "AC8", "-rs")
    result.assert_outcomes(failed=1, skipped=21)  # AC851-AC853: the probe and 'chat' each
    result.stdout.fnmatch_lines(
        [
            "AC801 boot [[]chat[]]: the deployment did not start: replica 1/1 did not become "
            f"healthy at {dead}/ok within 1 s (last answer: no answer)",
            "*AC802: not run: the deployment did not start (see AC801)*",
            "*AC812: the url runtime cannot kill, restart, same-port*",
            "*AC851: the url runtime cannot kill, restart, run-another-version, same-port*",
        ]
    )


def test_user_fixtures_without_live_checks(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_user="""
import openai

def test_fake_llm_is_usable_alone(fake_llm):
    fake_llm.script("scripted")
    client = openai.OpenAI(base_url=fake_llm.url, api_key="k")
    answer = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])
    assert answer.choices[0].message.content == "scripted"

def test_deployment_needs_live(agent_deployment):
    raise AssertionError("not reached")
"""
    )
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*agent_deployment needs pytest --agentcheck --agentcheck-live*"])


@pytest.mark.slow
@needs_nginx
def test_right_nginx_config_passes_every_check_and_serves_user_tests(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(test_user=USER_TEST)
    proxy = f"--agentcheck-proxy={NGINX / 'good.conf'}"
    result = project.runpytest_subprocess(*LIVE, proxy, "-k", "AC80 or test_user", "-v")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(
        [
            "agentcheck live: starting the deployment (local, 1 replica(s), proxy good.conf)",
            "agentcheck live: ready at http://127.0.0.1:* in * s",
            "agentcheck::live::AC801[[]chat[]] PASSED*",
            "agentcheck::live::AC805[[]agentcheck_probe[]] PASSED*",
            "agentcheck live: stopping the deployment",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*LiveCheckWarning: AC805: * two events in a row shared an id through the proxy*"]
    )


@pytest.mark.slow
@needs_nginx
def test_buffering_short_timeout_config_fails_ac803_and_ac804_saying_why(
    project: pytest.Pytester,
) -> None:
    proxy = f"--agentcheck-proxy={NGINX / 'bad.conf'}"
    result = project.runpytest_subprocess(*LIVE, proxy, "-k", "AC80")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "AC803 sse-incremental [[]agentcheck_probe[]]: first event after * s of a * s run "
            "through the proxy at http://127.0.0.1:*: the stream was buffered*"
            "Content-Encoding: gzip*",
            "--- proxy log (last * lines) ---",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "AC804 sse-idle-survival [[]agentcheck_probe[]]: the stream was cut through the proxy"
            "*proxy_read_timeout) is 3 s*",
            "*upstream timed out*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "FAILED agentcheck::live::AC803[[]agentcheck_probe[]] - *",
            "FAILED agentcheck::live::AC804[[]agentcheck_probe[]] - *",
        ]
    )


@pytest.mark.slow
def test_a_graph_that_breaks_the_boot_is_one_failure_with_its_logs_kept(
    project: pytest.Pytester,
) -> None:
    config = project.path / "langgraph.json"
    config.write_text(
        '{"dependencies": ["."], "graphs": {"chat": "./chat/graph.py:graph", '
        '"broken": "./broken.py:graph"}}',
        encoding="utf-8",
    )
    project.path.joinpath("broken.py").write_text(
        "raise RuntimeError('boom at import')\n", encoding="utf-8"
    )
    result = project.runpytest_subprocess(*LIVE, "-k", "AC801", "-rs")
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "AC801 boot [[]broken[]]: the deployment did not start: replica 1/1 exited*",
            "*AC801: the deployment did not start (graph 'broken' failed to load): reported "
            "once, by AC801[[]broken[]]*",
        ]
    )
    kept = [line for line in result.stdout.lines if "every log of this run is kept in" in line]
    assert len(kept) == 1
    folder = Path(kept[0].rsplit(" ", 1)[1])
    assert folder.is_relative_to(project.path / ".agentcheck" / "results")
    assert "boom at import" in (folder / "replica-0.log").read_text(encoding="utf-8")
    assert "boom at import" in (folder / "startup-error.txt").read_text(encoding="utf-8")
