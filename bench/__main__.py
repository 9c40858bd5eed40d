"""Run the benchmarks and write the report.

    .venv/bin/python -m bench [--quick] [--out docs/benchmarks.md] [--only NAME ...]
                              [--skip NAME ...]

One central server with the demo data is started for the whole run and
stopped at the end, whatever happens. Qt renders offscreen. With ``--only``, just
the named benchmarks run (those that start servers of their own), and their
sections replace the same sections of the existing report, each marked with its
own date and commit; the rest of the file stays as it was. With ``--skip``, a whole
run leaves the named benchmarks out, each section saying so (the test suite runs the
card read, which needs the host's one pcscd, alone with ``--only card-read``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import (
    board_live,
    booking_load,
    call_next,
    card_read,
    card_read_nfc,
    central_scale,
    dashboard_render,
    fleet_load,
    outbox_drain,
    printing,
    report,
    startup,
    store,
    sync,
    tap_to_ticket,
)
from bench.results import Benchmark
from testkit.centres import LOOSE_SERVER_ARGS

Run = Callable[[bool, Callable[[str], None]], list[Benchmark]]
#: The benchmarks ``--only`` can run alone: each starts what it measures itself.
ALONE: dict[str, Run] = {
    "card-read": card_read.run,
    "fleet": fleet_load.run,
    "scale": central_scale.run,
    "sync": sync.run,
    "drain": sync.run_drain,
    "dashboard": dashboard_render.run,
    "call-next": call_next.run,
    "board": board_live.run,
    "booking": booking_load.run,
    "render": printing.render_only,
    "walk": tap_to_ticket.run_alone,
    "startup": startup.run_alone,
}

#: What ``--skip`` can leave out of a whole run, by the title of its section.
SKIPPABLE = {"card-read": card_read.TITLE}

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"fewer repetitions ({startup.QUICK_RUNS} starts, "
        f"{tap_to_ticket.QUICK_ROUNDS} tickets, {card_read.QUICK_TAPS} card reads), "
        "for a smoke test",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="where to write the report (default: docs/benchmarks.md)",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(ALONE),
        metavar="NAME",
        help="run only this benchmark (repeat for several) and replace its sections of "
        f"the existing report; one of: {', '.join(sorted(ALONE))}",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=sorted(SKIPPABLE),
        metavar="NAME",
        help="leave this benchmark out of a whole run (its section says so); "
        f"one of: {', '.join(sorted(SKIPPABLE))}",
    )
    return parser.parse_args(argv)


_STARTED = time.monotonic()


def _progress(message: str) -> None:
    """A line on standard error, with the seconds since the run began: what each part took."""
    print(f"bench: {time.monotonic() - _STARTED:6.1f} s  {message}", file=sys.stderr, flush=True)


def _skipped(name: str) -> list[Benchmark]:
    note = f"Skipped: left out on request (`--skip {name}`); `--only {name}` runs it alone."
    return [Benchmark(SKIPPABLE[name], (), (note,))]


def run_all(quick: bool, skip: Sequence[str] = ()) -> list[Benchmark]:
    from central.process import start_central

    runs = startup.QUICK_RUNS if quick else startup.RUNS
    rounds = tap_to_ticket.QUICK_ROUNDS if quick else tap_to_ticket.ROUNDS
    central = start_central(seed_demo=True, extra_args=LOOSE_SERVER_ARGS)
    try:
        _progress(f"central server at {central.url}")
        benchmarks = [
            startup.run(central.url, runs, _progress),
            tap_to_ticket.run(central.url, rounds, _progress),
            *(_skipped("card-read") if "card-read" in skip else card_read.run(quick, _progress)),
            *card_read_nfc.run(quick, _progress),
            *printing.run(quick, _progress),
            *store.run(quick, _progress),
            *outbox_drain.run(central.url, quick, _progress),
        ]
    finally:
        central.stop()
    # After the demo server stops: the fleet, the sync engine, the dashboard, the
    # counters, the boards and the booking page get servers of their own.
    return [
        *benchmarks,
        *fleet_load.run(quick, _progress),
        *central_scale.run(quick, _progress),
        *sync.run(quick, _progress),
        *dashboard_render.run(quick, _progress),
        *call_next.run(quick, _progress),
        *board_live.run(quick, _progress),
        *booking_load.run(quick, _progress),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    out: Path = args.out
    # Before any QApplication exists, here and in every probe.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    date = report.utc_now()
    commit = report.git_commit(ROOT, ignore=out)
    if args.only:
        found = [b for name in args.only for b in ALONE[name](args.quick, _progress)]
        old = out.read_text(encoding="utf-8") if out.exists() else ""
        text = report.splice(old, found, commit=commit, date=date, quick=args.quick)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        _progress(f"wrote {len(found)} sections into {out}")
        return 0
    host = report.machine()
    benchmarks = run_all(args.quick, args.skip)
    text = report.render(benchmarks, host=host, commit=commit, date=date, quick=args.quick)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    _progress(f"wrote {out}")
    if host.emit_defect.startswith("yes"):
        _progress(
            "warning: this PySide6 loses a reference to True on every Signal.emit(); "
            "if Python now aborts with 'bool_dealloc' on exit, that is the cause "
            "(see the machine table in the report)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
