"""find_proxies: every kind of proxy, its timeouts and where each value is written."""

from __future__ import annotations

import pytest

from agentcheck.deployment.proxies import Proxy, find_proxies, parse_duration
from tests.network.conftest import MakeProject


def timeouts(proxy: Proxy) -> dict[str, tuple[float | None, int, bool]]:
    """setting -> (seconds, line, explicit)."""
    return {t.setting: (t.seconds, t.where.line, t.explicit) for t in proxy.timeouts}


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(90, 90.0), ("90", 90.0), ("90s", 90.0), ("1m30s", 90.0), ("1.5s", 1.5), ("250ms", 0.25),
     ({"seconds": 15}, 15.0), ("0s", 0.0)],
)  # fmt: skip
def test_parse_duration(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", [None, True, "soon", "10x", [], {"seconds": "x"}])
def test_parse_duration_rejects_non_durations(value: object) -> None:
    assert parse_duration(value) is None


def test_find_proxies_is_memoized(make_project: MakeProject) -> None:
    project = make_project({"nginx.conf": "server { location / { proxy_pass http://a:1; } }\n"})
    assert find_proxies(project) is find_proxies(project)


def test_nginx_location_settings_and_positions(make_project: MakeProject) -> None:
    project = make_project(
        {
            "nginx/agent.conf": """\
                server {
                    gzip on;
                    gzip_types application/json text/event-stream;
                    location / {
                        proxy_pass http://agent:8000;
                        proxy_read_timeout 30s;
                        proxy_ignore_headers X-Accel-Buffering Expires;
                        proxy_cache api;
                    }
                }
            """
        }
    )
    (proxy,) = find_proxies(project)
    assert (proxy.kind, proxy.name, proxy.hosts) == (
        "nginx",
        "location / (nginx/agent.conf)",
        ("agent",),
    )
    assert proxy.where.line == 4
    assert timeouts(proxy) == {
        "proxy_read_timeout": (30.0, 6, True),
        "proxy_send_timeout": (60.0, 4, False),
    }
    read = proxy.timeout("proxy_read_timeout")
    assert read is not None
    assert read.where.column == 9
    assert read.suggestion(300) == "proxy_read_timeout 300s;"
    assert proxy.buffering is not None
    assert (proxy.buffering.value, proxy.buffering.explicit) == (
        "on",
        False,
    )
    assert proxy.ignores_accel_buffering is not None
    assert proxy.ignores_accel_buffering.fix == "proxy_ignore_headers Expires;"
    assert proxy.cache is not None
    assert proxy.cache.value == "api"
    assert [(c.name, c.where.line, c.fix) for c in proxy.compression] == [
        ("gzip_types", 3, "gzip_types application/json;")
    ]


def test_files_marked_not_production_are_flagged(make_project: MakeProject) -> None:
    project = make_project(
        {
            "nginx/dev.conf": "server { location / { proxy_pass http://a:1; } }\n",
            "nginx/prod.conf": "server { location / { proxy_pass http://a:1; } }\n",
        }
    )
    assert {p.where.path: p.production for p in find_proxies(project)} == {
        "nginx/dev.conf": False,
        "nginx/prod.conf": True,
    }


INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: agent
  annotations:
{annotations}
spec:
  ingressClassName: {cls}
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {{name: agent, port: {{number: 8000}}}}
"""


def ingress(cls: str, *annotations: str) -> str:
    lines = "\n".join(f"    {a}" for a in annotations) or "    x: y"
    return INGRESS.format(cls=cls, annotations=lines)


def test_ingress_nginx_annotations_and_defaults(make_project: MakeProject) -> None:
    project = make_project(
        {
            "k8s/ingress.yaml": ingress(
                "nginx",
                'nginx.ingress.kubernetes.io/proxy-read-timeout: "30"',
                'nginx.ingress.kubernetes.io/proxy-buffering: "on"',
            )
        }
    )
    (proxy,) = find_proxies(project)
    assert (proxy.kind, proxy.hosts) == ("ingress-nginx", ("agent",))
    assert timeouts(proxy) == {
        "nginx.ingress.kubernetes.io/proxy-read-timeout": (30.0, 6, True),
        "nginx.ingress.kubernetes.io/proxy-send-timeout": (60.0, 5, False),
    }
    assert proxy.buffering is not None
    assert (proxy.buffering.value, proxy.buffering.where.line) == (
        "on",
        7,
    )


def test_ingress_nginx_buffers_nothing_by_default(make_project: MakeProject) -> None:
    (proxy,) = find_proxies(make_project({"k8s/ingress.yaml": ingress("nginx")}))
    assert proxy.buffering is None


def test_nginx_inc_controller_buffers_by_default(make_project: MakeProject) -> None:
    project = make_project({"k8s/i.yaml": ingress("nginx", 'nginx.org/proxy-read-timeout: "90s"')})
    (proxy,) = find_proxies(project)
    assert proxy.kind == "nginx-ingress"
    assert timeouts(proxy)["nginx.org/proxy-read-timeout"] == (90.0, 6, True)
    assert proxy.buffering is not None
    assert (proxy.buffering.value, proxy.buffering.explicit) == (
        "on",
        False,
    )


def test_alb_idle_timeout_attribute(make_project: MakeProject) -> None:
    project = make_project(
        {
            "k8s/alb.yaml": ingress(
                "alb",
                "alb.ingress.kubernetes.io/load-balancer-attributes: "
                "routing.http2.enabled=true,idle_timeout.timeout_seconds=45",
            ),
            "k8s/alb-default.yaml": ingress("alb"),
        }
    )
    default, explicit = sorted(find_proxies(project), key=lambda p: p.where.path)
    assert timeouts(explicit) == {"idle_timeout.timeout_seconds": (45.0, 6, True)}
    assert timeouts(default) == {"idle_timeout.timeout_seconds": (60.0, 5, False)}  # annotations:
    assert explicit.timeouts[0].idle


def test_aws_service_classic_elb_but_not_nlb(make_project: MakeProject) -> None:
    service = """\
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          annotations:
            service.beta.kubernetes.io/aws-load-balancer-{key}: "{value}"
        spec:
          type: LoadBalancer
    """
    project = make_project(
        {
            "k8s/elb.yaml": service.format(name="elb", key="connection-idle-timeout", value="120"),
            "k8s/nlb.yaml": service.format(name="nlb", key="type", value="nlb"),
        }
    )
    (proxy,) = find_proxies(project)
    assert proxy.kind == "aws-elb"
    assert timeouts(proxy) == {
        "service.beta.kubernetes.io/aws-load-balancer-connection-idle-timeout": (120.0, 6, True)
    }


def test_gke_ingress_without_backend_config_gets_the_30s_default(make_project: MakeProject) -> None:
    bare = make_project({"k8s/ingress.yaml": ingress("gce")})
    (proxy,) = find_proxies(bare)
    assert (proxy.kind, timeouts(proxy)) == ("gke", {"timeoutSec": (30.0, 3, False)})
    assert not proxy.timeouts[0].idle
    assert "BackendConfig" in proxy.timeouts[0].note


def test_gke_backend_config_covers_its_service(make_project: MakeProject) -> None:
    project = make_project(
        {
            "k8s/ingress.yaml": ingress("gce"),
            "k8s/service.yaml": """\
                apiVersion: v1
                kind: Service
                metadata:
                  name: agent
                  annotations:
                    cloud.google.com/backend-config: '{"default": "agent"}'
                ---
                apiVersion: cloud.google.com/v1
                kind: BackendConfig
                metadata:
                  name: agent
                spec:
                  timeoutSec: 3600
            """,
        }
    )
    (proxy,) = find_proxies(project)
    assert proxy.name == "BackendConfig agent (k8s/service.yaml)"
    assert timeouts(proxy) == {"timeoutSec": (3600.0, 13, True)}


def test_cloud_run_and_knative_services(make_project: MakeProject) -> None:
    project = make_project(
        {
            "deploy/service.yaml": """\
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: agent
                  annotations:
                    run.googleapis.com/launch-stage: BETA
                spec:
                  template:
                    spec:
                      containers: [{image: agent}]
                ---
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: worker
                spec:
                  template:
                    spec:
                      timeoutSeconds: 900
                      containers: [{image: agent}]
            """,
        }
    )
    run, knative = find_proxies(project)
    assert (run.kind, timeouts(run)) == ("cloud-run", {"timeoutSeconds": (300.0, 9, False)})
    assert (knative.kind, timeouts(knative)) == ("knative", {"timeoutSeconds": (900.0, 19, True)})


@pytest.mark.parametrize(
    ("script", "line", "seconds"),
    [
        ("gcloud run deploy agent --image x --timeout=45\n", 1, 45.0),
        ("gcloud run deploy agent \\\n  --image x \\\n  --timeout 10m\n", 3, 600.0),
        ("gcloud beta run services update agent --timeout=120s\n", 1, 120.0),
    ],
)
def test_gcloud_run_deploy_timeout(
    make_project: MakeProject, script: str, line: int, seconds: float
) -> None:
    (proxy,) = find_proxies(make_project({"deploy.sh": script}))
    assert timeouts(proxy) == {"--timeout": (seconds, line, True)}


def test_gcloud_commands_that_are_not_run_deploy_are_ignored(make_project: MakeProject) -> None:
    project = make_project({"ci.sh": "gcloud builds submit --timeout=30\ngcloud run jobs list\n"})
    assert find_proxies(project) == []


def test_haproxy_units_sections_and_defaults(make_project: MakeProject) -> None:
    project = make_project(
        {
            "haproxy/haproxy.cfg": """\
                global
                    maxconn 100
                defaults
                    timeout client 30s
                    timeout server 50000   # milliseconds
                    timeout tunnel 1h
                frontend public
                    bind :80
                    default_backend agent
                backend agent
                    timeout server 10m
                    server a1 agent:8000 check
                listen legacy
                    bind :81
                    server b1 10.0.0.5:8000
            """
        }
    )
    frontend, backend, listen = find_proxies(project)
    assert timeouts(frontend) == {
        "timeout client": (30.0, 4, True),
        "timeout tunnel": (3600.0, 6, True),
    }
    assert timeouts(backend)["timeout server"] == (600.0, 11, True)
    assert backend.hosts == ("agent",)
    assert timeouts(listen)["timeout server"] == (50.0, 5, True)
    assert not frontend.timeout("timeout tunnel").cuts_stream  # type: ignore[union-attr]


def test_haproxy_without_timeouts_has_no_limit(make_project: MakeProject) -> None:
    project = make_project(
        {"haproxy.cfg": "frontend f\n    bind :80\nbackend b\n    server a x:1\n"}
    )
    assert [p.timeouts for p in find_proxies(project)] == [[], []]


def test_traefik_static_file_default_read_timeout_depends_on_the_image(
    make_project: MakeProject,
) -> None:
    static = """\
        entryPoints:
          web:
            address: ":80"
            transport:
              respondingTimeouts:
                writeTimeout: 30s
    """
    project = make_project({"traefik.yml": static})
    (proxy,) = find_proxies(project)
    prefix = "entryPoints.web.transport.respondingTimeouts."
    assert timeouts(proxy) == {
        prefix + "readTimeout": (60.0, 2, False),
        prefix + "writeTimeout": (30.0, 6, True),
    }
    assert not any(t.idle for t in proxy.timeouts)


def test_traefik_before_2_11_has_no_default_read_timeout(make_project: MakeProject) -> None:
    project = make_project(
        {
            "traefik.yml": 'entryPoints:\n  web:\n    address: ":80"\n',
            "docker-compose.yml": "services:\n  proxy:\n    image: traefik:v2.10.7\n",
        }
    )
    assert find_proxies(project) == []


def test_traefik_command_line_flags_in_compose(make_project: MakeProject) -> None:
    project = make_project(
        {
            "docker-compose.yml": """\
                services:
                  proxy:
                    image: traefik:v3.1
                    command:
                      - --entrypoints.web.address=:80
                      - --entrypoints.web.transport.respondingTimeouts.writeTimeout=20s
                      - --serversTransport.forwardingTimeouts.responseHeaderTimeout=15s
            """
        }
    )
    entry, transport = find_proxies(project)
    flag = "--entrypoints.web.transport.respondingTimeouts."
    assert timeouts(entry) == {
        flag + "readTimeout": (60.0, 5, False),
        flag + "writeTimeout": (20.0, 6, True),
    }
    assert timeouts(transport) == {
        "--serversTransport.forwardingTimeouts.responseHeaderTimeout": (15.0, 7, True)
    }


def test_traefik_toml_static_configuration(make_project: MakeProject) -> None:
    project = make_project(
        {
            "traefik/traefik.toml": """\
                [entryPoints.web]
                  address = ":80"
                  [entryPoints.web.transport.respondingTimeouts]
                    readTimeout = "10s"
            """
        }
    )
    (proxy,) = find_proxies(project)
    assert timeouts(proxy) == {
        "entryPoints.web.transport.respondingTimeouts.readTimeout": (10.0, 4, True)
    }


ENVOY = """\
static_resources:
  listeners:
    - filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                stream_idle_timeout: 120s
                route_config:
                  virtual_hosts:
                    - name: agent
                      routes:
                        - match: {prefix: "/a"}
                          route: {cluster: agent}
                        - match: {prefix: "/b"}
                          route: {cluster: agent, timeout: 0s, idle_timeout: 45s}
                        - match: {prefix: "/c"}
                          redirect: {path_redirect: "/a"}
"""


def test_envoy_routes(make_project: MakeProject) -> None:
    first, second = find_proxies(make_project({"envoy.yaml": ENVOY}))
    assert timeouts(first) == {"timeout": (15.0, 13, False), "idle_timeout": (120.0, 7, True)}
    assert timeouts(second) == {"timeout": (None, 15, True), "idle_timeout": (45.0, 15, True)}
    assert first.hosts == ("agent",)


@pytest.mark.parametrize(
    "files",
    [
        {"k8s/bad.yaml": "apiVersion: v1\nkind: Ingress\nmetadata: [1, 2]\nspec: 7\n"},
        {"k8s/bad.yaml": "apiVersion: v1\nkind: Service\nmetadata: {annotations: 3}\nspec: []\n"},
        {"envoy.yaml": "virtual_hosts: 3\nroute_config: {virtual_hosts: [1, {routes: 2}]}\n"},
        {"traefik.yml": "entryPoints: [1]\nhttp: {serversTransports: 4}\n"},
        {"traefik.yml": "entryPoints: {web: {transport: 3}}\n"},
        {"haproxy.cfg": "backend\n  timeout server\n  timeout\n  server\n"},
        {"deploy.sh": "gcloud run deploy 'unterminated --timeout=\n"},
        {
            "k8s/x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ingress-nginx}\ndata: 5\n"
        },
        {
            "k8s/y.yaml": "apiVersion: cloud.google.com/v1\nkind: BackendConfig\nspec: {timeoutSec: soon}\n"
        },
        {"k8s/z.yaml": "{{ if .Values.x }}\nkind: Ingress\napiVersion: v1\n"},
        {"haproxy.cfg": b"\xff\xfe\x00garbage"},
    ],
)
def test_malformed_input_never_raises(
    make_project: MakeProject, files: dict[str, str | bytes]
) -> None:
    find_proxies(make_project(files))
