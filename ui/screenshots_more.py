"""Pictures of the screens outside the citizen's walk (#7): information, application
status, the operator's PIN pad and panel, the hospital desk, and the kiosk out of
service. Used by :mod:`ui.screenshots`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtWidgets import QApplication

from cardio.emulators.demo_cards import demo_card
from cardio.readers.simulated import SimulatedReader
from kiosk.config import Config
from kiosk.session.events import Cancel, Finish
from kiosk.session.machine import Phase
from offline_store import Store
from ui.app import build_window
from ui.screens.common import Screen
from ui.window import KioskWindow

#: The PIN of the pictures' kiosk (its hash is in the capture's configuration).
PIN = "1234"

Wait = Callable[[Callable[[], bool]], None]


def capture_overlays(app: QApplication, window: KioskWindow, out: Path, wait: Wait) -> list[Path]:
    saved: list[Path] = []
    controller, overlays = window.controller, window.overlays

    def save(name: str) -> None:
        for _ in range(5):
            app.processEvents()
        path = out / f"{name}.png"
        window.grab().save(str(path))
        saved.append(path)

    def loaded(screen: Screen) -> Callable[[], bool]:
        return lambda: overlays.current is screen and not getattr(screen, "loading", True)

    while controller.session().phase is not Phase.IDLE:
        controller.dispatch(Finish())
    overlays.open_information()
    wait(loaded(overlays.information))
    save("information")
    overlays.close()

    reader = window.kiosk.reader
    if isinstance(reader, SimulatedReader):
        reader.tap(demo_card("siti").applet())
        wait(lambda: controller.session().phase is Phase.IDENTIFIED)
        overlays.open_applications()
        wait(loaded(overlays.applications))
        save("status-berkas")
        controller.dispatch(Cancel())
        wait(lambda: controller.session().phase is Phase.IDLE)

    overlays.open_pin()
    for digit in PIN[:3]:
        overlays.pin.pad.press(digit)
    save("operator-pin")
    overlays.pin.pad.press(PIN[3])
    overlays.pin.pad.submit()
    wait(lambda: overlays.current is overlays.operator and overlays.operator.status is not None)
    save("operator-panel")
    overlays.close()
    return saved


@contextmanager
def _window(
    config: Config, store: Store, size: tuple[int, int], *, demo: bool, desk: bool = False
) -> Iterator[KioskWindow]:
    """A shown window on ``store``; stopped and closed with the store afterwards."""
    window = build_window(config, store, demo=demo, use_pcscd=False, desk=desk)
    try:
        window.resize(*size)
        window.show()
        yield window
    finally:
        window.shut_down()
        store.close()


def _grab(app: QApplication, window: KioskWindow, path: Path) -> Path:
    for _ in range(5):
        app.processEvents()
    window.grab().save(str(path))
    return path


def capture_desk(
    app: QApplication,
    config: Config,
    out: Path,
    wait: Wait,
    size: tuple[int, int] = (1400, 900),
    *,
    enrolment_code: str,
) -> Path:
    """The hospital desk at the demo hospital: Siti's card tapped, her record found."""
    data_dir = Path(config.kiosk.data_dir) / "desk"
    config = dataclasses.replace(
        config,
        kiosk=dataclasses.replace(config.kiosk, data_dir=str(data_dir), office_id="rsud-pku"),
        central=dataclasses.replace(config.central, enrolment_code=enrolment_code),
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    with _window(config, Store.open(config.store_path), size, demo=True, desk=True) as window:
        controller, desk = window.controller, window.desk
        wait(lambda: controller.status().catalog is not None)
        assert desk is not None  # noqa: S101
        wait(lambda: desk.doctor.count() > 0)  # today's doctors, from the centre
        reader = window.kiosk.reader
        if isinstance(reader, SimulatedReader):
            reader.tap(demo_card("siti").applet())  # the desk finds the card's holder
            wait(lambda: desk.patient is not None)
            wait(lambda: controller.session().phase is Phase.IDLE)
        return _grab(app, window, out / "desk.png")


def capture_out_of_service(
    app: QApplication, config: Config, out: Path, wait: Wait, size: tuple[int, int] = (900, 1200)
) -> Path:
    """The attract screen of a kiosk whose store file is broken (opened as ``kiosk run`` does)."""
    config.store_path.parent.mkdir(parents=True, exist_ok=True)
    config.store_path.write_bytes(b"not a database: a file cut short by a power failure" * 100)
    store = Store.open(config.store_path, deferred=True)
    with _window(config, store, size, demo=False) as window:
        wait(lambda: window.controller.status().store_failure is not None)
        return _grab(app, window, out / "out-of-service.png")
