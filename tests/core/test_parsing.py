from __future__ import annotations

import pytest

from agentcheck.parsing import MAX_YAML_NODES, ParseError, parse_json, parse_yaml


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
