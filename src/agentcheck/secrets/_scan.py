"""Finding credentials in one file's text.

The scan is anchored: cheap substring searches (``str.find`` runs at memory speed) find where a
credential could be, and regular expressions run only on a bounded window of the line around
each anchor. A file with no anchor costs a few dozen substring searches; a one-megabyte
minified line costs no more than its anchors. Raw values stay inside this module: a
:class:`Hit` carries the redacted form and a fingerprint, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from agentcheck.secrets._detectors import (
    BEARER,
    DETECTORS,
    FLAG_ASSIGNMENT,
    NAMED_ASSIGNMENT,
    URL_CREDENTIALS,
    Detector,
)
from agentcheck.secrets._names import secret_word, words
from agentcheck.secrets._plugins import PLUGINS, PluginSpec, plugin_matches
from agentcheck.secrets._redact import fingerprint, redact
from agentcheck.secrets._values import (
    is_interpolated,
    is_placeholder,
    is_trivial_password,
    plausible_named_secret,
    plausible_token_body,
)

__all__ = ["Hit", "is_code_file", "is_test_path", "scan_text"]

#: Words whose presence (lower-cased) makes a line worth the named-assignment pattern.
_NAME_ANCHORS = (
    "key",
    "token",
    "secret",
    "passw",
    "pwd",
    "_pass",
    "pass_",
    "passphrase",
    "credential",
    "creds",
)
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
_LINE_CAP = 2048


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
    start: int
    end: int
    priority: int
    kind: str
    value: str
    by_format: bool
    name: str = ""


def is_code_file(path: str) -> bool:
    """Source code, where a literal is quoted (an unquoted value is a variable)."""
    return PurePosixPath(path).suffix.lower() in _CODE_SUFFIXES


def is_test_path(path: str) -> bool:
    """A test module or test data, whose credential-like values are fakes unless they have a
    provider's format."""
    parts = PurePosixPath(path).parts
    return any(p.lower() in _TEST_DIRS for p in parts[:-1]) or bool(_TEST_FILE.match(parts[-1]))


def _occurrences(text: str, needle: str) -> Iterator[int]:
    i = text.find(needle)
    while i >= 0:
        yield i
        i = text.find(needle, i + 1)


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


def _format_hits(text: str, lower: str) -> Iterator[_Raw]:
    for priority, det in enumerate(DETECTORS):
        haystack = lower if det.lower else text
        positions = [p for anchor in det.anchors for p in _occurrences(haystack, anchor)]
        if positions:
            yield from _detector_hits(text, det, positions, priority)


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


def _plugin_hits(text: str, lower: str) -> Iterator[_Raw]:
    base = len(DETECTORS)
    for index, spec in enumerate(PLUGINS):
        positions = [p for a in spec.anchors for p in _occurrences(text, a)]
        positions += [p for w in spec.context for p in _occurrences(lower, w)]
        if positions:
            yield from _spec_hits(text, spec, positions, base + index)


def _spec_hits(text: str, spec: PluginSpec, positions: list[int], priority: int) -> Iterator[_Raw]:
    for start, end in _windows(text, positions):
        for s, e, value in plugin_matches(spec, text[start:end]):
            if spec.cls != "PrivateKeyDetector" and not plausible_token_body(value):
                continue
            yield _Raw(start + s, start + e, priority, spec.kind, value, True)


def _url_hits(text: str, priority: int) -> Iterator[_Raw]:
    positions = list(_occurrences(text, "://"))
    if not positions or "@" not in text:
        return
    for start, end in _windows(text, positions):
        window = text[start:end]
        if "@" not in window:
            continue
        for match in URL_CREDENTIALS.finditer(window):
            password = match["secret"]
            if (
                is_placeholder(password)
                or is_interpolated(password)
                or is_trivial_password(password)
            ):
                continue
            if password.startswith(("%", "{", "$")):
                continue
            scheme = match["scheme"].lower()
            label = DATABASE_SCHEMES.get(scheme) or DATABASE_SCHEMES.get(scheme.split("+")[0])
            kind = f"password in a {label} URL" if label else "password in a URL"
            s = start + match.start("secret")
            yield _Raw(s, s + len(password), priority, kind, password, False)


def _named_hits(text: str, lower: str, code: bool, priority: int) -> Iterator[_Raw]:
    positions = [p for anchor in _NAME_ANCHORS for p in _occurrences(lower, anchor)]
    if not positions:
        return
    for start, end in _windows(text, positions):
        window = text[start:end]
        for match in NAMED_ASSIGNMENT.finditer(window):
            quoted = match["quoted"]
            if code and quoted is None:
                continue
            if match["op"] == "," and not (match["nq"] and quoted is not None):
                continue
            yield from _named(match, start, quoted, priority)
        if not code:
            for match in FLAG_ASSIGNMENT.finditer(window):
                yield from _named(match, start, None, priority)


def _named(match: re.Match[str], offset: int, quoted: str | None, priority: int) -> Iterator[_Raw]:
    name = match["name"]
    word = secret_word(name)
    if word is None:
        return
    value = quoted if quoted is not None else match["bare"]
    if not plausible_named_secret(word, value):
        return
    group = "quoted" if quoted is not None else "bare"
    s = offset + match.start(group)
    kind = "password" if word in ("password", "passwd", "pwd", "pass", "passphrase") else "secret"
    yield _Raw(s, s + len(value), priority, f"{kind} assigned to {name}", value, False, name)


def _bearer_hits(text: str, lower: str, priority: int) -> Iterator[_Raw]:
    positions = list(_occurrences(lower, "bearer"))
    for start, end in _windows(text, positions):
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
    lower = _ascii_lower(text)
    code = is_code_file(path)
    raws: list[_Raw] = list(_format_hits(text, lower))
    raws.extend(_plugin_hits(text, lower))
    if not is_test_path(path):
        base = len(DETECTORS) + len(PLUGINS)
        raws.extend(_url_hits(text, base))
        raws.extend(_named_hits(text, lower, code, base + 1))
        raws.extend(_bearer_hits(text, lower, base + 2))
    return _resolve(text, raws)


def _resolve(text: str, raws: list[_Raw]) -> list[Hit]:
    kept: list[_Raw] = []
    for raw in sorted(raws, key=lambda r: (r.priority, r.start)):
        if any(raw.start < k.end and k.start < raw.end for k in kept):
            continue
        kept.append(raw)
    hits = []
    for raw in sorted(kept, key=lambda r: r.start):
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
