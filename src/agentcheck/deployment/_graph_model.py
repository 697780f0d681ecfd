"""The graphs a server serves, and what they are compiled with (read by ``_graphs``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agentcheck.deployment._base import SaverKind, Server, Where

__all__ = ["NO_SAVER", "CheckpointerInfo", "CompileSite", "GraphInfo", "SaverUse"]


@dataclass(frozen=True)
class CheckpointerInfo:
    """What a graph is compiled with as ``checkpointer=`` (or ``store=``)."""

    kind: SaverKind
    #: Where the argument is written (``checkpointer=memory`` in ``compile()``).
    where: Where | None
    #: The class or factory it resolves to (``MemorySaver``, ``PostgresSaver.from_conn_string``).
    constructor: str = ""
    #: Where that constructor is called, when it was followed to another line or file.
    origin: Where | None = None
    #: Chosen by a condition with no saver on another branch (``MemorySaver() if debug else
    #: None``): the graph may run without it.
    conditional: bool = False

    @property
    def persistent(self) -> bool:
        return self.kind in ("sqlite", "postgres", "redis", "mongodb", "custom")


NO_SAVER = CheckpointerInfo("none", None)


@dataclass(frozen=True)
class CompileSite:
    """A ``StateGraph.compile()``, ``create_react_agent()`` or ``@entrypoint`` in the code."""

    where: Where
    #: ``"compile"``, ``"create_react_agent"``, ``"create_agent"``, ``"entrypoint"``.
    kind: str
    checkpointer: CheckpointerInfo = NO_SAVER
    store: CheckpointerInfo = NO_SAVER
    #: ``interrupt_before`` / ``interrupt_after`` arguments.
    static_interrupts: tuple[Where, ...] = ()
    #: The function the compile call is in, when inside one (``make_graph``).
    function: str | None = None


@dataclass(frozen=True)
class SaverUse:
    """A checkpointer or store constructed in served code (wherever it is used)."""

    kind: SaverKind
    #: ``MemorySaver``, ``PostgresSaver``, ``InMemoryStore`` ...
    cls: str
    #: ``None`` for the constructor, else the classmethod (``from_conn_string``).
    method: str | None
    where: Where
    #: ``"checkpointer"`` or ``"store"``.
    role: Literal["checkpointer", "store"]
    #: Used as a (sync or async) context manager: ``with X.from_conn_string(...) as cp``.
    in_with: bool = False
    keywords: tuple[str, ...] = ()
    #: The first positional argument is a string literal or f-string (a connection string).
    string_arg: bool = False
    #: What builds the connection or pool it is given (``conn=`` or the first argument),
    #: qualified through the imports: ``psycopg2.pool.SimpleConnectionPool``; ``""`` unknown.
    connection: str = ""
    #: Constructed in the ``except`` of a ``try`` that sets up persistence: when that fails,
    #: the code falls back to it (kind ``"none"``: ``checkpointer = None`` there).
    fallback: bool = False


@dataclass
class GraphInfo:
    """One graph a server serves: a langgraph.json entry, or a graph a custom app compiles."""

    #: The graph id in langgraph.json; None for graphs found in a custom app.
    graph_id: str | None
    #: Where the graph is declared (the langgraph.json entry, or the compile call).
    where: Where
    #: The langgraph.json it comes from.
    config: str | None = None
    #: ``./agent/graph.py:graph`` as written.
    spec: str | None = None
    #: Target file relative to the root, and attribute.
    target: str | None = None
    attr: str | None = None
    #: The compile call the target resolves to, when found.
    compile: CompileSite | None = None
    #: ``interrupt()`` calls in the graph's code (its module and local imports).
    interrupts: tuple[Where, ...] = ()
    #: The server that serves it.
    server: Server | None = None
    #: Files of the graph's code (its module and the project modules it imports).
    files: tuple[str, ...] = ()

    @property
    def checkpointer(self) -> CheckpointerInfo:
        return self.compile.checkpointer if self.compile else NO_SAVER

    @property
    def store(self) -> CheckpointerInfo:
        return self.compile.store if self.compile else NO_SAVER

    @property
    def uses_interrupt(self) -> bool:
        return bool(self.interrupts) or bool(self.compile and self.compile.static_interrupts)

    @property
    def name(self) -> str:
        return self.graph_id or (self.attr or "graph")
