"""Where a tap's time goes: frames, paints and layout passes per step, and a profile.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.walk_probe --central-url URL
    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.walk_probe   # a demo centre of its own

Builds the real window on the demo defaults (as :mod:`bench.tap_to_ticket`),
walks ``--rounds`` citizens from the tap to the ticket and, for every step
(the screen the step shows), counts on the GUI thread:

- frames: update requests the top-level window handled (each one is a frame);
- paints: paint events delivered to any widget (one frame paints many widgets);
- screen paints: paint events of the screen the step shows;
- layouts: layout requests handled (each one is a layout pass of one widget).

The counts are those of the last round (the first one builds what is used
once); Python's garbage collections over all the rounds are counted and timed.
With ``--profile``, the GUI thread's work over all the rounds but the first is
profiled with :mod:`cProfile` and the top entries by own and by cumulative time
are printed: the work between a tap and its frame.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import gc
import io
import os
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from bench.tap_to_ticket import Driver, demo_kiosk
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.demo_cards import demo_card
from kiosk.session.events import Confirmed, FormOpened, NotifyAnswered, ServiceSelected
from kiosk.session.machine import Phase, ticket_settled
from testkit.demo_kiosk import DEMO_CARD, SERVICE_ID

#: The steps of the walk, by the phase each one shows.
STEPS = (
    Phase.IDENTIFIED,
    Phase.SERVICE_CHOSEN,
    Phase.FORM,
    Phase.CONFIRMING,
    Phase.CONSENT,
    Phase.TICKET_ISSUED,
)


class Collections:
    """Python's garbage collections while installed: count and time per generation."""

    def __init__(self) -> None:
        self.count: Counter[int] = Counter()
        self.ms: dict[int, float] = {}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation = info["generation"]
            self.count[generation] += 1
            took = (time.perf_counter() - self._started) * 1000
            self.ms[generation] = self.ms.get(generation, 0.0) + took

    def __enter__(self) -> Collections:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self)


class EventCount(QObject):
    """Application event filter: counts frames, paints and layout passes."""

    def __init__(self, window: QWidget) -> None:
        super().__init__()
        self.window = window
        self.frames = 0
        self.paints: Counter[QObject] = Counter()
        self.layouts = 0

    def reset(self) -> None:
        self.frames, self.layouts = 0, 0
        self.paints.clear()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Paint:
            self.paints[watched] += 1
        elif kind == QEvent.Type.LayoutRequest:
            self.layouts += 1
        elif kind == QEvent.Type.UpdateRequest and watched is self.window:
            self.frames += 1
        return False


@dataclasses.dataclass(frozen=True)
class StepCount:
    phase: Phase
    frames: int
    paints: int
    screen_paints: int
    layouts: int


def walk(driver: Driver, counter: EventCount) -> list[StepCount]:
    """One citizen from the tap to the ticket; the counts of each step."""
    window = driver.window
    counts: list[StepCount] = []

    def settle(phase: Phase) -> None:
        driver.reach(phase)
        if phase is Phase.TICKET_ISSUED:  # and the print's outcome on it
            driver.wait(lambda: ticket_settled(window.controller.session()), "the print")
        # the frame after the step, and nothing queued behind it
        for _ in range(20):
            driver.app.processEvents()
        screen = window.screens[phase]
        counts.append(
            StepCount(
                phase,
                counter.frames,
                sum(counter.paints.values()),
                counter.paints[screen],
                counter.layouts,
            )
        )
        counter.reset()

    steps: list[tuple[Phase, Callable[[], None]]] = [
        (Phase.IDENTIFIED, lambda: driver.reader.tap(_applet())),
        (Phase.SERVICE_CHOSEN, lambda: window.dispatch(ServiceSelected(SERVICE_ID))),
        (Phase.FORM, lambda: window.dispatch(FormOpened())),
        (Phase.CONFIRMING, driver._fill_and_submit_form),
        (Phase.CONSENT, lambda: window.dispatch(Confirmed())),
        (
            Phase.TICKET_ISSUED,
            lambda: window.dispatch(NotifyAnswered(window.controller.session().session, True)),
        ),
    ]
    driver.stamps.reset()
    for phase, act in steps:
        counter.reset()
        act()
        settle(phase)
    driver._finish()
    return counts


def _applet() -> CitizenCardApplet:
    return demo_card(DEMO_CARD).applet()


def probe(central_url: str, rounds: int, profile: bool, top: int) -> str:
    """Walk ``rounds`` citizens; the counts of the last and, with ``profile``, the profile."""
    out = io.StringIO()
    with demo_kiosk(central_url, "anjungan-walk-probe-") as (app, window, driver, _):
        driver.booking(None)  # no appointment: the walk to a ticket
        counter = EventCount(window)
        app.installEventFilter(counter)
        walk(driver, counter)  # the first use of every screen and of the renderer
        profiler = cProfile.Profile() if profile else None
        counts: list[StepCount] = []
        with Collections() as collections:
            for _ in range(rounds):
                if profiler is not None:
                    profiler.enable()
                counts = walk(driver, counter)
                if profiler is not None:
                    profiler.disable()
        app.removeEventFilter(counter)
    print("step                 frames  paints  screen-paints  layouts", file=out)
    for c in counts:
        print(
            f"{c.phase.value:<20} {c.frames:>6} {c.paints:>7} {c.screen_paints:>14} {c.layouts:>8}",
            file=out,
        )
    if not collections.count:
        print(f"gc: no collection in {rounds} walks", file=out)
    for generation in sorted(collections.count):
        print(
            f"gc generation {generation}: {collections.count[generation]} collections, "
            f"{collections.ms[generation]:.1f} ms in {rounds} walks",
            file=out,
        )
    if profiler is not None:
        for key in ("tottime", "cumulative"):
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.strip_dirs().sort_stats(key).print_stats(top)
            print(f"\n-- GUI thread, {rounds} walks, by {key} --", file=out)
            out.write(text.getvalue())
    return out.getvalue()


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--central-url", help="a running centre (default: start a demo one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.central_url:
        print(probe(args.central_url, args.rounds, args.profile, args.top))
        return 0
    from central.process import start_central
    from testkit.centres import LOOSE_SERVER_ARGS

    central = start_central(seed_demo=True, extra_args=LOOSE_SERVER_ARGS)
    try:
        print(probe(central.url, args.rounds, args.profile, args.top))
    finally:
        central.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
