"""Staff set how the office takes bookings, and see the day's bookings on the counter and dashboard.

Driven as staff would in a real chromium on a real centre; what the forms
wrote is read back through :mod:`central.office.bookings`, and its effect
seen on the citizens' page. Refusals are sent over real HTTP.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import requests
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from central.access import staff
from central.access.audit import utc_now
from central.database import Database
from central.office import bookings
from central.office.bookings import Booking, Identity, Policy, ServiceSettings
from central.process import RunningCentral
from central.tables import bookings as bookings_table
from contract.bookings import format_code
from testkit.booking_office import new_citizens, open_for_bookings
from testkit.browser import log_in
from testkit.centre_accounts import DEMO_OFFICE, new_office, new_staff_account
from testkit.counter_desks import sit
from testkit.office_sessions import logged_in

#: The demo centre's time zone (the office's day and hours are local).
ZONE = ZoneInfo("Asia/Jakarta")
KEY = b"k" * 32


def kk_bookings_to_come(db: Database) -> int:
    with db.read() as conn:
        return int(
            conn.execute(
                select(func.count()).where(
                    bookings_table.c.service_id == "kk-perubahan",
                    bookings_table.c.state == "booked",
                    bookings_table.c.no_show_after > utc_now(),
                )
            ).scalar_one()
        )


def settings_of(db: Database, service_id: str) -> ServiceSettings | None:
    with db.read() as conn:
        return bookings.get_settings(conn, DEMO_OFFICE, service_id)


def test_staff_set_a_services_capacity_hours_and_a_holiday_and_citizens_see_them(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, clerk, then="/office/bookings")
    expect(page.get_by_role("heading", name="Pengaturan janji")).to_be_visible()

    def save_kk() -> None:
        kk = page.get_by_role("form", name="Perubahan Kartu Keluarga")
        kk.get_by_label("Menerima janji").check()
        kk.get_by_label("Kapasitas per slot").fill("1")
        kk.get_by_label("Lama slot (menit)").fill("60")
        kk.get_by_label("Tempat di antrean saat datang").select_option("walk_in")
        kk.get_by_label("Toleransi terlambat (menit)").fill("15")
        kk.get_by_role("button", name="Simpan").click()

    # The demo booked Budi for kk-perubahan today: its slot length stays while he is to come
    # (places are counted per slot start: new slots over his would sell them twice).
    to_come = kk_bookings_to_come(office_db)
    assert to_come >= 1
    save_kk()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Lama slot tidak diubah: layanan ini masih punya {to_come} janji yang akan datang"
    )
    before = settings_of(office_db, "kk-perubahan")
    assert before is not None and before.slot_minutes == 30
    with office_db.begin() as conn:
        conn.execute(
            bookings_table.update()
            .where(bookings_table.c.service_id == "kk-perubahan")
            .values(state="cancelled")
        )
    save_kk()
    expect(page.get_by_role("status")).to_have_text("Pengaturan layanan tersimpan.")
    assert settings_of(office_db, "kk-perubahan") == ServiceSettings(
        slot_minutes=60, capacity=1, walk_in_percent=0, policy=Policy.WALK_IN,
        grace_minutes=15, enabled=True,
    )  # fmt: skip

    for weekday in ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"):
        page.get_by_label(f"Buka {weekday}", exact=True).fill("08:00")
        page.get_by_label(f"Tutup {weekday}", exact=True).fill("10:00")
    page.get_by_role("button", name="Simpan jam buka").click()
    expect(page.get_by_role("status")).to_have_text("Jam buka tersimpan.")

    tomorrow = utc_now().astimezone(ZONE).date() + dt.timedelta(days=1)
    holiday = tomorrow + dt.timedelta(days=1)
    page.get_by_label("Tanggal", exact=True).fill(holiday.isoformat())
    page.get_by_label("Keterangan").fill("Libur uji")
    page.get_by_role("button", name="Tambah hari libur").click()
    expect(page.get_by_role("status")).to_have_text("Hari libur ditambahkan.")

    # The citizens' page: the service is offered, the holiday is not, an hour's slots.
    public = requests.get(
        f"{office.url}/booking?service=kk-perubahan&day={tomorrow.isoformat()}", timeout=10
    ).text
    assert "Perubahan Kartu Keluarga" in public
    assert f'value="{holiday.isoformat()}"' not in public
    assert re.findall(r'<option value="(\d{2}:\d{2})"', public) == ["08:00", "09:00"]
    assert "Libur uji" in public
    # Capacity 1: once booked, the 08:00 slot is no longer offered.
    someone = new_citizens(office_db, 1, seed=31)[0]
    with office_db.begin() as conn:
        made = bookings.book(
            conn, office_id=DEMO_OFFICE, service_id="kk-perubahan", day=tomorrow,
            starts_at="08:00", identity=Identity(someone.born, nik=someone.nik), phone=None,
            language="id", client="test", audit_key=KEY, now=utc_now(),
            zone=ZONE,
        )  # fmt: skip
    assert isinstance(made, Booking)
    public = requests.get(
        f"{office.url}/booking?service=kk-perubahan&day={tomorrow.isoformat()}", timeout=10
    ).text
    assert re.findall(r'<option value="(\d{2}:\d{2})"', public) == ["09:00"]


def test_a_settings_form_without_its_token_or_for_another_office_changes_nothing(
    office: RunningCentral, office_db: Database
) -> None:
    before = settings_of(office_db, "izin-usaha-mikro")
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, token = logged_in(office.url, clerk)
    body = {
        "service_id": "izin-usaha-mikro", "enabled": "on", "slot_minutes": "30",
        "capacity": "9", "walk_in_percent": "0", "policy": "head", "grace_minutes": "15",
    }  # fmt: skip
    url = f"{office.url}/office/bookings/settings"
    no_token = http.post(url, data=body, headers={"Origin": office.url}, timeout=10)
    assert no_token.status_code == 403
    other = new_office(office_db)
    elsewhere = http.post(
        url, data={**body, "csrf": token, "office_id": other}, headers={"Origin": office.url},
        timeout=10,
    )  # fmt: skip
    assert elsewhere.status_code == 404
    bad = http.post(
        url, data={**body, "csrf": token, "capacity": "-3"}, headers={"Origin": office.url},
        timeout=10,
    )  # fmt: skip
    assert bad.status_code == 422 and "Tidak ada yang diubah" in bad.text
    assert settings_of(office_db, "izin-usaha-mikro") == before


def test_a_settings_form_for_a_service_the_office_lacks_is_refused_and_changes_nothing(
    office: RunningCentral, office_db: Database
) -> None:
    """The refusal's page was drawn inside the form's own write, and drawing it opens a
    transaction too: on SQLite it waited for the write it stood in, past the busy timeout,
    and staff were told the database was busy (503) instead of what was wrong (422)."""
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, token = logged_in(office.url, clerk)
    body = {
        "csrf": token, "service_id": "layanan-tidak-ada", "enabled": "on",
        "slot_minutes": "30", "capacity": "9", "walk_in_percent": "0", "policy": "head",
        "grace_minutes": "15",
    }  # fmt: skip
    refused = http.post(
        f"{office.url}/office/bookings/settings",
        data=body,
        headers={"Origin": office.url},
        timeout=60,
    )
    assert refused.status_code == 422, refused.text[:300]
    assert "Tidak ada yang diubah" in refused.text
    assert settings_of(office_db, "layanan-tidak-ada") is None


def test_the_counter_page_and_the_dashboard_show_todays_bookings_per_service(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    # The longest grace, so the booking is no no-show yet whatever the hour the test runs.
    open_for_bookings(office_db, "ktp-cetak-ulang", settings=ServiceSettings(grace_minutes=240))
    zone = ZONE
    now = utc_now()
    today = now.astimezone(zone).date()
    # Booked "this morning", for the day's last slot, so it is still to come whatever the hour.
    morning = dt.datetime.combine(today, dt.time(0, 1), tzinfo=zone).astimezone(dt.UTC)
    people = new_citizens(office_db, 2, seed=47)
    codes = []
    with office_db.begin() as conn:
        for someone in people:
            made = bookings.book(
                conn, office_id=DEMO_OFFICE, service_id="ktp-cetak-ulang", day=today,
                starts_at="23:00", identity=Identity(someone.born, nik=someone.nik), phone=None,
                language="id", client="test", audit_key=KEY, now=morning, zone=zone,
            )  # fmt: skip
            assert isinstance(made, Booking)
            codes.append(made.code)
        cancelled = bookings.cancel(
            conn, codes[1], people[1].born, client="test", audit_key=KEY, now=morning
        )
        assert isinstance(cancelled, Booking)

    sit(page, office, office_db, "2", "ktp-cetak-ulang")
    section = page.locator("section.bookings-today")
    expect(section.get_by_role("heading", name="Janji hari ini")).to_be_visible()
    row = section.locator('tr[data-booked-service="ktp-cetak-ulang"]')
    expect(row.locator("th")).to_have_text("Cetak Ulang KTP-el")
    section.get_by_text("Cetak Ulang KTP-el (").click()  # open the list of that service
    expect(section.get_by_role("cell", name=format_code(codes[0]))).to_be_visible()
    expect(section.get_by_role("cell", name=format_code(codes[1]))).to_be_visible()
    assert people[0].nik not in page.content()

    page.goto(f"{office.url}/dashboard")
    dash = page.locator("section.bookings-today").first
    cells = dash.locator('tr[data-booked-service="ktp-cetak-ulang"] td')
    # Booked, checked in, no-show, cancelled, total: as the centre holds them (the demo
    # also books Siti today), ours among them.
    with office_db.begin() as conn:
        day = bookings.day_bookings(
            conn, DEMO_OFFICE, today, now=utc_now(), service_ids=["ktp-cetak-ulang"]
        )
    states = [b.state.value for b in day]
    assert {codes[0], codes[1]} <= {b.code for b in day}
    expected = [str(states.count(s)) for s in ("booked", "checked_in", "no_show", "cancelled")]
    expect(cells).to_have_text([*expected, str(len(states))])
    assert states.count("cancelled") >= 1 and states.count("booked") >= 1


def test_bad_hours_change_nothing_and_a_holiday_can_be_removed_again(
    office: RunningCentral, office_db: Database
) -> None:
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, token = logged_in(office.url, clerk)
    with office_db.read() as conn:
        before = bookings.hours(conn, DEMO_OFFICE)
    headers = {"Origin": office.url}
    for opens, closes in (("10:00", "09:00"), ("9 pagi", "12:00"), ("08:00", "")):
        bad = http.post(
            f"{office.url}/office/bookings/hours",
            data={"csrf": token, "opens_0": opens, "closes_0": closes},
            headers=headers, timeout=10,
        )  # fmt: skip
        assert bad.status_code == 422 and "Tidak ada yang diubah" in bad.text, (opens, closes)
    with office_db.read() as conn:
        assert bookings.hours(conn, DEMO_OFFICE) == before

    day = (utc_now().astimezone(ZONE) + dt.timedelta(days=20)).date().isoformat()
    added = http.post(
        f"{office.url}/office/bookings/holidays",
        data={"csrf": token, "day": day, "name": "Cuti bersama"}, headers=headers, timeout=10,
    )  # fmt: skip
    assert added.status_code == 200 and "Cuti bersama" in added.text
    removed = http.post(
        f"{office.url}/office/bookings/holidays/remove",
        data={"csrf": token, "day": day}, headers=headers, timeout=10,
    )  # fmt: skip
    assert removed.status_code == 200 and "Hari libur dihapus." in removed.text
    with office_db.read() as conn:
        assert day not in {h.day.isoformat() for h in bookings.holidays(conn, DEMO_OFFICE)}


def test_a_holiday_on_a_day_with_bookings_tells_staff_and_lists_them(
    office: RunningCentral, office_db: Database
) -> None:
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    http, token = logged_in(office.url, clerk)
    headers = {"Origin": office.url}
    day = (utc_now().astimezone(ZONE) + dt.timedelta(days=9)).date()
    open_for_bookings(office_db, "izin-usaha-mikro")
    (citizen,) = new_citizens(office_db, 1, seed=61)
    with office_db.begin() as conn:
        made = bookings.book(
            conn, office_id=DEMO_OFFICE, service_id="izin-usaha-mikro", day=day,
            starts_at="10:00", identity=Identity(citizen.born, nik=citizen.nik), phone=None,
            language="id", client="10.8.0.1", audit_key=KEY, now=utc_now(), zone=ZONE,
        )  # fmt: skip
    assert isinstance(made, Booking), made
    # A name with a direction or invisible character is refused like other typed texts.
    for hidden in ("Libur\u202eavon", "Li\u200bbur"):
        bad = http.post(
            f"{office.url}/office/bookings/holidays",
            data={"csrf": token, "day": day.isoformat(), "name": hidden},
            headers=headers, timeout=10,
        )  # fmt: skip
        assert bad.status_code == 422 and "tanpa karakter tak terlihat" in bad.text
    added = http.post(
        f"{office.url}/office/bookings/holidays",
        data={"csrf": token, "day": day.isoformat(), "name": "Libur daerah"},
        headers=headers, timeout=10,
    )  # fmt: skip
    try:
        assert added.status_code == 200
        assert "Hari itu masih ada janji yang tercatat" in added.text
        assert "1 janji masih tercatat pada hari ini: hubungi warganya" in added.text
        assert format_code(made.code) in added.text
    finally:
        http.post(
            f"{office.url}/office/bookings/holidays/remove",
            data={"csrf": token, "day": day.isoformat()}, headers=headers, timeout=10,
        )  # fmt: skip
