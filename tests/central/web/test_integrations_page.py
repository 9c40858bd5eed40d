"""``/office/integrations`` in Chromium: staff see what BPJS refused in its own words, and
only their office's; "Kirim lagi" puts it back in the outbox, audited."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from central.access import staff
from central.database import Database
from central.integrations import outbox
from central.process import RunningCentral
from central.tables import audit_log, integration_outbox
from testkit.browser import log_in
from testkit.centre_accounts import DEMO_OFFICE, new_office, new_staff_account

NOW = dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.UTC)


def _dead(db: Database, office_id: str, code: str, message: str) -> int:
    key = f"bpjs:add:KB{code}{office_id}"
    with db.begin() as conn:
        outbox.enqueue(
            conn,
            target=outbox.BPJS,
            kind="add",
            dedupe_key=key,
            order_key=f"KB{code}",
            office_id=office_id,
            body={"kodebooking": f"KB{code}"},
            now=NOW,
        )
        conn.execute(
            update(integration_outbox)
            .where(integration_outbox.c.dedupe_key == key)
            .values(state="dead", attempts=1, last_code="201", last_error=message)
        )
        return int(
            conn.execute(
                select(integration_outbox.c.id).where(integration_outbox.c.dedupe_key == key)
            ).scalar_one()
        )


def test_staff_see_bpjs_words_and_send_again(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    row = _dead(office_db, DEMO_OFFICE, "7001", "Nomor Kartu 0001234567890 tidak aktif")
    elsewhere = new_office(office_db)
    _dead(office_db, elsewhere, "7002", "Poli tidak ditemukan")
    username = new_staff_account(office_db, staff.Role.ADMIN, DEMO_OFFICE)
    log_in(page, office.url, username, then="/")
    page.goto(f"{office.url}/office/integrations")
    failures = page.locator("#failures")
    expect(failures).to_contain_text("[201] Nomor Kartu 0001… tidak aktif")
    expect(failures).not_to_contain_text("0001234567890")  # a card number stays off the page
    expect(failures).not_to_contain_text("Poli tidak ditemukan")  # another office's
    expect(page.locator("#targets")).to_contain_text("BPJS Antrean RS: tidak aktif")
    # BPJS is off on this server: the page says what waits for it, and nothing is sent.
    held = page.locator("#held")
    expect(held).to_contain_text("Tujuan tidak aktif")
    expect(held).to_contain_text("KB7001")
    expect(held).not_to_contain_text("KB7002")  # another office's
    page.get_by_role("button", name="Kirim lagi add KB7001").click()
    expect(page.get_by_role("alert")).to_contain_text("tujuannya tidak aktif di server ini")
    expect(page.locator("#failed-count")).to_have_text("1")
    with office_db.begin() as conn:  # a server started with BPJS on
        outbox.set_targets(conn, {outbox.BPJS: "on"}, NOW)
    try:
        page.goto(f"{office.url}/office/integrations")
        expect(page.locator("#held")).to_have_count(0)
        page.get_by_role("button", name="Kirim lagi add KB7001").click()
        expect(page.get_by_role("status")).to_contain_text("Dikirim lagi.")
    finally:
        with office_db.begin() as conn:
            outbox.set_targets(conn, {}, NOW)
    expect(page.locator("#failed-count")).to_have_text("0")
    with office_db.read() as conn:
        state = conn.execute(
            select(integration_outbox.c.state, integration_outbox.c.attempts).where(
                integration_outbox.c.id == row
            )
        ).one()
        audited = conn.execute(
            select(audit_log.c.actor, audit_log.c.subject, audit_log.c.detail).where(
                audit_log.c.action == "integration_sent_again"
            )
        ).one()
    assert tuple(state) == ("pending", 0)
    assert audited.actor == f"staff:{username}" and audited.subject == f"integration:{row}"
    assert "0001234567890" not in audited.detail and "tidak aktif" in audited.detail
