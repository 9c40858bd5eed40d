"""The counter page says why a poli registration made no visit, so the desk registers it.

A registration whose patient the centre refused (here a date of birth that is not
the record's) is stored, and its ticket waits in the poli's queue as a plain one;
the kiosk that sent it is told nothing of why (central.office.submissions.for_kiosk).
The clerk who calls it sees the registration and, above it, that no visit was made
and why: nothing the kiosk sent is lost. Its ticket holds the doctor's place till it
closes (central/hospital/visits.py), so the note tells the clerk to mark it not come
before the desk registers the citizen again: "Tidak hadir" gives the place back. A
registration that made its visit says the visit instead. A real chromium on a real
centre, the tickets and the registration from a hospital kiosk over HTTP.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from central.tables import quota_takes
from testkit.browser import log_in
from testkit.centre_accounts import new_staff_account
from testkit.centre_hospital import (
    HOSPITAL,
    allocate,
    hospital_kiosk,
    hospital_staff,
    new_hospital_patient,
    new_schedule,
    poli_registration,
    what_the_registration_did,
)
from testkit.centre_requests import results

pytestmark = pytest.mark.timeout(180)
POLI_COUNTER = "Poli Penyakit Dalam"  # the demo catalog's counter of poli-dalam


def sit_at_the_poli(page: Page, office: RunningCentral, db: Database) -> None:
    """A new clerk of the demo hospital, logged in, at the internal medicine poli."""
    username = new_staff_account(db, staff.Role.STAFF, office_id=HOSPITAL)
    log_in(page, office.url, username, then="/counter")
    page.get_by_label("Loket", exact=True).select_option(label=POLI_COUNTER)
    page.locator('input[name="queues"][value="poli-dalam"]').check()
    page.get_by_role("button", name="Simpan loket").click()
    expect(page.get_by_role("heading", name=f"Loket — {POLI_COUNTER}")).to_be_visible()


def test_a_registration_refused_for_its_patient_says_why_to_the_clerk_who_calls_it(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    kiosk, _ = hospital_kiosk(office.url)
    sid = new_schedule(office.url, hospital_staff(office_db, office.url), quota_non_jkn=5)
    patient = new_hospital_patient(office_db)
    made = allocate(office.url, kiosk, sid, payer="umum")  # as a kiosk older than the keys
    assert made.status_code == 201, made.text
    ticket = made.json()
    values = {"nik": patient.nik, "birth_date": "1971-01-01"}  # not the record's
    item = poli_registration(ticket, sid, values, payer="umum")
    [done] = results(office.url, kiosk, [item])
    assert done["status"] == "accepted" and "hospital" not in done["result"], done
    did = what_the_registration_did(office_db, ticket["ticket_id"])
    assert did["error"] == "identity_conflict", did  # kept for staff

    sit_at_the_poli(page, office, office_db)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#current-number")).to_contain_text(ticket["display"])
    expect(page.locator("#registration-table")).to_contain_text(patient.nik)
    no_visit = page.locator("#registration-no-visit")
    expect(no_visit).to_contain_text("Kunjungan poli belum dibuat — daftarkan di loket:")
    expect(no_visit).to_contain_text("data pasien tidak sama dengan data rumah sakit")
    expect(page.locator("#registration-visit")).to_have_count(0)
    # the ticket holds the doctor's place till it closes: the note says to give it back
    expect(no_visit).to_contain_text(
        "Tandai nomor ini “Tidak hadir” sebelum warga didaftarkan lagi di loket, agar "
        "tempatnya di kuota dokter kembali."
    )
    assert held_place(office_db, ticket["ticket_id"]) is True
    page.get_by_role("button", name="Tidak hadir").click()
    expect(page.locator("#current-none")).to_be_visible()
    assert held_place(office_db, ticket["ticket_id"]) is False  # the place went back


def held_place(db: Database, ticket_id: str) -> bool:
    """Whether ``ticket_id`` holds a doctor's place now (taken, not given back)."""
    with db.read() as conn:
        released = conn.execute(
            select(quota_takes.c.released_at).where(quota_takes.c.ticket_id == ticket_id)
        ).one()
    return released.released_at is None


def test_a_registration_that_made_its_visit_says_no_such_thing(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    kiosk, _ = hospital_kiosk(office.url)
    sid = new_schedule(office.url, hospital_staff(office_db, office.url), quota_non_jkn=5)
    patient = new_hospital_patient(office_db)
    made = allocate(office.url, kiosk, sid, payer="umum", patient=patient.keys())
    assert made.status_code == 201, made.text
    ticket = made.json()
    item = poli_registration(ticket, sid, patient.keys(), payer="umum")
    [done] = results(office.url, kiosk, [item])
    assert done["status"] == "accepted" and "hospital" not in done["result"], done
    assert "kodebooking" in what_the_registration_did(office_db, ticket["ticket_id"])

    sit_at_the_poli(page, office, office_db)
    page.get_by_role("button", name="Panggil berikutnya").click()
    expect(page.locator("#current-number")).to_contain_text(ticket["display"])
    expect(page.locator("#registration-visit")).to_be_visible()
    expect(page.locator("#registration-no-visit")).to_have_count(0)
