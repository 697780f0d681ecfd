"""Python source written for a newer Python than the one agentcheck runs on.

``ast.parse`` reads the grammar of the running interpreter. A project that targets Python 3.12
may use ``type X = ...``, ``def f[T]()`` or PEP 701 f-strings (``f"{x["key"]}"``); on 3.11 those
files are syntax errors although they are valid where the project runs. :func:`parse` reads such
a file *tolerantly*: when the plain parse fails, it rewrites the newer constructs into older
syntax of the same line structure (a ``type`` statement becomes an assignment, type parameter
lists are blanked, a PEP 701 f-string becomes a plain string, a t-string an f-string) and parses
that. The tree it returns has the original line numbers; what the rewritten parts said is lost
(an f-string's expressions, a generic's parameters), which no rule needs.

Whether a file that needed this (or still does not parse) is broken depends on the Python the
project targets: :class:`SyntaxNote` records what the file needs, and the AC100 rule decides
once it knows the project (see ``lint/rules/config/_pythons.py``).
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import sys
import tokenize
import warnings
from dataclasses import dataclass

__all__ = ["RUNNING", "SyntaxNote", "parse", "version_key"]

#: The ``major.minor`` of the interpreter agentcheck runs on.
RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"

#: What each rewritten construct is called in messages, and the Python it needs.
_FEATURES = {
    "type-statement": ("`type` statements", "3.12"),
    "type-params": ("type parameter lists (`def f[T]()`)", "3.12"),
    "fstring": ("PEP 701 f-strings (quotes or backslashes inside replacement fields)", "3.12"),
    "tstring": ("template strings (`t'...'`)", "3.14"),
}
_STRING_START = re.compile(r"(?i)(rb|br|fr|rf|tr|rt|[rbuft])?('''|\"\"\"|'|\")")
#: The next comment or string literal (with its prefix, not inside a longer name).
_NEXT = re.compile(r"#|(?<!\w)((?i:rb|br|fr|rf|tr|rt|[rbuft])?)('''|\"\"\"|'|\")")


def version_key(version: str) -> tuple[int, ...]:
    """``"3.12"`` -> ``(3, 12)``, for comparing versions."""
    return tuple(int(p) for p in version.split(".") if p.isdigit())


@dataclass(frozen=True)
class SyntaxNote:
    """What a Python file needs beyond the running interpreter's grammar."""

    #: Why the file does not parse here (message, line, column); None when the tolerant
    #: reading succeeded.
    error: tuple[str, int, int] | None
    #: The oldest Python whose grammar the rewritten constructs need (``"3.12"``), or None
    #: when no newer construct was found.
    needs: str | None
    #: How messages name the newer constructs found.
    features: tuple[str, ...]
    #: Line of the first newer construct (1 when none).
    line: int = 1


def _ast(text: str, rel: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=rel)


def parse(rel: str, text: str) -> tuple[ast.Module | None, SyntaxNote | None]:
    """The module's AST and, when the running grammar could not read it as written, why.

    ``(tree, None)``: it parses here. ``(tree, note)``: it parses once newer constructs are
    rewritten (``note.needs`` says which Python). ``(None, note)``: it does not parse
    (``note.error``), also not tolerantly; ``note.needs`` is set when newer constructs were
    found, so the error may be one of the target Python's grammar too.
    """
    try:
        return _ast(text, rel), None
    except SyntaxError as exc:
        error = (f"invalid Python: {exc.msg}", exc.lineno or 1, exc.offset or 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return None, SyntaxNote((f"cannot parse Python: {exc}", 1, 1), None, ())
    try:
        rewritten, found = _downlevel(text)
    except (tokenize.TokenError, IndentationError, SyntaxError, ValueError, RecursionError):
        return None, SyntaxNote(error, None, ())
    if not found:
        return None, SyntaxNote(error, None, ())
    needs = max((_FEATURES[f][1] for f in found), key=version_key)
    features = tuple(_FEATURES[f][0] for f in dict.fromkeys(found))
    line = min(found.values())
    try:
        tree = _ast(rewritten, rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, SyntaxNote(error, needs, features, line)
    if version_key(needs) <= version_key(RUNNING):
        # The running grammar has these constructs: the error was something else.
        return None, SyntaxNote(error, None, ())
    return tree, SyntaxNote(None, needs, features, line)


# --------------------------------------------------------------------------- rewriting


def _downlevel(text: str) -> tuple[str, dict[str, int]]:
    """``text`` with newer constructs rewritten, and the first line of each kind found."""
    found: dict[str, int] = {}
    text = _strings(text, found)
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []  # (row, start col, end col, replacement)
    tokens = [
        t
        for t in tokenize.generate_tokens(io.StringIO(text).readline)
        if t.type not in (tokenize.COMMENT, tokenize.NL)
    ]
    starts = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or i + 2 >= len(tokens):
            continue
        name, after = tokens[i + 1], tokens[i + 2]
        if name.type != tokenize.NAME or keyword.iskeyword(name.string):
            continue
        at_start = i == 0 or tokens[i - 1].type in starts or tokens[i - 1].string == ";"
        if tok.string == "type" and at_start and after.string in ("=", "["):
            close = _closing(tokens, i + 2) if after.string == "[" else i + 1
            if close is None or close + 1 >= len(tokens) or tokens[close + 1].string != "=":
                continue
            if after.string == "[" and not _blank(tokens, i + 2, close, edits):
                continue
            row, col = tok.start
            edits.append((row, col, col + 4, "0;  "))
            found.setdefault("type-statement", row)
        elif tok.string in ("def", "class") and after.string == "[":
            close = _closing(tokens, i + 2)
            if close is not None and _blank(tokens, i + 2, close, edits):
                found.setdefault("type-params", tok.start[0])
    for row, start, end, new in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "".join(lines), found


def _closing(tokens: list[tokenize.TokenInfo], open_at: int) -> int | None:
    """Index of the token closing the bracket at ``open_at``."""
    depth = 0
    for j in range(open_at, len(tokens)):
        s = tokens[j].string
        if tokens[j].type == tokenize.OP and s in "([{":
            depth += 1
        elif tokens[j].type == tokenize.OP and s in ")]}":
            depth -= 1
            if depth == 0:
                return j
    return None


def _blank(
    tokens: list[tokenize.TokenInfo], first: int, last: int, edits: list[tuple[int, int, int, str]]
) -> bool:
    """Blank the bracketed tokens ``first..last`` when they sit on one line."""
    (row, start), (end_row, end) = tokens[first].start, tokens[last].end
    if row != end_row:
        return False
    edits.append((row, start, end, " " * (end - start)))
    return True


def _is_name_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _string_at(text: str, i: int) -> re.Match[str] | None:
    """The prefix and opening quote of a string literal starting at ``i``, if one does."""
    if i > 0 and _is_name_char(text[i - 1]):
        return None
    match = _STRING_START.match(text, i)
    if match is None or (text[i] not in "\"'" and not match.group(1)):
        return None
    return match


def _skip_name(text: str, i: int) -> int:
    while i < len(text) and _is_name_char(text[i]):
        i += 1
    return i


def _strings(text: str, found: dict[str, int]) -> str:
    """Rewrite f-strings that only Python 3.12+ reads, and t-strings, scanning strings and
    comments as the tokenizer does."""
    out: list[str] = []
    i, last = 0, 0
    while (match := _NEXT.search(text, i)) is not None:
        i = match.start()
        if match.group(0) == "#":
            j = text.find("\n", i)
            i = len(text) if j < 0 else j
            continue
        prefix, quote = (match.group(1) or "").lower(), match.group(2)
        if "f" in prefix or "t" in prefix:
            end, modern = _fstring_literal(text, match.end(), quote, closing=None)
        else:
            end, modern = _scan_plain(text, match.end(), quote), False
        if end is None:
            return text  # an unterminated string: leave the file as it is
        if modern:
            found.setdefault("fstring", text.count("\n", 0, i) + 1)
            out += [text[last:i], _as_plain_string(text[i:end], len(match.group(0)))]
            last = end
        elif "t" in prefix:
            found.setdefault("tstring", text.count("\n", 0, i) + 1)
            out += [text[last:i], text[i:end].replace("t", "f", 1).replace("T", "F", 1)]
            last = end
        i = end
    out.append(text[last:])
    return "".join(out)


def _as_plain_string(source: str, opening: int) -> str:
    """A plain string literal spanning the same lines as ``source`` (an f-string); on one
    line, of the same length."""
    inner = "".join(ch if ch == "\n" else " " for ch in source[opening:])
    if "\n" in source:
        return '"""' + inner + '"""'
    return " " * (opening - 1) + '"' + inner[:-1] + '"'


def _scan_plain(text: str, i: int, quote: str) -> int | None:
    """End (exclusive) of a non-f string whose body starts at ``i``; None if unterminated."""
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if text.startswith(quote, i):
            return i + len(quote)
        if c == "\n" and len(quote) == 1:
            return None
        i += 1
    return None


def _fstring_literal(text: str, i: int, quote: str, closing: str | None) -> tuple[int | None, bool]:
    """The literal part of an f-string read by Python 3.12's rules from ``i`` (or of a format
    spec, when ``closing`` is ``}``): where it ends (exclusive; the ``}`` for a spec), and
    whether Python 3.11 reads it differently (a quote of its own kind, a backslash, a comment
    or a line break in a replacement field)."""
    n, modern = len(text), False
    while i < n:
        c = text[i]
        if closing is None and text.startswith(quote, i):
            return i + len(quote), modern
        if closing is not None and c == closing:
            return i, modern
        if c == "\\":
            i += 2
            continue
        if c == "\n" and len(quote) == 1:
            return None, modern
        if c == "{":
            if closing is None and text.startswith("{{", i):
                i += 2
                continue
            end, inner = _fstring_field(text, i + 1, quote)
            if end is None:
                return None, modern
            modern = modern or inner
            i = end + 1
            continue
        i += 1
    return None, modern


def _fstring_field(text: str, i: int, quote: str) -> tuple[int | None, bool]:
    """A replacement field from after its ``{``: the index of its closing ``}``, and whether
    only Python 3.12+ reads it."""
    n, depth, modern = len(text), 0, False
    while i < n:
        c = text[i]
        if c in "\"'" or _is_name_char(c):
            match = _string_at(text, i)
            if match is None:
                i = _skip_name(text, i) if _is_name_char(c) else i + 1
                continue
            inner_quote = match.group(2)
            if inner_quote[0] == quote[0] and (len(quote) == 1 or inner_quote == quote):
                modern = True
            prefix = (match.group(1) or "").lower()
            if "f" in prefix or "t" in prefix:
                end, inner = _fstring_literal(text, match.end(), inner_quote, None)
                modern = modern or inner
            else:
                end = _scan_plain(text, match.end(), inner_quote)
            if end is None:
                return None, modern
            # Python 3.11 allows no backslash anywhere in a replacement field.
            modern = modern or "\\" in text[i:end]
            i = end
            continue
        if c in "\\#" or (c == "\n" and len(quote) == 1):
            modern = True
        elif c in "([{":
            depth += 1
        elif c in ")]" or (c == "}" and depth > 0):
            depth -= 1
        elif c == "}":
            return i, modern
        elif c == ":" and depth == 0:
            end, inner = _fstring_literal(text, i + 1, quote, closing="}")
            return end, modern or inner
        elif c == "!" and depth == 0 and not text.startswith("!=", i):
            close, spec = text.find("}", i), text.find(":", i)
            if spec != -1 and (close == -1 or spec < close):
                end, inner = _fstring_literal(text, spec + 1, quote, closing="}")
                return end, modern or inner
            return (close if close != -1 else None), modern
        i += 1
    return None, modern
