"""nginx configurations, parsed with crossplane (NGINX's own config parser).

Each file is parsed on its own (``single=True``) and ``include`` directives are inlined here, so
that an include that names a file which does not exist never stops the parse: it leaves the
enclosing block *opaque* (its effective settings may come from a file agentcheck cannot read)
and nothing else. Stock includes that only set headers or MIME types (``mime.types``,
``proxy_params`` ...) are not opaque.

:func:`load` reads a configuration from the filesystem (the live checks start nginx with it);
the lint side builds :class:`NginxConfig` objects through :class:`Reader` subclasses that read
the project's files (see :mod:`agentcheck.deployment.proxies`). A :class:`ProxyLocation` is a
``location`` that proxies (``proxy_pass``) with its enclosing ``http``/``server``/``location``
blocks, and answers "which value of this directive applies here" with nginx's inheritance:
the innermost block that sets a directive wins, else nginx's default applies.
"""

from __future__ import annotations

from agentcheck.deployment._nginx_model import (
    DEFAULTS,
    STOCK_INCLUDES,
    Directive,
    NginxConfig,
    NginxError,
    ProxyLocation,
    parse_time,
)
from agentcheck.deployment._nginx_project import ProjectReader, project_configs
from agentcheck.deployment._nginx_reader import (
    FileReader,
    Reader,
    effective_idle_timeout,
    load,
    upstream_targets,
)

__all__ = [
    "DEFAULTS",
    "STOCK_INCLUDES",
    "Directive",
    "FileReader",
    "NginxConfig",
    "NginxError",
    "ProjectReader",
    "ProxyLocation",
    "Reader",
    "effective_idle_timeout",
    "load",
    "parse_time",
    "project_configs",
    "upstream_targets",
]
