"""The AC2xx rules on projects built in the test: the seed's own example, one code per place,
annotations, projects inside a larger repository, and bad input."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from agentcheck.lint.finding import Finding
from agentcheck.lint.runner import enabled_rules, lint
from agentcheck.project import Project
from tests.secrets.fakekeys import KEYS

#: The deployment guide's docker-compose.yml, verbatim.
SEED_COMPOSE = """\
# docker-compose.yml
version: "3.8"
services:
  agent-server:
    build:
      context: .
      dockerfile: Dockerfile
    ports:
      - "8000:8000"
    environment:
      - OPENAI_API_KEY=${OPENAI_API_KEY}
      - LANGSMITH_API_KEY=${LANGSMITH_API_KEY}
      - DATABASE_URL=postgresql://postgres:postgres@db:5432/langgraph
    depends_on:
      - db

  db:
    image: postgres:16
    environment:
      POSTGRES_DB: langgraph
      POSTGRES_USER: postgres
      POSTGRES_PASSWORD: postgres
    volumes:
      - pgdata:/var/lib/postgresql/data
    ports:
      - "5432:5432"

volumes:
  pgdata:
"""


def make(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def git_commit(root: Path, *extra: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    for cmd in (["init", "-q"], ["add", "-A", *extra], ["commit", "-qm", "x", "--allow-empty"]):
        subprocess.run(["git", *cmd], cwd=root, check=True, env=env, capture_output=True)


def run(root: Path, select: str = "AC2") -> list[Finding]:
    project = Project(root)
    return lint(project, enabled_rules(project, select=[select, "AC100", "AC901"])).findings


def where(findings: list[Finding]) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.code) for f in findings]


def test_the_seed_compose_example_gets_ac205_for_each_password_and_ac207_for_the_port(
    tmp_path: Path,
) -> None:
    make(tmp_path, {"docker-compose.yml": SEED_COMPOSE})
    findings = run(tmp_path)
    assert where(findings) == [
        ("docker-compose.yml", 13, "AC205"),  # DATABASE_URL: one code per place, not AC201 too
        ("docker-compose.yml", 22, "AC205"),  # POSTGRES_PASSWORD
        ("docker-compose.yml", 26, "AC207"),  # "5432:5432"
    ]
    assert "PostgreSQL `db` publishes port 5432 on all interfaces" in findings[2].message


def test_a_local_compose_file_may_use_default_passwords(tmp_path: Path) -> None:
    make(tmp_path, {"docker-compose.dev.yml": SEED_COMPOSE})
    assert run(tmp_path) == []


def test_a_key_in_a_manifest_is_ac205_and_not_also_ac201(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "k8s/agent.yaml": f"""\
apiVersion: v1
kind: Pod
metadata:
  name: agent
spec:
  containers:
    - name: agent
      image: agent:1.0.0
      env:
        - name: OPENAI_API_KEY
          value: {KEYS["openai_k8s"]}
""",
        },
    )
    assert where(run(tmp_path)) == [("k8s/agent.yaml", 11, "AC205")]


def test_kubernetes_annotations_suppress_ac205_and_ac207(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "k8s/db.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
  annotations:
    agentcheck.io/ignore: AC205, default-database-credentials
spec:
  selector:
    matchLabels: {app: redis}
  template:
    metadata:
      labels: {app: redis}
    spec:
      hostNetwork: true
      containers:
        - name: redis
          image: redis:7
          env:
            - name: REDIS_PASSWORD
              value: redis
""",
        },
    )
    assert run(tmp_path) == []


def test_a_literal_key_on_a_docker_command_line_is_ac201_not_also_ac206(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "deploy.sh": f"docker run -e OPENAI_API_KEY={KEYS['openai_deploy']} agent:1\n"
            'docker run -e LANGSMITH_API_KEY="$LANGSMITH_API_KEY" agent:1\n',
        },
    )
    assert where(run(tmp_path)) == [("deploy.sh", 1, "AC201"), ("deploy.sh", 2, "AC206")]


def test_a_project_inside_a_repository_reads_the_repository_gitignore(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            ".gitignore": "services/*/.env\n",
            "services/agent/langgraph.json": '{"graphs": {}}',
            "services/agent/.env": f"OPENAI_API_KEY={KEYS['openai_env']}\n",
            "services/agent/sub/.env": f"OPENAI_API_KEY={KEYS['openai_env']}\n",
        },
    )
    git_commit(tmp_path, ":!services/agent/sub/.env")
    assert where(run(tmp_path / "services" / "agent")) == [("sub/.env", 1, "AC203")]


def test_the_working_tree_is_read_as_git_would_commit_it(tmp_path: Path) -> None:
    make(tmp_path, {"committed.py": "x = 1\n", ".gitignore": "local/\n"})
    git_commit(tmp_path)
    key = f'KEY = "{KEYS["groq"]}"\n'
    make(tmp_path, {"scratch.py": key, "local/notes.py": key})
    # scratch.py is untracked but nothing ignores it: `git add -A` commits it next
    assert where(run(tmp_path)) == [("scratch.py", 1, "AC201")]
    subprocess.run(["git", "add", "scratch.py"], cwd=tmp_path, check=True)
    assert where(run(tmp_path)) == [("scratch.py", 1, "AC201")]


def test_bad_input_gives_clear_findings_or_silence_never_a_crash(tmp_path: Path) -> None:
    bundle = "var a=1;" * (5 * 1024 * 1024 // 8)
    one_line = "x" * (1024 * 1024) + f' k="{KEYS["openai_project"]}"'
    make(
        tmp_path,
        {
            "static/app.min.js": bundle,
            "static/one-line.txt": one_line,
            "latin1.py": b"# caf\xe9\nTAVILY = '" + KEYS["tavily"].encode() + b"'\n",
            "data.bin": b"\x00\x01\x02" * 100,
            "docker-compose.yml": "services: [1, 2]\n",
            "compose.yaml": "services:\n  db:\n    image: [postgres]\n    environment: 42\n"
            "    ports: {a: 1}\n    build: {args: 7}\n    env_file: [{path: 3}]\n",
            "k8s/odd.yaml": "apiVersion: v1\nkind: Pod\nmetadata: x\nspec:\n  containers:\n"
            "    - env: 5\n    - env: [{name: 3}, {name: TOKEN, value: {a: 1}}]\n    - 7\n",
            "k8s/db.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: x\nspec:\n"
            "  template:\n    metadata: 3\n    spec:\n      hostNetwork: true\n      containers:\n"
            "        - image: redis:7\n          env: 5\n          ports: 6\n"
            "---\napiVersion: v1\nkind: Service\nmetadata: 4\nspec: {type: NodePort, selector: 9}\n",
            "k8s/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
            "data:\n  a: '!!notbase64'\n  b: //79\n",
            "Dockerfile": 'FROM\nENV\nARG =\nENV A B C\nCOPY\nADD --from=x . /\nCOPY ["a",\n',
            "langgraph.json": '{"env": ["not", "a", "mapping"], "dependencies": [7]}',
            "deploy.sh": "docker run -e 'unclosed\ndocker build --build-arg\nkubectl create secret\n",
        },
    )
    (tmp_path / ".env").mkdir()
    (tmp_path / ".env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    findings = run(tmp_path)
    assert not [f for f in findings if f.code == "AC901"], [f.message for f in findings]
    assert where([f for f in findings if f.code == "AC201"]) == [
        ("latin1.py", 2, "AC201"),
        ("static/one-line.txt", 1, "AC201"),
    ]
    too_large = [f for f in findings if f.code == "AC100" and f.path == "static/app.min.js"]
    assert len(too_large) == 1
    assert too_large[0].severity.value == "info"
    assert "over max-file-size" in too_large[0].message


@pytest.mark.parametrize("select", ["AC201", "AC202", "AC203", "AC204", "AC205", "AC206", "AC207"])
def test_each_rule_runs_alone_on_an_empty_directory(tmp_path: Path, select: str) -> None:
    assert run(tmp_path, select) == []


@pytest.mark.parametrize(
    ("kind", "prefix"),
    [
        ("Pod", "spec:\n"),
        ("Deployment", "spec:\n  template:\n    spec:\n"),
        ("StatefulSet", "spec:\n  template:\n    spec:\n"),
        ("DaemonSet", "spec:\n  template:\n    spec:\n"),
        ("Job", "spec:\n  template:\n    spec:\n"),
        ("CronJob", "spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"),
    ],
)
@pytest.mark.parametrize("containers", ["containers", "initContainers"])
def test_every_workload_kind_and_container_list_is_read(
    tmp_path: Path, kind: str, prefix: str, containers: str
) -> None:
    indent = " " * (len(prefix.splitlines()[-1]) - len(prefix.splitlines()[-1].lstrip()) + 2)
    manifest = (
        f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: agent\n{prefix}"
        f"{indent}{containers}:\n"
        f"{indent}  - name: agent\n"
        f"{indent}    image: agent:1.0.0\n"
        f"{indent}    env:\n"
        f"{indent}      - name: LANGSMITH_API_KEY\n"
        f"{indent}        valueFrom: {{secretKeyRef: {{name: agent, key: langsmith}}}}\n"
        f"{indent}      - name: ANTHROPIC_API_KEY\n"
        f"{indent}        value: {KEYS['anthropic_k8s']}\n"
    )
    make(tmp_path, {"k8s/agent.yaml": manifest})
    line = manifest.splitlines().index(f"{indent}        value: {KEYS['anthropic_k8s']}") + 1
    findings = run(tmp_path)
    assert where(findings) == [("k8s/agent.yaml", line, "AC205")]
    assert "Anthropic API key" in findings[0].message


def test_a_data_file_over_max_file_size_is_skipped_without_a_finding(tmp_path: Path) -> None:
    rows = "".join(f'{{"run": {i}, "score": 0.{i % 10}}}\n' for i in range(120_000))
    make(tmp_path, {"results/bench.jsonl": rows, "static/bundle.js": "x" * (3 * 1024 * 1024)})
    findings = [f for f in run(tmp_path) if f.code == "AC100"]
    assert where(findings) == [("static/bundle.js", 1, "AC100")]


def test_a_file_held_in_a_secret_counts_only_for_what_it_holds(tmp_path: Path) -> None:
    config = (
        '    {\n      "execProviderConfig": {"command": "argocd-k8s-auth", "args": ["gcp"]},\n'
        '      "tlsClientConfig": {"insecure": false, "caData": "BASE64_ENCODED_CA_CERT"}\n    }\n'
    )
    leaked = f'    {{\n      "bearerToken": "{KEYS["jwt_secret"]}"\n    }}\n'
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\nstringData:\n  config: |\n"
    make(
        tmp_path,
        {
            "k8s/cluster.yaml": secret.format(name="cluster") + config,
            "k8s/leaked.yaml": secret.format(name="leaked") + leaked,
        },
    )
    assert where([f for f in run(tmp_path) if f.code == "AC205"]) == [
        ("k8s/leaked.yaml", 6, "AC205")
    ]
