"""Pictures of the "A+" larger-text mode and of the form's choice fields (#15).

Called by :mod:`ui.screenshots` after the touchscreen pictures, on the same
running demo, in both orientations and both languages:

- the A+ mode through the walk: the attract screen with "A+" pressed, then the
  services, the form, the confirmation and the ticket at 1.5 times the type
  (``larger-<screen>-<orientation>-<lang>.png``);
- a short choice as big tiles (the e-KTP reprint's "Alasan", one chosen) and a
  long one's full-screen list (the micro business permit's "Jenis usaha")
  (``form-choice-tiles-…`` and ``form-choice-list-…``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication

from cardio.emulators.demo_cards import demo_card
from cardio.readers.simulated import SimulatedReader
from kiosk.session.events import (
    Confirmed,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    ServiceSelected,
)
from kiosk.session.machine import Phase, ticket_settled
from ui.screens.choice import ChoiceField
from ui.screens.form import FormScreen
from ui.screenshots_touch import Camera
from ui.window import KioskWindow

Wait = Callable[[Callable[[], bool]], None]


def capture_larger(app: QApplication, window: KioskWindow, out: Path, wait: Wait) -> list[Path]:
    controller = window.controller
    camera = Camera(app, window, out, wait)
    saved = camera.saved
    settle, shots, to_idle = camera.settle, camera.shots, camera.to_idle
    size = window.size()
    reader = window.kiosk.reader
    if not isinstance(reader, SimulatedReader):
        raise RuntimeError("the screenshots need the demo's simulated reader")

    def form_of(service_id: str) -> FormScreen:
        to_idle()
        reader.tap(demo_card("siti").applet())
        wait(lambda: controller.session().phase is Phase.IDENTIFIED)
        controller.dispatch(ServiceSelected(service_id))
        controller.dispatch(FormOpened())
        wait(lambda: controller.session().phase is Phase.FORM)
        form = window.screens[Phase.FORM]
        assert isinstance(form, FormScreen)  # noqa: S101
        return form

    # A short choice: tiles on the form, one chosen.
    form = form_of("ktp-cetak-ulang")

    def choose_lost() -> None:
        reason = form.editors["reason"]
        assert isinstance(reason, ChoiceField)  # noqa: S101
        reason.choose("Hilang")

    shots("form-choice-tiles", choose_lost)
    # A long choice: its full-screen list, opened from the form.
    form = form_of("izin-usaha-mikro")

    def open_list() -> None:
        kind = form.editors["business_kind"]
        assert isinstance(kind, ChoiceField)  # noqa: S101
        form.open_choices(kind)

    shots("form-choice-list", open_list)
    form.choice_list.close_list()

    # A+: pressed on the attract screen, kept through the walk until the end.
    to_idle()
    window.toggle_larger_text()
    wait(lambda: window.view.larger_text)
    shots("larger-attract", lambda: window.attract.show_time(controller.now(), window.view.lang))
    reader.tap(demo_card("siti").applet())
    wait(lambda: controller.session().phase is Phase.IDENTIFIED)
    shots("larger-services")
    controller.dispatch(ServiceSelected("puskesmas-umum"))
    controller.dispatch(FormOpened())
    wait(lambda: controller.session().phase is Phase.FORM)
    shots("larger-form")
    controller.dispatch(FormSubmitted({"phone": "081234567890", "complaint": "Demam dua hari"}))
    wait(lambda: controller.session().phase is Phase.CONFIRMING)
    shots("larger-confirm")
    controller.dispatch(Confirmed())
    wait(lambda: controller.session().phase is Phase.CONSENT)
    shots("larger-consent")
    controller.dispatch(NotifyAnswered(controller.session().session, False))
    wait(lambda: ticket_settled(controller.session()))
    shots("larger-ticket")
    to_idle()  # back at rest: the usual size again
    window.resize(size)
    settle()
    return saved
