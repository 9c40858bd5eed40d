"""Benchmark: cold start → attract screen, one fresh process per run.

Each run starts ``python -m bench.startup_probe`` with a new, empty data
folder (no cached catalog, a store that has to be created and migrated)
against the central server the caller started, and waits for the probe's
"painted" line. The parent times Popen to that line; the probe reports its
own time from its first statement to the end of the first painted frame.
"""

from __future__ import annotations

import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bench.results import Benchmark, Measurement, ms_since
from bench.startup_probe import PAINTED, READY

TITLE = "Cold start → attract screen"
RUNS = 7
QUICK_RUNS = 2
GOAL_MS = 1500.0
#: One probe must paint within this time and exit within as long again.
PROBE_TIMEOUT_S = 60.0
ROOT = Path(__file__).resolve().parent.parent


class ProbeError(RuntimeError):
    """A probe run failed; the message carries the tail of its stderr."""


@dataclass(frozen=True)
class ProbeRun:
    spawn_to_paint_ms: float
    import_build_ms: float
    stages_ms: dict[str, float]
    paint_to_store_open_ms: float


def probe_env() -> dict[str, str]:
    """The environment of a probe: offscreen Qt, this checkout first on the path."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def probe_once(central_url: str, root: Path, timeout_s: float = PROBE_TIMEOUT_S) -> ProbeRun:
    """Start one probe and time it; the process is gone when this returns."""
    cmd = [
        sys.executable,
        "-m",
        "bench.startup_probe",
        "--root",
        str(root),
        "--central-url",
        central_url,
    ]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=probe_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
        )
        assert process.stdout is not None
        lines: queue.Queue[tuple[float, str] | None] = queue.Queue()
        reader = _start_reader(process.stdout, lines.put)
        try:
            seen_at, facts = _wait_for_line(lines, PAINTED, timeout_s)
            _, ready = _wait_for_line(lines, READY, timeout_s)
            status = process.wait(timeout_s)
            if status != 0:
                raise ProbeError(f"probe exited with status {status}")
        except (ProbeError, subprocess.TimeoutExpired) as exc:
            stderr.seek(0)
            tail = "\n".join(stderr.read().splitlines()[-20:])
            raise ProbeError(f"{exc}; probe stderr:\n{tail}") from exc
        finally:
            _stop(process)
            reader.join(5.0)
            process.stdout.close()
    stages = {str(k): float(v) for k, v in dict(facts["stages_ms"]).items()}
    return ProbeRun(
        spawn_to_paint_ms=ms_since(started, seen_at),
        import_build_ms=float(facts["import_build_ms"]),
        stages_ms=stages,
        paint_to_store_open_ms=float(ready["paint_to_store_open_ms"]),
    )


def _wait_for_line(
    lines: queue.Queue[tuple[float, str] | None], prefix: str, timeout_s: float
) -> tuple[float, dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProbeError(f"no {prefix.strip()!r} line within {timeout_s:g} s")
        try:
            item = lines.get(timeout=remaining)
        except queue.Empty:
            continue
        if item is None:
            raise ProbeError(f"probe ended before its {prefix.strip()!r} line")
        seen_at, line = item
        if line.startswith(prefix):
            facts = json.loads(line.removeprefix(prefix))
            if not isinstance(facts, dict):
                raise ProbeError(f"unexpected probe line: {line!r}")
            return seen_at, facts


def _start_reader(
    pipe: IO[str], put: Callable[[tuple[float, str] | None], None]
) -> threading.Thread:
    def pump() -> None:
        try:
            for line in pipe:  # each line is stamped the moment it arrives
                put((time.perf_counter(), line.rstrip("\n")))
        except (ValueError, OSError):
            pass  # pipe closed under us
        finally:
            put(None)

    thread = threading.Thread(target=pump, name="probe-stdout", daemon=True)
    thread.start()
    return thread


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5.0)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(central_url: str, runs: int, progress: Callable[[str], None]) -> Benchmark:
    """Start the kiosk ``runs`` times and summarise."""
    results: list[ProbeRun] = []
    for i in range(runs):
        with tempfile.TemporaryDirectory(prefix="anjungan-bench-start-") as tmp:
            result = probe_once(central_url, Path(tmp))
        results.append(result)
        progress(f"cold start {i + 1}/{runs}: {result.spawn_to_paint_ms:.0f} ms")
    return summarise(results)


def summarise(results: list[ProbeRun]) -> Benchmark:
    spawn = Measurement(
        what="process spawn → first paint",
        how=(
            "Popen of a fresh `python -m bench.startup_probe` (new empty data folder, "
            "offscreen) until its stdout line saying the attract screen's first frame "
            "is painted."
        ),
        samples_ms=tuple(r.spawn_to_paint_ms for r in results),
        goal_ms=GOAL_MS,
    )
    in_process = Measurement(
        what="import + build → first paint",
        how=(
            "Inside the probe: `time.perf_counter()` at its first statement, before "
            "PySide6 and the kiosk are imported, until the first frame is painted."
        ),
        samples_ms=tuple(r.import_build_ms for r in results),
    )
    store_open = Measurement(
        what="first paint → store open",
        how=(
            "Inside the probe: from the end of the first painted frame until the local "
            "store, opened off the GUI thread as `kiosk demo` does once the screen is up, "
            "is created, migrated and open (polled every 2 ms)."
        ),
        samples_ms=tuple(r.paint_to_store_open_ms for r in results),
    )
    stage_names = list(results[0].stages_ms)
    stages = ", ".join(
        f"{name.replace('_', ' ')} {statistics.median(r.stages_ms[name] for r in results):.0f}"
        for name in stage_names
    )
    notes = (
        f"Inside the probe, median ms per stage: {stages}.",
        "The store (sqlite-utils, some 0.2 s to import, plus creating and migrating "
        "the file) and the catalog are loaded after the first paint. A card tapped "
        "before the store is open waits for it: its read needs the cached revocations.",
        "The goal applies to the spawn figure, which includes starting the interpreter. "
        "The page cache is warm after the first run; a first start after boot is slower.",
    )
    return Benchmark(TITLE, (spawn, in_process, store_open), notes)
