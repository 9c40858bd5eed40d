"""The suite's xdist groups are handed out the longest first (testkit/group_order.py)."""

from __future__ import annotations

import json
from pathlib import Path

from testkit import group_order

ROOT = Path(__file__).resolve().parents[1]


def _group(item: str) -> str:
    return item.split(":")[0]


def test_the_longest_group_goes_first_and_each_groups_tests_stay_together_in_order() -> None:
    items = ["a:1", "b:1", "a:2", "c:1", "b:2", "d:1", "a:3"]
    seconds = {"a": 5.0, "b": 40.0, "c": 12.0}
    # d is not recorded: its one test is taken at UNKNOWN_TEST_S, below every other.
    assert group_order.longest_first(items, _group, seconds) == [
        "b:1",
        "b:2",
        "c:1",
        "a:1",
        "a:2",
        "a:3",
        "d:1",
    ]


def test_unrecorded_groups_count_their_tests_and_ties_keep_their_order() -> None:
    items = ["x:1", "y:1", "y:2", "z:1"]
    assert group_order.longest_first(items, _group, {}) == ["y:1", "y:2", "x:1", "z:1"]
    one_test = group_order.UNKNOWN_TEST_S
    assert group_order.longest_first(items, _group, {"z": 2 * one_test}) == [
        "y:1",
        "y:2",
        "z:1",
        "x:1",
    ]


def test_the_seconds_of_every_phase_add_up_per_group(tmp_path: Path) -> None:
    recorded = group_order.GroupSeconds()
    recorded.add("tests/a.py::test_one@tests/a.py", 1.25)  # set-up
    recorded.add("tests/a.py::test_one@tests/a.py", 2.0)  # call
    recorded.add("tests/b.py::test_two[x@y]@pcscd", 3.0)
    recorded.add("tests/c.py::test_three[x@y]", 9.0)  # not run by xdist: no group
    path = tmp_path / "seconds.json"
    recorded.write(path)
    assert group_order.load(path) == {"pcscd": 3.0, "tests/a.py": 3.2}
    assert group_order.load(tmp_path / "missing.json") == {}


def test_the_recorded_seconds_are_a_readable_table() -> None:
    recorded = group_order.load(ROOT / "tests" / "group_seconds.json")
    assert recorded, "tests/group_seconds.json is empty"
    assert all(seconds >= 0 for seconds in recorded.values())
    assert "pcscd" in recorded
    raw = json.loads((ROOT / "tests" / "group_seconds.json").read_text(encoding="utf-8"))
    assert list(raw) == sorted(raw), "kept sorted, so a new recording diffs line by line"
