"""Every screen, portrait 1080×1920 and landscape 1920×1080, at the usual type and in
the "A+" larger-text mode: touch targets of at least 15 mm at the configured DPI,
nothing clipped off the window, every text at least the body size (titles their
level), and every painted text with WCAG 2.2 AA contrast.

Words that come from live data (the queue on the tiles and the detail, the
information screen, a ticket, a complaint's reference) are checked at their
longest in a busy office, set here: not at whatever the demo centre, shared with
the other tests, happens to hold."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from contract.wire import ServiceQueue, Ward
from kiosk.client.info import DoctorOnDuty, HealthInfo, QueueState
from kiosk.lookups.information import Information
from kiosk.session.events import (
    Back,
    Cancel,
    ComplaintOpened,
    ComplaintReceipt,
    Confirmed,
    Finish,
    FormOpened,
    FormSubmitted,
    IssuedTicket,
    NotifyAnswered,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from testkit.clocks import ManualClock
from testkit.kiosk_window import (
    button_with,
    cache_booking,
    click,
    demo_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from testkit.layout_checks import SIZES, layout_problems, wider_than
from testkit.legibility import contrast_problems, text_size_problems
from testkit.screen_walk import (
    queue_answered,
    tap_larger_text,
    tap_to_services,
    visit_every_problem_screen,
    visit_every_screen,
)
from testkit.todays_bookings import booking
from ui.screens.services import shown_services
from ui.theme import LARGER_TEXT, TypeScale, min_text_px, min_touch_px
from ui.window import KioskWindow

#: The longest live values a busy office shows. A queue's number: a poli's BPJS code
#: (three letters) and a fourth digit, past 999 tickets in a day.
LONGEST_NUMBER = "INT-1234"
MOST_WAITING = 999
LONGEST_WAIT_MINUTES = 999
#: A doctor with a long name, her titles and a sub-specialty, in a long room's name.
LONGEST_DOCTOR = DoctorOnDuty(
    name="dr. Raden Ajeng Kartika Sari Dewi Wulandari Kusumaningrum, Sp.PD-KGEH, FINASIM",
    specialty="Penyakit Dalam Konsultan Gastroenterologi Hepatologi",
    room="Poliklinik Penyakit Dalam Gedung Pelayanan Terpadu Lantai 3 Ruang 12",
    start="07:30",
    until="21:00",
)
#: Her name as a booking system may send it, without a space: one word wider than a
#: column at "A+", broken inside its line, never cut nor widening the screen.
UNSPACED_DOCTOR = dataclasses.replace(
    LONGEST_DOCTOR, name="dr.RadenAjengKartikaSariDewiWulandariKusumaningrumSpPDKGEH"
)
LONGEST_WARD = "Ruang Rawat Inap Kelas III Penyakit Dalam Perempuan (Melati Bawah)"
#: A complaint's reference (``ADU-`` and three groups of four) in its widest letters.
WIDEST_REFERENCE = "ADU-WMWM-WMWM-WMWM"


@pytest.fixture(params=sorted(SIZES))
def orientation(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["usual", "larger"])
def text_size(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def kiosk(
    tmp_path: Path, demo_central: str, qtbot: QtBot, orientation: str
) -> Iterator[KioskWindow]:
    width, height = SIZES[orientation]
    clock = ManualClock()
    with running_kiosk(
        qtbot, demo_config(tmp_path, demo_central), width=width, height=height, clock=clock
    ) as window:
        window.clock = clock  # type: ignore[attr-defined]
        wait_for_catalog(qtbot, window.controller)
        yield window


def test_every_screen_fits_readable_with_finger_sized_targets(
    kiosk: KioskWindow, qtbot: QtBot, orientation: str, text_size: str
) -> None:
    dpi = kiosk.controller.config.kiosk.screen_dpi
    touch_px = min_touch_px(dpi)
    assert touch_px == 57  # 15 mm at the default 96 dpi
    assert min_text_px(dpi) == 27  # 7 mm at the default 96 dpi
    larger = text_size == "larger"
    scale = TypeScale.at(dpi, LARGER_TEXT if larger else 1.0)
    size = SIZES[orientation]
    seen = []
    for screen in visit_every_screen(qtbot, kiosk, larger_text=larger):
        assert (kiosk.width(), kiosk.height()) == size, (
            f"{screen}: the window had to grow",
            wider_than(kiosk, size[0]),
        )
        assert layout_problems(kiosk, touch_px) == [], screen
        assert text_size_problems(kiosk, scale) == [], screen
        if not larger:  # the same colours at either size: painted once is enough
            assert contrast_problems(kiosk) == [], screen
        seen.append(screen)
    assert len(seen) == 23


def test_every_problem_screen_fits_readable_in_the_larger_text_mode(
    kiosk: KioskWindow, qtbot: QtBot, orientation: str
) -> None:
    """The error screens in "A+", both orientations (at the usual size the accessibility
    walk shows them, tests/ui/test_accessible_names.py)."""
    dpi = kiosk.controller.config.kiosk.screen_dpi
    scale = TypeScale.at(dpi, LARGER_TEXT)
    size = SIZES[orientation]
    seen = []
    for screen in visit_every_problem_screen(qtbot, kiosk, larger_text=True):
        assert kiosk.controller.status().larger_text, screen
        assert (kiosk.width(), kiosk.height()) == size, (
            f"{screen}: the window had to grow",
            wider_than(kiosk, size[0]),
        )
        assert layout_problems(kiosk, min_touch_px(dpi)) == [], screen
        assert text_size_problems(kiosk, scale) == [], screen
        seen.append(screen)
    assert len(seen) == 7


def test_a_denser_screen_gets_bigger_targets(
    tmp_path: Path, demo_central: str, qtbot: QtBot
) -> None:
    config = demo_config(tmp_path, demo_central)
    dense = dataclasses.replace(
        config, kiosk=dataclasses.replace(config.kiosk, screen_dpi=141.0)
    )  # a 15.6" full-HD panel
    with running_kiosk(qtbot, dense, width=1080, height=1920) as kiosk:
        wait_for_catalog(qtbot, kiosk.controller)
        touch_px = min_touch_px(141.0)
        assert touch_px == 84
        click(qtbot, button_with(kiosk, "Siti Aminah"))
        wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
        kiosk.controller.dispatch(ServiceSelected("puskesmas-umum"))
        kiosk.controller.dispatch(FormOpened())
        assert layout_problems(kiosk, touch_px) == []
        assert layout_problems(kiosk, 2 * touch_px) != []  # the check does bite
        assert text_size_problems(kiosk, TypeScale.at(141.0)) == []  # 39 px body: 7 mm
        assert text_size_problems(kiosk, TypeScale.at(141.0, 1.2)) != []
        key = kiosk.screens[Phase.FORM].keyboard.keys["q"]  # type: ignore[attr-defined]
        assert key.height() >= 84


def longest_queue(kiosk: KioskWindow) -> QueueState:
    """Every service of the grid in a busy office's longest words."""
    services = shown_services(kiosk.view)
    assert services
    office = kiosk.controller.config.kiosk.office_id
    busy = (
        ServiceQueue(s.id, LONGEST_NUMBER, MOST_WAITING, LONGEST_WAIT_MINUTES) for s in services
    )
    return QueueState(office, "2026-12-07", tuple(busy))


def test_live_words_fit_at_their_longest(
    kiosk: KioskWindow, qtbot: QtBot, orientation: str, text_size: str
) -> None:
    """The screens whose words come from the centre, with the longest a busy office has:
    they fit, or wrap legibly as the layout checks allow, in either orientation and size."""
    c, view = kiosk.controller, kiosk.view
    dpi = c.config.kiosk.screen_dpi
    larger = text_size == "larger"
    scale = TypeScale.at(dpi, LARGER_TEXT if larger else 1.0)
    size = SIZES[orientation]

    def fits(screen: str, *words: str) -> None:
        assert layout_problems(kiosk, min_touch_px(dpi)) == [], screen
        assert text_size_problems(kiosk, scale) == [], screen
        assert (kiosk.width(), kiosk.height()) == size, (
            f"{screen}: the window had to grow",
            wider_than(kiosk, size[0]),
        )
        # After the checks, on the screen: what they measured was the longest.
        shown = "\n".join(w.text() for w in kiosk.findChildren(QLabel) if w.isVisible())
        for word in words:
            assert word in shown, f"{screen}: {word!r} not shown"

    if larger:
        tap_larger_text(qtbot, kiosk)
    tap_to_services(qtbot, kiosk, "Siti Aminah")  # the centre's own answer is in: none after
    c._queue.state = longest_queue(kiosk)
    kiosk.status_changed()  # as the centre's next answer would
    fits("services", LONGEST_NUMBER, f"{MOST_WAITING} orang")

    c.dispatch(ServiceSelected("puskesmas-umum"))
    queue_answered(qtbot, kiosk)
    c._queue.state = longest_queue(kiosk)
    kiosk.status_changed()
    fits("service detail", LONGEST_NUMBER, f"{LONGEST_WAIT_MINUTES} menit")
    c.dispatch(Back())

    overlays = kiosk.overlays
    overlays.open_information()
    information = overlays.information
    qtbot.waitUntil(lambda: not information.loading, timeout=5000)  # the centre's answer in
    ward = Ward("melati", LONGEST_WARD, 999, 999, dt.datetime(2026, 12, 7, 23, 59, tzinfo=dt.UTC))
    health = HealthInfo(
        c.config.kiosk.office_id,
        "2026-12-07T23:59:00+07:00",
        wards=(ward,),
        doctors=(LONGEST_DOCTOR, UNSPACED_DOCTOR),
    )
    busy = Information(queue=longest_queue(kiosk), health=health, reachable=True)
    information.show_information(busy, view)
    fits("information", LONGEST_NUMBER, LONGEST_DOCTOR.name, UNSPACED_DOCTOR.name, LONGEST_WARD)
    overlays.close()

    c.dispatch(ServiceSelected("puskesmas-umum"))
    c.dispatch(FormOpened())
    c.dispatch(FormSubmitted({"phone": "081234567890", "complaint": "Demam"}))
    c.dispatch(Confirmed())
    c.dispatch(NotifyAnswered(c.session().session, False))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    state = c.session()
    assert state.ticket is not None
    ticket_screen = kiosk.screens[Phase.TICKET_ISSUED]
    waiting = IssuedTicket(  # unprinted: the notice in place of "take your ticket"
        number=LONGEST_NUMBER,
        service_id=state.ticket.service_id,
        counter=state.ticket.counter,  # the catalog's, not live (tests/ui/test_long_texts.py)
        printed=False,
        status_url=state.ticket.status_url,
        people_ahead=MOST_WAITING,
        wait_minutes=LONGEST_WAIT_MINUTES,
    )
    ticket_screen.render_state(dataclasses.replace(state, ticket=waiting), view)
    fits("ticket", LONGEST_NUMBER, f"{MOST_WAITING} orang", f"{LONGEST_WAIT_MINUTES} menit")
    poli = dataclasses.replace(
        waiting, doctor_name=LONGEST_DOCTOR.name, nomorantrean=LONGEST_NUMBER, estimated_at="23:59"
    )
    ticket_screen.render_state(dataclasses.replace(state, ticket=poli), view)
    fits("a poli's ticket", LONGEST_DOCTOR.name, "23:59")
    unspaced = dataclasses.replace(poli, doctor_name=UNSPACED_DOCTOR.name)
    ticket_screen.render_state(dataclasses.replace(state, ticket=unspaced), view)
    fits("a poli's ticket, its doctor's name unspaced", UNSPACED_DOCTOR.name)
    c.dispatch(Finish())
    c.dispatch(Finish())
    wait_phase(qtbot, kiosk, Phase.IDLE)

    if larger:
        tap_larger_text(qtbot, kiosk)
    c.dispatch(ComplaintOpened())
    complaint = kiosk.screens[Phase.COMPLAINT]
    click(qtbot, complaint.categories["lainnya"])  # type: ignore[attr-defined]
    complaint.text.setPlainText("Tes")  # type: ignore[attr-defined]
    click(qtbot, button_with(kiosk, "Kirim pengaduan"))
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    click(qtbot, button_with(kiosk, "Tidak"))
    wait_phase(qtbot, kiosk, Phase.COMPLAINT_FILED)
    state = c.session()
    unprinted = ComplaintReceipt(WIDEST_REFERENCE, printed=False)
    kiosk.screens[Phase.COMPLAINT_FILED].render_state(
        dataclasses.replace(state, complaint=unprinted), view
    )
    fits("complaint filed", WIDEST_REFERENCE)
    c.dispatch(Finish())
    c.dispatch(Finish())
    wait_phase(qtbot, kiosk, Phase.IDLE)

    if larger:
        tap_larger_text(qtbot, kiosk)
    office = c.config.kiosk.office_id
    hours = "07.30–21.00"
    cache_booking(
        kiosk, booking(c.now().date(), office_id=office, doctor=UNSPACED_DOCTOR.name, hours=hours)
    )
    click(qtbot, button_with(kiosk, "Siti Aminah"))
    wait_phase(qtbot, kiosk, Phase.APPOINTMENT)  # a Mobile JKN booking, with its doctor
    fits("appointment", UNSPACED_DOCTOR.name, hours)
    c.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)
