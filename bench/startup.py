"""Benchmark: cold start → attract screen → ready for a tap, against its floor.

Each run starts ``python -m bench.startup_probe`` with a new, empty data
folder (no cached catalog, a store that has to be created and migrated)
against the central server the caller started, and waits for the probe's
"painted" and "ready" lines. The parent times Popen to each line; the probe
reports its own time from its first statement to the end of the first
painted frame, by stage.

The floor is ``python -m bench.startup_floor_probe``, a bare two-screen
PySide6 app started the same way to its first painted frame. Floor and kiosk
runs alternate, so a busy moment of the machine falls on both; each kiosk run
is divided by the floor run just before it.
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bench.results import Benchmark, Measurement, ms_since
from bench.startup_probe import PAINTED, READY

TITLE = "Cold start → attract screen"
#: Starts in a full run: with 9 the p95 was nearly the slowest start (one that waited for
#: a core while its floor did not), 2.5-3.6× over six runs of the same code whose median
#: stayed 2.26-2.35×; 20 give the p95 a twentieth of the starts to stand for.
RUNS = 20
QUICK_RUNS = 2
#: Goal: the kiosk ready for a tap (store open) within this many times the floor app's
#: spawn to first paint (issue #19; it was 5.3× at commit 8fc1470).
GOAL_RATIO = 3.0
#: One probe must paint within this time and exit within as long again.
PROBE_TIMEOUT_S = 60.0
ROOT = Path(__file__).resolve().parent.parent
KIOSK_PROBE = "bench.startup_probe"
FLOOR_PROBE = "bench.startup_floor_probe"


class ProbeError(RuntimeError):
    """A probe run failed; the message carries the tail of its stderr."""


@dataclass(frozen=True)
class ProbeRun:
    spawn_to_paint_ms: float
    import_build_ms: float
    stages_ms: dict[str, float]
    paint_to_store_open_ms: float
    #: Popen until the "ready" line: the store open, the kiosk ready for a tap.
    spawn_to_ready_ms: float


@dataclass(frozen=True)
class FloorRun:
    spawn_to_paint_ms: float
    import_build_ms: float


@dataclass(frozen=True)
class _Seen:
    """A probe's lines, each with the moment it arrived (perf_counter)."""

    started: float
    lines: dict[str, tuple[float, dict[str, Any]]]


def probe_env() -> dict[str, str]:
    """The environment of a probe: offscreen Qt, this checkout first on the path."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _spawn(module: str, args: Sequence[str], prefixes: Sequence[str], timeout_s: float) -> _Seen:
    """Start ``python -m module args`` and wait for a line starting with each prefix, in
    order, then for its exit; the process is gone when this returns."""
    cmd = [sys.executable, "-m", module, *args]
    seen: dict[str, tuple[float, dict[str, Any]]] = {}
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
            for prefix in prefixes:
                seen[prefix] = _wait_for_line(lines, prefix, timeout_s)
            status = process.wait(timeout_s)
            if status != 0:
                raise ProbeError(f"{module} exited with status {status}")
        except (ProbeError, subprocess.TimeoutExpired) as exc:
            stderr.seek(0)
            tail = "\n".join(stderr.read().splitlines()[-20:])
            raise ProbeError(f"{exc}; probe stderr:\n{tail}") from exc
        finally:
            _stop(process)
            reader.join(5.0)
            process.stdout.close()
    return _Seen(started, seen)


def probe_once(central_url: str, root: Path, timeout_s: float = PROBE_TIMEOUT_S) -> ProbeRun:
    """Start the kiosk once and time it to its first paint and to ready."""
    from central.settings import DEMO_ENROLMENT_CODE

    args = ["--root", str(root), "--central-url", central_url]
    args += ["--enrolment-code", DEMO_ENROLMENT_CODE]
    run = _spawn(KIOSK_PROBE, args, (PAINTED, READY), timeout_s)
    painted_at, facts = run.lines[PAINTED]
    ready_at, ready = run.lines[READY]
    stages = {str(k): float(v) for k, v in dict(facts["stages_ms"]).items()}
    return ProbeRun(
        spawn_to_paint_ms=ms_since(run.started, painted_at),
        import_build_ms=float(facts["import_build_ms"]),
        stages_ms=stages,
        paint_to_store_open_ms=float(ready["paint_to_store_open_ms"]),
        spawn_to_ready_ms=ms_since(run.started, ready_at),
    )


def floor_once(timeout_s: float = PROBE_TIMEOUT_S) -> FloorRun:
    """Start the bare two-screen app once and time it to its first paint."""
    run = _spawn(FLOOR_PROBE, (), (PAINTED,), timeout_s)
    painted_at, facts = run.lines[PAINTED]
    return FloorRun(
        spawn_to_paint_ms=ms_since(run.started, painted_at),
        import_build_ms=float(facts["import_build_ms"]),
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
    """Start the floor app and the kiosk ``runs`` times each, alternating, and summarise."""
    floors: list[FloorRun] = []
    results: list[ProbeRun] = []
    for i in range(runs):
        floors.append(floor_once())
        with tempfile.TemporaryDirectory(prefix="anjungan-bench-start-") as tmp:
            result = probe_once(central_url, Path(tmp))
        results.append(result)
        progress(
            f"cold start {i + 1}/{runs}: ready {result.spawn_to_ready_ms:.0f} ms, "
            f"floor {floors[-1].spawn_to_paint_ms:.0f} ms"
        )
    return summarise(results, floors)


def run_alone(quick: bool, progress: Callable[[str], None]) -> list[Benchmark]:
    """``python -m bench --only startup``: with a demo centre of its own."""
    from central.process import start_central
    from testkit.centres import LOOSE_SERVER_ARGS

    central = start_central(seed_demo=True, extra_args=LOOSE_SERVER_ARGS)
    try:
        return [run(central.url, QUICK_RUNS if quick else RUNS, progress)]
    finally:
        central.stop()


def summarise(results: Sequence[ProbeRun], floors: Sequence[FloorRun]) -> Benchmark:
    floor = Measurement(
        what="floor: bare two-screen PySide6 app, spawn → first paint",
        how=(
            "Popen of a fresh `python -m bench.startup_floor_probe` (a QStackedWidget of two "
            "QLabel screens in a 900×1200 window, same environment, offscreen) until its "
            "stdout line saying its first frame is painted, run just before each kiosk start."
        ),
        samples_ms=tuple(f.spawn_to_paint_ms for f in floors),
    )
    spawn = Measurement(
        what="process spawn → first paint",
        how=(
            "Popen of a fresh `python -m bench.startup_probe` (new empty data folder, "
            "offscreen) until its stdout line saying the attract screen's first frame "
            "is painted."
        ),
        samples_ms=tuple(r.spawn_to_paint_ms for r in results),
    )
    ready = Measurement(
        what="process spawn → ready (store open)",
        how=(
            "The same start until its stdout line saying the local store is created, "
            "migrated and open: the kiosk ready for a tap."
        ),
        samples_ms=tuple(r.spawn_to_ready_ms for r in results),
    )
    ratio = Measurement(
        what="ready ÷ floor",
        how=(
            "Each start's spawn → ready divided by the floor app's spawn → first paint of "
            "the run just before it."
        ),
        samples_ms=tuple(
            r.spawn_to_ready_ms / f.spawn_to_paint_ms for r, f in zip(results, floors, strict=True)
        ),
        goal_ms=GOAL_RATIO,
        unit="×",
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
    floor_inside = statistics.median(f.import_build_ms for f in floors)
    notes = (
        f"Inside the kiosk probe, median ms per stage: {stages}. The floor app's own "
        f"first statement → first paint: {floor_inside:.0f} ms; the rest of its spawn "
        "figure is the interpreter starting.",
        *PROFILE_NOTES,
    )
    return Benchmark(TITLE, (floor, spawn, ready, ratio, in_process, store_open), notes)


#: Where the time goes: ``python -X importtime`` of a probe up to its first paint, with
#: the project's bytecode compiled as `make bench` does, cProfile of ``build_window``,
#: and the probe's own stage clocks (issue #19; measured on a loaded 2-core machine, so
#: as shares, which held from run to run).
PROFILE_NOTES: tuple[str, ...] = (
    "Profile (#19), what the kiosk pays above the floor. Imports are some 80 % of its "
    "in-process time to the first paint. Of the import time: PySide6 and shiboken's "
    "signature support some 22 % (the floor pays them too); the first "
    "`from PySide6.QtCore import Qt` some 5 % (Qt's namespace and its enums are built "
    "then: every real Qt app pays it, the floor app never names `Qt`); the session's "
    "events and machine (some 60 frozen dataclasses) 7 %; the central client 3 %; the "
    "sync engine 3 %; the configuration 3 %; card reading, COSE records and PC/SC 6 %; "
    "cryptography for the trust lists 4 %; printing 2 %; the store's modules 3 %; the "
    "attract screen, its entry points and the window the rest.",
    "Building the window: the kiosk itself (controller, sync engine, client, printer, "
    "the demo's check for a vpcd reader through pcscd, which imports pyscard) is some "
    "two thirds; the attract screen and the window's own widgets the rest. The first "
    "frame: the style sheet polishing the attract screen's widgets.",
    "Made lazy for #19 (each proved by a test, never timed): every screen but the "
    "attract screen, and the overlays' screens, built with their modules when first "
    "shown, the rest once the store has settled (tests/ui/test_lazy_start.py); "
    "sqlite-utils dropped from the store, which uses sqlite3 alone (some 0.2 s of "
    "imports on the way to ready; tests/store/test_deferred_open.py); http.client, "
    "email.utils, ssl and importlib.metadata loaded on first use; the warm-up "
    "(cwt, reportlab, sounds, voice) after the store has settled rather than 0.3 s "
    "after the paint, where it competed with the store's opening. Two runs each on "
    "2026-12-06, on the same loaded machine, bytecode compiled: at 9bf86ff spawn → ready "
    "median 3356 and 2550 ms, window 777 and 859 ms, store open 280 and 195 ms, ratio "
    "4.65× and 4.60×; after, 2092 and 1742 ms, 238 and 182 ms, 105 and 121 ms, 3.67× "
    "and 4.12×. The imports before the first paint barely moved (1844/1217 ms before, "
    "1437/1165 after): the kiosk's own modules are still loaded before the window.",
    "Second round (#19), `-X importtime` of the probe and the probe's imports timed "
    "class by class (`dataclasses._process_class`, `EnumType.__new__`): on Python 3.11 "
    "the kiosk's own import time is mostly class creation, spread over some 200 "
    "modules. Some 150 dataclasses are made before the first paint, about 28 % of all "
    "its imports: each frozen one compiles six generated methods with `exec` (init, "
    "repr, eq, hash, setattr, delattr; frozen alone is some 60 % of it), and one without "
    "a docstring also gets one built from `inspect.signature`. Some 210 enums are about "
    "11 %. The session's events are 44 of those dataclasses, 40 ms: `from __future__ "
    "import annotations` is there, so no annotation is evaluated; order, slots and "
    "match_args cost nothing measurable; the generated methods' compiling is the cost, "
    "and only dropping frozen or eq (a change of behaviour) would cut it. They cannot "
    "wait either: the session machine, which a kiosk ready for a tap needs, imports "
    "them. The first `from PySide6.QtCore import Qt` (ui.tasks) is some 30 ms.",
    "Cut in the second round (each proved by a test, never timed): the docstring built "
    "from the signature of 28 classes of the events and the configuration, some 8 ms "
    "(tests/kiosk/test_session.py); the operator panel's status and the hospital "
    "desk's tickets loaded by the command that first needs them (the sync status and "
    "the printer they import are loaded by the kiosk anyway, so the saving is their own, "
    "some 10 ms; tests/ui/test_lazy_start.py); the demo asks pcscd for its vpcd reader "
    "only where pcscd's socket exists, so a start without pcscd (as the bench runs) no "
    "longer loads pyscard and opens a PC/SC context to learn that nothing answers, some "
    "10-15 ms (tests/cardio/test_demo_reader.py). Not cut: cryptography's "
    "serialization package for the trust lists pulls in its SSH module, but the ciphers "
    "that costs are loaded anyway by the store's AES-GCM, leaving some 4 ms that only "
    "the library's private modules or parsing the key's DER by hand would avoid; "
    "`requests` (some 0.24 s, the biggest single import) is loaded by the sync engine "
    "after ready, not before. Two runs each of the base (f05be39) and of the change, "
    "alternating, on 2026-12-06, same loaded machine, bytecode compiled: ready ÷ floor "
    "median 3.19× and 3.04× before, 2.89× and 3.31× after; in-process imports 563 and "
    "489 ms before, 540 and 481 ms after; window 78 and 61 ms, 63 and 59 ms. The cut is "
    "some 20-30 ms of a start, smaller than the run-to-run spread of the ratio.",
    "Third round (#19), instructions counted by valgrind (cachegrind, the same count run "
    "after run, unlike any clock on this shared machine) for one probe start up to its "
    '"ready" line: 1,832 M at 39987c4, the floor app to its first paint 670 M. Of the '
    "kiosk's, 298 M went to compiling source at run time (the floor 66 M, shiboken's "
    "signature modules): the 868 methods `dataclasses` writes and compiles with `exec` "
    "for the some 150 classes made before ready (270 KB of generated source), at every "
    "start, where the modules' own bytecode comes from `__pycache__`. PySide6's "
    "`__feature__` switch, once PySide6 is loaded, calls `inspect.getsource` on every "
    'module an import statement names after it, to look for the text "PySide6": 240 '
    "modules read before the first paint, 30-40 ms at load 6. The cyclic garbage "
    "collector ran some 86 times during the imports (generations 0 and 1) and found "
    "nothing to free, 40-80 ms at load 6. `from PySide6.QtCore import Qt` builds every "
    "enum of Qt's namespace at once (some 30 ms quiet; every app that names `Qt` pays "
    "it).",
    "Cut in the third round (each proved by a test, never timed): (1) `kiosk.code_cache`: "
    "the methods `dataclasses` generates are compiled once, by a build step, and kept "
    "beside the kiosk's own bytecode (`kiosk/__pycache__/dataclass-code.cpython-311"
    ".marshal`), the very code `exec` makes of the same text (no inherited `__future__` "
    "flags; tests/kiosk/test_code_cache.py compares every generated method's code, "
    "defaults and annotations of the configuration, the events and the store's rows, "
    "compiled against cached, and shows a damaged, foreign or other-writable file "
    "ignored). It follows Python's own bytecode, so it adds no place where the kiosk's "
    "user could leave code for its next start: the installed kiosk's tree under /opt is "
    "root's and the package ships the file there, root's and read-only (packaging/deb/"
    "build.py runs `python -m kiosk.cli.build_cache` after compileall); at run time it is "
    "written only where Python would write bytecode (never with "
    "PYTHONDONTWRITEBYTECODE, never in the home or cache folder) and read only when "
    "root's or the user's own and writable by no one else. -440 M to ready; (2) the kiosk's own "
    "modules imported before PySide6 (`ui.app` takes Qt in with the window's modules; "
    "tests/ui/test_lazy_start.py), 121 source reads left (the window's modules and the "
    "standard modules they name), -55 M; (3) the collector held off from before the "
    "window's modules are imported until the store has settled, then what the start "
    "made frozen out of later collections (tests/kiosk/test_start_collector.py), -16 M "
    "in the probe. The probe starts as `kiosk demo` does: code cache, collector, then "
    "the kiosk before Qt. `make bench` builds the cache after compileall, so every start "
    "of the bench finds it, as every start of an installed kiosk finds the one its "
    "package shipped. Instructions to ready: 1,832 M → 1,311 M, 2.7× the floor's → 2.0×.",
    "Third round, alternating runs (each start over a floor run just before it), 10 each "
    "of the base (39987c4) and of the change, at load 8 on 2026-12-06, bytecode "
    "compiled: ready ÷ floor median 3.48× → 2.08×, p95 4.53× → 2.78×; in-probe imports "
    "median 1586 → 997 ms; again at load 6: median 2.88× → 2.24×, p95 4.04× → 2.78×, "
    "imports 944 → 637 ms. Two full section runs just after, at load 9 and 6: median "
    "2.52× and 2.37×, p95 3.44× and 3.11× (9 starts, so the p95 is nearly the slowest "
    "one: a start that waited for a core while its floor did not).",
    "The code cache moved beside the kiosk's bytecode and built by `make bench` (after "
    "compileall, as the package builds it): two full section runs at load 2 on "
    "2026-12-06, ready ÷ floor median 2.28× and 2.39×, p95 2.33× and 2.64×, in-probe "
    "imports median 205 and 252 ms; alternating with the file removed (so every start "
    "compiles the methods, PYTHONDONTWRITEBYTECODE=1 as here and on CI), two runs each "
    "at load 2-2.6: with the cache median 2.40× and 1.92×, p95 3.11× and 2.64×; without "
    "it 2.88× and 3.04×, p95 3.88× and 3.16×. Three more full runs on the final "
    "build step at load 3.5-4.6: median 2.56×, 2.25× and 1.85×, p95 3.48×, 3.04× and "
    "3.41× (9 starts: the p95 is nearly the slowest start, one that waited for a core "
    "while its floor did not).",
    "What is left, largest first: PySide6 itself and Qt's namespace of enums; the "
    "classes themselves (the dataclasses' fields processed, some 210 enums) and the "
    "kiosk's some 200 modules unmarshalled and run; the window (the kiosk's parts, the "
    "attract screen, the demo's cards); the first frame (the style sheet polishing the "
    "attract screen's widgets: setting the style sheet after building the window was "
    "tried and costs as much). A kiosk run from a checkout without the build step "
    "(or on another Python than its package's) compiles the methods as before.",
    "A card tapped before the store is open waits for it: its read needs the cached "
    "revocations. The page cache is warm after the first run; a first start after boot "
    "is slower.",
)
