"""nginx configurations: crossplane parsing, includes, inheritance, and bad input."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agentcheck.deployment import nginx
from tests.network.conftest import MakeProject


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("60", 60.0),
        ("60s", 60.0),
        ("1m30s", 90.0),
        ("500ms", 0.5),
        ("1h", 3600.0),
        ("2d", 172800.0),
    ],
)
def test_parse_time(value: str, seconds: float) -> None:
    assert nginx.parse_time(value) == seconds


@pytest.mark.parametrize("value", ["", "$timeout", "${TIMEOUT}", "10x", "s"])
def test_parse_time_rejects_what_is_not_a_time(value: str) -> None:
    assert nginx.parse_time(value) is None


def test_inheritance_innermost_block_wins_and_defaults_apply(tmp_path: Path) -> None:
    conf = write(
        tmp_path / "nginx.conf",
        """
        events {}
        http {
            proxy_read_timeout 120s;
            server {
                proxy_buffering off;
                location /a/ { proxy_pass http://agent:8000; proxy_read_timeout 10m; }
                location /b/ { proxy_pass http://agent:8000; }
            }
        }
        """,
    )
    a, b = nginx.load(conf).proxy_locations()
    assert (a.seconds("proxy_read_timeout"), b.seconds("proxy_read_timeout")) == (600.0, 120.0)
    assert a.effective("proxy_buffering") == ("off",)
    assert b.effective("proxy_http_version") == ("1.0",)  # nginx's default
    assert b.lookup("proxy_http_version") is None


def test_proxy_pass_inside_if_belongs_to_the_location(tmp_path: Path) -> None:
    conf = write(
        tmp_path / "a.conf",
        "server { location / { if ($x) { proxy_pass http://agent:8000; } } }\n",
    )
    (location,) = nginx.load(conf).proxy_locations()
    assert location.block.label == "location /"
    assert location.target == "http://agent:8000"


def test_includes_are_inlined_with_their_own_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / "snippets/sse.conf", "\nproxy_buffering off;\n")
    conf = write(
        tmp_path / "nginx.conf",
        "server { location / { include snippets/sse.conf; proxy_pass http://a:1; } }\n",
    )
    (location,) = nginx.load(conf).proxy_locations()
    found = location.lookup("proxy_buffering")
    assert found is not None
    assert (Path(found.file).name, found.line, found.args) == ("sse.conf", 2, ("off",))
    assert not location.opaque


def test_missing_include_makes_the_block_opaque_and_never_raises(tmp_path: Path) -> None:
    conf = write(
        tmp_path / "nginx.conf",
        """
        http {
            include mime.types;
            include proxy_params;
            server {
                include /etc/nginx/snippets/missing.conf;
                location / { proxy_pass http://a:1; }
            }
            include conf.d/*.conf;
        }
        """,
    )
    config = nginx.load(conf)
    (location,) = config.proxy_locations()
    assert [d.args[0] for d in config.unresolved] == ["/etc/nginx/snippets/missing.conf"]
    assert location.opaque
    assert location.effective("proxy_buffering") is None  # could be set in the missing file
    assert config.errors == []


def test_include_loops_terminate(tmp_path: Path) -> None:
    write(
        tmp_path / "a.conf", "include b.conf;\nserver { location / { proxy_pass http://a:1; } }\n"
    )
    write(tmp_path / "b.conf", "include a.conf;\n")
    config = nginx.load(tmp_path / "a.conf")
    assert len(config.proxy_locations()) == 1


def test_deep_include_chains_stop_without_a_recursion_error(tmp_path: Path) -> None:
    for i in range(600):
        write(tmp_path / f"inc{i}.conf", f"location /{i} {{ include inc{i + 1}.conf; }}\n")
    conf = write(tmp_path / "nginx.conf", "server { include inc0.conf; }\n")
    assert len(nginx.load(conf).files) <= 20


def test_unknown_directives_are_silent_and_wrong_arguments_are_errors(tmp_path: Path) -> None:
    conf = write(
        tmp_path / "nginx.conf",
        """
        http {
            more_set_headers "X-Served-By: edge";
            server {
                location / { proxy_pass http://a:1; proxy_buffering maybe; }
            }
        }
        """,
    )
    config = nginx.load(conf)
    assert [(e.line, e.message) for e in config.errors] == [
        (5, 'invalid value "maybe" in "proxy_buffering" directive, it must be "on" or "off"')
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server { location / {\n", 'unexpected end of file, expecting "}"'),
        ("server { }\n}\n", 'unexpected "}"'),
        ("http {" * 2000, "blocks are nested too deeply"),
    ],
)
def test_syntax_errors_are_reported_not_raised(tmp_path: Path, text: str, message: str) -> None:
    config = nginx.load(write(tmp_path / "nginx.conf", text))
    assert [e.message for e in config.errors] == [message]


def test_templates_are_not_argument_checked(tmp_path: Path) -> None:
    conf = write(
        tmp_path / "default.conf.template",
        "server { location / { proxy_pass http://${UPSTREAM}; proxy_buffering ${BUF}; } }\n",
    )
    config = nginx.load(conf)
    assert config.errors == []
    (location,) = config.proxy_locations()
    assert config.targets(location) == []  # a variable host: unknown


def test_effective_idle_timeout_and_upstream_targets(tmp_path: Path) -> None:
    conf = write(
        tmp_path / "nginx.conf",
        """
        events {}
        http {
            upstream agent { server 127.0.0.1:8123; server [::1]:8124; }
            server {
                location /api/ { proxy_pass http://agent/; proxy_read_timeout 5m; }
                location /docs/ { proxy_pass https://docs.example.com; }
                location /x/ { proxy_pass http://unix:/run/agent.sock:/x/; }
            }
        }
        """,
    )
    assert nginx.effective_idle_timeout(conf) == 60.0  # /docs/ keeps nginx's default
    assert nginx.upstream_targets(conf) == [
        "127.0.0.1:8123",
        "[::1]:8124",
        "docs.example.com:443",
        "unix:/run/agent.sock",
    ]


def test_effective_idle_timeout_is_none_without_a_proxy_or_a_file(tmp_path: Path) -> None:
    conf = write(tmp_path / "nginx.conf", "server { location / { root /srv; } }\n")
    assert nginx.effective_idle_timeout(conf) is None
    assert nginx.effective_idle_timeout(tmp_path / "missing.conf") is None
    assert nginx.upstream_targets(tmp_path / "missing.conf") == []


# --------------------------------------------------------------------------- in a project


def test_project_configs_follow_in_image_include_paths(make_project: MakeProject) -> None:
    project = make_project(
        {
            "nginx/nginx.conf": """
                events {}
                http {
                    gzip on;
                    include /etc/nginx/conf.d/*.conf;
                }
            """,
            "nginx/conf.d/agent.conf": """
                server {
                    location / { include /etc/nginx/snippets/sse.conf; proxy_pass http://a:1; }
                }
            """,
            "nginx/snippets/sse.conf": "proxy_buffering off;\n",
        }
    )
    (config,) = nginx.project_configs(project)
    assert config.path == "nginx/nginx.conf"
    assert config.files == [
        "nginx/nginx.conf",
        "nginx/conf.d/agent.conf",
        "nginx/snippets/sse.conf",
    ]
    (location,) = config.proxy_locations()
    assert location.effective("gzip") == ("on",)  # inherited from the main file's http block
    assert location.effective("proxy_buffering") == ("off",)


def test_project_configs_skip_files_that_are_not_nginx(make_project: MakeProject) -> None:
    project = make_project(
        {
            "supervisord.conf": "[program:agent]\ncommand=uvicorn app:app\n",
            "redis.conf": "maxmemory 256mb\n",
            "nginx/site.conf.j2": "server { listen {{ port }}; }\n",
            "nginx/binary.conf": b"\x00\x01server {",
            "docs/nginx.md": "server { broken\n",
            "nginx/README": "Edit these files, then:\n\nserver {\n    listen 80;\n",
        }
    )
    assert nginx.project_configs(project) == []
    assert project.problems == []


def test_project_reports_nginx_errors_as_ac100(make_project: MakeProject) -> None:
    project = make_project({"deploy/nginx.conf": "http {\n  server {\n    location / {\n}\n"})
    nginx.project_configs(project)
    assert [(f.code, f.path, f.line) for f in project.problems] == [
        ("AC100", "deploy/nginx.conf", 4)
    ]
    assert "invalid nginx configuration" in project.problems[0].message
