"""The files every area asks for by what they are: the ``langgraph.json`` configurations,
``pyproject.toml``, Python and YAML files, Dockerfiles, compose files, ``.env`` files and the
Kubernetes objects. :class:`KnownFiles` is a base class of :class:`~agentcheck.project.Project`,
which lists, reads and parses the files."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from agentcheck._findings import Severity
from agentcheck.files import name_of
from agentcheck.parsing import Located

__all__ = ["CONFIG_NAMES", "MAX_GRAPHS", "KnownFiles", "LanggraphConfig"]

T = TypeVar("T")

CONFIG_NAMES = ("langgraph.json", "aegra.json")
#: Graphs of one langgraph.json that are checked; more get one info finding.
MAX_GRAPHS = 1000


@dataclass(frozen=True)
class LanggraphConfig:
    """One ``langgraph.json`` (or Aegra's ``aegra.json``) and the directory it is relative to."""

    path: str
    doc: Located | None

    @property
    def dir(self) -> str:
        parent = PurePosixPath(self.path).parent.as_posix()
        return "" if parent == "." else parent

    @property
    def data(self) -> dict[str, Any]:
        data = self.doc.data if self.doc else None
        return data if isinstance(data, dict) else {}

    def resolve(self, relative: str) -> str:
        """A path from the config (``./agent/graph.py``) as a path relative to the project root."""
        joined = os.path.normpath(os.path.join(self.dir or ".", relative))
        return PurePosixPath(joined.replace(os.sep, "/")).as_posix()


class KnownFiles:
    """The well-known files of :class:`~agentcheck.project.Project`."""

    # What the Project defines: how it records an AC100 finding.
    problem: Callable[..., None]

    if TYPE_CHECKING:

        @property
        def files(self) -> tuple[str, ...]: ...

        def glob(self, predicate: Callable[[str], bool]) -> list[str]: ...

        def text(self, rel: str, *, report: bool = True) -> str | None: ...

        def json(self, rel: str) -> Located | None: ...

        def yaml(self, rel: str) -> list[Located]: ...

        def memo(self, key: str, factory: Callable[[], T]) -> T: ...

        def toml(self, rel: str) -> dict[str, Any] | None: ...

    @property
    def langgraph_configs(self) -> list[LanggraphConfig]:
        """Every ``langgraph.json`` / ``aegra.json`` below the root (AC100 when malformed)."""
        return self.memo("known:langgraph-configs", self._langgraph_configs)

    def _langgraph_configs(self) -> list[LanggraphConfig]:
        found = []
        for rel in self.files:
            if name_of(rel) in CONFIG_NAMES:
                found.append(LanggraphConfig(rel, self._capped_graphs(rel, self.json(rel))))
        return found

    def _capped_graphs(self, rel: str, doc: Located | None) -> Located | None:
        """The config with at most :data:`MAX_GRAPHS` graphs (the rest are not checked, and
        one info finding says so): each graph costs every graph rule a module read."""
        data = doc.data if doc is not None else None
        graphs = data.get("graphs") if isinstance(data, dict) else None
        if doc is None or not isinstance(graphs, dict) or len(graphs) <= MAX_GRAPHS:
            return doc
        kept = dict(list(graphs.items())[:MAX_GRAPHS])
        self.problem(
            rel,
            f"declares {len(graphs):,} graphs: only the first {MAX_GRAPHS:,} are checked",
            *doc.key_loc("graphs"),
            severity=Severity.INFO,
            fix="Split the deployment, or lint the graphs in several configurations.",
        )
        capped = {**doc.data, "graphs": kept}
        return Located(capped, doc.positions, doc.start_line, doc.problems)

    @property
    def pyproject(self) -> dict[str, Any] | None:
        """The root ``pyproject.toml``, parsed, or None."""
        return self.toml("pyproject.toml") if "pyproject.toml" in self.files else None

    def by_name(self, *names: str) -> list[str]:
        """Files whose base name is one of ``names``."""
        wanted = set(names)
        return [rel for rel in self.files if name_of(rel) in wanted]

    def by_suffix(self, *suffixes: str) -> list[str]:
        """Files whose name ends with one of ``suffixes`` (``".py"``, ``".yaml"``)."""
        return [rel for rel in self.files if rel.endswith(suffixes)]

    @cached_property
    def python_files(self) -> list[str]:
        return self.by_suffix(".py")

    @cached_property
    def yaml_files(self) -> list[str]:
        return self.by_suffix(".yaml", ".yml")

    @cached_property
    def dockerfiles(self) -> list[str]:
        def is_dockerfile(rel: str) -> bool:
            lower = name_of(rel).lower()
            return (
                lower in ("dockerfile", "containerfile")
                or lower.startswith(("dockerfile.", "containerfile."))
                or lower.endswith(".dockerfile")
            )

        return self.glob(is_dockerfile)

    @cached_property
    def compose_files(self) -> list[str]:
        def is_compose(rel: str) -> bool:
            name = name_of(rel).lower()
            return name.endswith((".yml", ".yaml")) and (
                name.startswith(("docker-compose", "compose."))
                or name in ("compose.yml", "compose.yaml")
            )

        return self.glob(is_compose)

    @cached_property
    def _compose_set(self) -> frozenset[str]:
        return frozenset(self.compose_files)

    @cached_property
    def env_files(self) -> list[str]:
        def is_env(rel: str) -> bool:
            name = name_of(rel)
            return name == ".env" or name.startswith(".env.") or name.endswith(".env")

        return self.glob(is_env)

    @property
    def k8s_objects(self) -> list[tuple[str, Located]]:
        """Kubernetes objects (documents with ``apiVersion`` and ``kind``), ``List`` items
        flattened, compose files excluded."""
        return self.memo("known:k8s-objects", self._k8s_objects)

    def _k8s_objects(self) -> list[tuple[str, Located]]:
        out: list[tuple[str, Located]] = []
        for rel in self.yaml_files:
            out.extend(self.k8s_objects_in(rel))
        return out

    def k8s_objects_in(self, rel: str) -> list[tuple[str, Located]]:
        """The Kubernetes objects of one file (see :attr:`k8s_objects`)."""
        out: list[tuple[str, Located]] = []
        if rel in self._compose_set:
            return out
        text = self.text(rel, report=False)
        if text is None or "kind" not in text or "apiVersion" not in text:
            return out
        for doc in self.yaml(rel):
            data = doc.data
            if not isinstance(data, dict):
                continue
            if data.get("kind") == "List" and isinstance(data.get("items"), list):
                for i, item in enumerate(data["items"]):
                    if isinstance(item, dict) and "kind" in item:
                        sub = {k[2:]: v for k, v in doc.positions.items() if k[:2] == ("items", i)}
                        sub.update(
                            {
                                ("__key__", *k[3:]): v
                                for k, v in doc.positions.items()
                                if k[:3] == ("__key__", "items", i)
                            }
                        )
                        out.append((rel, Located(item, sub, doc.line("items", i))))
            elif "apiVersion" in data and "kind" in data:
                out.append((rel, doc))
        return out
