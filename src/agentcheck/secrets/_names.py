"""Is a variable, key or option name the name of a secret?

A name is split into lower-case words (``OPENAI_API_KEY``, ``openaiApiKey`` and ``openai-api-key``
all give ``openai api key``). Its last word decides, after trailing qualifiers such as ``PROD`` or
``B64`` are dropped: ``KEY``, ``TOKEN``, ``SECRET``, ``PASSWORD``, ``CREDENTIALS`` ... make it a
secret name; ``KEY_ID``, ``TOKEN_URL``, ``PASSWORD_FILE``, ``KEY_PREFIX`` end in a word that is
not a secret, so they are not. Words before the last one rule out the common non-secrets:
``CACHE_KEY``, ``PRIMARY_KEY``, ``PUBLIC_KEY``, ``MAX_TOKENS``, ``NEXT_TOKEN``, ``IS_SECRET``.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["PASSWORD_WORDS", "is_secret_name", "name_words", "secret_word", "words"]


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (for long word lists)."""
    return frozenset(text.split())


_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

#: Last words that make a name a secret's name.
_SECRET_TAILS = frozenset(
    {
        "key",
        "apikey",
        "token",
        "apitoken",
        "authtoken",
        "accesstoken",
        "secret",
        "secretkey",
        "clientsecret",
        "accesskey",
        "privatekey",
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "credential",
        "credentials",
        "creds",
    }
)
#: Password-like last words (values may be short words; see the value rules).
PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pass", "passphrase"})
#: Trailing words that qualify a secret without changing what it is (``SECRET_KEY_BASE``).
_QUALIFIERS = frozenset(
    {
        "prod",
        "production",
        "dev",
        "development",
        "staging",
        "stage",
        "live",
        "base",
        "value",
        "val",
        "str",
        "string",
        "raw",
        "b64",
        "base64",
        "encoded",
        "old",
        "new",
        "current",
        "primary",
        "secondary",
        "default",
        "v1",
        "v2",
        "v3",
    }
)
#: Words that, right before ``KEY``, name something that is not a secret.
_NOT_SECRET_KEY = words(
    """cache sort primary partition idempotency dedup dedupe deduplication lookup foreign hash
    range row map dict state thread object s3 bucket composite unique index group route routing
    message event metric config setting settings env field column table node graph checkpoint
    storage store memory public publishable registry namespace lock queue topic stream json
    header query param request order cluster shard tenant item entry record doc document blob
    asset image natural surrogate join search label tag attr attribute property prop feature
    flag experiment rate ratelimit limit throttle trace span run job task workflow step version
    schema model sequence pk fk uuid id name type kind mode redis kv i18n translation dns
    host known verify verification signature hotkey"""
)
#: Words that, right before ``TOKEN``, name something that is not a secret.
_NOT_SECRET_TOKEN = words(
    """max min num n total count input output prompt completion next page continuation
    pagination stop special eos bos pad unk sep cls mask start end cancel cancellation sync
    resume reasoning cached context thinking reserved split"""
)
#: Words that, before any secret word, make the name a flag or a setting about secrets.
_NOT_SECRET_ANY = words(
    """is has use enable enabled require required allow no skip show hide mask masked redact
    rotate min max generate reset forgot expose check validate"""
)


def name_words(name: str) -> tuple[str, ...]:
    """``name`` split into lower-case words (``openaiApiKey`` -> ``("openai", "api", "key")``)."""
    return tuple(w.lower() for w in _SPLIT.split(name) if w)


@lru_cache(maxsize=4096)
def secret_word(name: str) -> str | None:
    """The word that makes ``name`` a secret's name (``"key"``, ``"password"`` ...), or None."""
    words = list(name_words(name))
    while len(words) > 1 and (words[-1] in _QUALIFIERS or words[-1].isdigit()):
        words.pop()
    if not words or words[-1] not in _SECRET_TAILS:
        return None
    tail = words[-1]
    before = words[:-1]
    prev = before[-1] if before else ""
    if any(w in _NOT_SECRET_ANY for w in before):
        return None
    if tail == "key":
        if not before or prev in _NOT_SECRET_KEY:
            return None
    elif tail == "token":
        if prev in _NOT_SECRET_TOKEN:
            return None
    elif tail in ("pass", "pwd") and not before:
        return None  # the shell's PWD, Python's pass
    return tail


def is_secret_name(name: str) -> bool:
    """Whether ``name`` names a secret (``OPENAI_API_KEY`` yes, ``MAX_TOKENS`` no)."""
    return secret_word(name) is not None
