"""checks/checklist.toml maps the seed's deployment checklist to the codes that cover it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from agentcheck.live.checks import all_live_checks
from agentcheck.plugins import all_rules

CHECKLIST = Path(__file__).parent.parent / "checks" / "checklist.toml"


def load_items() -> list[dict[str, object]]:
    items = tomllib.loads(CHECKLIST.read_text(encoding="utf-8"))["item"]
    assert isinstance(items, list)
    return items


def implemented_codes() -> set[str]:
    return {rule.code for rule in all_rules()} | {check.code for check in all_live_checks()}


def test_every_listed_code_is_implemented_and_every_planned_one_is_not() -> None:
    implemented = implemented_codes()
    for item in load_items():
        codes = set(item["codes"])  # type: ignore[call-overload]
        planned = set(item.get("planned", []))  # type: ignore[call-overload]
        assert codes <= implemented, f"{item['id']}: not implemented: {sorted(codes - implemented)}"
        assert not planned & implemented, (
            f"{item['id']}: implemented now, move to codes: {sorted(planned & implemented)}"
        )


def test_every_check_covers_some_checklist_item() -> None:
    listed = {code for item in load_items() for code in item["codes"]}  # type: ignore[attr-defined]
    about_agentcheck = {"AC900", "AC901"}
    uncovered = implemented_codes() - listed - about_agentcheck
    assert not uncovered, f"codes that no checklist item names: {sorted(uncovered)}"


def test_the_seed_checklist_is_covered_item_by_item() -> None:
    assert len(load_items()) >= 9
    assert all(item["codes"] for item in load_items())


def test_the_rollback_item_has_the_release_rules_and_the_live_checks_across_versions() -> None:
    (item,) = [item for item in load_items() if item["id"] == "rollback-verified"]
    codes = set(item["codes"])  # type: ignore[call-overload]
    assert {"AC601", "AC602", "AC603", "AC851", "AC852", "AC853"} <= codes
    assert "planned" not in item
