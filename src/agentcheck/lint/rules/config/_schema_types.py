"""A JSON value against the type langgraph-cli's schema gives it (a ``TypedDict``, a ``Literal``,
a union ...): every mismatch with its path, described in words, for AC101."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterator
from typing import Any, Literal, Union

JsonPath = tuple[str | int, ...]


def _describe_type(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp is type(None):
        return "null"
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is Any:
        return "any value"
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (Union, types.UnionType):
        return " or ".join(dict.fromkeys(_describe_type(a) for a in typing.get_args(tp)))
    if origin is list:
        return f"a list of {_plural(typing.get_args(tp)[0])}"
    if origin is dict or typing.is_typeddict(tp) or tp is dict:
        return "an object"
    return getattr(tp, "__name__", str(tp))


def _plural(tp: Any) -> str:
    text = _describe_type(tp)
    for article in ("a ", "an "):
        if text.startswith(article):
            return text[len(article) :] + "s"
    return text


def _describe_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _type_errors(value: Any, tp: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str, bool]]:
    """``(path, message, at_key)`` for every way ``value`` breaks type ``tp``."""
    origin = typing.get_origin(tp)
    where = ".".join(str(p) for p in path)
    if tp is Any:
        return
    if origin in (Union, types.UnionType):
        options = typing.get_args(tp)
        if any(not list(_type_errors(value, opt, path)) for opt in options):
            return
        # One object-shaped option for an object value: report inside it.
        if isinstance(value, dict):
            shaped = [o for o in options if typing.is_typeddict(o) or typing.get_origin(o) is dict]
            if len(shaped) == 1:
                yield from _type_errors(value, shaped[0], path)
                return
        if isinstance(value, list):
            shaped = [o for o in options if typing.get_origin(o) is list]
            if len(shaped) == 1:
                yield from _type_errors(value, shaped[0], path)
                return
        yield path, f"`{where}` must be {_describe_type(tp)}, not {_describe_value(value)}.", False
        return
    if tp is type(None):
        if value is not None:
            yield path, f"`{where}` must be null, not {_describe_value(value)}.", False
        return
    if origin is Literal:
        if value not in typing.get_args(tp):
            yield (
                path,
                f"`{where}` must be {_describe_type(tp)}, not {_describe_value(value)}.",
                False,
            )
        return
    if typing.is_typeddict(tp):
        if not isinstance(value, dict):
            yield path, f"`{where}` must be an object, not {_describe_value(value)}.", False
            return
        hints = typing.get_type_hints(tp)
        for key in getattr(tp, "__required_keys__", ()):
            if key not in value:
                yield path, f"`{where}` needs the key {key!r}.", False
        for key, sub in value.items():
            if key in hints:
                yield from _type_errors(sub, hints[key], (*path, key))
                continue
            # Nested tables: only clear misspellings. The server reads keys newer than the
            # schema langgraph-cli ships (``store.path``), so an unknown key alone is no error.
            close = difflib.get_close_matches(str(key), list(hints), n=1, cutoff=0.75)
            if close:
                yield (
                    (*path, key),
                    f"Unknown key {key!r} in `{where}`; did you mean {close[0]!r}?",
                    True,
                )
        return
    if origin is list:
        if not isinstance(value, list):
            yield (
                path,
                f"`{where}` must be {_describe_type(tp)}, not {_describe_value(value)}.",
                False,
            )
            return
        (item_tp,) = typing.get_args(tp) or (Any,)
        for i, item in enumerate(value):
            yield from _type_errors(item, item_tp, (*path, i))
        return
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            yield path, f"`{where}` must be an object, not {_describe_value(value)}.", False
            return
        args = typing.get_args(tp)
        if len(args) == 2:
            for key, sub in value.items():
                yield from _type_errors(sub, args[1], (*path, key))
        return
    ok = (
        (tp is str and isinstance(value, str))
        or (tp is bool and isinstance(value, bool))
        or (tp is int and isinstance(value, int) and not isinstance(value, bool))
        or (tp is float and isinstance(value, int | float) and not isinstance(value, bool))
    )
    if not ok and tp in (str, bool, int, float):
        yield path, f"`{where}` must be {_describe_type(tp)}, not {_describe_value(value)}.", False


def _fix_for(path: JsonPath) -> str:
    return f"Give `{'.'.join(str(p) for p in path)}` the type langgraph-cli's schema expects."
