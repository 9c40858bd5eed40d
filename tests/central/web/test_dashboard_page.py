"""The dashboard: a day's figures per office and service, the fleet, and the day as CSV.

A real chromium on a real centre. Tickets come from a kiosk and a counter
over the API (today's) or are written straight into the database on a day of
their own (known spans, for the waits); the page must show exactly those.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import statistics
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import insert, update

from central.access import staff
from central.database import Database
from central.office import fleet
from central.process import RunningCentral
from central.tables import kiosks as kiosk_table
from central.tables import services
from testkit.browser import log_in
from testkit.centre_accounts import (
    DEMO_OFFICE,
    bearer,
    enrol,
    new_code,
    new_kiosk,
    new_office,
    new_staff,
    new_staff_account,
)
from testkit.centre_requests import allocate, staff_post, today
from testkit.office_days import DayTicket, at, insert_day

pytestmark = pytest.mark.timeout(120)
KTP = "ktp-cetak-ulang"
KTP_NAME = "Cetak Ulang KTP-el"
_days = itertools.count()


def a_day_of_its_own() -> dt.date:
    return dt.date(2032, 2, 1) + dt.timedelta(days=next(_days))


def figure(page: Page, service_id: str, name: str) -> int:
    cell = page.locator(f'tr[data-service="{service_id}"] td[data-figure="{name}"]').first
    return int(cell.inner_text())


def figures(page: Page, service_id: str) -> dict[str, int]:
    names = ("issued", "served", "no_show", "waiting", "held")
    return {name: figure(page, service_id, name) for name in names}


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}".replace(".", ",")


def test_the_dashboard_asks_staff_to_log_in(page: Page, office: RunningCentral) -> None:
    page.goto(f"{office.url}/dashboard")
    expect(page.get_by_role("heading", name="Masuk petugas")).to_be_visible()
    assert "/login?next=%2Fdashboard" in page.url


def test_todays_counts_follow_the_kiosk_and_the_counter(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    _kiosk, token = new_kiosk(office_db, office.url)
    clerk = new_staff(office_db, office.url, staff.Role.STAFF, office_id=DEMO_OFFICE)
    username = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, username, then="/dashboard")
    expect(page.get_by_role("heading", name="Dasbor kantor")).to_be_visible()
    expect(page.locator(f'tr[data-service="{KTP}"] th')).to_have_text(KTP_NAME)
    before = figures(page, KTP)

    for _ in range(4):
        assert allocate(office.url, token, KTP).status_code == 201
    call = {"office_id": DEMO_OFFICE, "service_id": KTP, "counter": "3"}
    for outcome in ("served", "no-show"):
        called = staff_post(office.url, clerk, "/api/v1/staff/queue/call-next", call)
        ticket = called.json()["ticket"]
        assert ticket is not None, called.text
        done = staff_post(
            office.url, clerk, f"/api/v1/staff/tickets/{ticket['ticket_id']}/{outcome}"
        )
        assert done.status_code == 200, done.text

    page.reload()
    after = figures(page, KTP)
    assert {k: after[k] - before[k] for k in after} == {
        "issued": 4,
        "served": 1,
        "no_show": 1,
        "waiting": 2,
        "held": 0,
    }
    expect(page.get_by_text(f"Angka {today().isoformat()}")).to_be_visible()


def test_a_chosen_days_waits_and_hours_are_those_of_its_tickets(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    kiosk_id, _ = new_kiosk(office_db, office.url)
    day = a_day_of_its_own()
    nine = at(day, 9)
    waits = [10, 20, 30, 35, 52]  # minutes
    services_ = [4, 6, 3, 9, 12]
    items = [
        DayTicket(
            KTP,
            "served",
            nine,
            nine + dt.timedelta(minutes=w),
            nine + dt.timedelta(minutes=w + s),
        )
        for w, s in zip(waits, services_, strict=True)
    ]
    items += [DayTicket(KTP, "waiting", at(day, 13, 5)), DayTicket(KTP, "no_show", at(day, 13, 40))]
    insert_day(office_db, DEMO_OFFICE, kiosk_id, day, items)
    username = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, username, then="/dashboard")
    page.get_by_label("Tanggal").fill(day.isoformat())
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.get_by_text(f"Angka {day.isoformat()}")).to_be_visible()

    assert figures(page, KTP) == {"issued": 7, "served": 5, "no_show": 1, "waiting": 1, "held": 0}
    wait_s = [w * 60 for w in waits]
    spent_s = [s * 60 for s in services_]
    expected = {
        "wait_median": minutes(statistics.median(wait_s)),
        "wait_p90": minutes(statistics.quantiles(wait_s, n=10, method="inclusive")[8]),
        "service_median": minutes(statistics.median(spent_s)),
        "service_p90": minutes(statistics.quantiles(spent_s, n=10, method="inclusive")[8]),
    }
    row = page.locator(f'tr[data-service="{KTP}"]')
    shown = {name: row.locator(f'td[data-figure="{name}"]').inner_text() for name in expected}
    assert shown == expected

    chart = page.get_by_role("img", name="Tiket per jam · Mal Pelayanan Publik Kota Pekanbaru")
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() == 24
    page.get_by_text("Angka per jam").click()
    hours = page.locator("table.hours tbody tr")
    rows = [(r.locator("th").inner_text(), r.locator("td").inner_text()) for r in hours.all()]
    assert rows == [("09:00–10:00", "5"), ("13:00–14:00", "2")]


def test_a_bad_date_is_explained(page: Page, office: RunningCentral, office_db: Database) -> None:
    username = new_staff_account(office_db, staff.Role.ADMIN)
    log_in(page, office.url, username, then="/dashboard")
    for bad in ("2026-13-45", "kemarin", "1999-12-31"):
        response = page.goto(f"{office.url}/dashboard?day={bad}")
        assert response is not None and response.status == 422
        expect(page.get_by_role("alert")).to_contain_text("Tanggal tidak dikenal")
    csv_answer = page.request.get(f"{office.url}/dashboard/export.csv?day=31-12-2026")
    assert csv_answer.status == 422 and "Tanggal tidak dikenal" in csv_answer.text()


def test_an_office_account_sees_only_its_office(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    elsewhere = new_office(office_db, name="Kantor Camat Sukajadi (test)")
    username = new_staff_account(office_db, staff.Role.ADMIN, office_id=elsewhere)
    log_in(page, office.url, username, then="/dashboard")
    expect(page.get_by_role("heading", name="Kantor Camat Sukajadi (test)")).to_be_visible()
    expect(page.get_by_text("Mal Pelayanan Publik Kota Pekanbaru")).to_have_count(0)
    expect(page.get_by_label("Kantor", exact=True)).to_have_count(0)  # no office to pick

    refused = page.goto(f"{office.url}/dashboard?office_id={DEMO_OFFICE}")
    assert refused is not None and refused.status == 403
    expect(page.get_by_role("alert")).to_contain_text(f"hanya untuk kantor {elsewhere}")
    expect(page.locator("tr[data-service]")).to_have_count(0)
    export = page.request.get(f"{office.url}/dashboard/export.csv?office_id={DEMO_OFFICE}")
    assert export.status == 403 and KTP not in export.text()
    own = page.request.get(f"{office.url}/dashboard/export.csv")
    assert own.status == 200
    assert [r["office_id"] for r in csv.DictReader(io.StringIO(own.text()))] == []
    without_session = requests.get(
        f"{office.url}/dashboard/export.csv", timeout=10, allow_redirects=False
    )
    assert without_session.status_code == 303


def test_an_admin_sees_every_office_and_may_pick_one(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    other = new_office(office_db, name="Kantor Lurah Simpang Baru (test)")
    username = new_staff_account(office_db, staff.Role.ADMIN)
    log_in(page, office.url, username, then="/dashboard")
    expect(page.get_by_role("heading", name="Mal Pelayanan Publik Kota Pekanbaru")).to_be_visible()
    expect(page.get_by_role("heading", name="Kantor Lurah Simpang Baru (test)")).to_be_visible()
    page.get_by_label("Kantor", exact=True).select_option(other)
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.get_by_role("heading", name="Kantor Lurah Simpang Baru (test)")).to_be_visible()
    expect(page.get_by_role("heading", name="Mal Pelayanan Publik Kota Pekanbaru")).to_have_count(0)
    unknown = page.goto(f"{office.url}/dashboard?office_id=no-such-office")
    assert unknown is not None and unknown.status == 404
    expect(page.get_by_role("alert")).to_have_text("Kantor ini tidak dikenal.")


def _beat(**changes: Any) -> fleet.Heartbeat:
    values: dict[str, Any] = {
        "sent_at": dt.datetime.now(dt.UTC),
        "version": "test",
        "reader_state": "ok",
        "reader_detail": "",
        "printer_state": "ok",
        "printer_detail": "",
        "outbox_pending": 0,
        "outbox_dead": 0,
        "outbox_oldest_pending_s": None,
        "catalog_version": None,
        "leases": [],
        **changes,
    }
    return fleet.Heartbeat(**values)


def test_the_fleet_shows_silent_kiosks_first_and_says_what_is_wrong(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    branch = new_office(office_db, name="Kantor Cabang Armada (test)")
    kiosks = {}
    for name in ("A sehat", "B printer", "C diam", "D belum pernah"):
        answer = enrol(office.url, new_code(office_db, office_id=branch))
        assert answer.status_code == 201, answer.text
        kiosks[name] = answer.json()["kiosk_id"]
        with office_db.begin() as conn:
            conn.execute(
                update(kiosk_table)
                .where(kiosk_table.c.id == kiosks[name])
                .values(name=f"Anjungan {name}")
            )
    now = dt.datetime.now(dt.UTC)
    with office_db.begin() as conn:
        fleet.record_heartbeat(conn, kiosks["A sehat"], _beat(), now=now)
        fleet.record_heartbeat(
            conn, kiosks["B printer"], _beat(printer_state="fault", outbox_pending=3), now=now
        )
        silent_since = now - dt.timedelta(minutes=12)
        fleet.record_heartbeat(
            conn, kiosks["C diam"], _beat(sent_at=silent_since), now=silent_since
        )
    username = new_staff_account(office_db, staff.Role.STAFF, office_id=branch)
    log_in(page, office.url, username, then="/dashboard")
    rows = page.locator("table.fleet tbody tr")
    expect(rows).to_have_count(4)
    names = [r.locator("th").inner_text().split(" (K")[0] for r in rows.all()]
    assert names == [
        "Anjungan C diam",
        "Anjungan D belum pernah",
        "Anjungan B printer",
        "Anjungan A sehat",
    ]
    words = [r.locator("td").first.inner_text() for r in rows.all()]
    assert words[0] == "Tidak ada kabar selama 12 menit"
    assert words[1] == "Belum pernah mengirim kabar"
    assert "Printer bermasalah" in words[2]
    assert words[3] == "Semua baik"
    expect(rows.nth(2).get_by_text("3 menunggu, 0 gagal")).to_be_visible()
    expect(rows.nth(3).locator("td.num")).to_have_text("+0 s")


def test_the_csv_holds_the_days_figures_and_no_formula(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    branch = new_office(office_db, name='=HYPERLINK("http://evil.example")')
    with office_db.begin() as conn:
        conn.execute(
            insert(services).values(
                id=f"{branch}-svc",
                office_id=branch,
                category="layanan",
                name="@SUM(1+1)",
                ticket_prefix="Z",
                counter="1",
                active=True,
            )
        )
    kiosk_answer = enrol(office.url, new_code(office_db, office_id=branch))
    assert kiosk_answer.status_code == 201
    day = a_day_of_its_own()
    ten = at(day, 10)
    insert_day(
        office_db,
        branch,
        kiosk_answer.json()["kiosk_id"],
        day,
        [
            DayTicket(
                f"{branch}-svc",
                "served",
                ten,
                ten + dt.timedelta(minutes=6),
                ten + dt.timedelta(minutes=9),
            ),
            DayTicket(f"{branch}-svc", "waiting", ten + dt.timedelta(minutes=70)),
        ],
    )
    username = new_staff_account(office_db, staff.Role.ADMIN)
    log_in(page, office.url, username, then=f"/dashboard?office_id={branch}&day={day}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh CSV hari ini").click()
    assert download.value.suggested_filename == f"anjungan-{day}-{branch}.csv"
    answer = page.request.get(f"{office.url}/dashboard/export.csv?office_id={branch}&day={day}")
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="anjungan-{day}-{branch}.csv"'
    )
    [row] = list(csv.DictReader(io.StringIO(answer.text())))
    assert row["office"] == '\'=HYPERLINK("http://evil.example")'
    assert row["service"] == "'@SUM(1+1)"
    counted = {k: row[k] for k in ("day", "issued", "served", "no_show", "waiting", "held")}
    assert counted == {
        "day": day.isoformat(),
        "issued": "2",
        "served": "1",
        "no_show": "0",
        "waiting": "1",
        "held": "0",
    }
    assert (row["wait_median_min"], row["service_median_min"]) == ("6.0", "3.0")
    assert (row["issued_10h"], row["issued_11h"], row["issued_09h"]) == ("1", "1", "0")
    # Nothing but figures and names: no ticket number, id or kiosk.
    assert "T-0000" not in answer.text() and kiosk_answer.json()["kiosk_id"] not in answer.text()


def test_the_csv_needs_a_staff_session(office: RunningCentral, office_db: Database) -> None:
    token = new_staff(office_db, office.url, staff.Role.ADMIN)
    # The API's bearer token is no session for the pages.
    answer = requests.get(
        f"{office.url}/dashboard/export.csv",
        headers=bearer(token),
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
