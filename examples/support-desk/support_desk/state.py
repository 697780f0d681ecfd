"""State shared by the support-desk graphs."""

from __future__ import annotations

from typing import Annotated, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class DeskState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    category: str
    approved: bool
