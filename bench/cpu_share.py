"""Where the CPU went during a benchmark step: processes and their descendants, from /proc.

A load test on one machine measures the server and its load generator together;
the split of CPU time says which one ran out first (Linux only; elsewhere empty).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PROC = Path("/proc")


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, its own CPU seconds, those of its children it has reaped) of a live
    process, None when gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and parentheses: the fields start after the last ")".
    fields = text[text.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    own = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    reaped = (int(fields[13]) + int(fields[14])) / ticks  # cutime, cstime
    return int(fields[1]), own, reaped


def _processes() -> dict[int, tuple[int, float, float]]:
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def cpu_seconds(trees: Mapping[str, int], alone: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each of ``trees`` with its live descendants, by each of
    ``alone`` without them (the bench itself, whose children are the servers), and by
    the whole machine (:data:`MACHINE`)."""
    if not PROC.is_dir():
        return {}
    table = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(pid)
    used = {name: table[pid][1] if pid in table else 0.0 for name, pid in alone.items()}
    if (machine := machine_busy_seconds()) is not None:
        used[MACHINE] = machine
    for name, root in trees.items():
        # Reaped children count too: PostgreSQL's backends come and go with connections,
        # and a tree that lost one would otherwise seem to have used less than before.
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            if pid in table:
                total += table[pid][1] + table[pid][2]
            todo.extend(children.get(pid, ()))
        used[name] = total
    return used


#: The name :func:`cpu_seconds` gives the whole machine's busy time, when it can read it.
MACHINE = "machine"


def machine_busy_seconds() -> float | None:
    """CPU seconds every core spent busy since boot (/proc/stat: all but idle and iowait)."""
    try:
        first = (PROC / "stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    ticks = [int(value) for value in first[1:9]]  # user nice system idle iowait irq softirq steal
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def describe(before: Mapping[str, float], after: Mapping[str, float], wall_s: float) -> str:
    """Each part's share of every core over ``wall_s`` ("centre 61% · PostgreSQL 20% · …");
    with the :data:`MACHINE` entry, other processes' time is told apart from idle time."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    capacity = wall_s * (cores or 1)
    parts = []
    busy = 0.0
    for name in after:
        if name == MACHINE:
            continue
        spent = after[name] - before.get(name, 0.0)
        busy += spent
        parts.append(f"{name} {spent / capacity:.0%}")
    if MACHINE in after and MACHINE in before:
        machine = after[MACHINE] - before[MACHINE]
        parts.append(f"other processes {max(0.0, machine - busy) / capacity:.0%}")
        parts.append(f"idle {max(0.0, 1 - max(machine, busy) / capacity):.0%}")
    else:
        parts.append(f"idle or other {max(0.0, 1 - busy / capacity):.0%}")
    return " · ".join(parts)
