"""Rewriting the user's nginx config, and running it for real."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import crossplane
import httpx
import pytest

from agentcheck.errors import LiveError
from agentcheck.live.services.nginx import UPSTREAM, Nginx, read, rewrite
from tests.live.runtime.conftest import running

BACKENDS = [("127.0.0.1", 5001), ("127.0.0.1", 5002)]

SNIPPET = """\
upstream agent {
    server agent:8000 max_fails=3 fail_timeout=10s;
    server agent-2:8000 backup;
    keepalive 16;
}
server {
    listen 443 ssl http2;
    listen [::]:443 ssl;
    server_name agent.example.com;
    ssl_certificate /etc/letsencrypt/live/agent.example.com/fullchain.pem;
    ssl_certificate_key /etc/letsencrypt/live/agent.example.com/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    access_log /var/log/nginx/agent.log main;
    error_log /var/log/nginx/agent.err;
    include snippets/proxy.conf;
    location / {
        proxy_pass http://agent;
        proxy_buffering off;
        proxy_read_timeout 600s;
    }
}
"""

FULL = """\
user www-data;
worker_processes auto;
pid /run/nginx.pid;
daemon on;
include /etc/nginx/modules-enabled/*.conf;
stream {
    server { listen 5432; proxy_pass db:5432; }
}
http {
    include /etc/nginx/mime.types;
    log_format main '$remote_addr $request';
    access_log /var/log/nginx/access.log main;
    client_body_temp_path /var/cache/nginx/body;
    proxy_cache_path /var/cache/nginx/c keys_zone=one:1m;
    gzip on;
    gzip_types text/event-stream;
    include /etc/nginx/conf.d/*.conf;
    server {
        listen 80;
        location /api/ {
            proxy_pass https://agent.internal:8443/;
            proxy_read_timeout 3s;
        }
    }
}
"""


def directives(text: str, tmp_path: Path) -> list[dict[str, object]]:
    conf = tmp_path / "check.conf"
    conf.write_text(text, encoding="utf-8")
    result = crossplane.parse(str(conf), single=True, comments=False)
    assert result["status"] == "ok", result["errors"]
    return list(walk(result["config"][0]["parsed"]))


def walk(block: list[dict[str, object]]) -> list[dict[str, object]]:
    out = []
    for d in block:
        out.append(d)
        out.extend(walk(d.get("block", [])))  # type: ignore[arg-type]
    return out


def args_of(found: list[dict[str, object]], name: str) -> list[list[str]]:
    return [d["args"] for d in found if d["directive"] == name]  # type: ignore[misc]


@pytest.fixture
def snippet(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "snippets").mkdir(parents=True)
    (src / "snippets" / "proxy.conf").write_text("proxy_set_header Host $host;\n")
    conf = src / "agent.conf"
    conf.write_text(SNIPPET, encoding="utf-8")
    return conf


def test_snippet_is_wrapped_and_pointed_at_the_replicas(snippet: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    result = rewrite(read(snippet), work, BACKENDS)
    found = directives(result.text, tmp_path)

    assert args_of(found, "pid") == [[str(work / "nginx.pid")]]
    assert [a[0] for a in args_of(found, "error_log")] == [str(work / "error.log")] * 2
    # The upstream keeps its name, parameters and keepalive; backup servers go.
    upstream = next(d for d in found if d["directive"] == "upstream")
    assert upstream["args"] == ["agent"]
    assert args_of(upstream["block"], "server") == [  # type: ignore[arg-type]
        ["127.0.0.1:5001", "max_fails=3", "fail_timeout=10s"],
        ["127.0.0.1:5002", "max_fails=3", "fail_timeout=10s"],
    ]
    assert args_of(found, "keepalive") == [["16"]]
    # One plain loopback listen replaces the TLS ones.
    assert args_of(found, "listen") == [[f"127.0.0.1:{result.port}"]]
    assert result.ports == [result.port]
    # Everything else is the user's, untouched; the project's include is inlined.
    assert args_of(found, "proxy_buffering") == [["off"]]
    assert args_of(found, "proxy_read_timeout") == [["600s"]]
    assert args_of(found, "proxy_pass") == [["http://agent"]]
    assert args_of(found, "proxy_set_header") == [["Host", "$host"]]
    assert args_of(found, "server_name") == [["agent.example.com"]]
    # The undefined log format of the snippet is dropped (it lived in the real nginx.conf); the
    # http block gets an access log too, else nginx writes to its compiled-in path.
    assert args_of(found, "access_log") == [[str(work / "access.log")]] * 2
    assert result.base_path == ""
    assert any("main" in note for note in result.notes)
    # Certificates of the production machine are not here; nginx would refuse to start.
    assert not [d for d in found if str(d["directive"]).startswith("ssl")]
    assert any("TLS" in note for note in result.notes)


def test_full_config_is_neutralised_and_keeps_its_tuning(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(FULL, encoding="utf-8")
    work = tmp_path / "work"
    result = rewrite(read(conf), work, BACKENDS)
    found = directives(result.text, tmp_path)
    names = [d["directive"] for d in found]

    assert "daemon" not in names
    assert "stream" not in names
    assert args_of(found, "user") in ([["root"]], [])  # root only when run as root
    assert args_of(found, "events") == [[]]
    assert args_of(found, "worker_processes") == [["auto"]]
    assert args_of(found, "gzip_types") == [["text/event-stream"]]
    # The machine's conf.d and modules are not the user's: dropped; mime.types is kept.
    includes = [a[0] for a in args_of(found, "include")]
    assert all(not i.startswith("/etc/nginx/conf.d") for i in includes)
    assert all("modules-enabled" not in i for i in includes)
    assert sum("dropped include" in n for n in result.notes) == 2
    # Temp and cache paths live in the work directory.
    assert args_of(found, "client_body_temp_path") == [[str(work / "client_body_temp")]]
    assert args_of(found, "proxy_cache_path")[0][0].startswith(str(work))
    assert args_of(found, "access_log") == [[str(work / "access.log"), "main"]]
    # A proxy_pass to a host goes to the replicas' upstream, URI kept; plain HTTP.
    assert args_of(found, "proxy_pass") == [[f"http://{UPSTREAM}/"]]
    assert args_of(found, "upstream") == [[UPSTREAM]]
    assert args_of(found, "proxy_read_timeout") == [["3s"]]
    assert result.base_path == "/api"
    assert any("https" in n for n in result.notes)


def test_in_image_include_paths_find_the_projects_files(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "deploy" / "nginx" / "conf.d").mkdir(parents=True)
    main = project / "deploy" / "nginx" / "nginx.conf"
    main.write_text("events {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n", encoding="utf-8")
    (project / "deploy" / "nginx" / "conf.d" / "agent.conf").write_text(
        "server { listen 80; location / { proxy_pass http://agent:8000; proxy_buffering off; } }\n",
        encoding="utf-8",
    )
    (tmp_path / "outside.conf").write_text("server { listen 81; }\n", encoding="utf-8")
    (project / "deploy" / "nginx" / "more.conf").write_text(
        "include ../../../outside.conf;\n", encoding="utf-8"
    )

    result = rewrite(read(main, project), tmp_path / "w", BACKENDS)
    found = directives(result.text, tmp_path)
    assert args_of(found, "proxy_buffering") == [["off"]]
    assert result.notes == []

    main.write_text("events {}\nhttp { include more.conf; }\n", encoding="utf-8")
    with pytest.raises(LiveError, match="no server block proxies"):
        rewrite(read(main, project), tmp_path / "w", BACKENDS)  # outside.conf is not inlined


def test_every_server_block_gets_its_own_port(tmp_path: Path) -> None:
    conf = tmp_path / "two.conf"
    conf.write_text(
        "server { listen 80; return 301 https://$host$request_uri; }\n"
        "server { listen 443 ssl; location / { proxy_pass http://agent:8000; } }\n",
        encoding="utf-8",
    )
    result = rewrite(read(conf), tmp_path / "w", BACKENDS)
    assert len(set(result.ports)) == 2
    assert result.port == result.ports[1]  # the block that proxies is the entry


def test_location_snippet_gets_a_server(tmp_path: Path) -> None:
    conf = tmp_path / "loc.conf"
    conf.write_text("location / { proxy_pass http://agent:8000; }\n", encoding="utf-8")
    found = directives(rewrite(read(conf), tmp_path / "w", BACKENDS).text, tmp_path)
    assert [d["directive"] for d in found if "block" in d] == [
        "events", "http", "server", "location", "upstream"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server { listen 80; location / { set $b agent; proxy_pass http://$b; } }",
         "through a variable"),
        ("server { listen 80; location / { return 200; } }", "no server block proxies"),
        ("server { listen 80; location / { proxy_pass http://a; }", "unexpected end of file"),
        ("server { include loop.conf; }", "no server block proxies"),  # the loop is not read
    ],
)  # fmt: skip
def test_configs_that_cannot_be_run_are_live_errors(
    tmp_path: Path, text: str, message: str
) -> None:
    conf = tmp_path / "loop.conf"
    conf.write_text(text, encoding="utf-8")
    with pytest.raises(LiveError, match=message):
        rewrite(read(conf), tmp_path / "w", BACKENDS)


# -- the real nginx ------------------------------------------------------------------------------


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"hello from {self.server.server_address[1]} {self.path}".encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def backend() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


needs_nginx = pytest.mark.skipif(shutil.which("nginx") is None, reason="needs nginx")


@needs_nginx
def test_real_nginx_runs_the_rewritten_config(snippet: Path, tmp_path: Path, backend: int) -> None:
    nginx = Nginx(snippet, tmp_path / "run", [("127.0.0.1", backend)], timeout=30)
    try:
        nginx.start()
        assert nginx.server is not None
        pids = [p.pid for p in nginx.server.members()]
        answer = httpx.get(nginx.url() + "/threads", trust_env=False, timeout=10)
        assert answer.text == f"hello from {backend} /threads"
        # nginx writes the access log line after it has sent the response: the client can
        # read the answer first (seen under load), so wait for the line, with a deadline.
        deadline = time.monotonic() + 10
        while "GET /threads" not in nginx.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "GET /threads" in nginx.log()
    finally:
        nginx.stop()
    assert len(pids) >= 2  # master and at least one worker
    assert running(pids) == []


@needs_nginx
def test_config_nginx_rejects_fails_with_its_message(tmp_path: Path, backend: int) -> None:
    conf = tmp_path / "bad.conf"
    conf.write_text(
        "server { listen 80; location / { proxy_pass http://agent:8000; proxy_bufering off; } }\n",
        encoding="utf-8",
    )
    nginx = Nginx(conf, tmp_path / "run", [("127.0.0.1", backend)], timeout=30)
    with pytest.raises(
        LiveError,
        match=r'(?s)nginx rejects .*unknown directive "proxy_bufering".*'
        r"line \d+ of the rewritten config: proxy_bufering off;",
    ):
        nginx.start()
    assert nginx.server is None  # never started
