"""Finding credentials in one file's text.

The scan is anchored: cheap substring searches (``str.find`` runs at memory speed) find where a
credential could be, and regular expressions run only on a bounded window of the line around
each anchor. A file costs seventeen searches for all of its anchors (one per first letter, see
:mod:`agentcheck.secrets._anchors`); a one-megabyte
minified line costs no more than its anchors. Raw values stay inside this module: a
:class:`Hit` carries the redacted form and a fingerprint, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from agentcheck.secrets._anchors import NAME_ANCHORS, AnchorIndex, occurrences
from agentcheck.secrets._detectors import (
    ASSIGNMENT_TAIL,
    BEARER,
    DETECTORS,
    FLAG_TAIL,
    URL_CREDENTIALS,
    Detector,
)
from agentcheck.secrets._names import PASSWORD_WORDS, secret_word, words
from agentcheck.secrets._plugins import PLUGINS, PluginSpec, plugin_matches
from agentcheck.secrets._redact import fingerprint, redact
from agentcheck.secrets._values import (
    is_placeholder,
    is_trivial_password,
    is_word_built,
    plausible_named_secret,
    plausible_token_body,
)

__all__ = [
    "Hit",
    "UrlPassword",
    "is_code_file",
    "is_test_path",
    "scan_text",
    "secret_spans",
    "url_passwords",
]

#: Schemes whose URL password is a database's (named in the message).
DATABASE_SCHEMES = {
    "postgres": "PostgreSQL",
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "mongodb": "MongoDB",
    "mongodb+srv": "MongoDB",
    "redis": "Redis",
    "rediss": "Redis",
    "amqp": "RabbitMQ",
    "amqps": "RabbitMQ",
    "mssql": "SQL Server",
    "sqlserver": "SQL Server",
    "oracle": "Oracle",
    "clickhouse": "ClickHouse",
}
_CODE_SUFFIXES = words(
    """.py .pyi .pyx .ipynb .js .mjs .cjs .jsx .ts .tsx .mts .cts .go .java .kt .kts .scala .rb
    .php .cs .rs .swift .c .h .cc .cpp .hpp .m .dart .lua .r .jl .groovy .gradle .ex .exs .vue
    .svelte"""
)
_TEST_DIRS = words(
    """tests test __tests__ testing spec specs testdata test_data fixtures __fixtures__
    __mocks__ mocks"""
)
_TEST_FILE = re.compile(
    r"^(?:test_.*\.py|.*_test\.(?:py|go|rb|exs)|conftest\.py|.*\.(?:test|spec)\.[cm]?[jt]sx?)$"
)
_BEFORE, _AFTER = 400, 800
_MAX_NAME = 100
_NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
_LINE_CAP = 2048
#: The base64 body of a PEM block (possibly after a literal ``\n``), which a real key has.
_KEY_BODY = re.compile(r"[A-Za-z0-9+/=]{40,}")
#: Regular-expression syntax, which makes a "URL" a pattern (``://([^:]+):([^@]+)@``).
_REGEX_SYNTAX = ("[^", "]+", "]*", "(?", "\\d", "\\w", "\\S", ".*", ".+")
#: Hosts reserved for documentation and tests (RFC 2606, RFC 6761).
_EXAMPLE_HOST = re.compile(
    r"(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost\.localdomain)$"
    r"|^(?:host|hostname|server|domain|your[\w-]*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Hit:
    """A credential found at ``line``:``column`` (1-based), described without its value.

    ``by_format`` is True when the value was recognised by its provider's format (a key that
    is a key wherever it appears), False when by its context (a secret's name, a URL's
    userinfo, an ``Authorization`` header). ``name`` is the variable or key it was assigned to,
    when there was one.
    """

    line: int
    column: int
    kind: str
    redacted: str
    fingerprint: str
    by_format: bool
    name: str = ""


@dataclass(frozen=True)
class _Raw:
    """A candidate credential before overlapping candidates are resolved."""

    start: int
    end: int
    priority: int
    kind: str
    value: str
    by_format: bool
    name: str = ""


def is_code_file(path: str) -> bool:
    """Source code, where a literal is quoted (an unquoted value is a variable)."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in _CODE_SUFFIXES


def is_test_path(path: str) -> bool:
    """A test module or test data, whose credential-like values are fakes unless they have a
    provider's format."""
    parts = path.split("/")
    return any(p.lower() in _TEST_DIRS for p in parts[:-1]) or bool(_TEST_FILE.match(parts[-1]))


def _windows(text: str, positions: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Bounded windows of the line around each position, skipping positions already covered."""
    covered = -1
    for pos in sorted(set(positions)):
        if pos < covered:
            continue
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = text.find("\n", pos)
        if line_end < 0:
            line_end = len(text)
        if line_end - line_start <= _LINE_CAP:
            start, end = line_start, line_end
        else:
            start, end = max(line_start, pos - _BEFORE), min(line_end, pos + _AFTER)
        covered = end if end == line_end else end - _BEFORE
        yield start, end


#: The lower-case words the format detectors and plugins look for.
_FORMAT_WORDS = frozenset(
    [a for d in DETECTORS if d.lower for a in d.anchors] + [w for s in PLUGINS for w in s.context]
)
_ANCHORS = AnchorIndex(
    [a for d in DETECTORS if not d.lower for a in d.anchors]
    + [a for s in PLUGINS for a in s.anchors],
    [*_FORMAT_WORDS, *NAME_ANCHORS, "bearer"],
)


def _format_hits(
    case: dict[str, list[int]], low: dict[str, list[int]], text: str, in_test: bool
) -> Iterator[_Raw]:
    if not case and low.keys().isdisjoint(_FORMAT_WORDS):
        return
    for priority, det in enumerate(DETECTORS):
        found = low if det.lower else case
        positions = [p for a in det.anchors for p in found.get(a, ())]
        if positions:
            yield from _detector_hits(text, det, positions, priority)
    base = len(DETECTORS)
    for index, spec in enumerate(PLUGINS):
        if in_test and not spec.in_tests:
            continue
        positions = [p for a in spec.anchors for p in case.get(a, ())]
        positions += [p for w in spec.context for p in low.get(w, ())]
        if positions:
            yield from _spec_hits(text, spec, positions, base + index)


def _detector_hits(text: str, det: Detector, positions: list[int], priority: int) -> Iterator[_Raw]:
    for start, end in _windows(text, positions):
        window = text[start:end]
        for match in det.pattern.finditer(window):
            value = match.group("secret") if "secret" in det.pattern.groupindex else match.group(0)
            if not plausible_token_body(value[det.prefix :]):
                continue
            s = start + (
                match.start("secret") if "secret" in det.pattern.groupindex else match.start()
            )
            yield _Raw(s, s + len(value), priority, det.kind, value, True)


def _spec_hits(text: str, spec: PluginSpec, positions: list[int], priority: int) -> Iterator[_Raw]:
    for start, end in _windows(text, positions):
        if spec.shape is not None and spec.shape.search(text, start, end) is None:
            continue  # nothing the plugin's pattern could match
        for s, e, value in plugin_matches(spec, text[start:end]):
            if spec.cls == "PrivateKeyDetector":
                body = _KEY_BODY.search(text, start + e, start + e + 400)
                if "PRIVATE KEY" in value and body is None:
                    continue  # `-----BEGIN RSA PRIVATE KEY-----` then `...`: no key in it
            elif not plausible_token_body(value):
                continue
            yield _Raw(start + s, start + e, priority, spec.kind, value, True)


@dataclass(frozen=True)
class UrlPassword:
    """A literal password in a URL's userinfo, described without its value."""

    kind: str
    redacted: str
    fingerprint: str
    trivial: bool
    start: int
    end: int
    #: On a documentation host (``db.example.com``) or made of words (``secure_pass``): an
    #: illustration, not a leaked credential.
    illustrative: bool = False


def url_passwords(text: str) -> list[UrlPassword]:
    """Literal passwords in the URLs of ``text`` (``scheme://user:password@host``).

    Interpolations (``${DB_PASSWORD}``, ``{password}``, ``%s``) and placeholders are not
    passwords; default and trivial ones (``postgres``, the user name again) are returned with
    ``trivial`` set, those of documentation (an example host, a password of words) with
    ``illustrative``.
    """
    out = []
    for match in URL_CREDENTIALS.finditer(text):
        password = match["secret"]
        if password.startswith(("%", "{", "$")) or is_placeholder(password):
            continue
        if any(syntax in match[0] for syntax in _REGEX_SYNTAX):
            continue  # a regular expression that parses URLs
        scheme = match["scheme"].lower()
        label = DATABASE_SCHEMES.get(scheme) or DATABASE_SCHEMES.get(scheme.split("+")[0])
        kind = f"password in a {label} URL" if label else "password in a URL"
        out.append(
            UrlPassword(
                kind,
                redact(password),
                fingerprint(password),
                is_trivial_password(unquote(password)) or password == match["user"],
                match.start("secret"),
                match.end("secret"),
                bool(_EXAMPLE_HOST.search(match["host"])) or is_word_built(password),
            )
        )
    return out


def _url_hits(text: str, priority: int) -> Iterator[_Raw]:
    positions = list(occurrences(text, "://"))
    if not positions or "@" not in text:
        return
    for start, end in _windows(text, positions):
        window = text[start:end]
        if "@" not in window:
            continue
        for found in url_passwords(window):
            if found.trivial or found.illustrative:
                continue  # a default password is a database problem (AC207), not a leak
            value = window[found.start : found.end]
            yield _Raw(start + found.start, start + found.end, priority, found.kind, value, False)


def _named_hits(text: str, low: dict[str, list[int]], code: bool, priority: int) -> Iterator[_Raw]:
    """Values assigned to a secret's name. The name around each anchor word is read first
    (``cache_key``, ``max_tokens`` and ``.keys()`` stop there); only a secret's name gets the
    assignment pattern, matched right after it."""
    n = len(text)
    seen: set[int] = set()
    for anchor in NAME_ANCHORS:
        for pos in low.get(anchor, ()):
            # The name runs at most _MAX_NAME characters either way of the anchor.
            before = text[max(0, pos - _MAX_NAME) : pos]
            start = pos - len(before) + len(before.rstrip(_NAME_CHARS))
            if start in seen:
                continue
            seen.add(start)
            end = pos + len(anchor)
            after = text[end : pos + _MAX_NAME]
            end += len(after) - len(after.lstrip(_NAME_CHARS))
            name = text[start:end].lstrip("-.")
            word = secret_word(name) if name else None
            if word is None:
                continue
            yield from _assignment(text, name, word, start, end, code, priority)
            if not code and text.startswith("--", start):
                match = FLAG_TAIL.match(text, end, min(n, end + 600))
                if match:
                    yield from _named(name, word, match["bare"], match.start("bare"), priority)


def _assignment(
    text: str, name: str, word: str, start: int, end: int, code: bool, priority: int
) -> Iterator[_Raw]:
    match = ASSIGNMENT_TAIL.match(text, end, min(len(text), end + 700))
    if match is None:
        return
    quoted = match["quoted"]
    if code and quoted is None:
        return  # in code, an unquoted value is a variable
    if match["op"] == "," and not (
        match["nq"] and quoted is not None and _opens_call(text, start - len(match["nq"]))
    ):
        return  # only setenv("NAME", "value"), not f(name, other) nor ["name", "other"]
    if quoted is not None:
        yield from _named(name, word, quoted, match.start("quoted"), priority)
    elif match["op"] == ":" and _words_follow(text, match.end("bare")):
        return  # `- password: Master database password`: a description, not a value
    else:
        yield from _named(name, word, match["bare"], match.start("bare"), priority)


def _opens_call(text: str, quote: int) -> bool:
    """Whether the quoted name starting at ``quote`` is a call's first argument."""
    before = text[max(0, quote - 80) : quote].rstrip(" \t")
    return before.endswith("(")


def _words_follow(text: str, end: int) -> bool:
    """Whether more words follow a bare value on its line (a YAML value or prose runs on)."""
    stop = text.find("\n", end)
    rest = text[end : stop if stop >= 0 else len(text)].strip()
    return bool(rest) and not rest.startswith(("#", "//", "\\", "|"))


def _named(name: str, word: str, value: str, start: int, priority: int) -> Iterator[_Raw]:
    if not plausible_named_secret(word, value):
        return
    kind = "password" if word in PASSWORD_WORDS else "secret"
    yield _Raw(
        start, start + len(value), priority, f"{kind} assigned to {name}", value, False, name
    )


def _bearer_hits(text: str, low: dict[str, list[int]], priority: int) -> Iterator[_Raw]:
    for start, end in _windows(text, low.get("bearer", ())):
        for match in BEARER.finditer(text[start:end]):
            value = match["secret"]
            if not plausible_named_secret("token", value):
                continue
            s = start + match.start("secret")
            yield _Raw(s, s + len(value), priority, "bearer token", value, False)


def _ascii_lower(text: str) -> str:
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    # A few characters lower-case to two (U+0130): keep offsets aligned.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def scan_text(text: str, path: str = "") -> list[Hit]:
    """Every credential in ``text``, the content of the file at ``path`` (relative, POSIX).

    The path decides how the text is read: in source code a literal must be quoted; in test
    files and test data only provider formats count (other credential-like values are fakes).
    """
    return _resolve(text, _candidates(text, path))


def secret_spans(text: str, path: str = "") -> list[tuple[int, int]]:
    """``(start, end)`` offsets of every credential :func:`scan_text` finds in ``text``: what
    the output redactor masks."""
    return [(raw.start, raw.end) for raw in _kept(_candidates(text, path))]


def _candidates(text: str, path: str) -> list[_Raw]:
    case, low = _ANCHORS.positions(text, _ascii_lower(text))
    code = is_code_file(path)
    in_test = is_test_path(path)
    raws: list[_Raw] = list(_format_hits(case, low, text, in_test))
    if not in_test:
        base = len(DETECTORS) + len(PLUGINS)
        raws.extend(_url_hits(text, base))
        raws.extend(_named_hits(text, low, code, base + 1))
        raws.extend(_bearer_hits(text, low, base + 2))
    return raws


def _kept(raws: list[_Raw]) -> list[_Raw]:
    kept: list[_Raw] = []
    for raw in sorted(raws, key=lambda r: (r.priority, r.start)):
        if any(raw.start < k.end and k.start < raw.end for k in kept):
            continue
        kept.append(raw)
    return sorted(kept, key=lambda r: r.start)


def _resolve(text: str, raws: list[_Raw]) -> list[Hit]:
    hits = []
    for raw in _kept(raws):
        line = text.count("\n", 0, raw.start) + 1
        column = raw.start - (text.rfind("\n", 0, raw.start) + 1) + 1
        hits.append(
            Hit(
                line,
                column,
                raw.kind,
                redact(raw.value),
                fingerprint(raw.value),
                raw.by_format,
                raw.name,
            )
        )
    return hits
