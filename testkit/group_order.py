"""The order the suite's groups are handed to the workers in: the longest first.

pytest-xdist's ``--dist loadgroup`` gives a worker the next group of tests (a test
module, or pcscd's group) when it has little left, in the order they were collected
(``--no-loadscope-reorder``; xdist's own order is by number of tests, which puts the
modules of one long test last). A long group handed out last keeps one worker busy
while the others have nothing left: handed out longest first, the groups that end
the run are short ones and the workers finish together.

How long each group took is kept in a JSON file (``tests/group_seconds.json``,
``{group: seconds}``), which a run with ``-n`` and ``--store-group-seconds PATH``
writes. The order only changes which worker runs what and when: a group missing
from the file, or a file out of date, costs time, never a test.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

Item = TypeVar("Item")

#: What a test of a group not in the file is taken to last (about the suite's median).
UNKNOWN_TEST_S = 0.3


def load(path: Path) -> dict[str, float]:
    """The recorded seconds per group; none if the file is missing."""
    if not path.exists():
        return {}
    recorded = json.loads(path.read_text(encoding="utf-8"))
    return {str(group): float(seconds) for group, seconds in recorded.items()}


def longest_first(
    items: Sequence[Item], group_of: Callable[[Item], str], seconds: Mapping[str, float]
) -> list[Item]:
    """``items`` with the groups in order of expected seconds, the longest first.

    Each group's tests stay together and in the order they had; groups expected to
    take as long keep their order of collection.
    """
    members: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        members[group_of(item)].append(item)

    def expected(group: str) -> float:
        return seconds.get(group, UNKNOWN_TEST_S * len(members[group]))

    ordered = sorted(members, key=lambda group: -expected(group))  # stable: ties keep order
    return [item for group in ordered for item in members[group]]


def group_in(nodeid: str) -> str | None:
    """The xdist group a node id names after its last ``@`` (as ``--dist loadgroup``
    reads it), or ``None``."""
    if "@" not in nodeid:
        return None
    group = nodeid.rsplit("@", 1)[1]
    return None if "]" in group else group


class GroupSeconds:
    """Adds up the seconds of every phase (set-up, call, tear-down) of each group's tests."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def add(self, nodeid: str, duration_s: float) -> None:
        group = group_in(nodeid)
        if group is not None:
            self.seconds[group] += duration_s

    def write(self, path: Path) -> None:
        rounded = {group: round(s, 1) for group, s in sorted(self.seconds.items())}
        path.write_text(json.dumps(rounded, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
