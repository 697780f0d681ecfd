from __future__ import annotations

import random
import re

import pytest

from agentcheck.parsing import MAX_YAML_NODES, ParseError, may_hold, parse_json, parse_yaml


def test_json_positions_of_values_and_keys() -> None:
    doc = parse_json('{\n  "graphs": {\n    "agent": "./a.py:graph"\n  },\n  "env": [1, 2]\n}\n')
    assert doc.data == {"graphs": {"agent": "./a.py:graph"}, "env": [1, 2]}
    assert doc.loc("graphs", "agent") == (3, 14)
    assert doc.key_loc("graphs", "agent") == (3, 5)
    assert doc.loc("env", 1) == (5, 14)
    # unknown paths fall back to the nearest known ancestor
    assert doc.loc("graphs", "missing") == (2, 13)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('{"a": 1,}', 1, 9),
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3),
        ("[1, 2", 1, 6),
        ('{"a": tru}', 1, 7),
        ('{"a": 1} x', 1, 10),
        ("", 1, 1),
    ],
)
def test_json_errors_carry_their_position(text: str, line: int, column: int) -> None:
    with pytest.raises(ParseError) as info:
        parse_json(text)
    assert (info.value.line, info.value.column) == (line, column)


def test_json_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ParseError, match="too deep"):
        parse_json("[" * 10_000 + "]" * 10_000)


def test_yaml_documents_positions_anchors_and_merge_keys() -> None:
    text = "base: &b\n  x: 1\nsvc:\n  <<: *b\n  y: [a, b]\n---\nkind: Pod\n"
    first, second = parse_yaml(text)
    assert first.data == {"base": {"x": 1}, "svc": {"x": 1, "y": ["a", "b"]}}
    assert first.loc("svc", "y", 1) == (5, 10)
    assert first.key_loc("svc", "y") == (5, 3)
    assert second.data == {"kind": "Pod"}
    assert second.start_line == 7
    assert second.line("kind") == 7


def test_yaml_unknown_tags_keep_their_value() -> None:
    (doc,) = parse_yaml("bucket: !Ref MyBucket\nport: 8080\n")
    assert doc.data == {"bucket": "MyBucket", "port": 8080}


def test_yaml_alias_bomb_is_refused() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(ParseError, match=str(MAX_YAML_NODES)):
        parse_yaml("\n".join(lines))


def test_yaml_syntax_error_position() -> None:
    with pytest.raises(ParseError) as info:
        parse_yaml("a: 1\nb: [1, 2\nc: 3\n")
    assert info.value.line == 3


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("!!int abc", "!!int value that is not an integer"),
        ("!!bool x", "!!bool value that is not a boolean"),
        ("!!float y", "!!float value that is not a number"),
        ("!!timestamp 2024-13-01", "!!timestamp value that is not a date"),
        ("!!binary abc", "!!binary value that is not base64"),
        ("!!int 0b102", "!!int value that is not an integer"),
        ("9" * 5000, "an integer of 5,000 digits is out of range"),
        ("!!int " + "9" * 5000, "an integer of 5,000 digits is out of range"),
        ("9" * 40, "an integer of 40 digits is out of range"),
        ("1.0e+400", "out of range"),
        ("-1.0e+400", "out of range"),
        (".nan", "out of range"),
    ],
)
def test_yaml_value_that_cannot_be_read_is_a_problem_at_its_position(
    value: str, words: str
) -> None:
    (doc,) = parse_yaml(f"kind: Pod\nspec:\n  replicas: {value}\n  name: ok\n")
    assert doc.data["spec"]["name"] == "ok"  # the rest of the document is read
    assert isinstance(doc.data["spec"]["replicas"], str)  # kept as its text
    ((message, line, column),) = doc.problems
    assert words in message
    assert (line, column) == (3, 13)


def test_yaml_good_values_are_no_problem() -> None:
    (doc,) = parse_yaml("a: 3\nb: 1.5\nc: !!binary aGVsbG8=\nd: 2024-01-01\ne: .inf\n")
    assert doc.data["a"] == 3
    assert doc.data["b"] == 1.5
    assert doc.data["c"] == "aGVsbG8="  # binary data stays text: no rule reads bytes
    assert [m for m, _, _ in doc.problems] == [
        "a number that is out of range (it overflows to infinity or is not a number); "
        "it is read as text"
    ]


@pytest.mark.parametrize(
    ("number", "column"), [("9" * 5000, 7), ("1e400", 7), ("NaN", 7), ("-" + "9" * 30, 7)]
)
def test_json_number_out_of_range_is_a_problem_not_a_crash(number: str, column: int) -> None:
    doc = parse_json('{"a": 1,\n "b": ' + number + ', "c": [2]}')
    assert doc.data["a"] == 1
    assert doc.data["c"] == [2]
    assert doc.data["b"] == number
    ((message, line, col),) = doc.problems
    assert "out of range" in message
    assert number[:20] not in message
    assert (line, col) == (2, column)


def test_may_hold_is_false_only_where_a_case_insensitive_search_finds_nothing() -> None:
    words = ("saver", "x-accel-buffering", "k")
    search = re.compile("|".join(map(re.escape, words)), re.IGNORECASE).search
    pieces = [
        "Saver",
        "SAVER",
        "save",
        "X-Accel-Buffering",
        "x-accel",
        "K",
        "\u212a",
        "\u017f",
        "é",
    ]
    pieces += ["a", " ", "\n", "r"]
    rng = random.Random(16)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        if not may_hold(text, words):
            assert search(text) is None, text
        if text.isascii():
            assert may_hold(text, words) is (search(text) is not None), text
    # the Kelvin sign folds to k: non-ASCII text is left to the expression
    assert may_hold("\u212a", ("k",))
    assert not may_hold("nothing here", ("saver",))
