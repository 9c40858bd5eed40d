"""Citizens book on ``/booking`` and keep ``/b/{code}``, in a real chromium on a real centre.

The booking is made as a citizen makes it, on a phone-sized window (375 px),
in Bahasa Indonesia, by the labels the issue names; what it wrote is read
back from the centre's database. Refusals (a wrong date of birth, a form
without its token) are sent as a hostile or careless client would, over
real HTTP, and must book nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete, func, select

from central.database import Database
from central.office.bookings import CODE_MISS_LIMIT
from central.process import RunningCentral
from central.tables import audit_log, booking_slots, uid_proof_limits
from central.tables import bookings as bookings_table
from contract.bookings import format_code, new_code
from testkit.booking_office import (
    BUDI_BORN,
    BUDI_NIK,
    SITI_BORN,
    SITI_NIK,
    Citizen,
    new_citizens,
    open_for_bookings,
)
from testkit.browser import fresh_context
from testkit.printouts import decode_png

#: The demo office's services used here, each by its own tests (one booking a citizen a day).
SERVICE = "ktp-cetak-ulang"
SERVICE_NAME = "Cetak Ulang KTP-el"
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module", autouse=True)
def bookable(office_db: Database) -> None:
    open_for_bookings(office_db, SERVICE)


@pytest.fixture(scope="module")
def people(office_db: Database) -> Iterator[list[Citizen]]:
    yield new_citizens(office_db, 12, seed=16)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    with fresh_context(browser, **PHONE) as context:
        yield context.new_page()


def count_bookings(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(bookings_table)).scalar_one())


def booking_row(db: Database, code: str) -> dict[str, object]:
    with db.read() as conn:
        row = conn.execute(select(bookings_table).where(bookings_table.c.code == code)).one()
    return dict(row._mapping)


def places_taken(db: Database, code: str) -> int:
    row = booking_row(db, code)
    with db.read() as conn:
        return int(
            conn.execute(
                select(booking_slots.c.booked).where(
                    booking_slots.c.office_id == row["office_id"],
                    booking_slots.c.service_id == row["service_id"],
                    booking_slots.c.day == row["day"],
                    booking_slots.c.starts_at == row["starts_at"],
                )
            ).scalar_one()
        )


def fill_booking(page: Page, url: str, nik: str, born: dt.date, *, day_index: int = 1) -> None:
    """Choose the service, a day and the first time, then type who one is; not yet sent."""
    page.goto(f"{url}/booking")
    expect(page.get_by_role("heading", name="Buat janji layanan")).to_be_visible()
    expect(page.get_by_label("Kantor")).to_have_value("pku-mpp")
    with page.expect_navigation():
        page.get_by_label("Layanan").select_option(label=SERVICE_NAME)
    days = page.get_by_label("Tanggal", exact=True).locator("option")
    with page.expect_navigation():
        page.get_by_label("Tanggal", exact=True).select_option(
            days.nth(day_index).get_attribute("value")
        )
    expect(page.get_by_label("Jam", exact=True)).to_be_visible()
    page.get_by_label("NIK", exact=True).fill(nik)
    page.get_by_label("Tanggal lahir").fill(born.isoformat())


def book_in_browser(page: Page, url: str, nik: str, born: dt.date, *, day_index: int = 1) -> str:
    """A booking made through the form; its code (from the page it lands on)."""
    fill_booking(page, url, nik, born, day_index=day_index)
    with page.expect_navigation():
        page.get_by_role("button", name="Buat janji").click()
    found = re.search(r"/b/(\d{9})", page.url)
    assert found is not None, page.url
    return found.group(1)


def test_a_citizen_books_on_a_phone_and_lands_on_the_bookings_own_page(
    phone: Page, office: RunningCentral, office_db: Database
) -> None:
    before = count_bookings(office_db)
    fill_booking(phone, office.url, SITI_NIK, SITI_BORN)
    expect(phone.get_by_text("Fotokopi Kartu Keluarga")).to_be_visible()  # what to bring
    expect(phone.get_by_role("heading", name="Jam buka kantor")).to_be_visible()
    chosen = phone.get_by_label("Jam", exact=True).input_value()
    # The script shows the times on each choice, so its button is gone.
    expect(phone.get_by_role("button", name="Lihat jam yang tersedia")).to_be_hidden()
    phone.get_by_label("Nomor HP (opsional)").fill("0812 3456 7890")
    # Nothing on the page is wider than the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    with phone.expect_navigation():
        phone.get_by_role("button", name="Buat janji").click()

    code = re.search(r"/b/(\d{9})\?done=booked$", phone.url)
    assert code is not None, phone.url
    expect(phone.get_by_role("status")).to_have_text("Janji Anda tercatat. Sampai jumpa di kantor.")
    expect(phone.locator(".code")).to_have_text(format_code(code.group(1)))
    expect(phone.get_by_text(SERVICE_NAME)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert SITI_NIK not in phone.content()
    assert count_bookings(office_db) == before + 1
    row = booking_row(office_db, code.group(1))
    assert (row["service_id"], row["starts_at"], row["state"], row["phone"], row["language"]) == (
        SERVICE, chosen, "booked", "081234567890", "id",
    )  # fmt: skip


def test_a_wrong_date_of_birth_books_nothing_and_says_so(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    before = count_bookings(office_db)
    fill_booking(page, office.url, BUDI_NIK, BUDI_BORN + dt.timedelta(days=1))
    page.get_by_role("button", name="Buat janji").click()
    expect(page.get_by_role("alert")).to_contain_text("tidak cocok dengan data kami")
    assert "/booking" in page.url
    # What was typed is kept, so one correction is enough.
    expect(page.get_by_label("NIK", exact=True)).to_have_value(BUDI_NIK)
    assert count_bookings(office_db) == before


def test_the_bookings_page_opens_with_no_session_and_never_shows_the_nik(
    page: Page, office: RunningCentral, office_db: Database, people: list[Citizen]
) -> None:
    someone = people[0]
    code = book_in_browser(page, office.url, someone.nik, someone.born)
    for lang, state in (("id", "Terjadwal"), ("en", "Booked")):
        answer = requests.get(f"{office.url}/b/{code}?lang={lang}", timeout=10)
        assert answer.status_code == 200
        assert format_code(code) in answer.text
        assert state in answer.text
        assert someone.nik not in answer.text
        assert "Warga Uji" not in answer.text  # nor the holder's name
        assert not answer.cookies.get("anjungan_staff")
    assert requests.get(f"{office.url}/b/123456789", timeout=10).status_code == 404


def test_the_qr_code_on_the_bookings_page_carries_its_own_address(
    page: Page, office: RunningCentral, people: list[Citizen], tmp_path: Path
) -> None:
    code = book_in_browser(page, office.url, people[1].nik, people[1].born)
    shot = tmp_path / "qr.png"
    page.locator("svg.qr").screenshot(path=str(shot))
    assert decode_png(shot) == [f"{office.url}/b/{code}"]


def test_cancelling_needs_the_date_of_birth_again_and_frees_the_place(
    page: Page, office: RunningCentral, office_db: Database, people: list[Citizen]
) -> None:
    someone = people[2]
    code = book_in_browser(page, office.url, someone.nik, someone.born)
    taken = places_taken(office_db, code)
    page.get_by_label("Tanggal lahir").last.fill((someone.born - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Batalkan janji").click()
    expect(page.get_by_role("alert")).to_contain_text("tidak cocok")
    assert booking_row(office_db, code)["state"] == "booked"

    page.get_by_label("Tanggal lahir").last.fill(someone.born.isoformat())
    page.get_by_role("button", name="Batalkan janji").click()
    expect(page.get_by_role("status")).to_have_text("Janji Anda sudah dibatalkan.")
    expect(page.locator(".state-cancelled")).to_have_text("Dibatalkan")
    assert booking_row(office_db, code)["state"] == "cancelled"
    assert places_taken(office_db, code) == taken - 1


def test_changing_moves_the_booking_to_another_day_with_the_same_code(
    page: Page, office: RunningCentral, office_db: Database, people: list[Citizen]
) -> None:
    someone = people[3]
    code = book_in_browser(page, office.url, someone.nik, someone.born, day_index=1)
    first_day = booking_row(office_db, code)["day"]
    assert isinstance(first_day, dt.date)
    days = page.get_by_label("Tanggal", exact=True).locator("option")
    # The first option asks for a day; then today, tomorrow (the booking's day), …
    with page.expect_navigation():
        page.get_by_label("Tanggal", exact=True).select_option(days.nth(4).get_attribute("value"))
    new_time = page.get_by_label("Jam", exact=True).input_value()
    page.locator("#change-dob").fill(someone.born.isoformat())
    page.get_by_role("button", name="Ubah janji").click()
    expect(page.get_by_role("status")).to_have_text("Janji Anda sudah diubah.")
    row = booking_row(office_db, code)
    assert row["day"] == first_day + dt.timedelta(days=2)
    assert (row["starts_at"], row["state"]) == (new_time, "booked")


def test_forms_without_the_pages_token_or_from_another_site_are_refused(
    office: RunningCentral, office_db: Database, people: list[Citizen]
) -> None:
    someone = people[4]
    http = requests.Session()
    form = http.get(f"{office.url}/booking", timeout=10).text
    days = re.findall(r'<option value="(\d{4}-\d{2}-\d{2})"', form)
    shown = http.get(
        f"{office.url}/booking?office=pku-mpp&service={SERVICE}&day={days[1]}", timeout=10
    ).text
    token = re.search(r'name="csrf" value="([^"]+)"', shown)
    slot = re.search(r'<option value="(\d{2}:\d{2})"', shown)
    assert token is not None and slot is not None
    body = {
        "office": "pku-mpp", "service": SERVICE, "day": days[1], "slot": slot.group(1),
        "nik": someone.nik, "dob": someone.born.isoformat(),
    }  # fmt: skip
    before = count_bookings(office_db)
    for data, origin in (
        (body, office.url),  # no token
        ({**body, "csrf": "x" * 43}, office.url),  # not this browser's token
        ({**body, "csrf": token.group(1)}, "https://elsewhere.example"),  # another site
    ):
        refused = http.post(
            f"{office.url}/booking", data=data, headers={"Origin": origin}, timeout=10,
            allow_redirects=False,
        )  # fmt: skip
        assert refused.status_code == 403, refused.text[:200]
    assert count_bookings(office_db) == before
    done = http.post(
        f"{office.url}/booking", data={**body, "csrf": token.group(1)},
        headers={"Origin": office.url}, timeout=10, allow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303 and re.fullmatch(
        r"/b/\d{9}\?done=booked", done.headers["location"]
    )
    assert count_bookings(office_db) == before + 1


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("nik", "12345", "NIK harus 16 angka"),
        ("phone", "12345", "tidak dapat menerima SMS atau WhatsApp"),
        ("phone", "+62 21 2345 6789", "tidak dapat menerima SMS atau WhatsApp"),  # a landline
        ("dob", "31-02-1990", "Tulis tanggal lahir"),
        # Each reason a time cannot be booked has its own sentence.
        ("day", "2020-01-06", "Tanggal ini sudah lewat"),
        ("day", "2099-01-05", "janji dapat dibuat paling lama 30 hari ke depan"),
        ("slot", "23:45", "Tidak ada slot yang mulai pada jam ini"),
    ],
)
def test_bad_input_is_told_in_indonesian_and_books_nothing(
    office: RunningCentral, office_db: Database, people: list[Citizen],
    field: str, value: str, says: str,
) -> None:  # fmt: skip
    someone = people[5]
    http = requests.Session()
    page = http.get(f"{office.url}/booking?service={SERVICE}", timeout=10).text
    day = re.findall(r'<option value="(\d{4}-\d{2}-\d{2})"', page)[1]
    shown = http.get(f"{office.url}/booking?service={SERVICE}&day={day}", timeout=10).text
    token = re.search(r'name="csrf" value="([^"]+)"', shown)
    slot = re.search(r'<option value="(\d{2}:\d{2})"', shown)
    assert token is not None and slot is not None
    body = {
        "csrf": token.group(1), "office": "pku-mpp", "service": SERVICE, "day": day,
        "slot": slot.group(1), "nik": someone.nik, "dob": someone.born.isoformat(),
    }  # fmt: skip
    before = count_bookings(office_db)
    answer = http.post(
        f"{office.url}/booking", data={**body, field: value}, headers={"Origin": office.url},
        timeout=10, allow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 422
    assert says in answer.text
    assert count_bookings(office_db) == before


LABELS = {
    "id": [
        ("office", "Kantor"), ("service", "Layanan"), ("day", "Tanggal"), ("slot", "Jam"),
        ("nik", "NIK"), ("card_number", "Nomor kartu"), ("dob", "Tanggal lahir"),
        ("phone", "Nomor HP (opsional)"),
    ],
    "en": [
        ("office", "Office"), ("service", "Service"), ("day", "Day"), ("slot", "Time"),
        ("nik", "NIK (ID number)"), ("card_number", "Card number"), ("dob", "Date of birth"),
        ("phone", "Mobile number (optional)"),
    ],
}  # fmt: skip
BUTTON = {"id": "Buat janji", "en": "Book"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_forms_fields_are_labelled_in_the_pages_language(
    office: RunningCentral, lang: str
) -> None:
    http = requests.Session()
    first = http.get(f"{office.url}/booking?service={SERVICE}", timeout=10).text
    day = re.findall(r'<option value="(\d{4}-\d{2}-\d{2})"', first)[1]
    page = http.get(f"{office.url}/booking?service={SERVICE}&day={day}&lang={lang}", timeout=10)
    labels = re.findall(r'<label for="([a-z_]+)">([^<]+)</label>', page.text)
    assert labels == LABELS[lang]
    assert f'<html lang="{lang}">' in page.text
    assert f">{BUTTON[lang]}</button>" in page.text
    # The choice stays: the next page without ?lang= is in the same language (a cookie).
    again = http.get(f"{office.url}/booking?service={SERVICE}&day={day}", timeout=10).text
    assert re.findall(r'<label for="([a-z_]+)">([^<]+)</label>', again) == LABELS[lang]


def test_guessing_codes_on_the_bookings_page_is_counted_locked_and_logged(
    office: RunningCentral, office_db: Database
) -> None:
    """Unknown codes count per address (not only the general rate); a prefix in the log."""
    guesses = [new_code() for _ in range(CODE_MISS_LIMIT.failures + 1)]
    forget_misses(office_db)  # other tests of this module asked for unknown codes too
    try:
        for code in guesses[:-1]:
            answer = requests.get(f"{office.url}/b/{code}", timeout=10)
            assert answer.status_code == 404, answer.text
            assert "Tidak ada janji dengan kode ini" in answer.text
        locked = requests.get(f"{office.url}/b/{guesses[-1]}", timeout=10)
        assert locked.status_code == 429
        assert "Terlalu banyak percobaan" in locked.text
        with office_db.read() as conn:
            events = set(conn.execute(select(audit_log.c.action)).scalars())
        assert "booking_code_guessing" in events
        logged = office.output_tail()
        assert f"no booking with code {guesses[0][:3]}…" in logged
        assert not any(code in logged for code in guesses)
    finally:  # the other tests of this module come from the same address
        forget_misses(office_db)


def forget_misses(db: Database) -> None:
    with db.begin() as conn:
        conn.execute(
            delete(uid_proof_limits).where(uid_proof_limits.c.subject.like("booking-miss:%"))
        )
