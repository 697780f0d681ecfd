"""Kubernetes manifests in the deployment model: workloads, scaling, env sources, exposure."""

from __future__ import annotations

import pytest

from agentcheck.deployment.model import Where
from tests.conftest import MakeDeployment, MakeProject

MANIFESTS = """
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: agent-config}
    data:
      LOG_LEVEL: info
      REDIS_URI: redis://redis:6379/2
  - apiVersion: v1
    kind: Secret
    metadata: {name: agent-secrets}
    type: Opaque
    data:
      DATABASE_URI: cG9zdGdyZXM6Ly8=
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: agent
      namespace: prod
    spec:
      replicas: 2
      template:
        metadata:
          labels: {app: agent}
        spec:
          terminationGracePeriodSeconds: 240
          initContainers:
            - name: migrate
              image: registry.example.com/migrate:1.0.0
          containers:
            - name: api
              image: registry.example.com/agent:1.0.0
              envFrom:
                - secretRef: {name: agent-secrets}
              env:
                - name: LOG_LEVEL
                  valueFrom:
                    configMapKeyRef: {name: agent-config, key: LOG_LEVEL}
                - name: LANGSMITH_API_KEY
                  valueFrom:
                    secretKeyRef: {name: langsmith, key: api-key}
              readinessProbe:
                httpGet: {path: /ok, port: 8000}
              livenessProbe:
                exec:
                  command: ["curl", "-f", "localhost:8000/ok"]
              resources:
                limits: {cpu: "1", memory: 1Gi}
              ports:
                - containerPort: 8000
  - apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata: {name: agent}
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: agent}
      maxReplicas: 6
  - apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: agent}
    spec:
      minAvailable: 1
      selector:
        matchLabels: {app: agent}
  - apiVersion: v1
    kind: Service
    metadata: {name: agent}
    spec:
      type: LoadBalancer
      selector: {app: agent}
      ports: [{port: 80, targetPort: 8000}]
  - apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: agent}
    spec:
      rules:
        - http:
            paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: agent, port: {number: 80}}
"""


def test_a_list_of_mixed_kinds(make_deployment: MakeDeployment) -> None:
    dep = make_deployment({"k8s/all.yaml": MANIFESTS, "langgraph.json": '{"graphs": {}}'})
    (agent,) = dep.workloads
    assert (agent.kind, agent.name, agent.namespace) == ("StatefulSet", "agent", "prod")
    assert agent.replicas == 2
    assert agent.grace_period == 240.0
    assert [c.name for c in agent.init_containers] == ["migrate"]
    c = agent.main
    assert c is not None
    assert c.env["DATABASE_URI"].from_secret
    assert c.env["DATABASE_URI"].ref == "secret/agent-secrets/DATABASE_URI"
    assert c.env["LOG_LEVEL"].value == "info"  # resolved from the ConfigMap in the project
    assert c.env["LANGSMITH_API_KEY"].ref == "secret/langsmith/api-key"
    assert [(e.name, e.resolved) for e in c.env_from] == [("agent-secrets", True)]
    assert c.probes["readiness"].http_path == "/ok"
    assert c.probes["liveness"].command == ("curl", "-f", "localhost:8000/ok")
    assert c.resources == {"limits": {"cpu": "1", "memory": "1Gi"}}
    # The image is built from langgraph.json by `langgraph build`: Agent Server.
    assert agent.role == "agent"
    assert agent.server is not None
    assert agent.server.kind == "agent-server"
    assert dep.replicas.count == 6
    assert dep.replicas.source == "HPA agent max replicas"
    assert dep.replicas.where is not None
    assert dep.replicas.where.path == "k8s/all.yaml"
    assert [p.name for p in dep.disruption_budgets] == ["agent"]
    assert sorted((e.kind, e.workload) for e in dep.exposed) == [
        ("ingress", "agent"),
        ("loadbalancer", "agent"),
    ]
    assert not dep.env_opaque


def test_unknown_envfrom_makes_env_opaque(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "k8s/deploy.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: agent}
                spec:
                  template:
                    spec:
                      containers:
                        - name: agent
                          image: langchain/langgraph-api:3.11
                          envFrom:
                            - secretRef: {name: made-by-terraform}
            """
        }
    )
    (agent,) = dep.workloads
    assert agent.replicas is None
    assert agent.effective_replicas == 1
    assert dep.env_opaque


def test_keda_and_knative_scaling(make_deployment: MakeDeployment) -> None:
    dep = make_deployment(
        {
            "k8s/keda.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: agent}
                spec:
                  replicas: 1
                  template:
                    spec:
                      containers: [{name: agent, image: langchain/langgraph-api:3.11}]
                ---
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata: {name: agent}
                spec:
                  scaleTargetRef: {name: agent}
            """,
            "deploy/service.yaml": """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: edge
                  annotations: {run.googleapis.com/ingress: all}
                spec:
                  template:
                    metadata:
                      annotations:
                        autoscaling.knative.dev/min-scale: "2"
                    spec:
                      containers: [{image: langchain/langgraph-api:3.11}]
            """,
        }
    )
    by_kind = {a.kind: a for a in dep.autoscalers}
    keda, run = by_kind["KEDA ScaledObject"], by_kind["Cloud Run"]
    assert (keda.kind, keda.min_replicas, keda.max_replicas, keda.min_is_default) == (
        "KEDA ScaledObject",
        0,
        100,
        True,
    )
    assert keda.min_where == Where("k8s/keda.yaml", 13, 1)
    assert (run.kind, run.min_replicas, run.max_replicas, run.min_is_default) == (
        "Cloud Run",
        2,
        100,
        False,
    )
    assert dep.replicas.count == 100  # KEDA's default maxReplicaCount


@pytest.mark.parametrize(
    "text",
    [
        "apiVersion: apps/v1\nkind: Deployment\nspec: 3\n",
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
        "      containers: {a: 1}\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: [x]\nspec:\n  replicas: many\n"
        "  template:\n    spec:\n      terminationGracePeriodSeconds: soon\n"
        "      containers:\n        - 7\n        - name: a\n          env: {X: 1}\n"
        "          envFrom: [7, {secretRef: 3}]\n          ports: [80]\n"
        "          readinessProbe: yes\n          resources: [1]\n",
        "apiVersion: v1\nkind: List\nitems: [1, {kind: Service}, {apiVersion: v1, kind: Pod}]\n",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n"
        "  scaleTargetRef: agent\n  maxReplicas: lots\n",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nspec:\n  rules: [1, {http: 2}]\n",
    ],
)
def test_malformed_manifests_give_no_traceback(make_project: MakeProject, text: str) -> None:
    from agentcheck.deployment import deployment

    dep = deployment(make_project({"k8s/bad.yaml": text}))
    assert all(w.platform == "kubernetes" for w in dep.workloads)


def test_helm_chart_whose_templates_render_no_workload_gets_one_info_finding(
    make_project: MakeProject,
) -> None:
    from agentcheck.deployment import deployment
    from agentcheck.lint.finding import Severity

    project = make_project(
        {
            "charts/agent/Chart.yaml": "apiVersion: v2\nname: agent\nversion: 0.1.0\n",
            "charts/agent/values.yaml": "replicaCount: 2\n",
            "charts/agent/templates/all.yaml": '{{ include "agent.everything" . }}\n',
            "charts/agent/templates/service.yaml": "{{- if .Values.service }}\nkind: Service\n",
        }
    )
    dep = deployment(project)
    assert dep.helm_charts == ["charts/agent"]
    assert dep.workloads == []
    (info,) = project.problems
    assert (info.code, info.severity, info.path) == (
        "AC100",
        Severity.INFO,
        "charts/agent/Chart.yaml",
    )
    assert "helm template charts/agent" in info.message


def test_other_templated_manifests_get_one_info_finding_each(make_project: MakeProject) -> None:
    from agentcheck.deployment import deployment

    project = make_project(
        {
            "deploy/agent.yaml.j2": "kind: Deployment\n",
            "deploy/agent.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
            "metadata:\n  name: {{ name }}\n",
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ${{ matrix.os }}\n",
        }
    )
    dep = deployment(project)
    assert dep.workloads == []
    assert [(p.path, p.severity.value) for p in project.problems] == [("deploy/agent.yaml", "info")]
    assert "rendered" in project.problems[0].message
