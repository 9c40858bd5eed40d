"""One way for the UI tests to open the real kiosk window, and to drive it."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from central.settings import DEMO_ENROLMENT_CODE
from contract.bookings import BookingToday
from kiosk.config import (
    CentralSection,
    Config,
    KioskSection,
    PrinterSection,
    SessionSection,
    SyncSection,
)
from kiosk.controller import KioskController
from kiosk.session.events import OtherServices
from kiosk.session.machine import Phase, ticket_settled
from offline_store import Store
from offline_store.models import OutboxItem, OutboxState
from ui.app import build_window
from ui.screens.wrapping import BREAK, WrappingText
from ui.window import KioskWindow

#: Siti's name, NIK, card number, the phone in her city record and the one she types:
#: what no screen may still show once her session is over.
SITI_STRINGS = (
    "Siti",
    "Aminah",
    "1471015203850001",
    "PKU-000001",
    "081378901234",
    "081234567890",
)


def closed_port() -> int:
    """A loopback port nobody listens on (an unreachable central server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: The city record's deadline for a test that asserts what the record fills in (the
#: phone "dari data kota", the keyboard opening on the first field left to type): the
#: kiosk's own 1.5 s can pass on a loaded machine, and the form is then one the test
#: does not describe. A bound, never a speed: the answer ends the wait.
RECORD_DEADLINE_S = 15.0


def demo_config(
    tmp_path: Path,
    url: str,
    *,
    timeout_s: float = 3.0,
    session: SessionSection | None = None,
    record_deadline_s: float | None = None,
) -> Config:
    """The demo's configuration in ``tmp_path``: PDF tickets, the DEMO enrolment code.

    ``record_deadline_s``: the city record's deadline, for a test that asserts what the
    record fills in (:data:`RECORD_DEADLINE_S`); None: the kiosk's, for a test of a
    late one."""
    tickets = tmp_path / "tickets"
    tickets.mkdir(exist_ok=True)
    sync = SyncSection()
    if record_deadline_s is not None:
        sync = SyncSection(lookup_deadline_s=record_deadline_s)
    return Config(
        kiosk=KioskSection(data_dir=str(tmp_path / "data")),
        printer=PrinterSection(output_dir=str(tickets)),
        central=CentralSection(url=url, timeout_s=timeout_s, enrolment_code=DEMO_ENROLMENT_CODE),
        session=session or SessionSection(),
        sync=sync,
    )


def offline_config(tmp_path: Path, *, timeout_s: float = 0.5) -> Config:
    """The demo's configuration with no central server (a closed port): offline at once."""
    return demo_config(tmp_path, f"http://127.0.0.1:{closed_port()}", timeout_s=timeout_s)


@contextmanager
def running_kiosk(
    qtbot: QtBot,
    config: Config,
    *,
    height: int = 1200,
    width: int = 900,
    stop_timeout_ms: int = 3000,
    clock: Callable[[], float] = time.monotonic,
    show: bool = True,
    deferred_store: bool = False,
    demo: bool = True,
) -> Iterator[KioskWindow]:
    """The demo window (simulated reader only) on ``config``, shown unless told not
    to; closed afterwards. ``deferred_store``: as ``kiosk run`` opens it, once the
    window is painted. ``demo`` False: an office's kiosk, without the demo's cards."""
    store = Store.open(config.store_path, deferred=deferred_store)
    window = build_window(config, store, demo=demo, use_pcscd=False, clock=clock)
    qtbot.addWidget(window)
    window.resize(width, height)
    if show:
        window.show()
    try:
        yield window
    finally:
        window.shut_down(stop_timeout_ms)
        store.close()


#: How long a test waits for a kiosk's first catalog. The kiosk's own call to the centre
#: has a 3 s deadline and, timed out on a loaded machine, is tried again after a pause:
#: this bounds a wait that ends as soon as the catalog is there, never a speed.
CATALOG_WAIT_MS = 30_000
#: How long :func:`wait_phase` waits for a step of a walk: a step may wait on the centre
#: (a 3 s deadline) or the city record (1.5 s), longer on a loaded machine. A bound on
#: a wait that ends when the step is done, never a speed.
PHASE_WAIT_MS = 20_000


def wait_for_catalog(qtbot: QtBot, controller: KioskController) -> None:
    """Wait until the kiosk of ``controller`` holds a catalog (its first sync is done)."""
    qtbot.waitUntil(lambda: controller.status().catalog is not None, timeout=CATALOG_WAIT_MS)


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def tap(widget: QWidget, pressed_ms: int) -> None:
    """A finger's tap at ``widget``'s centre, touching at ``pressed_ms`` for 10 ms: real
    mouse events with the timestamps a touchscreen gives them, delivered where the
    platform delivers them, to the window's ``QWindow``, which hands them to the widget."""
    top = widget.window()
    handle = top.windowHandle()
    assert handle is not None, "the window is shown"
    centre = QPointF(widget.mapTo(top, widget.rect().center()))
    where = QPointF(widget.mapToGlobal(widget.rect().center()))
    for kind, stamp, buttons in (
        (QEvent.Type.MouseButtonPress, pressed_ms, Qt.MouseButton.LeftButton),
        (QEvent.Type.MouseButtonRelease, pressed_ms + 10, Qt.MouseButton.NoButton),
    ):
        event = QMouseEvent(
            kind, centre, where, Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier
        )
        event.setTimestamp(stamp)
        QApplication.sendEvent(handle, event)


def button_with(window: KioskWindow, text: str) -> QPushButton:
    visible = [b for b in window.findChildren(QPushButton) if b.isVisible() and text in b.text()]
    assert len(visible) == 1, f"expected one visible button with {text!r}"
    return visible[0]


def cache_booking(window: KioskWindow, booking: BookingToday) -> None:
    """Make ``booking`` the kiosk's cached bookings of its day, as its sync engine does
    with a list the centre sent (the engine's next fetch replaces it)."""
    now = window.controller.now()
    window.kiosk.store.save_bookings(booking.office_id, now.date(), [booking], etag=None, now=now)


def undelivered(store: Store) -> list[OutboxItem]:
    """The outbox items still to go: ``pending``, or ``sending`` while the sync
    engine's attempt at an unreachable centre is under way (it may be at any moment)."""
    waiting = (OutboxState.PENDING, OutboxState.SENDING)
    return [item for state in waiting for item in store.outbox(state)]


def wait_phase(qtbot: QtBot, window: KioskWindow, phase: Phase) -> None:
    """Wait until the session is in ``phase``.

    Waiting for the service grid (``identified``) goes past an appointment shown
    first, as a citizen taps "Layanan lain": the demo centre books Siti and Budi for
    today, and whether a tap shows the appointment depends on whether the kiosk's
    sync engine has fetched the bookings yet. Tests of the appointment wait for
    ``appointment`` itself. Waiting for the greeting waits for the city record too (the
    greeting is shown before it comes; a tile tapped meanwhile waits for it, and a
    test's next tap expects its screen at once). Waiting for the ticket
    (``ticket_issued``) waits for the print's outcome too: the number is shown as soon
    as it is kept, the paper after.
    """
    controller = window.controller
    if phase is Phase.IDENTIFIED:
        shown = (Phase.IDENTIFIED, Phase.APPOINTMENT)
        qtbot.waitUntil(
            lambda: controller.session().phase in shown and not controller.session().record_pending,
            timeout=PHASE_WAIT_MS,
        )
        if controller.session().phase is Phase.APPOINTMENT:
            controller.dispatch(OtherServices())
    qtbot.waitUntil(lambda: controller.session().phase is phase, timeout=PHASE_WAIT_MS)
    if phase is Phase.TICKET_ISSUED:
        qtbot.waitUntil(lambda: ticket_settled(controller.session()), timeout=PHASE_WAIT_MS)


def wrapping_caches(label: WrappingText) -> list[str]:
    """The texts a wrapping label keeps to size itself: the words it measured, and the
    words its size hints were made for."""
    measured = "".join(piece for piece, _ in label._measured)
    made_for = label._hints_for[0] if label._hints_for is not None else ""
    return [label._measured_for or "", measured, str(made_for)]


def visible_strings(window: KioskWindow) -> str:
    texts = [label.text() for label in window.findChildren(QLabel)]
    texts += [field.text() for field in window.findChildren(QLineEdit)]
    texts += [area.toPlainText() for area in window.findChildren(QPlainTextEdit)]
    return "\n".join(texts)


def every_string(window: KioskWindow) -> str:
    """Every text the widget tree holds, shown or not: labels (what they were given and
    what they paint, a wrapping label's breaks taken out, and what it measured), fields,
    buttons, combo and view items, titles, tooltips, accessible names, placeholders (not
    the demo's card buttons)."""
    texts = [window.windowTitle()]
    for w in [window, *window.findChildren(QWidget)]:
        if w.property("demo"):
            continue  # the demo's simulated cards carry their holders' names by design
        texts += [w.toolTip(), w.statusTip(), w.whatsThis(), w.accessibleName()]
        texts += [w.accessibleDescription(), w.windowTitle()]
        if isinstance(w, QLabel):
            texts += [w.text(), QLabel.text(w).replace(BREAK, "")]
            if isinstance(w, WrappingText):
                texts += wrapping_caches(w)
        elif isinstance(w, QLineEdit):
            texts += [w.text(), w.placeholderText(), w.displayText()]
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            texts += [w.toPlainText(), w.placeholderText()]
        elif isinstance(w, QAbstractButton):
            texts.append(w.text())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
            texts.append(w.currentText())
        if isinstance(w, QAbstractItemView) and (model := w.model()) is not None:
            top = QModelIndex()
            # A list widget's model keeps its columnCount private: one column.
            columns = 1 if isinstance(w, QListWidget) else model.columnCount(top)
            for row in range(model.rowCount(top)):
                for col in range(columns):
                    texts.append(str(model.data(model.index(row, col)) or ""))
    return "\n".join(t for t in texts if t)
