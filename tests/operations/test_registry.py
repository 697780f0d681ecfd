"""The AC5xx rules are registered through the entry point and documented like the others."""

from __future__ import annotations

import pytest

from agentcheck.lint.rule import DOC_HEADINGS, Rule
from agentcheck.lint.rules import operations
from agentcheck.plugins import all_rules

CODES = [f"AC5{n:02d}" for n in range(1, 12)]


def test_every_catalog_code_is_registered_once_through_the_plugin_manager() -> None:
    registered = [rule for rule in all_rules() if rule.code.startswith("AC5")]
    assert [rule.code for rule in registered] == CODES
    assert set(operations.agentcheck_rules()) == set(registered)


def test_dunder_all_is_sorted_and_names_every_rule() -> None:
    assert operations.__all__ == sorted(operations.__all__)
    assert {getattr(operations, name) for name in operations.__all__} == set(
        operations.agentcheck_rules()
    )


@pytest.mark.parametrize("rule", operations.agentcheck_rules(), ids=lambda r: r.code)
def test_documentation_has_the_fixed_headings(rule: type[Rule]) -> None:
    doc = rule.documentation()
    for heading in DOC_HEADINGS:
        assert f"\n{heading}\n{'-' * len(heading)}\n" in doc, heading
    assert rule.message.endswith(".")
    assert rule.fix.endswith(".")
