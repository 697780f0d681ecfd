"""Helm charts read without helm: values files become workloads positioned at their lines."""

from __future__ import annotations

from agentcheck.deployment import deployment
from agentcheck.lint.runner import enabled_rules, lint
from tests.conftest import MakeProject

CHART = "apiVersion: v2\nname: agent\nversion: 0.1.0\nappVersion: '2.0.1'\n"

# The official LangGraph chart's layout: one block per component, images under `images`.
DEPLOYMENT = """\
{{- if .Values.queue.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "agent.fullname" . }}-{{ .Values.queue.name }}
spec:
  {{- if not .Values.queue.autoscaling.enabled }}
  replicas: {{ .Values.queue.deployment.replicaCount }}
  {{- end }}
  template:
    spec:
      terminationGracePeriodSeconds: {{ .Values.queue.deployment.terminationGracePeriodSeconds }}
      containers:
        - name: {{ .Values.queue.name }}
          env:
            - name: DATABASE_URI
              valueFrom:
                secretKeyRef:
                  name: db
                  key: uri
            {{- with .Values.queue.deployment.extraEnv }}
              {{- toYaml . | nindent 12 }}
            {{- end }}
          image: {{ include "agent.image" (dict "Values" .Values "component" "apiImage") }}
          ports:
            - name: api
              containerPort: 8000
          readinessProbe:
            {{- toYaml .Values.queue.deployment.readinessProbe | nindent 12 }}
          resources:
            {{- toYaml .Values.queue.deployment.resources | nindent 12 }}
{{- end }}
"""

VALUES = """\
images:
  apiImage:
    repository: docker.io/langchain/langgraph-api
    tag: ""
queue:
  enabled: true
  name: queue
  deployment:
    replicaCount: 3
    terminationGracePeriodSeconds: 45
    extraEnv:
      - name: LOG_LEVEL
        value: DEBUG
    readinessProbe:
      httpGet:
        path: /ok
        port: 8000
    resources: {}
  autoscaling:
    enabled: false
    minReplicas: 2
    maxReplicas: 7
postgres:
  password: "postgres"
"""

SECRET = """\
kind: Secret
stringData:
  password: {{ .Values.postgres.password | quote }}
"""


def _chart(values: str = VALUES, **more: str) -> dict[str, str]:
    files = {
        "charts/agent/Chart.yaml": CHART,
        "charts/agent/values.yaml": values,
        "charts/agent/templates/queue.yaml": DEPLOYMENT,
        "charts/agent/templates/secret.yaml": SECRET,
    }
    files.update(more)
    return files


def test_values_become_a_workload_with_the_positions_of_their_lines(
    make_project: MakeProject,
) -> None:
    dep = deployment(make_project(_chart()))
    (w,) = dep.workloads
    assert (w.kind, w.name, w.role) == ("Deployment", "agent-queue", "agent")
    assert (w.replicas, w.replicas_where and w.replicas_where.line) == (3, 9)
    assert (w.grace_period, w.grace_where and w.grace_where.line) == (45.0, 10)
    c = w.main
    assert c is not None
    # tag "" falls back to the chart's appVersion; the finding would go to the repository.
    assert c.image == "docker.io/langchain/langgraph-api:2.0.1"
    assert c.image_where is not None
    assert c.image_where.line == 3
    assert c.probes["readiness"].http_path == "/ok"
    assert c.probes["readiness"].where.line == 14
    assert c.resources == {}
    assert c.resources_where is not None
    assert c.resources_where.line == 18
    assert c.env["LOG_LEVEL"].value == "DEBUG"
    assert c.env["LOG_LEVEL"].where.line == 13
    assert c.env["DATABASE_URI"].from_secret
    assert all(where.path == "charts/agent/values.yaml" for where in (w.replicas_where,))


def test_a_disabled_component_is_no_workload_and_autoscaling_replaces_replicas(
    make_project: MakeProject,
) -> None:
    off = VALUES.replace("  enabled: true\n  name: queue", "  enabled: false\n  name: queue")
    assert deployment(make_project(_chart(off))).workloads == []
    scaled = VALUES.replace(
        "  autoscaling:\n    enabled: false", "  autoscaling:\n    enabled: true"
    )
    dep = deployment(make_project(_chart(scaled)))
    (w,) = dep.workloads
    assert w.replicas is None
    (hpa,) = dep.autoscalers
    assert (hpa.target, hpa.min_replicas, hpa.max_replicas) == (("Deployment", w.name), 2, 7)
    assert hpa.max_where is not None
    assert hpa.max_where.line == 22


def test_an_override_file_wins_and_findings_land_on_its_line(make_project: MakeProject) -> None:
    prod = "queue:\n  deployment:\n    terminationGracePeriodSeconds: 20\n"
    project = make_project(_chart(**{"charts/agent/values-production.yaml": prod}))
    (w,) = deployment(project).workloads
    assert w.grace_period == 20.0
    assert w.grace_where is not None
    assert (w.grace_where.path, w.grace_where.line) == ("charts/agent/values-production.yaml", 3)
    assert w.replicas == 3  # the rest comes from the chart's values.yaml
    found = lint(project, enabled_rules(project, select=["AC407"])).findings
    assert [(f.path, f.line) for f in found] == [("charts/agent/values-production.yaml", 3)]


def test_dev_and_ci_values_are_not_production(make_project: MakeProject) -> None:
    files = _chart(
        **{
            "charts/agent/values-dev.yaml": "queue:\n  deployment:\n    replicaCount: 1\n",
            "charts/agent/ci/test-values.yaml": "queue:\n  enabled: true\n",
        }
    )
    dep = deployment(make_project(files))
    assert [w.replicas for w in dep.workloads] == [3]


def test_chart_defaults_alone_report_what_they_write_not_what_they_leave_out(
    make_project: MakeProject,
) -> None:
    """Nothing says the chart's defaults are what production deploys: the grace period and
    the password it writes are judged, the resources and replicas it leaves to the installer
    are not."""
    project = make_project(_chart())
    codes = ["AC205", "AC407", "AC501", "AC505", "AC507"]
    found = lint(project, enabled_rules(project, select=codes)).findings
    assert sorted((f.code, f.path, f.line) for f in found) == [
        ("AC205", "charts/agent/values.yaml", 24),
        ("AC407", "charts/agent/values.yaml", 10),
        ("AC501", "charts/agent/values.yaml", 13),
    ]


def test_a_password_counts_only_where_a_template_uses_it(make_project: MakeProject) -> None:
    unused = _chart(**{"charts/agent/templates/secret.yaml": "kind: Secret\n"})
    project = make_project(unused)
    assert not [s for s in deployment(project).settings if s.name == "postgres.password"]
    subchart = VALUES + "postgresql:\n  enabled: false\n  auth:\n    password: postgres\n"
    chart = CHART + "dependencies:\n  - name: postgresql\n    condition: postgresql.enabled\n"
    project = make_project(_chart(subchart, **{"charts/agent/Chart.yaml": chart}))
    names = {s.name for s in deployment(project).settings}
    assert "postgresql.auth.password" not in names
    project = make_project(
        _chart(subchart.replace("enabled: false\n  auth", "enabled: true\n  auth"))
        | {"charts/agent/Chart.yaml": chart}
    )
    assert "postgresql.auth.password" in {s.name for s in deployment(project).settings}


def test_values_holding_braces_in_a_string_are_still_read(make_project: MakeProject) -> None:
    values = VALUES + 'annotation: "{{ .Release.Name }}"\n'
    (w,) = deployment(make_project(_chart(values))).workloads
    assert w.replicas == 3


# An Ingress as charts write it besides `helm create`'s `with` form: the annotations rendered by
# `toYaml .Values.x` inside the block, the class from `{{ . }}` inside `with`.
INGRESS = """\
{{- if .Values.api.ingress.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "agent.fullname" . }}
  annotations:
    {{- toYaml .Values.api.ingress.annotations | nindent 4 }}
spec:
  {{- with .Values.api.ingress.className }}
  ingressClassName: {{ . }}
  {{- end }}
{{- end }}
"""

INGRESS_VALUES = """\
api:
  ingress:
    enabled: true
    className: alb
    annotations:
      alb.ingress.kubernetes.io/scheme: internet-facing
      alb.ingress.kubernetes.io/load-balancer-attributes: idle_timeout.timeout_seconds=45
"""


def test_an_enabled_ingress_is_a_proxy_at_its_values_lines(make_project: MakeProject) -> None:
    files = _chart(VALUES + INGRESS_VALUES, **{"charts/agent/templates/ingress.yaml": INGRESS})
    project = make_project(files)
    (proxy,) = deployment(project).proxies
    assert proxy.kind == "aws-alb"
    (idle,) = proxy.timeouts
    assert (idle.seconds, idle.explicit) == (45.0, True)
    assert (idle.where.path, idle.where.line) == ("charts/agent/values.yaml", 31)
    found = lint(project, enabled_rules(project, select=["AC401"])).findings
    assert [(f.code, f.path, f.line) for f in found] == [("AC401", "charts/agent/values.yaml", 31)]


def test_a_disabled_ingress_or_one_only_dev_values_enable_is_no_proxy(
    make_project: MakeProject,
) -> None:
    off = INGRESS_VALUES.replace("enabled: true", "enabled: false")
    files = _chart(VALUES + off, **{"charts/agent/templates/ingress.yaml": INGRESS})
    assert deployment(make_project(files)).proxies == []
    files["charts/agent/values-dev.yaml"] = "api:\n  ingress:\n    enabled: true\n"
    assert deployment(make_project(files)).proxies == []


def test_the_ingress_class_comes_from_the_values(make_project: MakeProject) -> None:
    """No annotation names the controller: the class does (`{{ . }}` inside `with`)."""
    gce = "api:\n  ingress:\n    enabled: true\n    className: gce\n    annotations: {}\n"
    files = _chart(VALUES + gce, **{"charts/agent/templates/ingress.yaml": INGRESS})
    (proxy,) = deployment(make_project(files)).proxies
    assert proxy.kind == "gke"
    assert [(t.seconds, t.explicit) for t in proxy.timeouts] == [(30.0, False)]
