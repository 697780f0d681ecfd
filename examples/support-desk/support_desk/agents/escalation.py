"""Escalation: refunds need a human's approval before they are issued."""

from __future__ import annotations

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph
from langgraph.types import interrupt

from support_desk.state import DeskState


def request_approval(state: DeskState) -> DeskState:
    decision = interrupt({"question": "Approve this refund?", "thread_messages": len(state.get("messages", []))})
    return {"approved": bool(decision)}


def notify(state: DeskState) -> DeskState:
    text = "Refund approved." if state.get("approved") else "Refund declined."
    return {"messages": [AIMessage(content=text)]}


builder = StateGraph(DeskState)
builder.add_node("request_approval", request_approval)
builder.add_node("notify", notify)
builder.add_edge(START, "request_approval")
builder.add_edge("request_approval", "notify")
builder.add_edge("notify", END)
graph = builder.compile()
