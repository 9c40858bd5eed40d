"""The machine, the commit and the results, written out as Markdown."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench import qt_defect
from bench.results import Benchmark, Measurement

UNKNOWN = "unknown"
GIT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: str
    ram: str
    os: str
    kernel: str
    python: str
    qt: str
    emit_defect: str

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("CPU", self.cpu),
            ("Cores", self.cores),
            ("RAM", self.ram),
            ("OS", self.os),
            ("Kernel", self.kernel),
            ("Python", self.python),
            ("PySide6 / Qt", self.qt),
            ("Signal.emit() reference defect", self.emit_defect),
        ]


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _first_value(text: str, keys: tuple[str, ...], sep: str) -> str:
    for key in keys:
        for line in text.splitlines():
            name, found, value = line.partition(sep)
            if found and name.strip() == key and value.strip():
                return value.strip().strip('"')
    return ""


def cpu_model() -> str:
    cpuinfo = _read("/proc/cpuinfo")
    # x86 says "model name"; many ARM boards only "Hardware" or "Model".
    return (
        _first_value(cpuinfo, ("model name", "Hardware", "Model"), ":")
        or platform.processor()
        or UNKNOWN
    )


def core_count() -> str:
    total = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else total
    if total is None:
        return UNKNOWN
    return f"{total}" if usable == total else f"{total} ({usable} usable by this process)"


def ram() -> str:
    kib = _first_value(_read("/proc/meminfo"), ("MemTotal",), ":").removesuffix("kB").strip()
    return f"{int(kib) / 1024 / 1024:.1f} GiB" if kib.isdigit() else UNKNOWN


def os_name() -> str:
    release = _read("/etc/os-release")
    return _first_value(release, ("PRETTY_NAME", "NAME"), "=") or platform.system()


def qt_versions() -> str:
    try:
        from PySide6 import QtCore  # imported here: the report needs Qt only for this
    except ImportError:
        return UNKNOWN
    return f"{metadata.version('pyside6-essentials')} / Qt {QtCore.qVersion()}"


def emit_defect() -> str:
    try:
        return qt_defect.describe(qt_defect.emit_leak_per_call())
    except ImportError:
        return UNKNOWN


def machine() -> Machine:
    return Machine(
        cpu=cpu_model(),
        cores=core_count(),
        ram=ram(),
        os=os_name(),
        kernel=platform.release(),
        python=f"{platform.python_version()} ({platform.python_implementation()})",
        qt=qt_versions(),
        emit_defect=emit_defect(),
    )


def git_commit(repo: Path, ignore: Path | None = None) -> str:
    """Short hash of HEAD, with "+dirty" if anything (untracked files too) is uncommitted.

    ``ignore`` (the report itself) does not count as a change.
    """

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=True,
        )
        return done.stdout

    try:
        commit = git("rev-parse", "--short", "HEAD").strip()
        pathspec = ["--", "."]
        if ignore is not None and ignore.resolve().is_relative_to(repo.resolve()):
            pathspec.append(f":(exclude){ignore.resolve().relative_to(repo.resolve())}")
        dirty = git("status", "--porcelain", "--untracked-files=normal", *pathspec).strip()
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN
    return commit + ("+dirty" if dirty else "")


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _value(m: Measurement, value: float) -> str:
    """A cell of ``m``: milliseconds as they are, a ratio with two decimals and "×"."""
    return f"{value:.2f}×" if m.unit == "×" else _ms(value)


def _goal(m: Measurement) -> tuple[str, str]:
    met = m.meets_goal()
    if m.goal_ms is None or met is None:
        return "—", "—"
    goal = f"≤ {m.goal_ms:g}×" if m.unit == "×" else f"≤ {m.goal_ms:.0f}"
    return goal, "✅ pass" if met else "❌ miss"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def benchmark_table(benchmark: Benchmark) -> list[str]:
    lines = [
        f"## {benchmark.title}",
        "",
        "| Measured | Method | n | median (ms) | p95 (ms) | min (ms) | max (ms) "
        "| goal (ms) | result |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for m in benchmark.measurements:
        goal, result = _goal(m)
        cells = [
            _cell(m.what),
            _cell(m.how),
            str(m.n),
            _value(m, m.median),
            _value(m, m.p95),
            _value(m, m.minimum),
            _value(m, m.maximum),
            goal,
            result,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if benchmark.notes:
        lines.append("")
        lines.extend(f"- {note}" for note in benchmark.notes)
    lines.append("")
    return lines


def render(
    benchmarks: list[Benchmark], *, host: Machine, commit: str, date: str, quick: bool
) -> str:
    lines = [
        "# Anjungan benchmarks",
        "",
        "Written by `make bench` (`.venv/bin/python -m bench`); running it again replaces "
        "this file. Times are wall-clock milliseconds (a value ending in × is a ratio of two "
        "times of the same run, e.g. a figure over its floor); p95 is interpolated between "
        "ranks. A goal is met when the p95 is within it (the median, where the row says so).",
        "",
        f"- Date: {date}",
        f"- Commit: {commit}",
        "- Run: "
        + ("quick (`--quick`, a smoke test: too few repetitions to quote)" if quick else "full"),
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {_cell(value)} |" for name, value in host.rows()),
        "",
    ]
    for benchmark in benchmarks:
        lines.extend(benchmark_table(benchmark))
    return "\n".join(lines).rstrip("\n") + "\n"


def splice(old: str, benchmarks: list[Benchmark], *, commit: str, date: str, quick: bool) -> str:
    """``old`` with each benchmark's section replaced (or added at the end), marked with
    the date and commit of its own run, since the rest of the file comes from another."""
    run = "quick" if quick else "full"
    lines = old.rstrip("\n").split("\n") if old else []
    for benchmark in benchmarks:
        marked = Benchmark(
            benchmark.title,
            benchmark.measurements,
            (
                *benchmark.notes,
                f"This section was measured on its own (`python -m bench --only`, {run}) "
                f"on {date} at commit {commit}.",
            ),
        )
        table = benchmark_table(marked)
        heading = f"## {benchmark.title}"
        if heading in lines:
            start = lines.index(heading)
            end = next(
                (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                len(lines),
            )
            lines[start:end] = table
        else:
            lines.extend(["", *table] if lines and lines[-1] else table)
    return "\n".join(lines).rstrip("\n") + "\n"
