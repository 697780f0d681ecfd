"""Triage: classify the customer's message and answer the simple ones."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from support_desk.llm import chat_model
from support_desk.state import DeskState

CATEGORIES = ("billing", "bug", "question")


async def classify(state: DeskState) -> DeskState:
    last = state["messages"][-1].content if state.get("messages") else ""
    text = str(last).lower()
    category = next((c for c in CATEGORIES if c in text), "question")
    return {"category": category}


async def answer(state: DeskState) -> DeskState:
    reply = await chat_model().ainvoke(state["messages"])
    return {"messages": [reply]}


builder = StateGraph(DeskState)
builder.add_node("classify", classify)
builder.add_node("answer", answer)
builder.add_edge(START, "classify")
builder.add_edge("classify", "answer")
builder.add_edge("answer", END)

graph = builder.compile()
