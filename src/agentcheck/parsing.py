"""Parsers that keep source positions: JSON and YAML documents whose every value has a line.

Rules point at the line that must change, so a parsed document is its data plus a map from
each value's path (a tuple of keys and indexes) to its ``(line, column)``, both 1-based.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml.composer
import yaml.constructor
import yaml.nodes

from agentcheck.scalars import number_problem

__all__ = ["Located", "ParseError", "has_template_braces", "may_hold", "parse_json", "parse_yaml"]

PathKey = tuple[str | int, ...]

#: Values a YAML file may expand to before it is treated as an alias bomb.
MAX_YAML_NODES = 200_000
MAX_DEPTH = 200


class ParseError(ValueError):
    """Input that does not parse, with the 1-based position of the problem."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Located:
    """A parsed document: ``data`` plus the position of every value in it."""

    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    #: Line of the document's start (YAML documents after the first start later).
    start_line: int = 1
    #: Values that could not be read as what they say they are (``!!int abc``, a 5,000-digit
    #: integer, ``1e400``): ``(message, line, column)``. Each is kept as its source text.
    problems: list[tuple[str, int, int]] = field(default_factory=list)

    def loc(self, *path: str | int) -> tuple[int, int]:
        """Position of the value at ``path``; the nearest known ancestor when it has none."""
        key: PathKey = tuple(path)
        while key:
            if key in self.positions:
                return self.positions[key]
            key = key[:-1]
        return self.positions.get((), (self.start_line, 1))

    def line(self, *path: str | int) -> int:
        return self.loc(*path)[0]

    def key_loc(self, *path: str | int) -> tuple[int, int]:
        """Position of the *key* that names ``path`` (YAML and JSON record keys too)."""
        return self.positions.get(("__key__", *path), self.loc(*path))


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(i + 1)

    def pos(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self.starts, offset) - 1
        return row + 1, offset - self.starts[row] + 1


_WS = " \t\n\r"
_scanstring: Any = getattr(json.decoder, "scanstring")  # noqa: B009 (untyped in typeshed)


def parse_json(text: str) -> Located:
    """Parse JSON (standard, no comments) recording each value's position.

    :raises ParseError: with the line and column of the first error.
    """
    lines = _Lines(text)
    decoder = json.JSONDecoder(parse_int=_json_int)
    positions: dict[PathKey, tuple[int, int]] = {}
    problems: list[tuple[str, int, int]] = []

    def skip(i: int) -> int:
        while i < len(text) and text[i] in _WS:
            i += 1
        return i

    def fail(msg: str, i: int) -> ParseError:
        line, col = lines.pos(min(i, len(text)))
        return ParseError(msg, line, col)

    def value(i: int, path: PathKey, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise fail("nesting is too deep", i)
        i = skip(i)
        if i >= len(text):
            raise fail("unexpected end of file, expected a value", i)
        positions[path] = lines.pos(i)
        ch = text[i]
        if ch == "{":
            obj: dict[str, Any] = {}
            i = skip(i + 1)
            if i < len(text) and text[i] == "}":
                return obj, i + 1
            while True:
                i = skip(i)
                if i >= len(text) or text[i] != '"':
                    raise fail("expected a double-quoted property name", i)
                key_pos = lines.pos(i)
                try:
                    key, i = _scanstring(text, i + 1)
                except json.JSONDecodeError as exc:
                    raise fail(exc.msg, exc.pos) from None
                positions[("__key__", *path, key)] = key_pos
                i = skip(i)
                if i >= len(text) or text[i] != ":":
                    raise fail("expected ':' after a property name", i)
                obj[key], i = value(i + 1, (*path, key), depth + 1)
                i = skip(i)
                if i < len(text) and text[i] == ",":
                    i += 1
                    continue
                if i < len(text) and text[i] == "}":
                    return obj, i + 1
                raise fail("expected ',' or '}' after a property value", i)
        if ch == "[":
            arr: list[Any] = []
            i = skip(i + 1)
            if i < len(text) and text[i] == "]":
                return arr, i + 1
            while True:
                item, i = value(i, (*path, len(arr)), depth + 1)
                arr.append(item)
                i = skip(i)
                if i < len(text) and text[i] == ",":
                    i += 1
                    continue
                if i < len(text) and text[i] == "]":
                    return arr, i + 1
                raise fail("expected ',' or ']' after an array element", i)
        try:
            scalar, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise fail(exc.msg, exc.pos) from None
        problem = number_problem(scalar) if not isinstance(scalar, _BadInt) else scalar.problem
        if problem is not None:
            problems.append((f"{problem}; it is read as text", *lines.pos(i)))
            scalar = str(text[i:end])
        return scalar, end

    data, end = value(0, (), 0)
    end = skip(end)
    if end != len(text):
        raise fail("extra data after the JSON value", end)
    return Located(data, positions, problems=problems)


class _BadInt(str):
    """A JSON integer too long to convert (Python refuses over 4,300 digits)."""

    problem: str


def _json_int(text: str) -> int | _BadInt:
    if len(text) <= 1000:
        return int(text)
    bad = _BadInt(text)
    bad.problem = f"an integer of {len(text.lstrip('-')):,} digits is out of range"
    return bad


class _Scalars(yaml.constructor.SafeConstructor):
    """Builds scalars only; mappings and sequences are built by :func:`parse_yaml`."""


_TAG_KINDS = {
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "null": "null",
    "timestamp": "a date or time",
    "binary": "base64 data",
}


_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_BOOLS: dict[str, bool] = yaml.constructor.SafeConstructor.bool_values


def _scalar(
    constructor: _Scalars, node: yaml.nodes.ScalarNode, problems: list[tuple[str, int, int]]
) -> Any:
    """The value of a scalar node; its source text, with a problem recorded, when it says it is
    something it is not (``!!int abc``, ``!!timestamp 2024-13-01``, ``!!binary`` junk) or is a
    number no setting can hold (5,000 digits, ``1e400``). Binary data is kept as its text."""
    tag = node.tag
    if tag == _STR:
        return node.value  # most values: nothing to construct, nothing to check
    if tag == _NULL:
        return None
    if tag == _BOOL and node.value.lower() in _BOOLS:
        return _BOOLS[node.value.lower()]
    if tag not in constructor.yaml_constructors or not tag.startswith("tag:yaml.org,2002:"):
        return node.value
    where = (node.start_mark.line + 1, node.start_mark.column + 1)
    name = tag.rsplit(":", 1)[-1]
    try:
        value = constructor.construct_object(node, deep=True)
    except Exception:  # any constructor failure: ValueError, KeyError, binascii, OverflowError
        kind = _TAG_KINDS.get(name, f"a !!{name} value")
        digits = node.value.lstrip("+-")
        if name == "int" and digits.isdigit() and len(digits) > 1000:
            message = f"an integer of {len(digits):,} digits is out of range"
            problems.append((f"{message}; it is read as text", *where))
        else:
            problems.append((f"a !!{name} value that is not {kind}; it is read as text", *where))
        return node.value
    if isinstance(value, bytes):
        return node.value
    problem = number_problem(value)
    if problem is not None:
        problems.append((f"{problem}; it is read as text", *where))
        return node.value
    return value


def parse_yaml(text: str) -> list[Located]:
    """Parse every document of a YAML stream, recording each value's position.

    Anchors, aliases and merge keys (``<<``) are honoured; a stream that expands past
    :data:`MAX_YAML_NODES` values (an alias bomb) is refused. Unknown tags (``!Ref``) keep their
    plain value.

    :raises ParseError: with the position of the first error.
    """
    if _CLoader is not None:
        try:
            return _parse_yaml(text, fast=True)
        except _Retry:
            pass  # report the error in PyYAML's words and positions, as the pure loader does
    return _parse_yaml(text, fast=False)


class _Retry(Exception):
    """libyaml refused the text: parse it again with the pure-Python loader."""


def _parse_yaml(text: str, *, fast: bool) -> list[Located]:
    constructor = _Scalars()
    docs: list[Located] = []
    budget = [MAX_YAML_NODES]
    problems: list[tuple[str, int, int]] = []

    def build(
        node: yaml.nodes.Node, path: PathKey, pos: dict[PathKey, tuple[int, int]], depth: int
    ) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise ParseError(
                f"the document expands to more than {MAX_YAML_NODES} values (an alias bomb?)",
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )
        if depth > MAX_DEPTH:
            raise ParseError("nesting is too deep", node.start_mark.line + 1)
        pos.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.nodes.MappingNode):
            out: dict[Any, Any] = {}
            merged: list[dict[Any, Any]] = []
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    src = build(value_node, (*path, "<<"), {}, depth + 1)
                    for item in src if isinstance(src, list) else [src]:
                        if isinstance(item, dict):
                            merged.append(item)
                    continue
                key = build(key_node, (*path, "__keyobj__"), {}, depth + 1)
                if isinstance(key, list | dict):
                    key = str(key)
                pos[("__key__", *path, key)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                out[key] = build(value_node, (*path, key), pos, depth + 1)
            for extra in merged:
                for k, v in extra.items():
                    out.setdefault(k, v)
            return out
        if isinstance(node, yaml.nodes.SequenceNode):
            return [build(child, (*path, i), pos, depth + 1) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.nodes.ScalarNode)
        return _scalar(constructor, node, problems)

    try:
        for root in _compose_all(text, fast):
            if root is None:
                continue
            positions: dict[PathKey, tuple[int, int]] = {}
            problems = []
            data = build(root, (), positions, 0)
            docs.append(
                Located(data, positions, start_line=root.start_mark.line + 1, problems=problems)
            )
    except yaml.YAMLError as exc:
        if fast:
            raise _Retry from None
        if not isinstance(exc, yaml.MarkedYAMLError):
            raise ParseError(f"invalid YAML: {exc}") from None
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        raise ParseError(str(exc.problem or exc.context or "invalid YAML"), line, col) from None
    except RecursionError:
        raise ParseError("nesting is too deep") from None
    return docs


#: libyaml's loader, when PyYAML was built with it: it scans, parses and composes in C, about
#: twenty times faster than the pure-Python loader, and keeps every node's marks.
_CLoader: type[Any] | None = getattr(yaml, "CSafeLoader", None)
#: What makes a document deep enough that libyaml's recursive composer could exhaust the C
#: stack: many flow brackets, or a line that opens hundreds of block levels.
_DEEP_FLOW = 500
_DEEP_BLOCK = re.compile(r"^[ \t?:-]{500}", re.MULTILINE)


if _CLoader is not None:

    class _CEventsLoader(yaml.composer.Composer, _CLoader):  # type: ignore[misc,valid-type]
        """libyaml's scanner and parser under PyYAML's composer: for deep documents, whose
        nesting then ends in Python's RecursionError rather than in C."""

        def __init__(self, stream: str) -> None:
            yaml.CSafeLoader.__init__(self, stream)
            yaml.composer.Composer.__init__(self)


def _loader(text: str, fast: bool) -> Any:
    if _CLoader is None or not fast:
        return yaml.SafeLoader(text)
    if text.count("[") + text.count("{") > _DEEP_FLOW or _DEEP_BLOCK.search(text):
        return _CEventsLoader(text)
    return _CLoader(text)


def _compose_all(text: str, fast: bool) -> Iterator[yaml.nodes.Node | None]:
    loader = _loader(text, fast)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def has_template_braces(text: str) -> bool:
    """Whether ``{{`` opens a flow mapping inside a flow mapping outside strings and comments:
    a template's placeholder (``name: {{ .Values.name }}``), which YAML would read as a
    mapping keyed by a mapping. ``{{ }}`` inside quoted values or comments (Prometheus alert
    annotations, Argo CD and Kyverno expressions) is text and does not count."""
    loader = _CLoader(text) if _CLoader is not None else yaml.SafeLoader(text)
    previous = None
    try:
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, yaml.FlowMappingStartToken) and isinstance(
                previous, yaml.FlowMappingStartToken
            ):
                return True
            previous = token
    except yaml.YAMLError:
        return True  # it does not even scan: only a renderer can make YAML of it
    finally:
        loader.dispose()
    return False


def may_hold(text: str, words: tuple[str, ...]) -> bool:
    """Whether ``text`` may hold one of ``words`` (lower-case ASCII) in any letter case: the
    cheap test before a case-insensitive expression that needs one of them.

    False only for ASCII text without any of them: lower-casing it and looking for each word
    costs a small part of what a case-insensitive search of a module does. Other text may
    always hold one, since Unicode case folding matches more than ASCII does (the Kelvin sign
    matches ``k``): the expression decides.
    """
    if not text.isascii():
        return True
    folded = text.lower()
    return any(word in folded for word in words)
