"""Odd and malformed deployment files: clear findings or silence, never a crash (AC901)."""

from __future__ import annotations

import pytest

from tests.operations.conftest import LintFiles, codes

MIXED_LIST = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings}
    data: {LOG_LEVEL: DEBUG}
  - "not an object"
  - 42
  - apiVersion: v1
    kind: Service
    metadata: {name: agent}
    spec: {type: LoadBalancer, selector: {app: agent}, ports: [{port: 80}]}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: agent, annotations: [not, a, mapping]}
    spec:
      replicas: two
      template:
        metadata: {labels: {app: agent}}
        spec:
          containers:
            - name: agent
              image: langchain/langgraph-api
              envFrom: [{configMapRef: {name: settings}}]
              resources: "lots"
              readinessProbe: [not, a, probe]
            - "a string container"
            - name: sidecar
              image: 7
              env: "LOG_LEVEL=DEBUG"
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: cleanup}
    spec: {jobTemplate: {spec: {template: {spec: {containers: {name: not-a-list}}}}}}
"""


def test_a_kubernetes_list_of_mixed_and_malformed_items(lint_files: LintFiles) -> None:
    found = lint_files({"k8s/all.yaml": MIXED_LIST})
    assert not [f for f in found if f.code == "AC901"], [f.message for f in found]
    got = codes(found)
    assert ("k8s/all.yaml", 7, "AC501") in got  # the ConfigMap the agent loads
    assert ("k8s/all.yaml", 13, "AC509") in got  # the LoadBalancer in front of it
    assert ("k8s/all.yaml", 23, "AC503") in got  # a readinessProbe that is not one
    assert ("k8s/all.yaml", 24, "AC506") in got  # langchain/langgraph-api with no tag


COMPOSE_VERSIONS = {
    "v1": """\
        agent:
          build: .
          ports: ["8000:8000"]
        db:
          image: postgres
    """,
    "v2": """\
        version: "2"
        services:
          agent:
            build: .
            ports: [8000]
          db:
            image: postgres
    """,
    "v2.4": """\
        version: '2.4'
        services:
          agent:
            build: {context: ., dockerfile: Dockerfile}
            ports: [{target: 8000, published: 8000}]
          db:
            image: postgres
    """,
    "v3.8": """\
        version: "3.8"
        services:
          agent:
            build: .
            ports: ["8000:8000/tcp"]
          db:
            image: postgres
    """,
    "spec": """\
        services:
          agent:
            build: .
            ports: ["0.0.0.0:8000:8000"]
          db:
            image: postgres
    """,
}


@pytest.mark.parametrize("version", sorted(COMPOSE_VERSIONS))
def test_compose_files_of_every_spec_version(lint_files: LintFiles, version: str) -> None:
    files = {
        "docker-compose.yml": COMPOSE_VERSIONS[version],
        "Dockerfile": "FROM langchain/langgraph-api:3.11\n",
    }
    found = lint_files(files)
    assert not [f for f in found if f.code == "AC901"], [f.message for f in found]
    got = {code for _, _, code in codes(found)}
    assert {"AC503", "AC506", "AC509"} <= got  # no healthcheck, postgres untagged, exposed


MALFORMED_COMPOSE = [
    "services: [agent, db]\n",
    "services:\n  agent: null\n  db: 7\n",
    "services:\n  agent:\n    image: [a, b]\n    environment: 12\n    env_file: {path: 3}\n"
    "    healthcheck: curl\n    ports: {a: b}\n    deploy: {replicas: many, resources: x}\n",
    "services:\n  agent:\n    build: .\n    environment: [null, '=x', 'LOG_LEVEL']\n"
    "    command: 5\n    stop_grace_period: forever\n",
    "version: 3\n",
    "",
    "# only a comment\n",
    "---\n---\n",
]


@pytest.mark.parametrize("text", MALFORMED_COMPOSE)
def test_malformed_compose_never_crashes(lint_files: LintFiles, text: str) -> None:
    files = {"docker-compose.yml": text, "Dockerfile": "FROM langchain/langgraph-api:3.11\n"}
    found = lint_files(files)
    assert not [f for f in found if f.code == "AC901"], [f.message for f in found]


@pytest.mark.parametrize(
    ("content", "parse_error"),
    [
        pytest.param(b"apiVersion: v1\nkind: [\n", True, id="invalid-yaml"),
        pytest.param(
            b"apiVersion: v1\nkind: Deployment\nname: \xff\xfe\n", True, id="invalid-utf8"
        ),
        pytest.param(b"\x00\x01\x02 binary", False, id="binary"),
        pytest.param(
            b"apiVersion: v1\nkind: ConfigMap\ndata: &a {x: *a}\n", True, id="recursive-alias"
        ),
    ],
)
def test_unreadable_manifests_are_parse_errors_not_crashes(
    lint_files: LintFiles, content: bytes, parse_error: bool
) -> None:
    found = lint_files({"k8s/deployment.yaml": content})
    assert not [f for f in found if f.code == "AC901"], [f.message for f in found]
    assert [f.code for f in found if f.code != "AC100"] == []
    assert any(f.code == "AC100" for f in found) is parse_error


def test_served_code_that_does_not_parse(lint_files: LintFiles) -> None:
    files = {
        "agent.py": "def broken(:\n",
        "docker-compose.yml": "services:\n  agent:\n    image: langchain/langgraph-api:3.11\n",
    }
    found = lint_files(files, select=("AC501", "AC510", "AC511", "AC100", "AC901"))
    assert [(f.path, f.code) for f in found] == [("agent.py", "AC100")]
