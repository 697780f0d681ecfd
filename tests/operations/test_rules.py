"""Behaviour of the AC5xx rules beyond their fixture projects: the edges of each decision."""

from __future__ import annotations

import pytest

from tests.operations.conftest import LintFiles, codes

AGENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: agent}}
  template:
    metadata:
      labels: {{app: agent}}
    spec:
      containers:
        - name: agent
          image: registry.example.com/agent:1.4.2
          command: ["uvicorn", "app:app", "--host", "0.0.0.0"]
          env:
            - name: LOG_LEVEL
              value: {level}
          readinessProbe: {{httpGet: {{path: /healthz, port: 8000}}}}
          livenessProbe: {{httpGet: {{path: /healthz, port: 8000}}}}
          resources:
            requests: {{cpu: 250m, memory: 512Mi}}
            limits: {{cpu: "1", memory: 1Gi}}
"""


def agent(replicas: int = 2, level: str = "INFO") -> str:
    return AGENT.format(replicas=replicas, level=level)


class TestDebugLogging:
    def test_uvicorn_log_level_flag(self, lint_files: LintFiles) -> None:
        manifest = agent().replace('"0.0.0.0"]', '"0.0.0.0", "--log-level", "debug"]')
        found = lint_files({"k8s/agent.yaml": manifest}, select=("AC501",))
        assert codes(found) == [("k8s/agent.yaml", 16, "AC501")]
        assert "--log-level debug" in found[0].message

    def test_production_env_file_and_dockerfile_env(self, lint_files: LintFiles) -> None:
        files = {
            ".env.production": "LOG_LEVEL=DEBUG\nOTHER=1\n",
            ".env.development": "LOG_LEVEL=DEBUG\n",
            "Dockerfile": "FROM langchain/langgraph-api:3.11\nENV LOG_LEVEL=DEBUG\n",
        }
        found = lint_files(files, select=("AC501",))
        assert codes(found) == [(".env.production", 1, "AC501"), ("Dockerfile", 2, "AC501")]

    def test_a_level_from_a_variable_is_not_judged(self, lint_files: LintFiles) -> None:
        found = lint_files({"k8s/agent.yaml": agent(level='"$(LEVEL)"')}, select=("AC501",))
        assert found == []


class TestTracing:
    def test_literal_false_switch_is_reported_on_its_line(self, lint_files: LintFiles) -> None:
        compose = """\
            services:
              agent:
                image: registry.example.com/agent:1.4.2
                environment:
                  LANGSMITH_API_KEY: ${LANGSMITH_API_KEY}
                  LANGCHAIN_TRACING_V2: "false"
        """
        found = lint_files({"docker-compose.yml": compose}, select=("AC502",))
        assert codes(found) == [("docker-compose.yml", 6, "AC502")]

    def test_env_from_a_secret_not_in_the_repo_may_configure_tracing(
        self, lint_files: LintFiles
    ) -> None:
        manifest = agent().replace(
            "          env:\n",
            "          envFrom:\n            - secretRef: {name: agent-env}\n          env:\n",
        )
        assert lint_files({"k8s/agent.yaml": manifest}, select=("AC502",)) == []

    def test_custom_server_needs_the_switch(self, lint_files: LintFiles) -> None:
        manifest = agent().replace(
            "          env:\n",
            "          env:\n            - name: LANGSMITH_API_KEY\n"
            "              valueFrom: {secretKeyRef: {name: agent, key: langsmith}}\n",
        )
        found = lint_files({"k8s/agent.yaml": manifest}, select=("AC502",))
        assert codes(found) == [("k8s/agent.yaml", 17, "AC502")]
        assert "does not trace by default" in found[0].message


class TestProbes:
    def test_annotation_on_the_pod_template_suppresses(self, lint_files: LintFiles) -> None:
        manifest = agent().replace(
            "          readinessProbe: {httpGet: {path: /healthz, port: 8000}}\n", ""
        )
        manifest = manifest.replace(
            "      labels: {app: agent}\n    spec:",
            "      labels: {app: agent}\n      annotations: {agentcheck.io/ignore: 'missing-probes'}\n    spec:",
        )
        assert lint_files({"k8s/agent.yaml": manifest}, select=("AC503",)) == []

    def test_annotation_for_another_code_does_not(self, lint_files: LintFiles) -> None:
        manifest = agent().replace(
            "          readinessProbe: {httpGet: {path: /healthz, port: 8000}}\n", ""
        )
        manifest = manifest.replace(
            "  name: agent\nspec:",
            "  name: agent\n  annotations: {agentcheck.io/ignore: 'AC505, AC506'}\nspec:",
        )
        found = lint_files({"k8s/agent.yaml": manifest}, select=("AC503",))
        assert codes(found) == [("k8s/agent.yaml", 15, "AC503")]
        assert "readinessProbe" in found[0].message
        assert "livenessProbe" not in found[0].message

    def test_custom_server_may_use_any_path(self, lint_files: LintFiles) -> None:
        assert lint_files({"k8s/agent.yaml": agent()}, select=("AC503",)) == []

    def test_disabled_compose_healthcheck(self, lint_files: LintFiles) -> None:
        compose = """\
            services:
              agent:
                image: langchain/langgraph-api:3.11
                healthcheck:
                  disable: true
        """
        found = lint_files({"compose.yaml": compose}, select=("AC503",))
        assert codes(found) == [("compose.yaml", 4, "AC503")]

    def test_dev_compose_is_not_production(self, lint_files: LintFiles) -> None:
        compose = "services:\n  agent:\n    image: langchain/langgraph-api:3.11\n"
        assert lint_files({"docker-compose.dev.yml": compose}, select=("AC503",)) == []


class TestResources:
    def test_limit_range_of_another_namespace_does_not_count(self, lint_files: LintFiles) -> None:
        manifest = agent().replace(
            '          resources:\n            requests: {cpu: 250m, memory: 512Mi}\n            limits: {cpu: "1", memory: 1Gi}\n',
            "",
        )
        limits = """\
            apiVersion: v1
            kind: LimitRange
            metadata: {name: defaults, namespace: other}
            spec:
              limits:
                - type: Container
                  default: {cpu: "1", memory: 1Gi}
        """
        found = lint_files(
            {"k8s/agent.yaml": manifest, "k8s/limits.yaml": limits}, select=("AC505",)
        )
        assert codes(found) == [("k8s/agent.yaml", 14, "AC505")]

    def test_limits_only_lists_what_is_missing(self, lint_files: LintFiles) -> None:
        manifest = agent().replace("            requests: {cpu: 250m, memory: 512Mi}\n", "")
        [finding] = lint_files({"k8s/agent.yaml": manifest}, select=("AC505",))
        assert "requests.cpu, resources.requests.memory" in finding.message
        assert "limits" not in finding.message
        assert "`resources.requests.cpu: 250m`" in finding.fix


class TestImages:
    def test_helm_values_latest(self, lint_files: LintFiles) -> None:
        files = {
            "charts/agent/Chart.yaml": "apiVersion: v2\nname: agent\nversion: 1.0.0\n",
            "charts/agent/values.yaml": "image:\n  repository: registry.example.com/agent\n  tag: latest\n",
            "charts/agent/values-staging.yaml": 'image:\n  repository: registry.example.com/agent\n  tag: "1.4.2"\n',
        }
        assert codes(lint_files(files, select=("AC506",))) == [
            ("charts/agent/values.yaml", 3, "AC506")
        ]

    @pytest.mark.parametrize(
        "image",
        [
            "${REGISTRY}/agent:${TAG}",
            "registry.example.com/agent@sha256:" + "a" * 64,
            "localhost:5000/agent:1.0",
        ],
    )
    def test_pinned_or_templated_images(self, lint_files: LintFiles, image: str) -> None:
        compose = f'services:\n  agent:\n    image: "{image}"\n'
        assert lint_files({"docker-compose.yml": compose}, select=("AC506",)) == []

    def test_registry_port_is_not_a_tag(self, lint_files: LintFiles) -> None:
        compose = "services:\n  agent:\n    image: localhost:5000/agent\n"
        assert codes(lint_files({"docker-compose.yml": compose}, select=("AC506",))) == [
            ("docker-compose.yml", 3, "AC506")
        ]


class TestReplicas:
    def test_autoscaler_capped_at_one_does_not_count(self, lint_files: LintFiles) -> None:
        hpa = """\
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: agent}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: agent}
              minReplicas: 1
              maxReplicas: 1
        """
        found = lint_files(
            {"k8s/agent.yaml": agent(replicas=1), "k8s/hpa.yaml": hpa}, select=("AC507",)
        )
        assert codes(found) == [("k8s/agent.yaml", 6, "AC507")]

    def test_zero_replicas_is_not_single_replica(self, lint_files: LintFiles) -> None:
        assert lint_files({"k8s/agent.yaml": agent(replicas=0)}, select=("AC507",)) == []


class TestEnvFiles:
    def test_example_env_files_and_dev_compose(self, lint_files: LintFiles) -> None:
        files = {
            "docker-compose.yml": "services:\n  agent:\n    image: a:1\n    env_file: .env.example\n",
            "docker-compose.local.yml": "services:\n  agent:\n    image: a:1\n    env_file: .env\n",
        }
        assert lint_files(files, select=("AC508",)) == []

    def test_dev_compose_reading_the_production_file(self, lint_files: LintFiles) -> None:
        files = {
            "docker-compose.dev.yml": "services:\n  agent:\n    image: a:1\n    env_file: [prod.env]\n"
        }
        assert codes(lint_files(files, select=("AC508",))) == [
            ("docker-compose.dev.yml", 4, "AC508")
        ]


class TestAuth:
    def test_langsmith_auth_type_counts(self, lint_files: LintFiles) -> None:
        compose = """\
            services:
              agent:
                image: langchain/langgraph-api:3.11
                ports: ["8000:8000"]
                environment:
                  LANGGRAPH_AUTH_TYPE: langsmith
        """
        assert lint_files({"docker-compose.yml": compose}, select=("AC509",)) == []

    def test_custom_server_is_not_judged(self, lint_files: LintFiles) -> None:
        compose = """\
            services:
              agent:
                image: registry.example.com/agent:1.4.2
                command: uvicorn app:app --host 0.0.0.0
                ports: ["8000:8000"]
        """
        assert lint_files({"docker-compose.yml": compose}, select=("AC509",)) == []

    @pytest.mark.parametrize("port", ["127.0.0.1:8000:8000", "[::1]:8000:8000"])
    def test_loopback_is_not_exposed(self, lint_files: LintFiles, port: str) -> None:
        compose = (
            f'services:\n  agent:\n    image: langchain/langgraph-api:3.11\n    ports: ["{port}"]\n'
        )
        assert lint_files({"docker-compose.yml": compose}, select=("AC509",)) == []


class TestCors:
    def test_cors_config_env_with_credentials(self, lint_files: LintFiles) -> None:
        compose = """\
            services:
              agent:
                image: langchain/langgraph-api:3.11
                environment:
                  CORS_CONFIG: '{"allow_origins": ["*"], "allow_credentials": true}'
                  CORS_ALLOW_ORIGINS: https://app.example.com
        """
        assert codes(lint_files({"docker-compose.yml": compose}, select=("AC510",))) == [
            ("docker-compose.yml", 5, "AC510")
        ]


class TestEnvVarMissing:
    def test_compose_env_file_that_exists_provides(self, lint_files: LintFiles) -> None:
        files = {
            "agent.py": 'import os\nURL = os.environ["HELPDESK_URL"]\nTOKEN = os.environ["TOKEN"]\n'
            + "from langgraph.graph import StateGraph\ngraph = None\n",
            "docker-compose.yml": "services:\n  agent:\n    image: langchain/langgraph-api:3.11\n    env_file: agent.env\n",
            "agent.env": "HELPDESK_URL=https://helpdesk.example.com\n",
        }
        found = lint_files(files, select=("AC511",))
        assert codes(found) == [("agent.py", 3, "AC511")]
        assert "TOKEN" in found[0].message
        assert "compose service agent" in found[0].message

    def test_dockerfile_env_provides(self, lint_files: LintFiles) -> None:
        files = {
            "agent.py": 'import os\nURL = os.environ["HELPDESK_URL"]\n',
            "Dockerfile": "FROM langchain/langgraph-api:3.11\nENV HELPDESK_URL=https://helpdesk.example.com\n",
            "k8s/agent.yaml": agent()
            .replace("registry.example.com/agent:1.4.2", "agent:1.4.2")
            .replace('          command: ["uvicorn", "app:app", "--host", "0.0.0.0"]\n', ""),
        }
        assert lint_files(files, select=("AC511",)) == []

    def test_unserved_code_is_not_read(self, lint_files: LintFiles) -> None:
        files = {
            "scripts/seed_db.py": 'import os\nURL = os.environ["SEED_URL"]\n',
            "docker-compose.yml": "services:\n  agent:\n    image: langchain/langgraph-api:3.11\n",
        }
        assert lint_files(files, select=("AC511",)) == []
