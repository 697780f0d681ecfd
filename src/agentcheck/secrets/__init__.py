"""Finding leaked credentials without ever printing one.

The engine behind the AC2xx rules, usable on its own:

- :func:`scan_text` finds credentials in one file's text: provider keys of the LLM stack
  (OpenAI, Anthropic, LangSmith, Google AI, Groq, Tavily, Hugging Face, Pinecone, Cohere ...),
  detect-secrets' well-known formats (AWS, GitHub, Slack, private keys ...), passwords in URLs,
  and high-entropy values only under a secret's name.
- :func:`scan_files` does it for a tree, skipping lock files and binaries, on every core;
  :func:`start_scan` starts it and returns while the workers scan.
- :func:`redact` and :func:`fingerprint` are the only forms in which a value leaves the engine.
- :func:`is_secret_name`, :func:`is_placeholder` and friends are the judgements the manifest
  rules share.
"""

from __future__ import annotations

from agentcheck.secrets._files import (
    FileScan,
    PendingScan,
    can_hold_secrets,
    scan_files,
    start_scan,
)
from agentcheck.secrets._ignore import GitIgnores, docker_excludes, dockerignore_spec, ignore_spec
from agentcheck.secrets._mask import mask_text
from agentcheck.secrets._names import is_secret_name, name_words, secret_word
from agentcheck.secrets._redact import fingerprint, redact
from agentcheck.secrets._scan import (
    DATABASE_SCHEMES,
    Hit,
    UrlPassword,
    is_test_path,
    scan_text,
    url_passwords,
)
from agentcheck.secrets._values import (
    compose_default,
    is_dummy,
    is_interpolated,
    is_placeholder,
    is_reference,
    is_trivial_password,
    plausible_named_secret,
)

__all__ = [
    "DATABASE_SCHEMES",
    "FileScan",
    "GitIgnores",
    "Hit",
    "PendingScan",
    "UrlPassword",
    "can_hold_secrets",
    "compose_default",
    "docker_excludes",
    "dockerignore_spec",
    "fingerprint",
    "ignore_spec",
    "is_dummy",
    "is_interpolated",
    "is_placeholder",
    "is_reference",
    "is_secret_name",
    "is_test_path",
    "is_trivial_password",
    "mask_text",
    "name_words",
    "plausible_named_secret",
    "redact",
    "scan_files",
    "scan_text",
    "secret_word",
    "start_scan",
    "url_passwords",
]
