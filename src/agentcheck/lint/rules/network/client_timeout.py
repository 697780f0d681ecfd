"""AC406: LLM and HTTP client timeouts in served code below the seed's 60 s."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agentcheck import pyindex
from agentcheck._astwalk import walk
from agentcheck.deployment import deployment
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.network._common import FLOOR, seconds

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["ClientTimeoutTooShort"]

#: LLM SDK clients and LangChain chat models (besides every ``Chat*`` class).
_LLM_CLIENTS = frozenset(
    {
        "OpenAI",
        "AsyncOpenAI",
        "AzureOpenAI",
        "AsyncAzureOpenAI",
        "Anthropic",
        "AsyncAnthropic",
        "AnthropicBedrock",
        "AnthropicVertex",
        "AzureChatOpenAI",
        "init_chat_model",
        "LiteLLM",
    }
)
_LLM_TIMEOUT_KEYWORDS = ("timeout", "request_timeout", "default_request_timeout")
_HTTP_CLIENT_KEYWORDS = ("http_client", "http_async_client")
_HTTP_MODULES = frozenset({"httpx", "requests", "aiohttp"})
_HTTP_CALLS = frozenset(
    {
        "get",
        "post",
        "put",
        "request",
        "stream",
        "Client",
        "AsyncClient",
        "Session",
        "session",
        "ClientSession",
    }
)
#: Where an HTTP call goes to a model: hosts and paths of LLM APIs.
_LLM_URL_MARKERS = (
    "api.openai.com",
    "openai.azure.com",
    "api.anthropic.com",
    "generativelanguage.googleapis.com",
    "aiplatform.googleapis.com",
    "api.mistral.ai",
    "api.groq.com",
    "api.together.xyz",
    "api.deepseek.com",
    "api.fireworks.ai",
    "openrouter.ai",
    "/chat/completions",
    "/v1/completions",
    "/v1/messages",
    "/api/generate",
    "/api/chat",
    ":11434",
)
_SUGGESTED = 120


@dataclass(frozen=True)
class _Short:
    """A timeout argument shorter than an LLM call."""

    seconds: float
    node: ast.expr
    #: What to write instead, ``{n}`` standing for the value: ``timeout={n}``, ``read={n}``.
    template: str


class ClientTimeoutTooShort(Rule):
    """An LLM or HTTP client timeout in served code is shorter than an LLM call.

    What it does
    ------------
    Reads the code the server runs (graph modules and what they import; never imported) and
    reports timeouts below 60 s given to LLM clients: LangChain chat models (``ChatOpenAI``,
    ``ChatAnthropic`` ... ``timeout=``, ``request_timeout=``, ``default_request_timeout=``),
    ``init_chat_model``, the OpenAI and Anthropic SDK clients, the ``httpx`` client passed as
    their ``http_client``, and ``httpx``/``requests``/``aiohttp`` calls to an LLM API URL.
    ``httpx.Timeout(...)`` and ``(connect, read)`` tuples count by their read timeout;
    module-level constants and ``os.getenv("X", "30")`` defaults are followed. Timeouts of
    HTTP calls to other services (a tool calling a weather API) are not reported.

    Why is this bad?
    ----------------
    LLM calls take 10 to 60 seconds (the seed's figure), longer with long outputs or reasoning
    models. A client timeout below that fails the call, and with retries multiplies cost and
    latency; the run fails where a slower answer would have succeeded.

    Example
    -------
    ```python
    model = ChatOpenAI(model="gpt-4o", timeout=20)
    ```

    Use instead
    -----------
    ```python
    model = ChatOpenAI(model="gpt-4o", timeout=120, max_retries=2)
    ```
    """

    code = "AC406"
    name = "client-timeout-too-short"
    severity = Severity.WARNING
    message = "An LLM client timeout is shorter than an LLM call."
    fix = f"Give LLM calls at least {FLOOR:g} s (e.g. timeout={_SUGGESTED})."

    def check(self, project: Project) -> Iterator[Finding]:
        for rel in sorted(deployment(project).served_files):
            if "timeout" not in (project.text(rel, report=False) or ""):
                continue
            tree = project.python(rel)
            if tree is None:
                continue
            bindings = pyindex.top_level_bindings(project, rel)
            seen: set[tuple[int, int]] = set()
            for call in walk(tree):
                if not isinstance(call, ast.Call):
                    continue
                for label, short in _short_timeouts(call, bindings):
                    key = (short.node.lineno, short.node.col_offset)
                    if key in seen:
                        continue
                    seen.add(key)
                    yield self.finding(
                        rel,
                        short.node.lineno,
                        short.node.col_offset + 1,
                        message=(
                            f"{label} times out after {seconds(short.seconds)}: LLM calls take "
                            f"10-60 s, so slower answers fail instead of arriving."
                        ),
                        fix=(
                            f"Write `{short.template.replace('{n}', str(_SUGGESTED))}` (at least "
                            f"{seconds(FLOOR)}), and bound whole runs with the run budget instead."
                        ),
                    )


def _name(func: ast.expr) -> tuple[str, str]:
    """``(module_or_object, attribute)`` for ``httpx.post``; ``("", name)`` for ``ChatOpenAI``."""
    if isinstance(func, ast.Attribute):
        base = func.value
        owner = (
            base.id
            if isinstance(base, ast.Name)
            else base.attr
            if isinstance(base, ast.Attribute)
            else ""
        )
        return owner, func.attr
    if isinstance(func, ast.Name):
        return "", func.id
    return "", ""


def _is_llm(call: ast.Call) -> bool:
    _owner, name = _name(call.func)
    return name in _LLM_CLIENTS or (name.startswith("Chat") and name[4:5].isupper())


def _keyword(call: ast.Call, *names: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg in names), None)


def _short_timeouts(call: ast.Call, bindings: dict[str, ast.AST]) -> Iterator[tuple[str, _Short]]:
    owner, name = _name(call.func)
    if _is_llm(call):
        for keyword in call.keywords:
            if keyword.arg in _LLM_TIMEOUT_KEYWORDS:
                for short in _timeouts(keyword.value, bindings, f"{keyword.arg}={{n}}"):
                    yield f"{name}({keyword.arg}=...)", short
            elif keyword.arg in _HTTP_CLIENT_KEYWORDS:
                client = _resolve(keyword.value, bindings)
                if isinstance(client, ast.Call):
                    inner = _keyword(client, "timeout")
                    if inner is not None:
                        for short in _timeouts(inner.value, bindings, "timeout={n}"):
                            yield f"the httpx client of {name}({keyword.arg}=...)", short
        return
    if owner not in _HTTP_MODULES or name not in _HTTP_CALLS:
        return
    if not _calls_llm(call, bindings):
        return
    timeout = _keyword(call, "timeout")
    if timeout is not None:
        for short in _timeouts(timeout.value, bindings, "timeout={n}"):
            yield f"{owner}.{name}(timeout=...) to an LLM API", short


def _calls_llm(call: ast.Call, bindings: dict[str, ast.AST]) -> bool:
    candidates: list[ast.expr] = list(call.args[:2])
    candidates.extend(k.value for k in call.keywords if k.arg in ("url", "base_url"))
    return any(
        marker in text
        for node in candidates
        for text in [_text(node, bindings)]
        for marker in _LLM_URL_MARKERS
    )


def _text(node: ast.expr, bindings: dict[str, ast.AST], depth: int = 0) -> str:
    """The literal parts of a string expression (constants, f-strings, module constants)."""
    if depth > 5:
        return ""
    node = _resolve(node, bindings)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v, bindings, depth + 1) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return _text(node.value, bindings, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text(node.left, bindings, depth + 1) + _text(node.right, bindings, depth + 1)
    return ""


def _resolve(node: ast.expr, bindings: dict[str, ast.AST]) -> ast.expr:
    """A module-level name's value expression; the node itself otherwise."""
    for _ in range(5):
        if not isinstance(node, ast.Name):
            break
        bound = bindings.get(node.id)
        if not isinstance(bound, ast.expr):
            break
        node = bound
    return node


def _timeouts(
    node: ast.expr, bindings: dict[str, ast.AST], template: str, depth: int = 0
) -> Iterator[_Short]:
    """The read timeouts ``node`` sets that are below the floor, at their own position."""
    if depth > 5:
        return
    resolved = _resolve(node, bindings)
    value = _number(resolved, bindings)
    if value is not None:
        if 0 < value < FLOOR:
            yield _Short(value, node, template)
        return
    if isinstance(resolved, ast.Tuple | ast.List) and len(resolved.elts) in (2, 4):
        # (connect, read) for requests; (connect, read, write, pool) for httpx
        parts = [ast.unparse(e) for e in resolved.elts]
        parts[1] = "{n}"
        tuple_template = template.replace("{n}", "(" + ", ".join(parts) + ")")
        yield from _timeouts(resolved.elts[1], bindings, tuple_template, depth + 1)
        return
    if not isinstance(resolved, ast.Call):
        return
    _owner, name = _name(resolved.func)
    if name == "Timeout":  # httpx.Timeout(default, *, connect, read, write, pool)
        read = _keyword(resolved, "read")
        if read is not None:
            yield from _timeouts(read.value, bindings, "read={n}", depth + 1)
            return
        default = _keyword(resolved, "timeout")
        first = resolved.args[0] if resolved.args else default.value if default else None
        if first is not None:
            yield from _timeouts(first, bindings, "httpx.Timeout({n})", depth + 1)
    elif name == "ClientTimeout":  # aiohttp.ClientTimeout(total=..., sock_read=...)
        for keyword in resolved.keywords:
            if keyword.arg in ("total", "sock_read"):
                yield from _timeouts(keyword.value, bindings, f"{keyword.arg}={{n}}", depth + 1)


def _number(node: ast.expr, bindings: dict[str, ast.AST], depth: int = 0) -> float | None:
    """A number literal, ``int("30")``, or the default of ``os.getenv("X", "30")``."""
    if depth > 5:
        return None
    node = _resolve(node, bindings)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return None
        if isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node.value, str):
            try:
                return float(node.value)
            except ValueError:
                return None
        return None
    if isinstance(node, ast.Call):
        _owner, name = _name(node.func)
        if name in ("int", "float") and len(node.args) == 1:
            return _number(node.args[0], bindings, depth + 1)
        if name in ("getenv", "get") and len(node.args) == 2:
            return _number(node.args[1], bindings, depth + 1)
    return None
