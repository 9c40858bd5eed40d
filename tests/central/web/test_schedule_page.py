"""A hospital's staff keep the doctors' schedules on ``/office/schedules``, in a real chromium.

What the form wrote is read back through the kiosk's ``doctors/today``; a
visit an offline kiosk registered beyond the quota is listed for staff to check.
"""

from __future__ import annotations

import datetime as dt

import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from central.tables import audit_log, doctor_schedules
from testkit.browser import log_in
from testkit.centre_accounts import bearer, new_staff_account
from testkit.centre_hospital import (
    HOSPITAL,
    hospital_kiosk,
    hospital_registration,
    what_the_registration_did,
)
from testkit.centre_requests import ZONE, new_id, results


def test_staff_add_change_and_remove_a_doctor_and_kiosks_see_it(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=HOSPITAL)
    log_in(page, office.url, clerk, then="/office/schedules")
    expect(page.get_by_role("heading", name="Jadwal dokter", exact=True)).to_be_visible()
    today = dt.datetime.now(ZONE).isoweekday()
    expect(page.get_by_role("cell", name=f"rsud-dalam-andi-{today}", exact=True)).to_be_visible()

    form = page.get_by_role("form", name="Tambah atau ubah jadwal")
    form.get_by_label("Kode jadwal").fill("tht-sari")
    form.get_by_label("Poli").select_option("poli-anak")
    form.get_by_label("Kode dokter BPJS").fill("55501")
    form.get_by_label("Nama dokter").fill("dr. Sari Dewi, Sp.A")
    form.get_by_label("Hari").select_option(str(today))
    form.get_by_label("Mulai (JJ:MM)").fill("15:00")
    form.get_by_label("Selesai (JJ:MM)").fill("13:00")  # before it starts: refused
    form.get_by_label("Kuota JKN", exact=True).fill("12")
    form.get_by_label("Kuota non-JKN").fill("3")
    form.get_by_label("Menit per pasien").fill("20")
    form.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("alert")).to_contain_text("Jadwal tidak disimpan")
    with office_db.read() as conn:
        assert (
            conn.execute(
                select(doctor_schedules.c.id).where(doctor_schedules.c.id == "tht-sari")
            ).first()
            is None
        )
    form = page.get_by_role("form", name="Tambah atau ubah jadwal")
    expect(form.get_by_label("Nama dokter")).to_have_value("dr. Sari Dewi, Sp.A")  # kept
    form.get_by_label("Selesai (JJ:MM)").fill("18:00")
    form.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status")).to_have_text("Jadwal disimpan.")
    expect(page.get_by_role("cell", name="dr. Sari Dewi, Sp.A (55501)")).to_be_visible()

    token, _ = hospital_kiosk(office.url)
    doctors = requests.get(
        f"{office.url}/api/v1/hospital/doctors/today", headers=bearer(token), timeout=10
    ).json()["doctors"]
    [sari] = [d for d in doctors if d["schedule_id"] == "tht-sari"]
    assert (sari["kodepoli"], sari["starts"], sari["left_jkn"]) == ("ANA", "15:00", 12)

    page.get_by_role("button", name="Hapus tht-sari").click()
    expect(page.get_by_role("status")).to_have_text("Jadwal dihapus.")
    with office_db.read() as conn:
        actions = set(
            conn.execute(
                select(audit_log.c.action).where(audit_log.c.subject == "schedule:tht-sari")
            ).scalars()
        )
    assert actions == {"schedule_saved", "schedule_removed"}


def test_a_visit_beyond_the_quota_is_listed_for_staff(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    token, code = hospital_kiosk(office.url)
    admin = new_staff_account(office_db, staff.Role.ADMIN, office_id=HOSPITAL)
    today = dt.datetime.now(ZONE).isoweekday()
    with office_db.begin() as conn:
        conn.execute(
            doctor_schedules.update()
            .where(doctor_schedules.c.id == f"rsud-gigi-hendra-{today}")
            .values(quota_jkn=0)
        )
    ticket_id = new_id()
    item = hospital_registration(
        ticket_id,
        f"G-{code}-001",
        "fallback",
        {"schedule_id": f"rsud-gigi-hendra-{today}", "payer": "jkn"},
        service_id="poli-gigi",
    )
    [done] = results(office.url, token, [item])
    assert done["status"] == "accepted", done
    assert what_the_registration_did(office_db, ticket_id)["over_quota"] is True
    log_in(page, office.url, admin, then="/office/schedules")
    over = page.locator("#over-quota")
    expect(over).to_contain_text("kuota habis — periksa")
    expect(over.get_by_role("cell", name=f"G-{code}-001")).to_be_visible()
    expect(over.get_by_role("cell", name="drg. Hendra Saputra")).to_be_visible()
