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

With ``--greeting N``, N taps instead (each back to rest, no ticket), and the
median of when each part of the way from the tap to the greeting painted
happened, in ms after the tap: the tap and the read's answer handled on the GUI
thread (``CardTapped``, ``CardRead``, each begun and done), the card read on its
worker (``read_identity`` begun and done, the cached bookings), the greeting's
frame (the window's update request begun, its first paint, the greeting label's
paint, its last paint) and its end as the bench stamps it, and the city record's
answer (``RecordFound``).
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


class Marks:
    """The first ``perf_counter()`` of each named moment of one tap (any thread)."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}

    def __call__(self, name: str) -> None:
        self.at.setdefault(name, time.perf_counter())


class FrameMarks(QObject):
    """Application event filter: the greeting's frame, its first and last paints."""

    def __init__(self, window: QWidget, greeting: QWidget, marks: Marks) -> None:
        super().__init__()
        self.window, self.greeting, self.marks = window, greeting, marks

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        at = self.marks.at
        if "CardRead>" not in at or "greeted" in at:
            return False
        kind = event.type()
        if kind == QEvent.Type.UpdateRequest and watched is self.window:
            self.marks("frame begun")
        elif kind == QEvent.Type.Paint and "frame begun" in at:
            self.marks("first paint")
            at["last paint"] = time.perf_counter()
            if watched is self.greeting:
                self.marks("greeting label painted")
        return False


def greeting_parts(central_url: str, taps: int) -> str:
    """``taps`` taps to the greeting and back; the median ms of each part after the tap."""
    import statistics

    import kiosk.controller
    from cardio.card import citizen_card
    from kiosk.session.events import Cancel

    marks = Marks()
    parts: dict[str, list[float]] = {}
    real_read = citizen_card.read_identity

    def read_identity(*args: object, **kwargs: object) -> object:
        marks("read_identity begun")
        try:
            return real_read(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            marks("read_identity done")

    # the controller's own name for it, as a test's monkeypatch would set it
    setattr(kiosk.controller, "read_identity", read_identity)  # noqa: B010
    try:
        with demo_kiosk(central_url, "anjungan-walk-probe-") as (app, window, driver, _):
            driver.booking(None)  # no appointment: the greeting
            controller = window.controller
            dispatch, bookings = controller.dispatch, controller._bookings.of_holder

            def marked_dispatch(event: object) -> None:
                name = type(event).__name__
                marks(f"{name}<")
                dispatch(event)  # type: ignore[arg-type]
                marks(f"{name}>")

            def marked_bookings(*args: object, **kwargs: object) -> object:
                marks("bookings begun")
                try:
                    return bookings(*args, **kwargs)  # type: ignore[arg-type]
                finally:
                    marks("bookings done")

            controller.dispatch = marked_dispatch  # type: ignore[method-assign]
            setattr(controller._bookings, "of_holder", marked_bookings)  # noqa: B010
            frames = FrameMarks(window, driver.greeting.label, marks)
            app.installEventFilter(frames)
            for i in range(taps + 1):  # the first one builds what is used once
                marks.at.clear()
                driver.stamps.reset()
                driver.greeting.arm()
                tapped = time.perf_counter()
                driver.reader.tap(_applet())
                driver.reach(Phase.IDENTIFIED)
                driver.wait(lambda: driver.greeting.at is not None, "the greeting painted")
                marks.at["greeted (the bench's stamp)"] = driver.greeting.at or tapped
                driver.wait(lambda: not controller.session().record_pending, "the record")
                if i:
                    for name, at in marks.at.items():
                        parts.setdefault(name, []).append((at - tapped) * 1000)
                window.dispatch(Cancel())
                driver.reach(Phase.IDLE)
                driver.reader.remove()
                for _ in range(20):
                    app.processEvents()
            app.removeEventFilter(frames)
    finally:
        setattr(kiosk.controller, "read_identity", real_read)  # noqa: B010
    out = io.StringIO()
    print(f"ms after the tap, median of {taps} taps (n: taps in which it happened)", file=out)
    for name, values in sorted(parts.items(), key=lambda kv: statistics.median(kv[1])):
        print(f"{name:<30} {statistics.median(values):7.2f}  n={len(values)}", file=out)
    return out.getvalue()


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--central-url", help="a running centre (default: start a demo one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--greeting", type=int, metavar="N", help="N taps: the parts of the way to the greeting"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    def run(url: str) -> str:
        if args.greeting:
            return greeting_parts(url, args.greeting)
        return probe(url, args.rounds, args.profile, args.top)

    if args.central_url:
        print(run(args.central_url))
        return 0
    from central.process import start_central
    from testkit.centres import LOOSE_SERVER_ARGS

    central = start_central(seed_demo=True, extra_args=LOOSE_SERVER_ARGS)
    try:
        print(run(central.url))
    finally:
        central.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
