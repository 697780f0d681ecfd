"""A key written where a name, path or value belongs is never printed in full: not in a message
that echoes the value, not in a code frame, not in an error, in no format.

One sample per credential format the detectors know; each is planted where agentcheck echoes
what it read (langgraph.json ``env``, a graph id and path, ``python_version``, a
``[tool.agentcheck]`` value, a line with a syntax error in a served module).
"""

from __future__ import annotations

import json
import random
import string
import subprocess
from pathlib import Path

import pytest

from agentcheck.cli import main
from agentcheck.secrets import mask_text, scan_text

_RNG = random.Random(1515)
_A = string.ascii_letters + string.digits


def _b(n: int, alphabet: str = _A) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(n))


_HEX = "0123456789abcdef"
#: One value per format: (name, the text it is written as, the secret itself).
FORMATS: list[tuple[str, str]] = [
    ("openai-project", "sk-proj-" + _b(60, _A + "_-")),
    ("openai-service", "sk-svcacct-" + _b(60)),
    ("openai-admin", "sk-admin-" + _b(60)),
    ("openai-legacy", "sk-" + _b(48)),
    ("deepseek", "sk-" + _b(32, _HEX)),
    ("anthropic", "sk-ant-api03-" + _b(80, _A + "_-")),
    ("openrouter", "sk-or-v1-" + _b(64, _HEX)),
    ("langsmith", f"lsv2_pt_{_b(32, _HEX)}_{_b(10, _HEX)}"),
    ("langsmith-legacy", "ls__" + _b(32, _HEX)),
    ("google", "AIza" + _b(35)),
    ("groq", "gsk_" + _b(52)),
    ("tavily", "tvly-" + _b(32)),
    ("huggingface", "hf_" + _b(34, string.ascii_letters)),
    ("huggingface-org", "api_org_" + _b(34)),
    ("pinecone", "pcsk_" + _b(60)),
    ("replicate", "r8_" + _b(37)),
    ("perplexity", "pplx-" + _b(48)),
    ("xai", "xai-" + _b(80)),
    ("fireworks", "fw_" + _b(30)),
    ("aws", "AKIA" + _b(16, string.ascii_uppercase + string.digits)),
    ("github", "ghp_" + _b(36)),
    ("gitlab", "glpat-" + _b(20)),
    ("slack", "xoxb-" + "-".join(_b(12, string.digits) for _ in range(2)) + "-" + _b(24)),
    ("stripe", "sk_live_" + _b(30)),
    ("sendgrid", f"SG.{_b(22)}.{_b(43)}"),
    ("pypi", "pypi-AgEIcHlwaS5vcmc" + _b(80)),
    ("square", "sq0csp-" + _b(43)),
    ("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + _b(43, _A + "_-")),
]
#: Formats known only by the provider's name beside them: (assignment, secret).
NAMED: list[tuple[str, str]] = [
    ("AZURE_OPENAI_API_KEY={}", _b(32, _HEX)),
    ("MISTRAL_API_KEY={}", _b(32)),
    ("COHERE_API_KEY={}", _b(40)),
    ("SECRET_KEY={}", _b(48)),
]
ALL = [value for _, value in FORMATS] + [secret for _, secret in NAMED]


@pytest.mark.parametrize(("name", "value"), FORMATS, ids=[n for n, _ in FORMATS])
def test_the_redactor_knows_every_format(name: str, value: str) -> None:
    assert scan_text(f'x = "{value}"\n', "settings.yaml"), name  # the detectors know it
    masked = mask_text(f"graph {value!r} is missing")
    assert value not in masked
    assert len(masked) == len(f"graph {value!r} is missing")  # carets stay aligned


@pytest.mark.parametrize(("assignment", "secret"), NAMED)
def test_the_redactor_knows_named_formats(assignment: str, secret: str) -> None:
    text = assignment.format(secret)
    assert scan_text(text + "\n", ".env.production")
    assert secret not in mask_text(f'"env": {text!r} names a file that is missing')


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # A measurement under a threshold named like a secret stays readable (AC831's verdict).
        ("p95-first-token: 6.30 s measured, at most 4.5 s allowed", "6.30"),
        ('"max-token": "3.14"', "3.14"),
        # A literal is a setting, not a credential (AC510's message and fix).
        ("allow_origins=['*'] and allow_credentials=True: any website", "credentials=True: any"),
        ("or `allow_credentials=False`.", "allow_credentials=False`."),
        ("password: null", "null"),
    ],
)
def test_a_measurement_or_a_literal_under_a_secret_name_is_shown(text: str, shown: str) -> None:
    assert shown in mask_text(text)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("token: 6.30abc", "6.30abc"),
        ("PASSWORD=1.2.3.4", "1.2.3.4"),
        ("api_key: 123456", "123456"),
        ("PASSWORD=Trueblue-Secret", "Trueblue-Secret"),
        ("token: null-route-9f8e7d", "null-route-9f8e7d"),
    ],
)
def test_a_value_that_is_more_than_a_decimal_is_still_masked(text: str, secret: str) -> None:
    assert secret not in mask_text(text)


def test_azure_key_in_committed_env_production_is_found(tmp_path: Path) -> None:
    (tmp_path / ".env.production").write_text(f"AZURE_OPENAI_API_KEY={NAMED[0][1]}\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)  # committed, as in a leak
    assert main(["lint", str(tmp_path), "--format", "json", "-o", str(tmp_path / "r.json")]) == 1
    report = json.loads((tmp_path / "r.json").read_text())
    found = [f for f in report["findings"] if f["code"] == "AC201"]
    assert [(f["path"], f["line"]) for f in found] == [(".env.production", 1)]


def _project(root: Path) -> None:
    root.mkdir()
    graphs = {f"g{i}-{value}": f"./agent.py:{value[:3]}_{i}" for i, value in enumerate(ALL)}
    graphs["path"] = f"./{ALL[0]}.py:graph"
    (root / "langgraph.json").write_text(
        json.dumps(
            {
                "graphs": graphs,
                "env": NAMED[0][0].format(NAMED[0][1]),
                "python_version": ALL[1],
                "dependencies": [".", f"./{ALL[2]}"],
            }
        )
    )
    frame = "".join(f"x{i} = '{value}' +\n" for i, value in enumerate(ALL))
    (root / "agent.py").write_text(f"graph = 1\n{frame}")
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "x"\nversion = "1"\nrequires-python = "{ALL[3]}"\n'
    )


def test_no_output_echoes_a_planted_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "project"
    _project(root)
    outputs = []
    for fmt in ("text", "json", "sarif", "github", "junit"):
        main(["lint", str(root), "--format", fmt])
        captured = capsys.readouterr()
        outputs.append(captured.out + captured.err)
    assert "AC102" in outputs[0]  # the graphs were read and reported
    assert "AC100" in outputs[0]  # the syntax error's frame was printed
    for value in ALL:
        for out in outputs:
            assert value not in out


@pytest.mark.parametrize("place", ["fail-on", "select"])
def test_config_errors_do_not_echo_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], place: str
) -> None:
    value = FORMATS[0][1]
    body = f'fail-on = "{value}"' if place == "fail-on" else f'select = ["{value}"]'
    (tmp_path / "pyproject.toml").write_text(f"[tool.agentcheck]\n{body}\n")
    assert main(["lint", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("agentcheck: error:")
    assert value not in err


def test_pytest_plugin_output_does_not_echo_a_key(pytester: pytest.Pytester) -> None:
    root = pytester.path / "project"
    _project(root)
    xml = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess(
        "--agentcheck", "--agentcheck-only", f"--agentcheck-root={root}", "-rA", "-vv",
        f"--junitxml={xml}",
    )  # fmt: skip
    text = result.stdout.str() + result.stderr.str() + xml.read_text(encoding="utf-8")
    assert "AC102" in text
    for value in ALL:
        assert value not in text
