"""A word wider than its line, in every text the kiosk did not write, on every screen:
the card's name, the catalog's office, headings, services, fields and choices, the
centre's queue, doctors, bookings, applications and ticket lines, and what the citizen
types. Each is a word with no place to break a line (a name written without spaces, an
e-mail address, a code, letters with combining marks), in portrait and landscape, at
the usual type and at "A+": the word breaks inside its label and is shown whole, no
line runs past a label's edge, and the window keeps its size."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot

from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.readers.simulated import SimulatedReader
from central.settings import DEMO_CATALOG_PATH
from contract.hospital import Payer
from contract.wire import ServiceQueue, Ward
from kiosk.client.info import (
    AnsweredComplaint,
    Application,
    DoctorOnDuty,
    HealthInfo,
    QueueState,
)
from kiosk.errors import SessionProblem
from kiosk.lookups.information import ApplicationsAnswer, Information
from kiosk.session.events import (
    Cancel,
    ComplaintOpened,
    Confirmed,
    DoctorChosen,
    Finish,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    PayerChosen,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from kiosk.wiring.store import open_store
from testkit.cards import citizen_claims, demo_issued
from testkit.clocks import ManualClock
from testkit.hospital_kiosk import doctor
from testkit.kiosk_window import (
    cache_booking,
    click,
    offline_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from testkit.layout_checks import SIZES, layout_problems, wider_than, widest_reference
from testkit.todays_bookings import booking
from ui.screens.choice import ChoiceField
from ui.screens.complaint import ComplaintFiledScreen, ComplaintScreen
from ui.screens.wrapping import BREAK
from ui.theme import min_touch_px
from ui.window import KioskWindow

pytestmark = pytest.mark.timeout(240)

#: The card holder's name written without a space: 200 letters.
CARD_NAME = ("NurhayatiKusumawardhaniPuspitasari" * 6)[:200]
#: 200 letters of the catalog's or the centre's.
LONG = ("Pertanggungjawaban" * 12)[:200]
#: 60 letters, as a service or a code may be named.
SIXTY = "PengesahanAktaKelahiranKematianPerkawinanPerceraianPengakuan"
#: An e-mail address: no space, Qt may break it only after its dots' neighbours.
EMAIL = "layanan.pengaduan.kependudukan.kotapekanbaru@disdukcapil.pekanbaru.go.id"
#: 63 letters, each with a combining mark: a letter and its mark are never parted.
MARKED = "".join(f"{letter}\u0301\u0323" for letter in "Dewantara" * 7)
#: What the citizen types on the form: a word of 120 letters.
TYPED = ("Ketidakbertanggungjawaban" * 5)[:120]
#: The widest ticket number the centre's prefixes allow (8 letters) and a long queue.
PREFIX = "WWWWWWWW"

SERVICE = "kata-panjang"
POLI = "poli-kata-panjang"
OFFICE = "pku-mpp"


def _text(words: str) -> dict[str, str]:
    return {"id": words, "en": words}


def hostile_catalog(*, poli: bool) -> dict[str, Any]:
    """The demo catalog with the office, every heading, and a service whose every text
    is a word wider than any line; with ``poli``, a hospital's poli named so too."""
    catalog: dict[str, Any] = json.loads(Path(DEMO_CATALOG_PATH).read_text(encoding="utf-8"))
    for office in catalog["offices"]:
        if office["id"] == OFFICE:
            office["name"] = MARKED
            office["hours"] = _text(MARKED)
    for category in catalog["categories"]:
        category["name"] = _text(f"{SIXTY}{category['id']}")
    fields = [
        {"name": "full_name", "label": _text(SIXTY), "type": "text", "prefill": "card.full_name"},
        {"name": "nik", "label": _text(MARKED), "type": "nik", "prefill": "card.nik"},
        {"name": "note", "label": _text(EMAIL), "type": "text", "max_length": 200},
        {"name": "few", "label": _text(LONG), "type": "choice", "choices": [SIXTY, MARKED]},
        {
            "name": "many",
            "label": _text(MARKED),
            "type": "choice",
            "choices": [f"{SIXTY}{i}" for i in range(6)],
        },
    ]
    service = {
        "id": SERVICE,
        "office_id": OFFICE,
        "category": "kependudukan",
        "name": _text(LONG),
        "description": _text(EMAIL),
        "counter": SIXTY,
        "hours": _text(MARKED),
        "ticket_prefix": PREFIX,
        "assurance": "unverified",
        "requirements": [_text(EMAIL), _text(LONG)],
        "form": fields,
    }
    catalog["services"].append(service)
    if poli:  # (a poli at the office shows the attract screen's search without a card)
        catalog["services"].append(
            {
                **service,
                "id": POLI,
                "category": "kesehatan",
                "name": _text(f"Poli{LONG}"),
                "poli": {"kodepoli": "INT"},
                "form": fields[:2],
            }
        )
    return catalog


#: The centre's answers, each word wider than any line.
def hostile_queue(kiosk: KioskWindow) -> QueueState:
    services = (ServiceQueue(s, f"A-{SIXTY}", 999, 999) for s in (SERVICE, POLI))
    return QueueState(OFFICE, "2026-12-07", tuple(services))


WARD = Ward("melati", LONG, 999, 999, dt.datetime(2026, 12, 7, 23, 59, tzinfo=dt.UTC))
ON_DUTY = DoctorOnDuty(name=CARD_NAME, specialty=MARKED, room=EMAIL, start="07:30", until="21:00")
APPLICATION = Application(
    reference=SIXTY,
    service_id=SERVICE,
    title={"id": MARKED, "en": MARKED},
    submitted_at="2026-12-01T09:00:00+07:00",
    state="ready",
    state_changed_at=None,
    note=LONG,
)
ANSWER = AnsweredComplaint(SIXTY, "answered", LONG, "2026-12-05T10:00:00+07:00")
DOCTOR = doctor("s-panjang", CARD_NAME, service_id=POLI)


#: The kiosk's two screens, each at either size of type.
WINDOWS = {
    "portrait": (*SIZES["portrait"], False),
    "portrait-A+": (*SIZES["portrait"], True),
    "landscape": (*SIZES["landscape"], False),
    "landscape-A+": (*SIZES["landscape"], True),
}


@contextmanager
def hostile_kiosk(
    qtbot: QtBot, tmp_path: Path, window: str, *, poli: bool = False
) -> Iterator[KioskWindow]:
    """The kiosk on ``window``'s screen, offline, the hostile catalog (and today's
    doctor at its poli) in its store as an earlier sync left them."""
    width, height, _larger = WINDOWS[window]
    config = offline_config(tmp_path)
    store = open_store(config)
    catalog = hostile_catalog(poli=poli)
    store.save_catalog(catalog, '"long-words"', catalog["version"])
    store.close()
    with running_kiosk(qtbot, config, width=width, height=height, clock=ManualClock()) as kiosk:
        wait_for_catalog(qtbot, kiosk.controller)
        if poli:
            now = kiosk.controller.now()
            kiosk.kiosk.store.save_doctors(OFFICE, now.date(), [DOCTOR], now=now)
        yield kiosk


def tap_card(qtbot: QtBot, kiosk: KioskWindow) -> None:
    """Her card, signed by the DEMO issuer, with her name written without a space."""
    reader = kiosk.kiosk.reader
    assert isinstance(reader, SimulatedReader)
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
    image = demo_issued(citizen_claims(full_name=CARD_NAME), issued=issued)
    reader.tap(CitizenCardApplet.from_image(image))


def shown_words(kiosk: KioskWindow) -> str:
    """Every text painted on the visible labels and buttons, without the breaks put in."""
    texts = [QLabel.text(w) for w in kiosk.findChildren(QLabel) if w.isVisible()]
    texts += [w.text() for w in kiosk.findChildren(QAbstractButton) if w.isVisible()]
    return "\n".join(texts).replace(BREAK, "")


def walk(qtbot: QtBot, kiosk: KioskWindow) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every screen that shows a text the kiosk did not write, with the words it shows."""
    c, view = kiosk.controller, kiosk.view
    yield "attract", (MARKED,)
    tap_card(qtbot, kiosk)
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    c._queue.state = hostile_queue(kiosk)
    kiosk.status_changed()  # as the centre's answer would
    yield "services", (CARD_NAME, f"{SIXTY}kependudukan", LONG, f"A-{SIXTY}")
    c.dispatch(ServiceSelected(SERVICE))
    yield "service detail", (LONG, EMAIL, SIXTY, MARKED, f"A-{SIXTY}")
    c.dispatch(FormOpened())
    wait_phase(qtbot, kiosk, Phase.FORM)
    form = kiosk.screens[Phase.FORM]
    many = form.editors["many"]  # type: ignore[attr-defined]
    assert isinstance(many, ChoiceField)
    many.choose(f"{SIXTY}5")
    yield "form", (SIXTY, MARKED, EMAIL, LONG, f"{SIXTY}5")
    assert many.opener is not None
    click(qtbot, many.opener)
    yield "a choice's list", (MARKED, f"{SIXTY}0", f"{SIXTY}5")
    form.choice_list.close_list()  # type: ignore[attr-defined]
    c.dispatch(FormSubmitted({"note": TYPED, "few": SIXTY, "many": f"{SIXTY}5"}))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    yield "summary", (LONG, SIXTY, MARKED, EMAIL, CARD_NAME, TYPED, f"{SIXTY}5")
    c.dispatch(Confirmed())
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    yield "consent question", ()
    c.dispatch(NotifyAnswered(c.session().session, False))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    state = c.session()
    assert state.ticket is not None
    screen = kiosk.screens[Phase.TICKET_ISSUED]
    yield "ticket", (PREFIX, LONG, SIXTY, EMAIL)
    unprinted = dataclasses.replace(
        state.ticket, printed=False, doctor_name=CARD_NAME, nomorantrean=SIXTY
    )
    screen.render_state(dataclasses.replace(state, ticket=unprinted), view)
    yield "ticket unprinted, a poli's lines", (PREFIX, LONG, CARD_NAME, SIXTY)
    c.dispatch(Finish())
    c.dispatch(Finish())
    wait_phase(qtbot, kiosk, Phase.IDLE)

    overlays = kiosk.overlays
    overlays.open_information()
    information = overlays.information
    qtbot.waitUntil(lambda: not information.loading, timeout=5000)  # its own answer first
    health = HealthInfo(OFFICE, "2026-12-07T23:59:00+07:00", wards=(WARD,), doctors=(ON_DUTY,))
    info = Information(queue=hostile_queue(kiosk), health=health, reachable=True)
    information.show_information(info, view)
    yield "information", (LONG, CARD_NAME, MARKED, EMAIL, f"A-{SIXTY}")
    overlays.close()

    tap_card(qtbot, kiosk)
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    overlays.open_applications()
    applications = overlays.applications
    qtbot.waitUntil(lambda: not applications.loading, timeout=5000)
    answer = ApplicationsAnswer(applications=(APPLICATION,), complaints=(ANSWER,))
    applications.show_answer(answer, view)
    yield "applications", (MARKED, LONG, SIXTY)
    overlays.close()

    c.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)

    c.dispatch(ComplaintOpened())
    complaint = kiosk.screens[Phase.COMPLAINT]
    assert isinstance(complaint, ComplaintScreen)
    click(qtbot, complaint.categories["lainnya"])
    complaint.text.setPlainText(LONG)
    yield "complaint", ()
    click(qtbot, complaint.send)
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    c.dispatch(NotifyAnswered(c.session().session, False))
    wait_phase(qtbot, kiosk, Phase.COMPLAINT_FILED)
    filed = kiosk.screens[Phase.COMPLAINT_FILED]
    assert isinstance(filed, ComplaintFiledScreen)
    receipt = c.session().complaint
    assert receipt is not None
    # the reference is random: the widest one there can be, not the one this run drew
    wide = dataclasses.replace(receipt, reference=widest_reference(filed.reference.font()))
    filed.render_state(dataclasses.replace(c.session(), complaint=wide), view)
    yield "complaint filed", (wide.reference,)
    c.dispatch(Finish())
    c.dispatch(Finish())
    wait_phase(qtbot, kiosk, Phase.IDLE)

    click(qtbot, kiosk.attract.booking_code)  # type: ignore[arg-type]
    wait_phase(qtbot, kiosk, Phase.BOOKING_CODE)
    keypad = kiosk.screens[Phase.BOOKING_CODE]
    elsewhere = booking(c.now().date(), office_id=SIXTY.lower(), service_id=SERVICE)
    told = dataclasses.replace(
        c.session(), booking=elsewhere, problem=SessionProblem.BOOKING_OTHER_OFFICE
    )
    keypad.render_state(told, view)  # as the centre's answer of another office makes it
    yield "booking code of another office", (SIXTY.lower(),)
    c.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)

    today = booking(c.now().date(), office_id=OFFICE, service_id=SERVICE, doctor=SIXTY,
                    hours=MARKED)  # fmt: skip
    cache_booking(kiosk, today)
    tap_card(qtbot, kiosk)
    wait_phase(qtbot, kiosk, Phase.APPOINTMENT)
    yield "appointment", (CARD_NAME, LONG, SIXTY, MARKED)
    c.dispatch(Cancel())
    wait_phase(qtbot, kiosk, Phase.IDLE)


def poli_walk(qtbot: QtBot, kiosk: KioskWindow) -> Iterator[tuple[str, tuple[str, ...]]]:
    """A hospital's poli: its doctors, the payer, and the ticket with the doctor's name."""
    c = kiosk.controller
    tap_card(qtbot, kiosk)
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    c.dispatch(ServiceSelected(POLI))
    wait_phase(qtbot, kiosk, Phase.DOCTOR)
    yield "doctors", (f"Poli{LONG}", CARD_NAME)
    c.dispatch(DoctorChosen(DOCTOR.schedule_id))
    wait_phase(qtbot, kiosk, Phase.PAYER)
    yield "payer", (CARD_NAME,)
    c.dispatch(PayerChosen(Payer.UMUM))
    wait_phase(qtbot, kiosk, Phase.FORM)
    c.dispatch(FormSubmitted({}))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    c.dispatch(Confirmed())
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    c.dispatch(NotifyAnswered(c.session().session, False))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    yield "a poli's ticket", (f"Poli{LONG}", CARD_NAME)
    c.dispatch(Finish())
    c.dispatch(Finish())
    wait_phase(qtbot, kiosk, Phase.IDLE)


def problems_on(
    screens: Iterator[tuple[str, tuple[str, ...]]], kiosk: KioskWindow, larger: bool
) -> tuple[dict[str, list[str]], int]:
    """What is wrong on each screen: the layout checks' findings (a line past its
    label's edge, a label cut, anything off its window or a scroll area's sides), a
    window grown past its screen, a word that is not shown whole; and how many screens."""
    size = (kiosk.width(), kiosk.height())
    touch_px = min_touch_px(kiosk.controller.config.kiosk.screen_dpi)
    problems: dict[str, list[str]] = {}
    seen = 0
    for screen, words in screens:
        kiosk.controller.set_larger_text(larger)  # "A+" for each session, as tapped
        found = layout_problems(kiosk, touch_px)
        if (kiosk.width(), kiosk.height()) != size:
            found.append(f"the window grew to {kiosk.width()}×{kiosk.height()}")
            found += wider_than(kiosk, size[0])
        shown = shown_words(kiosk)
        found += [f"{word[:20]!r}… not shown" for word in words if word not in shown]
        if found:
            problems[screen] = found
        seen += 1
    return problems, seen


@pytest.mark.parametrize("window", list(WINDOWS))
def test_a_word_wider_than_its_line_breaks_inside_it_on_every_screen(
    window: str, tmp_path: Path, qtbot: QtBot
) -> None:
    with hostile_kiosk(qtbot, tmp_path, window) as kiosk:
        problems, seen = problems_on(walk(qtbot, kiosk), kiosk, WINDOWS[window][2])
    assert problems == {}
    assert seen == 15


@pytest.mark.parametrize("window", list(WINDOWS))
def test_a_word_wider_than_its_line_breaks_inside_it_on_a_polis_screens(
    window: str, tmp_path: Path, qtbot: QtBot
) -> None:
    """(Not its attract screen: there the search without a card is a button of the
    kiosk's own words, which a poli's office shows.)"""
    with hostile_kiosk(qtbot, tmp_path, window, poli=True) as kiosk:
        problems, seen = problems_on(poli_walk(qtbot, kiosk), kiosk, WINDOWS[window][2])
    assert problems == {}
    assert seen == 3
