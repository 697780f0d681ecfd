"""Research: look up the knowledge base, then answer with citations."""

from __future__ import annotations

import time

import httpx
from langgraph.graph import END, START, StateGraph

from support_desk.llm import chat_model
from support_desk.state import DeskState

KB_URL = "http://127.0.0.1:9/kb"


async def lookup(state: DeskState) -> DeskState:
    # Rate-limit the knowledge base (blocking: this stalls the server's event loop).
    time.sleep(0.01)
    return {}


async def respond(state: DeskState) -> DeskState:
    reply = await chat_model().ainvoke(state["messages"])
    return {"messages": [reply]}


def fetch_article(slug: str) -> str:
    return httpx.get(f"{KB_URL}/{slug}", timeout=5).text


def make_graph():  # a graph factory: Agent Server calls it per run
    builder = StateGraph(DeskState)
    builder.add_node("lookup", lookup)
    builder.add_node("respond", respond)
    builder.add_edge(START, "lookup")
    builder.add_edge("lookup", "respond")
    builder.add_edge("respond", END)
    return builder.compile()
