"""A hospital registration end to end, with real parts only: a real centre over HTTP
(the demo hospital ``rsud-pku``), a real kiosk window whose sync engine caches today's
doctors itself, the simulated card reader and the PDF printer.

- Siti taps her card, picks Poli Penyakit Dalam, a doctor with places left, JKN: her
  ticket names the doctor, the poli's queue number and the estimated time the centre
  gave, the centre counts one JKN place less and keeps her visit (her No. RM and BPJS
  number from the record and the card).
- The last place taken by another kiosk meanwhile: the centre says ``quota_full``; she
  is told plainly and is back at the doctors, counted again (that doctor full).
- Already registered at the poli today: the centre refuses her at the allocate
  (``already_registered``), before a number or a place is used; she is told so on the
  message screen and sent to the registration desk; no ticket, no paper, nothing of
  hers left on screen once the session ends.
- Without a card: No. RM and a wrong date of birth find no one ("Data tidak
  ditemukan"); the right one finds her, greeted by name, her record pre-filling.
- Offline: the ticket comes from the cache and the registration reaches the centre
  once it is back, which keeps the visit and counts the place (nothing lost).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from central.database import Database
from central.process import RunningCentral, start_central
from kiosk.client.bearer import load_token
from kiosk.errors import SessionProblem
from kiosk.session.machine import Phase
from printing.layouts.qr import kept_codes
from testkit.centre_accounts import bearer
from testkit.centre_hospital import (
    HOSPITAL,
    allocate,
    doctor_today,
    free_the_day,
    hospital_kiosk,
    hospital_registration,
    hospital_staff,
    new_schedule,
    put_schedule,
    remember_kiosk,
    what_the_registration_did,
)
from testkit.centre_requests import results
from testkit.centres import TEST_SERVER_ARGS
from testkit.fault_proxy import FaultProxy
from testkit.hospital_window import (
    cached,
    delivered_key,
    hospital_config,
    to_payer,
    visit_of,
    wait_cached,
)
from testkit.kiosk_window import (
    SITI_STRINGS,
    click,
    every_string,
    running_kiosk,
    undelivered,
    visible_strings,
    wait_for_catalog,
    wait_phase,
)
from ui.screens.hospital import DoctorScreen, PatientBirthScreen, PatientNumberScreen
from ui.screens.message import MessageScreen
from ui.window import KioskWindow

pytestmark = pytest.mark.timeout(90)

POLI = "poli-dalam"
SITI_NIK = "1471015203850001"


@pytest.fixture(scope="module")
def centre() -> Iterator[RunningCentral]:
    with start_central(seed_demo=True, extra_args=TEST_SERVER_ARGS) as running:
        yield running


@pytest.fixture(scope="module")
def operator(centre: RunningCentral) -> Iterator[Database]:
    db = Database(centre.db_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def staff_token(centre: RunningCentral, operator: Database) -> str:
    return hospital_staff(operator, centre.url)


@pytest.fixture(autouse=True)
def its_kiosk_is_remembered(centre: RunningCentral, tmp_path: Path) -> Iterator[None]:
    """After each test, the token its kiosk window enrolled with: a visit it made is
    cancelled from that kiosk by a later test's ``free_the_day`` (a kiosk cancels only
    its own tickets)."""
    yield
    token = load_token(hospital_config(tmp_path, centre.url).central_token_path)
    if token is not None:
        remember_kiosk(token)


@pytest.fixture(scope="module")
def other_kiosk(centre: RunningCentral) -> str:
    """Another kiosk of the hospital (its token), which races for places."""
    return hospital_kiosk(centre.url)[0]


def test_a_jkn_patient_taps_picks_poli_and_doctor_and_gets_a_ticket_with_the_doctor(
    centre: RunningCentral,
    operator: Database,
    staff_token: str,
    other_kiosk: str,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    free_the_day(centre.url, operator, SITI_NIK, POLI)  # one visit a day: hers
    sid = new_schedule(centre.url, staff_token, quota_jkn=3, starts="08:00", minutes=10)
    with running_kiosk(qtbot, hospital_config(tmp_path, centre.url)) as kiosk:
        wait_cached(qtbot, kiosk, sid)
        assert cached(kiosk, sid).left_jkn == 3
        to_payer(qtbot, kiosk, sid)
        wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
        ticket = kiosk.controller.session().ticket
        assert ticket is not None and ticket.printed
        assert ticket.doctor_name == "dr. Uji Coba"
        # the centre's place: the first of this doctor's day, seen at the hours' start
        assert ticket.nomorantrean and ticket.estimated_at == "08:00"
        [pdf] = list((tmp_path / "tickets").glob("tiket-*.pdf"))
        text = " ".join("".join(p.extract_text() for p in PdfReader(pdf).pages).split())
        assert "Dokter: dr. Uji Coba" in text and ticket.nomorantrean in text
        assert "Perkiraan dilayani: pukul 08:00" in text
        assert doctor_today(centre.url, other_kiosk, sid)["left_jkn"] == 2
        key = delivered_key(qtbot, kiosk)
    visit = visit_of(operator, key)
    assert visit is not None
    assert (visit.schedule_id, visit.payer, visit.norm, visit.nomorkartu) == (
        sid,
        "jkn",
        "000123",
        "0001234567890",
    )
    assert visit.nomorantrean == ticket.nomorantrean and not visit.over_quota


def test_the_last_place_taken_meanwhile_is_told_and_the_doctors_are_counted_again(
    centre: RunningCentral,
    operator: Database,
    staff_token: str,
    other_kiosk: str,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    # her day at the poli free: the refusal asked for, not `already_registered`
    free_the_day(centre.url, operator, SITI_NIK, POLI)
    sid = new_schedule(centre.url, staff_token, quota_jkn=1, quota_non_jkn=0)
    with running_kiosk(qtbot, hospital_config(tmp_path, centre.url)) as kiosk:
        wait_cached(qtbot, kiosk, sid)
        assert cached(kiosk, sid).left_jkn == 1

        def quicker() -> None:  # the other kiosk takes the last place meanwhile
            taken = allocate(centre.url, other_kiosk, sid)
            assert taken.status_code == 201, taken.text

        to_payer(qtbot, kiosk, sid, meanwhile=quicker)
        wait_phase(qtbot, kiosk, Phase.DOCTOR)
        session = kiosk.controller.session()
        assert session.problem is SessionProblem.QUOTA_FULL and session.ticket is None
        screen = kiosk.screens[Phase.DOCTOR]
        assert isinstance(screen, DoctorScreen)
        assert "kuota dokter ini sudah penuh" in screen.notice.text()
        row = screen.doctors[sid]
        assert "Penuh" in row.text() and not row.isEnabled()
        assert cached(kiosk, sid).left_jkn == 0  # the cache was counted again at once
        store = kiosk.kiosk.store
        assert [i for s in ("pending", "sending", "delivered") for i in store.outbox(s)] == []
        assert not list((tmp_path / "tickets").glob("tiket-*.pdf"))


def back_at_the_doctors(
    qtbot: QtBot, kiosk: KioskWindow, problem: SessionProblem, words: str
) -> DoctorScreen:
    """The centre refused the doctor's place: the citizen is back at the doctors, told
    ``words``, with no ticket, no outbox item and no paper."""
    wait_phase(qtbot, kiosk, Phase.DOCTOR)
    session = kiosk.controller.session()
    assert session.problem is problem and session.ticket is None
    screen = kiosk.screens[Phase.DOCTOR]
    assert isinstance(screen, DoctorScreen)
    assert words in screen.notice.text()
    store = kiosk.kiosk.store
    assert store.tickets_count() == 0
    assert [i for s in ("pending", "sending", "delivered") for i in store.outbox(s)] == []
    assert not list(kiosk.controller.config.ticket_dir.glob("tiket-*.pdf"))
    return screen


def test_a_doctor_whose_hours_the_centre_ended_meanwhile_gets_no_ticket_from_a_lease(
    centre: RunningCentral,
    operator: Database,
    staff_token: str,
    other_kiosk: str,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    """The kiosk's list has the doctor open; before the citizen confirms, the hospital
    ends the doctor's hours at the centre, which answers ``doctor_closed``. The kiosk
    must not number the ticket from a lease instead (a place the centre refused): she
    is told and is back at the doctors, that doctor shown closed, nothing stored."""
    # her day at the poli free: the refusal asked for, not `already_registered`
    free_the_day(centre.url, operator, SITI_NIK, POLI)
    sid = new_schedule(centre.url, staff_token, quota_jkn=5)
    with running_kiosk(qtbot, hospital_config(tmp_path, centre.url)) as kiosk:
        wait_cached(qtbot, kiosk, sid)
        assert not cached(kiosk, sid).closed

        def hours_ended() -> None:  # the hospital ends today's hours at the centre
            ended = put_schedule(
                centre.url, staff_token, schedule_id=sid, quota_jkn=5, starts="00:00", ends="00:01"
            )
            assert ended.status_code in (200, 201), ended.text

        to_payer(qtbot, kiosk, sid, meanwhile=hours_ended)
        screen = back_at_the_doctors(
            qtbot, kiosk, SessionProblem.DOCTOR_CLOSED, "praktik dokter ini hari ini sudah selesai"
        )
        row = screen.doctors[sid]
        assert "Praktik sudah selesai" in row.text() and not row.isEnabled()


def test_a_doctor_the_hospital_removed_meanwhile_gets_no_ticket_from_a_lease(
    centre: RunningCentral,
    staff_token: str,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    """The kiosk's list has the doctor; before the citizen confirms, the hospital removes
    today's schedule: the centre answers ``unknown_schedule``. No ticket from a lease for
    a doctor who is not there: she is told, back at the doctors, nothing stored."""
    sid = new_schedule(centre.url, staff_token, quota_jkn=5)
    with running_kiosk(qtbot, hospital_config(tmp_path, centre.url)) as kiosk:
        wait_cached(qtbot, kiosk, sid)

        def removed() -> None:
            gone = requests.delete(
                f"{centre.url}/api/v1/staff/hospital/{HOSPITAL}/schedules/{sid}",
                headers=bearer(staff_token),
                timeout=10,
            )
            assert gone.status_code == 204, gone.text

        to_payer(qtbot, kiosk, sid, meanwhile=removed)
        back_at_the_doctors(
            qtbot, kiosk, SessionProblem.DOCTOR_UNAVAILABLE, "dokter ini tidak praktik hari ini"
        )
        assert sid not in {d.schedule_id for d in kiosk.controller.session().doctors}


def test_a_patient_registered_at_the_poli_today_is_sent_to_the_desk_without_a_ticket(
    centre: RunningCentral,
    operator: Database,
    staff_token: str,
    other_kiosk: str,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    """Siti has a visit at Poli Penyakit Dalam today (registered at another kiosk); at this
    one she chooses the poli and another doctor: the centre refuses her at the allocate,
    before a number or a place is used. The message screen tells her and sends her to the
    registration desk: no ticket, no paper, no registration waiting; once she closes it,
    nothing of hers is left on the screen."""
    free_the_day(centre.url, operator, SITI_NIK, POLI)
    first = new_schedule(centre.url, staff_token, quota_jkn=5)
    made = allocate(centre.url, other_kiosk, first)
    assert made.status_code == 201, made.text
    hers = {"schedule_id": first, "payer": "jkn", "norm": "000123"}
    registration = hospital_registration(
        made.json()["ticket_id"], made.json()["display"], "online", hers
    )
    [done] = results(centre.url, other_kiosk, [registration])
    assert done["status"] == "accepted", done
    did = what_the_registration_did(operator, made.json()["ticket_id"])
    assert "kodebooking" in did, did  # her visit of today
    sid = new_schedule(centre.url, staff_token, quota_jkn=5)
    with running_kiosk(qtbot, hospital_config(tmp_path, centre.url)) as kiosk:
        wait_cached(qtbot, kiosk, sid)
        to_payer(qtbot, kiosk, sid)
        wait_phase(qtbot, kiosk, Phase.ERROR)
        session = kiosk.controller.session()
        assert session.problem is SessionProblem.ALREADY_REGISTERED and session.ticket is None
        screen = kiosk.screens[Phase.ERROR]
        assert isinstance(screen, MessageScreen) and screen.isVisible()
        assert screen.title.text() == "Anda sudah terdaftar di poli ini hari ini."
        assert screen.message.text() == (
            "Tidak ada nomor antrean yang diambil. Silakan ke loket pendaftaran."
        )
        store = kiosk.kiosk.store
        assert store.tickets_count() == 0
        assert [i for s in ("pending", "sending", "delivered") for i in store.outbox(s)] == []
        assert not list((tmp_path / "tickets").glob("*.pdf")), "a paper was printed"
        # the centre: no place taken with the doctor, no number used
        assert doctor_today(centre.url, other_kiosk, sid)["left_jkn"] == 5
        after = allocate(centre.url, other_kiosk, sid, "umum")
        assert after.status_code == 201, after.text
        assert after.json()["number"] == made.json()["number"] + 1, "her refusal used a number"
        click(qtbot, screen.close_button)
        wait_phase(qtbot, kiosk, Phase.IDLE)
        left = every_string(kiosk)
        assert [s for s in (*SITI_STRINGS, "000123", "0001234567890") if s in left] == []
        assert kept_codes() == 0, "the page address of a ticket never made is kept"


def test_offline_the_ticket_comes_from_the_cache_and_the_visit_arrives_later(
    centre: RunningCentral,
    operator: Database,
    staff_token: str,
    other_kiosk: str,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    free_the_day(centre.url, operator, SITI_NIK, POLI)  # one visit a day: hers
    sid = new_schedule(centre.url, staff_token, quota_jkn=5, starts="09:00", minutes=15)
    proxy = FaultProxy(centre.port)
    try:
        with running_kiosk(qtbot, hospital_config(tmp_path, proxy.url)) as kiosk:
            wait_cached(qtbot, kiosk, sid)
            proxy.down()
            to_payer(qtbot, kiosk, sid)
            wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
            ticket = kiosk.controller.session().ticket
            assert ticket is not None
            # from the cache: the first place, at the hours' start; no poli number offline
            assert (ticket.doctor_name, ticket.estimated_at) == ("dr. Uji Coba", "09:00")
            assert ticket.nomorantrean == ""
            assert doctor_today(centre.url, other_kiosk, sid)["left_jkn"] == 5
            [pending] = undelivered(kiosk.kiosk.store)
            assert pending.payload["hospital"]["schedule_id"] == sid
            proxy.up()
            engine = kiosk.kiosk.engine
            assert engine is not None
            engine.wake_all()
            key = delivered_key(qtbot, kiosk)
    finally:
        proxy.close()
    assert key == pending.key
    visit = visit_of(operator, key)
    assert visit is not None and (visit.schedule_id, visit.payer) == (sid, "jkn")
    assert doctor_today(centre.url, other_kiosk, sid)["left_jkn"] == 4


def test_without_a_card_a_patient_is_found_by_no_rm_and_date_of_birth(
    centre: RunningCentral, qtbot: QtBot, tmp_path: Path
) -> None:
    with running_kiosk(qtbot, hospital_config(tmp_path, centre.url)) as kiosk:
        wait_for_catalog(qtbot, kiosk.controller)
        qtbot.waitUntil(lambda: kiosk.controller.status().online is True, timeout=10000)
        search = kiosk.attract.patient_search
        assert search is not None and search.isVisible()
        click(qtbot, search)
        wait_phase(qtbot, kiosk, Phase.PATIENT_NUMBER)
        number = kiosk.screens[Phase.PATIENT_NUMBER]
        assert isinstance(number, PatientNumberScreen)
        birth = kiosk.screens[Phase.PATIENT_BIRTH]
        assert isinstance(birth, PatientBirthScreen)

        def find(digits: str, born: str) -> None:
            for digit in digits:
                click(qtbot, number.keys[digit])
            click(qtbot, number.ok)
            wait_phase(qtbot, kiosk, Phase.PATIENT_BIRTH)
            for digit in born:
                click(qtbot, birth.keys[digit])
            click(qtbot, birth.ok)

        find("000123", "13031985")  # her No. RM, a day off her date of birth
        qtbot.waitUntil(
            lambda: kiosk.controller.session().problem is SessionProblem.PATIENT_UNKNOWN,
            timeout=5000,
        )
        assert kiosk.controller.session().phase is Phase.PATIENT_NUMBER
        assert "Data tidak ditemukan, silakan ke loket pendaftaran." in number.notice.text()
        find("000123", "12031985")
        wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
        session = kiosk.controller.session()
        assert session.identity is not None and session.identity.citizen is not None
        assert session.identity.citizen.full_name == "Siti Aminah"
        assert session.record is not None
        assert session.record["medical_record_number"] == "000123"
        assert "Selamat datang, Ibu Siti Aminah" in visible_strings(kiosk)
