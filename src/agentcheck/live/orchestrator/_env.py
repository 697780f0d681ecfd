"""The environment of every replica, in layers: the later layer wins.

1. the project's env file (langgraph.json ``env``), as the server itself would load it;
2. what every server gets (no analytics, no version check, unbuffered output, no colour);
3. the throwaway services (``DATABASE_URL`` ...), as the replicas reach them;
4. the settings agentcheck owns: every model provider pointed at the fake LLM, tracing off,
   egress sealed (see :mod:`agentcheck.live.egress`), so a project ``.env`` that names the real
   OpenAI cannot win;
5. the user's ``[tool.agentcheck.live.env]`` (templated): an explicit choice wins over all.

A backend puts this on top of what its processes inherit (the local backend: this process's
environment and PATH; a container: its image's).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["BASE_ENV", "owned_model_env", "replica_env", "service_env"]

#: Environment every server gets.
BASE_ENV: Mapping[str, str] = {
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
    "PYTHONUNBUFFERED": "1",
    "LOG_COLOR": "false",
    "NO_COLOR": "1",
}

#: Tracing and telemetry off: they would send every run to a hosted service.
_NO_TRACING: Mapping[str, str] = {
    "LANGSMITH_TRACING": "false",
    "LANGSMITH_TRACING_V2": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGCHAIN_TRACING": "false",
}


def service_env(database_url: str | None, redis_url: str | None) -> dict[str, str]:
    """The names servers read the throwaway services from (Agent Server, Aegra, langhost)."""
    env: dict[str, str] = {}
    if database_url:
        env["DATABASE_URL"] = env["DATABASE_URI"] = env["POSTGRES_URI"] = database_url
    if redis_url:
        env["REDIS_URI"] = env["REDIS_URL"] = redis_url
    return env


def owned_model_env(fake_url: str, api_key: str) -> dict[str, str]:
    """Every provider setting agentcheck owns, pointed at the fake LLM at ``fake_url``
    (``http://host:port``, no path)."""
    return {
        # OpenAI (the SDK, LangChain's ChatOpenAI and OpenAIEmbeddings, old and new names)
        "OPENAI_BASE_URL": f"{fake_url}/v1",
        "OPENAI_API_BASE": f"{fake_url}/v1",
        "OPENAI_API_KEY": api_key,
        # Azure OpenAI: the fake answers /openai/deployments/{name}/... too
        "AZURE_OPENAI_ENDPOINT": fake_url,
        "AZURE_OPENAI_API_KEY": api_key,
        "OPENAI_API_VERSION": "2024-10-21",
        # Anthropic (the SDK reads ANTHROPIC_BASE_URL, langchain-anthropic ANTHROPIC_API_URL)
        "ANTHROPIC_BASE_URL": fake_url,
        "ANTHROPIC_API_URL": fake_url,
        "ANTHROPIC_API_KEY": api_key,
        # Ollama: the fake says plainly that it does not speak Ollama's API
        "OLLAMA_HOST": fake_url,
        "OLLAMA_BASE_URL": fake_url,
        **_NO_TRACING,
    }


def replica_env(
    *,
    env_file: Mapping[str, str],
    services: Mapping[str, str],
    owned: Mapping[str, str],
) -> dict[str, str]:
    """Layers 1-4 (the user's templates are rendered by the backend, see ``Launch``)."""
    return {**env_file, **BASE_ENV, **services, **owned}
