"""The user's nginx, for real, in front of the replicas.

:func:`read` parses the user's config once, with the deployment model's reader (includes are
resolved there, as lint resolves them: against the including file, the main file's directory
and its parent; in-image paths such as ``/etc/nginx/conf.d/*.conf`` find the project's copy;
only the project's files are read). :class:`Nginx` runs it rewritten by
:func:`agentcheck.live.services.nginx_rewrite.rewrite`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from agentcheck.errors import LiveError
from agentcheck.live.services import http
from agentcheck.live.services.base import Service
from agentcheck.live.services.nginx_rewrite import UPSTREAM, Read, Rewritten, rewrite
from agentcheck.live.services.ports import LOOPBACK
from agentcheck.live.services.processes import Server, child_env

if TYPE_CHECKING:
    pass

__all__ = ["UPSTREAM", "Nginx", "Read", "Rewritten", "read", "rewrite"]


def read(source: Path, project: Path | None = None) -> Read:
    """The config at ``source``, includes resolved, as lint reads it.

    Files are read from ``project`` when ``source`` is inside it, else from ``source``'s own
    directory; files outside that tree are never read. Never raises: parse errors are in
    ``config.errors`` (:func:`rewrite` refuses such a config).
    """
    from agentcheck.config import Config
    from agentcheck.deployment.nginx import STOCK_INCLUDES, ProjectReader
    from agentcheck.project import Project

    source = source.resolve()
    tree = project.resolve() if project is not None else source.parent
    if not source.is_relative_to(tree):
        tree = source.parent
    reader = ProjectReader(Project(tree, Config()))
    reader.keep_stock_includes = True
    config = reader.load(source.relative_to(tree).as_posix())
    dropped = []
    for file in config.files:
        for pattern in _includes(reader.parse_file(file)[0]):
            stock = PurePosixPath(pattern).name in STOCK_INCLUDES
            if not stock and not reader.resolve(pattern, file, config.path):
                dropped.append(pattern)
    return Read(config, tuple(dict.fromkeys(dropped)))


def _includes(raw: list[dict[str, Any]]) -> Iterator[str]:
    for stmt in raw:
        if stmt.get("directive") == "include" and stmt.get("args"):
            yield str(stmt["args"][0])
        yield from _includes(stmt.get("block") or [])


class Nginx(Service):
    """nginx running the rewritten config from ``directory`` (which the caller removes)."""

    kind = "nginx"

    def __init__(
        self,
        source: Path,
        directory: Path,
        backends: Sequence[tuple[str, int]],
        *,
        project: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.source = source
        self.project = project
        self.directory = directory
        self.backends = list(backends)
        self.timeout = timeout
        self.rewritten: Rewritten | None = None
        self._server: Server | None = None

    def url(self, host: str | None = None, port: int | None = None) -> str:
        """The base URL that reaches the agent through nginx."""
        assert self.rewritten is not None
        where = f"{host or LOOPBACK}:{port or self.rewritten.port}"
        return f"http://{where}{self.rewritten.base_path}"

    @property
    def conf(self) -> Path:
        """The rewritten config file."""
        return self.directory / "nginx.conf"

    def start(self) -> None:
        """Rewrite, test the config (``nginx -t``), start, wait until it answers HTTP."""
        binary = shutil.which("nginx") or (
            "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
        )
        if binary is None:
            raise LiveError("--agentcheck-proxy needs nginx; install the nginx package")
        if self._server is not None:  # a restart: the same config, the same ports
            self._server.start()
            self._wait()
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self.rewritten = rewrite(read(self.source, self.project), self.directory, self.backends)
        self.port = self.rewritten.port
        self.conf.write_text(self.rewritten.text, encoding="utf-8")
        argv = [binary, "-e", "stderr", "-p", str(self.directory), "-c", str(self.conf)]
        test = subprocess.run(
            [*argv, "-t", "-q"], capture_output=True, timeout=self.timeout, check=False
        )
        if test.returncode != 0:
            output = (test.stdout + test.stderr).decode("utf-8", "replace").strip()
            raise LiveError(
                f"nginx rejects {self.source} (rewritten to {self.conf}):\n{output}"
                + self._quote(output)
            )
        self._server = Server(
            "nginx",
            [*argv, "-g", "daemon off;"],
            cwd=self.directory,
            env=child_env(),
            log_path=self.directory / "nginx.out",
        )
        self._server.start()
        self._wait()

    def _wait(self) -> None:
        assert self._server is not None
        self._server.wait_ready(
            lambda: http.status(f"http://{LOOPBACK}:{self.port}/") is not None,
            timeout=self.timeout,
            what="answering HTTP",
        )

    @property
    def server(self) -> Server | None:
        """The server process, once started."""
        return self._server

    def _quote(self, output: str) -> str:
        """The rewritten line nginx complains about (its numbers are not the user's)."""
        found = re.search(re.escape(str(self.conf)) + r":(\d+)", output)
        if found is None or self.rewritten is None:
            return ""
        lines = self.rewritten.text.splitlines()
        number = int(found.group(1))
        if not 0 < number <= len(lines):
            return ""
        return f"\nline {number} of the rewritten config: {lines[number - 1].strip()}"

    def stop(self) -> None:
        """Stop nginx (fast shutdown); never raises."""
        if self._server is not None:
            self._server.stop()

    def alive(self) -> bool:
        return self._server is not None and self._server.alive()

    def pids(self) -> list[int]:
        return [p.pid for p in self._server.members()] if self._server else []

    def log(self) -> str:
        """nginx's error log, then its access log."""
        parts = []
        for name in ("nginx.out", "error.log", "access.log"):
            try:
                text = (self.directory / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if text.strip():
                parts.append(f"--- {name}\n{text}")
        return "\n".join(parts)
