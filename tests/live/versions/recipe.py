"""A project with two releases in git, built commit by commit (not copied from fixtures).

``desk`` is a support desk: ``classify`` writes the message's category, ``request_approval``
waits for a human at an ``interrupt()``, ``notify`` answers with both. ``approvals`` has no
messages: ``draft`` writes a plan for the required ``request``, ``review`` waits at an
``interrupt()``, ``apply`` records the decision. History, oldest first:

* ``v0.9.0``: desk's category field was called ``topic`` and approvals' waiting node
  ``approve``: renamed since, so threads it left cannot resume under the working tree (and
  the other way round);
* ``v1.0.0``: the names the working tree has;
* HEAD (the working tree, the next release): desk gains a ``priority`` field (with a default:
  old threads simply lack it), written by ``classify``, and ``notify``'s text changes: a
  compatible change.

The working tree's default baseline is ``v1.0.0`` (the newest version tag): a compatible pair;
``--since v0.9.0`` makes an incompatible one.
"""

from __future__ import annotations

from pathlib import Path

from tests.versions.conftest import Repo

__all__ = ["COMPATIBLE", "INCOMPATIBLE", "build"]

COMPATIBLE = "v1.0.0"
INCOMPATIBLE = "v0.9.0"

STATE = """\
from typing import Annotated, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class DeskState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    category: str
    approved: bool
"""

DESK = """\
from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

from desk.state import DeskState


def classify(state: DeskState) -> DeskState:
    text = str(state["messages"][-1].content).lower()
    return {"category": "billing" if "refund" in text else "question"}


def request_approval(state: DeskState) -> DeskState:
    return {"approved": interrupt({"question": "Reply to this customer?"}) == "yes"}


def notify(state: DeskState) -> DeskState:
    verdict = "approved" if state["approved"] else "declined"
    return {"messages": [AIMessage(content=f"{state['category']}: {verdict}")]}


builder = StateGraph(DeskState)
builder.add_node("classify", classify)
builder.add_node("request_approval", request_approval)
builder.add_node("notify", notify)
builder.add_edge(START, "classify")
builder.add_edge("classify", "request_approval")
builder.add_edge("request_approval", "notify")
builder.add_edge("notify", END)
graph = builder.compile()
"""

APPROVALS = """\
from typing import TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt


class Approval(TypedDict):
    request: str
    plan: str
    decision: str
    applied: bool


def draft(state: Approval) -> dict:
    return {"plan": f"do {state['request']}"}


def review(state: Approval) -> dict:
    return {"decision": str(interrupt({"plan": state["plan"]}))}


def apply(state: Approval) -> dict:
    return {"applied": state["decision"] == "yes"}


builder = StateGraph(Approval)
builder.add_node("draft", draft)
builder.add_node("review", review)
builder.add_node("apply", apply)
builder.add_edge(START, "draft")
builder.add_edge("draft", "review")
builder.add_edge("review", "apply")
builder.add_edge("apply", END)
graph = builder.compile()
"""

PROJECT = {
    "langgraph.json": (
        '{"dependencies": ["."], "graphs": {"desk": "./desk/graph.py:graph", '
        '"approvals": "./desk/approvals.py:graph"}}\n'
    ),
    "pyproject.toml": '[project]\nname = "desk"\nversion = "0"\n',
    "desk/__init__.py": "",
    "desk/state.py": STATE,
    "desk/graph.py": DESK,
    "desk/approvals.py": APPROVALS,
}


def _renamed(files: dict[str, str], path: str, old: str, new: str) -> dict[str, str]:
    assert old in files[path], (path, old)
    return {**files, path: files[path].replace(old, new)}


def v0_9_0() -> dict[str, str]:
    """Before two renames: desk's ``category`` was ``topic``, approvals' ``review`` was
    ``approve``."""
    files = _renamed(PROJECT, "desk/state.py", "category", "topic")
    files = _renamed(files, "desk/graph.py", "category", "topic")
    return _renamed(files, "desk/approvals.py", "review", "approve")


def working_tree() -> dict[str, str]:
    """The next release: a ``priority`` field with a default, written by ``classify``."""
    files = _renamed(
        PROJECT, "desk/state.py", "    approved: bool\n", "    approved: bool\n    priority: str\n"
    )
    files = _renamed(
        files,
        "desk/graph.py",
        '    return {"category": "billing" if "refund" in text else "question"}\n',
        '    category = "billing" if "refund" in text else "question"\n'
        '    return {"category": category, "priority": "high" if "now" in text else "normal"}\n',
    )
    return _renamed(
        files,
        "desk/graph.py",
        "f\"{state['category']}: {verdict}\"",
        "f\"{state['category']} ({state.get('priority', 'normal')}): {verdict}\"",
    )


def build(path: Path) -> dict[str, str]:
    """The repository at ``path``: v0.9.0, v1.0.0, then the working tree committed on top;
    the commit of each tag."""
    repo = Repo(path)
    commits = {INCOMPATIBLE: repo.commit(v0_9_0(), tag=INCOMPATIBLE)}
    commits[COMPATIBLE] = repo.commit(PROJECT, tag=COMPATIBLE)
    commits["HEAD"] = repo.commit(working_tree())
    return commits
