"""The chat model every agent uses. Configured from the environment (OPENAI_API_KEY,
OPENAI_BASE_URL), so agentcheck's fake LLM can stand in for OpenAI in live checks."""

from __future__ import annotations

import os

from langchain_openai import ChatOpenAI


def chat_model() -> ChatOpenAI:
    return ChatOpenAI(
        model=os.getenv("SUPPORT_DESK_MODEL", "gpt-4o-mini"),
        temperature=0,
        timeout=20,
        max_retries=2,
    )
