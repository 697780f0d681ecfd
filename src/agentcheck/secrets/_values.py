"""Is a value a secret, a placeholder, a reference, an id or a hash?

The detectors find candidates; these predicates decide. They encode the catalog's decisions:
placeholders (``sk-...``, ``your-key``, ``changeme``, ``<token>``, ``${VAR}``, keyboard mash) are
not secrets; random ids, hashes, UUIDs and digests are not secrets unless a secret's name says
so (and UUIDs and digests not even then); trivial passwords (``postgres``) are a database
problem (AC207), not a leak.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from urllib.parse import unquote

from agentcheck.secrets._names import PASSWORD_WORDS, words

__all__ = [
    "compose_default",
    "entropy",
    "is_digest",
    "is_dummy",
    "is_hex",
    "is_interpolated",
    "is_keyboard_mash",
    "is_placeholder",
    "is_reference",
    "is_trivial_password",
    "is_uuid",
    "is_word_built",
    "looks_like_code",
    "plausible_named_secret",
    "plausible_token_body",
]

_INTERPOLATION = re.compile(
    r"""
    \$\{                   # ${VAR}, ${VAR:-x}, ${{ secrets.X }} (closed or cut short)
    | \$\(                 # $(VAR), $(cmd)
    | \$[A-Za-z_][A-Za-z0-9_]*  # $VAR
    | \$\$[A-Za-z_{(]      # $$VAR in Makefiles and compose
    | \{\{ | \{%           # Jinja, Helm, Go templates
    | %\([A-Za-z_]\w*\)[sd]  # %(name)s
    | %[sd]
    | \#\{                  # Ruby, Maven
    | @[A-Z][A-Z0-9_]*@    # autoconf
    | __[A-Z][A-Z0-9_]*__  # build-time substitution
    """,
    re.VERBOSE,
)
_WHOLE_REFERENCE = re.compile(
    r"""
    ^(?:
        \{[A-Za-z_][\w.\[\]'"]*\}       # {password} (str.format, f-string field)
      | <[^<>]{1,80}>                  # <your-token>
      | \[[A-Z][A-Z0-9_ -]*\]          # [API KEY]
      | !\w+.*                         # YAML tags: !vault, !Ref, !Sub
    )$
    """,
    re.VERBOSE,
)
_COMPOSE_VAR = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*(?P<op>:?[-?+])?(?P<arg>.*)\}$", re.DOTALL)
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_DIGEST = re.compile(
    r"^(?:sha1|sha224|sha256|sha384|sha512|md5|blake2b?|sha3-\d+|xxh\d+|crc32)[:-=]", re.IGNORECASE
)
_NUMBER = re.compile(r"^[+-]?(?:\d[\d_]*)?(?:\.\d+)?(?:[eE][+-]?\d+)?[a-zA-Z%]{0,3}$")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PATH = re.compile(r"^(?:/|\./|\.\./|~/|[A-Za-z]:\\|file:)")
_FILE_SUFFIX = re.compile(
    r"\.(?:json|pem|key|crt|cer|p12|pfx|jks|txt|env|ya?ml|toml|cfg|ini|conf|der|pub|asc|gpg)$",
    re.IGNORECASE,
)
_DOTTED_NAME = re.compile(r"^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+(?:\(\))?$")
_IDENTIFIER_WORDS = re.compile(
    r"^[a-z][a-z0-9]*(?:[_.-][a-z0-9]+)+$|^[a-z]+$|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$"
)
_SECRET_MANAGER = re.compile(
    r"^(?:arn:aws[\w-]*:|projects/[^/]+/secrets/|op://|vault:|awssm:|ssm:|sm://|gcp:|azurekv:|"
    r"secretsmanager:|akv://|kms:|ref\+|https://[\w.-]+\.vault\.azure\.net/)",
    re.IGNORECASE,
)

#: Words that mark a value as a placeholder wherever they appear in it.
_PLACEHOLDER_WORDS = (
    "example",
    "sample",
    "placeholder",
    "dummy",
    "fake",
    "changeme",
    "change-me",
    "change_me",
    "changethis",
    "replace",
    "redacted",
    "masked",
    "your",
    "insert",
    "todo",
    "fixme",
    "mock",
    "notreal",
    "not-real",
    "not_real",
    "invalid",
    "password",
    "passwd",
    "secret",
    "xxxx",
    "****",
    "...",
    "…",
    "<",
    ">",
    "0000000",
    "1234567",
)
#: Whole values (lower-cased) that are placeholders.
_PLACEHOLDER_VALUES = words(
    """none null nil undefined true false yes no on off test testing tbd n/a na empty default
    unset string str value token key apikey api-key api_key foo bar baz qux abc abcd abc123
    xyz secret pass pwd x xx xxx"""
)
#: Default and trivial passwords of databases and tutorials (also the AC207 list).
_TRIVIAL_PASSWORDS = words(
    """postgres postgresql pgpassword mysql mariadb root toor admin administrator password
    passw0rd p@ssw0rd pass secret changeme change-me change_me example test testing guest redis
    mongo mongodb default dev development local localhost 123456 1234 12345 12345678 123456789
    qwerty letmein welcome user demo sa langgraph agent app postgres123 admin123 password123
    secret123 rootpassword mypassword mysecretpassword pgpass dbpass db_password"""
)
_BOOLEANS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "none"})
#: Code where a value should be: a call (``get()``, ``optional(string)``, ``Depends(x)``),
#: optional chaining, an arrow, a scope operator, a pointer, a dangling parenthesis.
_CODE = re.compile(r"[A-Za-z_$][\w$]*\s*\(|\?\.|=>|::|^[*&][A-Za-z_]|^new\s|[()]$")
#: ``settings.api_key``, ``cookieStore.value``: attribute access on a name.
_ATTRIBUTE = re.compile(r"^(?P<head>[A-Za-z_$][\w$]*)(?:\.[A-Za-z_$][\w$]*)+$")
#: A value's letters cut into words: ``TestLangSmith123`` -> Test, Lang, Smith.
_LETTER_RUNS = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")
_VOWELS = frozenset("aeiouy")
_CONSONANT_CLUSTER = re.compile(r"[^aeiouy]{5,}")
#: A resource path (``projects/P/locations/L/keyRings/R``), not key material.
_RESOURCE_PATH = re.compile(r"^[\w.-]+(?:/[\w.-]+){2,}$")
_KEYBOARD_ROWS = (
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
)


def compose_default(value: str) -> str | None:
    """The literal a ``${VAR:-default}`` would fall back to; None for a plain ``${VAR}``.

    A value that is not a single interpolation is returned unchanged.
    """
    match = _COMPOSE_VAR.match(value.strip())
    if match is None:
        return value
    if match["op"] and match["op"].endswith("-") and match["arg"]:
        return match["arg"]
    return None


def is_interpolated(value: str) -> bool:
    """Whether ``value`` takes its content from elsewhere (``${VAR}``, ``{{ x }}``, ``<token>``)."""
    text = value.strip()
    return bool(_INTERPOLATION.search(text) or _WHOLE_REFERENCE.match(text))


def entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


def is_hex(value: str) -> bool:
    return bool(_HEX.match(value))


def is_digest(value: str) -> bool:
    """A hash written with its algorithm (``sha256:...``, npm's ``sha512-...``)."""
    return bool(_DIGEST.match(value))


def is_keyboard_mash(value: str) -> bool:
    """Keyboard rows, the alphabet, counting, or a short chunk repeated: typed, not generated."""
    low = value.lower()
    if len(low) < 8:
        return False
    in_run = [False] * len(low)
    for row in _KEYBOARD_ROWS:
        for seq in (row, row[::-1]):
            for i in range(len(low) - 3):
                if low[i : i + 4] in seq:
                    for j in range(i, i + 4):
                        in_run[j] = True
    if sum(in_run) * 2 >= len(low):
        return True
    for period in range(1, min(9, len(low) // 3 + 1)):
        chunk = low[:period]
        if (chunk * (len(low) // period + 1))[: len(low)] == low:
            return True
    return len(set(low)) * 4 < len(low) and len(set(low)) < 8


def is_placeholder(value: str) -> bool:
    """A value written to be replaced: ``sk-...``, ``your-api-key``, ``changeme``, ``xxxx``."""
    text = value.strip().strip("\"'`")
    low = text.lower()
    if not low or low in _PLACEHOLDER_VALUES:
        return True
    if any(word in low for word in _PLACEHOLDER_WORDS):
        return True
    if re.search(r"(?:^|[^a-z0-9])(?:foo|bar|baz|xxx|my)(?:[^a-z0-9]|$)", low):
        return True
    if is_interpolated(text):
        return True
    return len(set(low) - set("-_.:/ ")) <= 2


def looks_like_code(value: str) -> bool:
    """An expression where a literal would be: ``cookieStore.get('t')?.value``,
    ``optional(string)``, ``getattr(settings, "x")``, ``settings.redis_password``."""
    text = value.strip()
    if _CODE.search(text):
        return True
    match = _ATTRIBUTE.match(text)
    return bool(match and _is_word(match["head"]))


def _is_word(run: str) -> bool:
    """A run of letters that reads as a word: vowels, no long consonant cluster."""
    low = run.lower()
    if len(low) < 3 or not any(c in _VOWELS for c in low):
        return False
    vowels = sum(c in _VOWELS for c in low)
    return vowels * 5 >= len(low) and not _CONSONANT_CLUSTER.search(low)


def is_word_built(value: str) -> bool:
    """Typed by a person out of words, digits and punctuation (``alice123``,
    ``TestLangSmith123!``, ``test-redis-pass``, ``linkedInAccessToken``), not generated.

    A generated secret's letters cut into many one- and two-letter fragments; a person's
    into words.
    """
    text = unquote(value) if "%" in value else value
    runs = _LETTER_RUNS.findall(text)
    letters = sum(len(r) for r in runs)
    if letters < 3 or sum(len(r) == 1 for r in runs) > 1:
        return False
    wordy = sum(len(r) for r in runs if _is_word(r))
    return wordy >= 3 and wordy * 10 >= letters * 6 and len(text) - letters <= letters


#: Words that mark a value as made for tests or local runs (``test-jwt-secret-for-e2e``).
_DUMMY_WORDS = re.compile(
    r"(?:^|[^a-z])(?:test|tests|testing|e2e|ci|dummy|fake|mock|local|dev|demo|sandbox|insecure|"
    r"throwaway|unsafe|only)(?:[^a-z]|$)"
)


def is_dummy(value: str) -> bool:
    """A value no one would mind leaking: empty, a placeholder, a reference, a default
    password, words typed by a person, or marked for tests (``test-client-secret-for-e2e``)."""
    text = value.strip().strip("\"'")
    return (
        not text
        or is_placeholder(text)
        or is_reference(text)
        or is_trivial_password(text)
        or is_word_built(text)
        or bool(_DUMMY_WORDS.search(text.lower()))
    )


def is_trivial_password(value: str) -> bool:
    """A database's default or a tutorial's password (``postgres``, ``changeme``, ``123456``)."""
    low = value.strip().lower()
    return low in _TRIVIAL_PASSWORDS or len(low) < 6 or is_keyboard_mash(low)


def is_reference(value: str) -> bool:
    """A value that points at a secret instead of holding one: a path, a URL without a
    password, an e-mail, a dotted name (``settings.api_key``), a secret manager reference, a
    number or a boolean."""
    text = value.strip()
    if not text:
        return True
    if _NUMBER.match(text) or _EMAIL.match(text) or _SECRET_MANAGER.match(text):
        return True
    if text.lower() in _BOOLEANS:
        return True
    if _URL.match(text):
        return "@" not in text.split("://", 1)[1].split("/", 1)[0]
    if _PATH.match(text) and (text.count("/") >= 2 or entropy(text) < 3.5):
        return True
    if _FILE_SUFFIX.search(text) and " " not in text:
        return True
    if _RESOURCE_PATH.match(text) and any(is_word_built(p) for p in text.split("/")):
        return True
    return bool(_DOTTED_NAME.match(text))


def _classes(value: str) -> int:
    return sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
        )
    )


def plausible_token_body(body: str) -> bool:
    """Whether the random part of a provider-format key looks generated, not typed."""
    if is_placeholder(body) or is_keyboard_mash(body):
        return False
    distinct = len(set(body))
    if distinct < min(10, max(4, len(body) // 3)):
        return False
    return len(body) < 16 or entropy(body) >= 3.0


def plausible_named_secret(word: str, value: str) -> bool:
    """Whether ``value``, assigned to a name whose secret word is ``word``, is a secret.

    Passwords may be short; keys, tokens and secrets are long and random; neither is made of
    words (``alice123``, ``linkedInAccessToken``) or code (``getattr(settings, "x")``). Hashes
    and hex ids count only under such a name (the caller checked it); UUIDs, digests,
    references, placeholders and identifiers never count.
    """
    text = value.strip()
    if (
        not text
        or any(ch.isspace() for ch in text)
        or looks_like_code(text)
        or is_word_built(text)
        or "=" in text.rstrip("=")  # key=value options; base64 pads only at the end
        or is_placeholder(text)
        or is_reference(text)
        or is_uuid(text)
        or is_digest(text)
        or is_keyboard_mash(text)
    ):
        return False
    if word in PASSWORD_WORDS:
        if is_trivial_password(text):
            return False
        return not (_IDENTIFIER_WORDS.match(text) and ("_" in text or "." in text))
    if len(text) < 16 or _IDENTIFIER_WORDS.match(text):
        return False
    return _classes(text) >= 2 and entropy(text) >= 3.0
