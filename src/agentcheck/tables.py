"""Configuration tables as pydantic models, validated with agentcheck's own messages.

``[tool.agentcheck.live]`` and ``[tool.agentcheck.load]`` are pydantic models (see
:mod:`agentcheck.live.table`, :mod:`agentcheck.load.settings`); :func:`validate` checks a raw
TOML table against one and turns the first problem into a :class:`ConfigError` that names the
table and the key, as the rest of the configuration does: an unknown key gets a did-you-mean,
a bad value says what was expected and what was given. The field types below carry those
messages (their validators run before pydantic's), and their constraints show in the JSON
Schema (:mod:`agentcheck.schema`).

pydantic costs a few hundred milliseconds to import: the lint path never imports this module
(``agentcheck.config`` reads the top-level table by hand); the live and load paths do.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from agentcheck.config import check_keys
from agentcheck.errors import ConfigError

__all__ = [
    "Count",
    "Flag",
    "Ratio",
    "Seconds",
    "Table",
    "Text",
    "choice",
    "json_schema",
    "keys",
    "validate",
]

M = TypeVar("M", bound="Table")


class Table(BaseModel):
    """A TOML table: kebab-case keys (aliases), nothing unknown, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


def _described(value: Any) -> str:
    return f"{value!r}" if not isinstance(value, str) or len(value) < 80 else "a long string"


def _count(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"expected a whole number of at least 1, got {_described(value)}")
    return value


def _seconds(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e9:
        raise ValueError(f"expected a positive number of seconds, got {_described(value)}")
    return float(value)


def _ratio(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"expected a number from 0 to 1, got {_described(value)}")
    return float(value)


def _flag(value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_described(value)}")
    return value


def _text(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {_described(value)}")
    return value.strip()


#: A whole number of at least 1 (replicas, users).
Count = Annotated[int, Field(ge=1), BeforeValidator(_count)]
#: A positive number of seconds.
Seconds = Annotated[float, Field(gt=0), BeforeValidator(_seconds)]
#: A fraction from 0 to 1.
Ratio = Annotated[float, Field(ge=0, le=1), BeforeValidator(_ratio)]
#: ``true`` or ``false`` (not 0 or "yes").
Flag = Annotated[bool, BeforeValidator(_flag)]
#: A non-empty string, stripped.
Text = Annotated[str, Field(min_length=1), BeforeValidator(_text)]


def choice(choices: Sequence[str]) -> Callable[[Any], Any]:
    """A before-validator accepting one of ``choices``, with a did-you-mean otherwise."""

    def check(value: Any) -> Any:
        if value not in choices:
            close = difflib.get_close_matches(str(value), choices, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}{hint}")
        return value

    return check


def keys(model: type[Table]) -> dict[str, str]:
    """The keys ``model`` accepts (its aliases), with their descriptions."""
    return {
        field.alias or name: field.description or "" for name, field in model.model_fields.items()
    }


def _tables(model: type[Table]) -> dict[str, type[Table]]:
    """The keys of ``model`` that are tables of their own model (``[load.fake-llm]``)."""
    found = {}
    for name, field in model.model_fields.items():
        for kind in (field.annotation, *typing.get_args(field.annotation)):  # X or X | None
            if isinstance(kind, type) and issubclass(kind, Table):
                found[field.alias or name] = kind
    return found


def _check_keys(
    model: type[Table], table: Mapping[str, Any], where: str, extra: Iterable[str]
) -> None:
    check_keys(table, [*keys(model), *extra], where)
    for key, sub in _tables(model).items():
        value = table.get(key)
        if isinstance(value, dict):
            _check_keys(sub, value, f"{where}.{key}", ())


def validate(
    model: type[M],
    table: Mapping[str, Any],
    where: str,
    *,
    extra: Iterable[str] = (),
) -> M:
    """``table`` as ``model``, or ConfigError naming ``where`` and the key.

    ``extra``: keys accepted besides the model's (a plugin's options), left out of the model.
    """
    extra = list(extra)
    _check_keys(model, table, where, extra)
    own = set(keys(model))
    try:
        return model.model_validate({k: v for k, v in table.items() if k in own})
    except ValidationError as exc:
        raise ConfigError(_message(exc, where, model)) from None


def _message(exc: ValidationError, where: str, model: type[Table]) -> str:
    error = exc.errors(include_url=False)[0]
    loc = [str(part) for part in error["loc"]]
    cause = (error.get("ctx") or {}).get("error")
    text = str(cause) if isinstance(cause, ValueError) else _plain(error)
    tables = _tables(model)
    if loc and loc[0] in tables and len(loc) > 1:
        return f"{where}.{loc[0]} {' '.join(loc[1:])}: {text}"
    if loc and error["type"] in ("dict_type", "model_type"):
        return f"{where} {loc[0]}: expected a table"
    return f"{where} {' '.join(loc)}: {text}" if loc else f"{where}: {text}"


def _plain(error: Any) -> str:
    value = error.get("input")
    return f"{error['msg'][:1].lower()}{error['msg'][1:]}, got {_described(value)}"


class _Schema(GenerateJsonSchema):
    """JSON Schema of a TOML table: no titles, no nulls (TOML has none), no None defaults."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        inner = super().default_schema(schema)
        if inner.get("default", 0) is None:
            inner.pop("default")
        return inner


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of ``model`` as its TOML table is written (kebab-case keys)."""
    schema = model.model_json_schema(by_alias=True, schema_generator=_Schema)
    schema.pop("title", None)
    for sub in schema.get("$defs", {}).values():
        sub.pop("title", None)
    return schema
