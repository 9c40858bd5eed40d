"""Run the benchmarks and write the report.

    .venv/bin/python -m bench [--quick] [--out docs/benchmarks.md]

One central server with the demo data is started for the whole run and
stopped at the end, whatever happens. Qt renders offscreen.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import (
    LOOSE_LIMITS,
    board_live,
    booking_load,
    call_next,
    card_read,
    card_read_nfc,
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
    return parser.parse_args(argv)


def _progress(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run_all(quick: bool) -> list[Benchmark]:
    from central.process import start_central

    runs = startup.QUICK_RUNS if quick else startup.RUNS
    rounds = tap_to_ticket.QUICK_ROUNDS if quick else tap_to_ticket.ROUNDS
    central = start_central(seed_demo=True, extra_args=LOOSE_LIMITS)
    try:
        _progress(f"central server at {central.url}")
        benchmarks = [
            startup.run(central.url, runs, _progress),
            tap_to_ticket.run(central.url, rounds, _progress),
            *card_read.run(quick, _progress),
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
    host = report.machine()
    benchmarks = run_all(args.quick)
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
