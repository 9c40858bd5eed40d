"""Where the CPU went during a benchmark step: processes and their descendants, from /proc.

A load test on one machine measures the server and its load generator together;
the split of CPU time says which one ran out first (Linux only; elsewhere empty).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PROC = Path("/proc")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds) of a live process, None when gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: the fields start after the last ")".
    fields = text[text.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks


def _processes() -> dict[int, tuple[int, float]]:
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def cpu_seconds(trees: Mapping[str, int], alone: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each of ``trees`` with its live descendants, and by
    each of ``alone`` without them (the bench itself, whose children are the servers)."""
    if not PROC.is_dir():
        return {}
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    used = {name: table[pid][1] if pid in table else 0.0 for name, pid in alone.items()}
    for name, root in trees.items():
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            if pid in table:
                total += table[pid][1]
            todo.extend(children.get(pid, ()))
        used[name] = total
    return used


def describe(before: Mapping[str, float], after: Mapping[str, float], wall_s: float) -> str:
    """ "centre 61% · PostgreSQL 20% · …" as shares of every core over ``wall_s``."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    capacity = wall_s * (cores or 1)
    parts = []
    busy = 0.0
    for name in after:
        spent = after[name] - before.get(name, 0.0)
        busy += spent
        parts.append(f"{name} {spent / capacity:.0%}")
    parts.append(f"idle or other {max(0.0, 1 - busy / capacity):.0%}")
    return " · ".join(parts)
