"""The one HTTP call the runtimes make themselves: is this server healthy?"""

from __future__ import annotations

import httpx

__all__ = ["status"]


def status(url: str, *, timeout: float = 2.0) -> int | None:
    """The HTTP status of ``GET url``, or None if nothing answered.

    Environment proxies are ignored (``trust_env=False``): health checks go straight to the
    server, which for every runtime but ``url`` is on loopback.
    """
    try:
        with httpx.Client(trust_env=False, timeout=timeout) as client:
            return client.get(url).status_code
    except httpx.HTTPError:
        return None
