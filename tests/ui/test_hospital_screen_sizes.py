"""The hospital's screens, portrait 1080×1920 and landscape 1920×1080, at the usual type
and in "A+": the doctors (with a full one and a notice), JKN or umum, the patient
keypad and its date of birth, the ticket with the doctor, and a Mobile JKN booking
with its doctor. Touch targets of at least 15 mm, nothing outside the window, every
text at least the body size, and WCAG 2.2 AA contrast (as tests/ui/test_layout_sizes.py
checks the other screens)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from contract.hospital import Payer
from kiosk.errors import SessionProblem
from kiosk.session import events
from kiosk.session.events import PatientKey
from kiosk.session.machine import Phase
from testkit.hospital_kiosk import OFFICE, POLI, doctor
from testkit.hospital_window import offline_hospital
from testkit.kiosk_window import button_with, click, wait_phase
from testkit.layout_checks import SIZES, layout_problems
from testkit.legibility import contrast_problems, text_size_problems
from testkit.todays_bookings import booking
from ui.theme import LARGER_TEXT, TypeScale, min_touch_px
from ui.window import KioskWindow

pytestmark = pytest.mark.timeout(120)

DOCTORS = (
    doctor(),
    doctor("s-budi", "dr. Budi Santoso Wiryawan Kusumadinata, Sp.PD-KGEH", left_jkn=0,
           left_non_jkn=0),
    # open whenever the test runs, as doctor() is: a doctor whose hours are over is closed
    # (DoctorToday.closed_at), and the walk below chooses her; her name as a schedule may
    # send it, without a space: wider than her tile, the payer screen and her ticket
    doctor("s-rina", "dr.RinaKartikaSariDewiWulandariKusumaningrumSpPDKGEH", starts="13:00",
           ends="23:59", left_jkn=0),
)  # fmt: skip


@pytest.fixture(params=sorted(SIZES))
def kiosk(request: pytest.FixtureRequest, tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    width, height = SIZES[str(request.param)]
    with offline_hospital(qtbot, tmp_path, DOCTORS, width=width, height=height) as window:
        yield window


def screens(qtbot: QtBot, kiosk: KioskWindow) -> Iterator[str]:
    c = kiosk.controller
    tap: Callable[[], None] = lambda: click(qtbot, button_with(kiosk, "Siti Aminah"))  # noqa: E731
    tap()
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    c.dispatch(events.ServiceSelected(POLI))
    wait_phase(qtbot, kiosk, Phase.DOCTOR)
    yield "doctors"
    c.dispatch(events.DoctorChosen("s-budi"))  # full: the notice in place
    yield "doctors, full"
    c.dispatch(events.DoctorChosen("s-rina"))
    wait_phase(qtbot, kiosk, Phase.PAYER)
    yield "payer"
    c.dispatch(events.PayerChosen(Payer.UMUM))
    wait_phase(qtbot, kiosk, Phase.FORM)
    c.dispatch(events.FormSubmitted({"phone": "081234567890"}))
    c.dispatch(events.Confirmed())
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    yield "ticket"
    c.dispatch(events.Finish())
    c.dispatch(events.Finish())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    c.dispatch(events.PatientSearchOpened())
    wait_phase(qtbot, kiosk, Phase.PATIENT_NUMBER)
    c.dispatch(events.PatientNumberEntered(PatientKey.NIK, "123"))
    assert c.session().problem is SessionProblem.PATIENT_NUMBER_INVALID
    yield "patient number, told"
    c.dispatch(events.PatientNumberEntered(PatientKey.NORM, "000123"))
    wait_phase(qtbot, kiosk, Phase.PATIENT_BIRTH)
    yield "patient birth"
    c.dispatch(events.Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
    today = c.now()
    mjkn = booking(
        today.date(),
        office_id=OFFICE,
        service_id=POLI,
        doctor="dr. Budi Santoso Wiryawan Kusumadinata, Sp.PD-KGEH",
        hours="08:00-14:00",
    )
    kiosk.kiosk.store.save_bookings(OFFICE, today.date(), [mjkn], etag=None, now=today)
    tap()
    wait_phase(qtbot, kiosk, Phase.APPOINTMENT)
    yield "mobile jkn booking"


@pytest.mark.parametrize("larger", [False, True])
def test_the_hospital_screens_fit_readable_with_finger_sized_targets(
    kiosk: KioskWindow, qtbot: QtBot, larger: bool
) -> None:
    dpi = kiosk.controller.config.kiosk.screen_dpi
    scale = TypeScale.at(dpi, LARGER_TEXT if larger else 1.0)
    size = (kiosk.width(), kiosk.height())
    seen = []
    for screen in screens(qtbot, kiosk):
        kiosk.controller.set_larger_text(larger)
        assert (kiosk.width(), kiosk.height()) == size, f"{screen}: the window had to grow"
        assert layout_problems(kiosk, min_touch_px(dpi)) == [], screen
        assert text_size_problems(kiosk, scale) == [], screen
        if not larger:
            assert contrast_problems(kiosk) == [], screen
        seen.append(screen)
    assert len(seen) == 7
