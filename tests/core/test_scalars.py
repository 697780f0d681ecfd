"""Safe scalar conversion: hostile numbers never raise, they become None."""

from __future__ import annotations

import math

import pytest

from agentcheck.scalars import (
    MAX_INT,
    number_problem,
    parse_bool,
    parse_duration,
    parse_float,
    parse_int,
)

HUGE = 10**400  # float() of it overflows
HUGER = int("9" * 4000)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        ("3", 3),
        (" 12 ", 12),
        (True, None),
        (MAX_INT, MAX_INT),
        (MAX_INT + 1, None),
        (HUGE, None),
        ("9" * 5000, None),
        ("12abc", None),
        ("١٢", None),  # Arabic-Indic digits are decimal to Python, not to a manifest
        (1.5, None),
        (None, None),
        ([1], None),
    ],
)
def test_parse_int(value: object, expected: int | None) -> None:
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.5, 1.5),
        ("2.5", 2.5),
        (2, 2.0),
        (float("inf"), None),
        (float("nan"), None),
        ("1e400", None),
        ("nan", None),
        (HUGE, None),
        (False, None),
        ("x" * 100, None),
    ],
)
def test_parse_float(value: object, expected: float | None) -> None:
    assert parse_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (90, 90.0),
        ("90", 90.0),
        ("90s", 90.0),
        ("1m30s", 90.0),
        ("1M30S", 90.0),  # compose and k8s durations are case-blind here
        ("1.5s", 1.5),
        (".5s", 0.5),
        ("500ms", 0.5),
        ("2d", 172800.0),
        ("3µs", 3e-6),
        ("'60s'", 60.0),
        ({"seconds": 90, "nanos": 500_000_000}, 90.5),
        ({"seconds": "x"}, None),
        ({"seconds": 1, "nanos": True}, None),
        (True, None),
        (HUGE, None),
        (float("inf"), None),
        ("1e400", None),
        ("1e99999s", None),
        ("9" * 5000 + "s", None),
        ("", None),
        ("1x", None),
        ("s", None),
    ],
)
def test_parse_duration(value: object, expected: float | None) -> None:
    assert parse_duration(value) == expected


def test_parse_duration_unit_and_overflow() -> None:
    assert parse_duration(30, unit=1e-3) == pytest.approx(0.03)
    assert parse_duration(1e300, unit=1e10) is None  # finite value, infinite product


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("yes", True), ("Off", False), (1, True), (0, False), (2, None), ("x", None)],
)
def test_parse_bool(value: object, expected: bool | None) -> None:
    assert parse_bool(value) is expected


def test_number_problem_names_size_without_the_value() -> None:
    assert number_problem(5) is None
    assert number_problem("9" * 50) is None  # text is not a number here
    message = number_problem(HUGER)
    assert message is not None
    assert "4,000 digits" in message
    assert "999" not in message
    assert number_problem(10**20000) is not None  # str() of it would raise
    assert number_problem(math.inf) is not None
    assert number_problem(True) is None
