"""AC401: a proxy or load balancer timeout that cuts long streams."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.network._common import FLOOR, Behind, agent_proxies, seconds

if TYPE_CHECKING:
    from agentcheck.deployment._proxy_model import Timeout
    from agentcheck.project import Project

__all__ = ["ProxyTimeoutTooShort"]


class ProxyTimeoutTooShort(Rule):
    """A proxy or load balancer timeout that cuts the agent's streams.

    What it does
    ------------
    Reads the timeouts of every proxy in front of the agent: nginx ``proxy_read_timeout`` and
    ``proxy_send_timeout`` (inherited from ``server``/``http``, nginx's default is 60 s),
    ingress-nginx and NGINX Ingress Controller annotations and ConfigMap, the AWS ALB
    ``idle_timeout.timeout_seconds`` attribute and the Classic ELB idle timeout (60 s by
    default), GKE BackendConfig and GCPBackendPolicy ``timeoutSec`` (30 s), Cloud Run and
    Knative ``timeoutSeconds`` (300 s), HAProxy ``timeout server`` and ``timeout client``,
    Traefik entry-point ``readTimeout`` (60 s since v2.11) and ``writeTimeout`` and
    ``responseHeaderTimeout``, and Envoy route ``timeout`` (15 s) and ``idle_timeout``.
    HAProxy's ``timeout tunnel`` is read but not reported: it applies to WebSocket and
    ``CONNECT`` tunnels, and an SSE response is not one.

    Every timeout set explicitly below 60 s, the seed's floor for LLM calls, is reported; its
    severity follows what breaks, as measured behind nginx with ``langgraph dev``
    (langgraph-api 0.16.7), langhost (langgraph-api 0.11.1 on PostgreSQL and Redis) and Aegra
    0.6 on PostgreSQL, with runs whose step stays silent for 20 s: streams (``runs/stream``,
    stateless and on a thread), joins (``GET .../runs/{id}/stream`` and ``.../join``) and
    blocking ``POST /runs/wait`` and ``POST /threads/{id}/runs/wait``.

    * **error** where requests break: a limit on the whole response (no byte resets it); an
      idle timer behind a server that writes nothing while a step is silent (Aegra: at 10 s
      every stream and join was cut and every ``runs/wait`` got a 504) or behind a server
      agentcheck does not know; an idle timer no longer than langgraph-api's keep-alive
      interval plus a second (every 5 s it writes ``: heartbeat`` to streams and a newline to
      blocking ``runs/wait`` and ``join`` requests, up to 5.4 s apart under load: at 3 s and
      5 s streams, joins and ``runs/wait`` were cut).
    * **info** where nothing measured breaks: an idle timer of 6 s or more behind
      langgraph-api (at 6 s and 10 s every request came through), and nginx's
      ``proxy_send_timeout``, which limits only sending the request upstream (3 s cut nothing
      on either server). Still below the floor, so still reported.
    * **warning** where what breaks is not known: an idle timer behind a custom server whose
      streams carry keep-alive pings (sse-starlette, every 15 s) but whose other responses
      (an endpoint that returns a run's result) carry nothing.

    It also reports, as a warning, a timeout (explicit or the proxy's default) below the run
    budget (``[tool.agentcheck] run-budget``, 300 s by default) when nothing resets it during
    a run: a limit on the whole response (GKE, Cloud Run, Envoy's route timeout, Traefik) is
    never reset, and an idle timer is reset only by a server that writes keep-alive bytes
    (langgraph-api every 5 s; Aegra never).

    Why is this bad?
    ----------------
    A graph step can stay silent for a minute while an LLM thinks or a tool runs. When the
    proxy's timer expires first, it closes the stream: the client sees a truncated run
    ("upstream timed out ... while reading upstream", a 504), while the run goes on, unseen.

    Example
    -------
    ```nginx
    location / {
        proxy_pass http://agent:8000;
        proxy_read_timeout 30s;
    }
    ```

    Use instead
    -----------
    ```nginx
    location / {
        proxy_pass http://agent:8000;
        proxy_read_timeout 600s;
    }
    ```
    """

    code = "AC401"
    name = "proxy-timeout-too-short"
    severity = Severity.ERROR
    message = "A proxy timeout is shorter than an LLM call or a run."
    fix = "Raise the timeout to at least the run budget (and never below 60 s)."

    def check(self, project: Project) -> Iterator[Finding]:
        budget = project.config.run_budget
        target = max(budget, FLOOR)
        seen: set[tuple[str, int, int, str]] = set()
        for proxy, behind in agent_proxies(project):
            for timeout in proxy.timeouts:
                value = timeout.seconds
                if value is None:
                    continue
                key = (
                    timeout.where.path,
                    timeout.where.line,
                    timeout.where.column,
                    timeout.setting,
                )
                if key in seen:
                    continue
                note = f" {timeout.note}" if timeout.note else ""
                fix = (
                    f"Set `{timeout.suggestion(target)}`{note} (the run budget is "
                    f"{seconds(budget)}; never below {seconds(FLOOR)})."
                )
                if timeout.explicit and value < FLOOR:
                    seen.add(key)
                    severity, why = _below_floor(timeout, value, behind)
                    yield self.finding(
                        timeout.where.path,
                        timeout.where.line,
                        timeout.where.column,
                        message=f"{timeout.setting} is {seconds(value)} on {proxy.name}{why}.",
                        fix=fix,
                        severity=severity,
                    )
                    continue
                if not timeout.cuts_stream or value >= budget:
                    continue
                if timeout.idle and (not behind.known or behind.heartbeat is not None):
                    continue  # heartbeats reset idle timers (or the server is unknown)
                seen.add(key)
                source = "" if timeout.explicit else f" ({timeout.origin or 'the default'})"
                if timeout.idle:
                    why = (
                        f"{behind.label} writes nothing while a step is silent, so a step "
                        f"silent that long closes the stream (and {_waiting(behind)} gets a "
                        "504)"
                    )
                else:
                    why = (
                        "it limits the whole response, so longer runs are cut even with heartbeats"
                    )
                yield self.finding(
                    timeout.where.path,
                    timeout.where.line,
                    timeout.where.column,
                    message=(
                        f"{timeout.setting} is {seconds(value)}{source} on {proxy.name}, shorter "
                        f"than the run budget ({seconds(budget)}): {why}."
                    ),
                    fix=fix,
                    severity=Severity.WARNING,
                )


#: How far apart keep-alive bytes may come beyond their interval: langgraph-api's (every 5 s)
#: came up to 5.4 s apart on a loaded machine; a 6 s idle timeout never cut one, 5 s always did.
JITTER = 1.0
#: What was measured behind nginx, by the server's label (see the class docstring); both serve
#: the Agent Protocol (``runs/wait``, joins).
_MEASURED = {
    "langgraph-api": "langgraph-api 0.16.7 and 0.11.1 behind nginx",
    "Aegra": "Aegra 0.6 behind nginx",
}


def _below_floor(timeout: Timeout, value: float, behind: Behind) -> tuple[Severity, str]:
    """The severity of an explicit timeout below the floor, and why (after ``... is N s on X``)."""
    measured = _MEASURED.get(behind.label)
    at = f"; measured with {measured}" if measured else ""
    if not timeout.cuts_stream:
        return Severity.INFO, (
            f", below the seed's {seconds(FLOOR)} floor, but it limits only sending the request "
            "upstream: no stream, join or `runs/wait` answer is cut by it (3 s cut nothing "
            "behind langgraph-api or Aegra)"
        )
    if not timeout.idle:
        return Severity.ERROR, (
            ": it limits the whole response, so every stream, join or `runs/wait` longer than "
            f"{seconds(value)} is cut, heartbeats or not"
        )
    if not behind.known:
        return Severity.ERROR, (
            f": below the {seconds(FLOOR)} floor, a slow LLM call or a silent step ends the "
            "request (stream or `runs/wait`) before the run does"
        )
    streams = behind.heartbeat is not None and value >= behind.heartbeat + JITTER
    waits = behind.wait_keepalive is not None and value >= behind.wait_keepalive + JITTER
    if streams and waits:
        return Severity.INFO, (
            f", below the seed's {seconds(FLOOR)} floor, but nothing is cut by it: "
            f"{behind.label} writes a byte at least every {seconds(behind.heartbeat or 0)} to "
            "streams and joins (SSE heartbeats) and to blocking `runs/wait` and `join` requests "
            "(newlines), and each byte resets this idle timer (20 s silent steps came through "
            f"6 s and 10 s timeouts{at})"
        )
    if streams:
        return Severity.WARNING, (
            f": streams survive it ({behind.label} sends an SSE ping every "
            f"{seconds(behind.heartbeat or 0)}), but a response that is not a stream (an "
            f"endpoint that returns a run's result) taking longer than {seconds(value)} is cut "
            "with a 504 while the run goes on"
        )
    if behind.heartbeat is not None:
        interval = seconds(behind.heartbeat)
        if behind.wait_keepalive is not None:
            what = (
                f"writes a keep-alive byte only every {interval} (SSE heartbeats to streams, "
                "newlines to blocking `runs/wait` and `join` requests), so a timer this short "
                "cuts every stream, join and `runs/wait` that waits longer"
            )
        else:
            what = (
                f"sends an SSE ping only every {interval}, so a timer this short cuts idle "
                "streams, and any response that is not a stream and waits longer"
            )
        return Severity.ERROR, (
            f": {behind.label} {what}" + (f" (3 s and 5 s cut them all{at})" if measured else "")
        )
    if measured:
        return Severity.ERROR, (
            f": {behind.label} writes nothing while a step is silent (no SSE heartbeat, no "
            "keep-alive while `runs/wait` or a join waits), so every request silent longer "
            f"than {seconds(value)} is cut: streams and joins end early, `runs/wait` gets a 504 "
            f"(10 s cut them all{at})"
        )
    return Severity.ERROR, (
        f": {behind.label} writes nothing while a step is silent (no SSE heartbeat), so every "
        f"request silent longer than {seconds(value)} is cut: streams end early, and "
        f"{_waiting(behind)} gets a 504"
    )


def _waiting(behind: Behind) -> str:
    """How a message names a blocking request that waits for a run on this server."""
    if behind.label in _MEASURED:  # the Agent Protocol's servers
        return "a `runs/wait`"
    return "an answer that waits for the run"
