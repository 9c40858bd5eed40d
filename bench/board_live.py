"""Benchmark: a counter's call → the board painted, and → the first clip of its announcement.

One central server (SQLite, the demo) with 50 counters (staff sessions calling
in turn, at the office's own "Loket 1" … "Loket 8", so several share each; a
counter serves the ticket it called before it calls again, untimed) and
20 boards connected: one a real headless chromium page that is measured, the
other 19 live streams read by threads, as TVs would hold them. A sample runs
from just before the counter's ``POST /api/v1/staff/queue/call-next`` to:

* **painted**: the measured board's DOM shows the number (``#now-number``),
  seen by a ``requestAnimationFrame`` poll in the page;
* **first clip**: the board's first clip of that call (the chime) is
  ``playing`` (a fresh board page, whose announcement queue is empty, and each
  announcement let finish before the next call).

The floor, measured in the same run the same way: a bare HTTP round trip
(``GET /health``) then a DOM update made from the test and seen by the same
poll. What is above the floor is the server's call, the event's way to the
board and the board's own work.

Run alone: ``.venv/bin/python -m bench.board_live [--quick]``.
"""

from __future__ import annotations

import itertools
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from bench.results import Benchmark, Measurement, ms_since

TITLE = "Office board: call next → board painted, → first announcement clip"
PAINT_GOAL_MS = 250.0
CLIP_GOAL_MS = 500.0
COUNTERS, QUICK_COUNTERS = 50, 5
BOARDS, QUICK_BOARDS = 20, 3
PAINTS, QUICK_PAINTS = 60, 5
CLIPS, QUICK_CLIPS = 12, 1
SERVICE = "puskesmas-umum"
OFFICE = "pku-mpp"
WAIT_MS = 30_000
SERVER_ARGS = ("--rate", "100000", "--burst", "100000", "--auth-rate", "100000")


def _stream(url: str, stop: threading.Event) -> None:
    """A TV's live stream, read until ``stop`` (each stream ends by itself; open it again)."""
    while not stop.is_set():
        try:
            with requests.get(f"{url}/events", stream=True, timeout=30) as stream:
                for _ in stream.iter_lines():
                    if stop.is_set():
                        return
        except requests.RequestException:
            stop.wait(0.5)


def run(quick: bool, progress: Callable[[str], None] = lambda _: None) -> list[Benchmark]:
    from playwright.sync_api import Page

    from central.access.staff import Role
    from central.database import Database
    from central.process import start_central
    from testkit.boards import issue, register_board
    from testkit.browser import chromium, fresh_context
    from testkit.centre_accounts import bearer, new_kiosk, new_staff
    from testkit.voices import short_recordings

    paints = QUICK_PAINTS if quick else PAINTS
    clips = QUICK_CLIPS if quick else CLIPS
    counters = QUICK_COUNTERS if quick else COUNTERS
    boards = QUICK_BOARDS if quick else BOARDS
    voice: tuple[str, ...] = ()
    recordings = Path(tempfile.mkdtemp(prefix="anjungan-voice-"))
    if quick:
        # The quick run checks the bench works, not the voice: short clips as the city's
        # recordings, so each announcement it waits out takes a moment, not six seconds.
        voice = ("--voice-dir", str(short_recordings(recordings)))
    central = start_central(seed_demo=True, extra_args=(*SERVER_ARGS, *voice))
    stop = threading.Event()
    try:
        db = Database(central.db_url)
        try:
            staff = [new_staff(db, central.url, Role.STAFF, OFFICE) for _ in range(counters)]
            admin = new_staff(db, central.url, Role.ADMIN, OFFICE)
            kiosk = new_kiosk(db, central.url)[1]
        finally:
            db.dispose()
        for _ in range(paints + clips + 2):
            issue(central.url, kiosk)
        streams = [
            threading.Thread(
                target=_stream, args=(register_board(central.url, admin), stop), daemon=True
            )
            for _ in range(boards - 1)
        ]
        for thread in streams:
            thread.start()
        progress(f"board: {counters} counters, {boards} boards connected")
        turn = itertools.cycle(range(counters))
        http = requests.Session()
        called_at: dict[str, str] = {}  # counter → the ticket called there

        def ready() -> int:
            """The next caller, its counter served of the ticket called there before (a
            counter calls only while it has none called): not timed."""
            n = next(turn)
            ticket = called_at.pop(str(1 + n % 8), None)
            if ticket is not None:
                http.post(
                    f"{central.url}/api/v1/staff/tickets/{ticket}/served",
                    headers=bearer(staff[n]),
                    timeout=10,
                ).raise_for_status()
            return n

        def call(n: int) -> str:
            counter = str(1 + n % 8)  # the office's own counters (Loket 1 … 8)
            answer = http.post(
                f"{central.url}/api/v1/staff/queue/call-next",
                json={"office_id": OFFICE, "service_id": SERVICE, "counter": counter},
                headers=bearer(staff[n]),
                timeout=10,
            )
            answer.raise_for_status()
            ticket = answer.json()["ticket"]
            called_at[counter] = ticket["ticket_id"]
            display: str = ticket["display"]
            return display

        def seen(page: Page, selector: str, attribute: str | None, value: str) -> None:
            page.wait_for_function(
                "([s, a, v]) => { const e = document.querySelector(s);"
                " return e && (a ? e.getAttribute(a) : e.textContent) === v; }",
                arg=[selector, attribute, value],
                polling="raf",
                timeout=WAIT_MS,
            )

        def floor(page: Page, i: int) -> float:
            start = time.perf_counter()
            http.get(f"{central.url}/health", timeout=10).raise_for_status()
            page.evaluate("v => { document.getElementById('clock').dataset.floor = v; }", str(i))
            seen(page, "#clock", "data-floor", str(i))
            return ms_since(start, time.perf_counter())

        paint_ms: list[float] = []
        clip_ms: list[float] = []
        floor_ms: list[float] = []
        with chromium() as browser:
            with fresh_context(browser) as context:
                tv = context.new_page()
                tv.goto(register_board(central.url, admin))
                seen(tv, "#board", "data-link", "online")
                for i in range(paints):
                    floor_ms.append(floor(tv, i))
                    n = ready()
                    start = time.perf_counter()
                    display = call(n)
                    seen(tv, "#now-number", None, display)
                    paint_ms.append(ms_since(start, time.perf_counter()))
                progress(f"board: painted p95 {Measurement('', '', tuple(paint_ms)).p95:.0f} ms")
            with fresh_context(browser) as context:
                tv = context.new_page()
                tv.goto(register_board(central.url, admin))
                seen(tv, "#board", "data-link", "online")
                log = "#announce-log"
                for _ in range(clips):
                    n = ready()
                    start = time.perf_counter()
                    display = call(n)
                    seen(tv, log, "data-announcing", display)
                    tv.wait_for_function(
                        "s => document.querySelector(s).dataset.nowPlaying === 'chime'",
                        arg=log,
                        polling="raf",
                        timeout=WAIT_MS,
                    )
                    clip_ms.append(ms_since(start, time.perf_counter()))
                    tv.wait_for_function(
                        "([s, d]) => document.querySelector(s)"
                        ".dataset.played.includes('done:' + d)",
                        arg=[log, display],
                        timeout=WAIT_MS,
                    )
                    tv.evaluate("s => { document.querySelector(s).dataset.nowPlaying = ''; }", log)
    finally:
        stop.set()
        central.stop()
        shutil.rmtree(recordings, ignore_errors=True)
    notes = (
        f"{counters} counters call in turn; {boards} boards hold a live stream "
        f"(one chromium page measured, {boards - 1} streams read by threads); "
        "one server process, SQLite.",
        "The first clip is timed to its `playing` event in headless chromium (audio to no "
        "device); each announcement ends before the next call.",
    )
    return [
        Benchmark(
            title=TITLE,
            measurements=(
                Measurement(
                    "call next → board painted",
                    "POST call-next to the number in the board's DOM (rAF poll).",
                    tuple(paint_ms),
                    PAINT_GOAL_MS,
                ),
                Measurement(
                    "call next → first clip playing",
                    "POST call-next to the chime's `playing` event on the board.",
                    tuple(clip_ms),
                    CLIP_GOAL_MS,
                ),
                Measurement(
                    "floor: HTTP round trip + DOM update",
                    "GET /health, then a DOM change seen by the same rAF poll.",
                    tuple(floor_ms),
                ),
            ),
            notes=notes,
        )
    ]


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    for bench in run(quick, lambda m: print(f"bench: {m}", file=sys.stderr, flush=True)):
        print(f"## {bench.title}")
        for m in bench.measurements:
            goal = f" (goal {m.goal_ms:.0f})" if m.goal_ms else ""
            print(
                f"- {m.what}: n={m.n} median {m.median:.1f} ms, p95 {m.p95:.1f} ms, "
                f"max {m.maximum:.1f} ms{goal}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
