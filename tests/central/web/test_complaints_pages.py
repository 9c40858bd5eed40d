"""Staff answer complaints and move applications on the office pages; citizens read the answer.

Driven as staff would in a real chromium on a real centre; the refusals
(CSRF, another office) are sent as a hostile client would, over real HTTP.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import requests
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from central.access import staff
from central.database import Database
from central.office import applications
from central.process import RunningCentral
from central.tables import audit_log, citizens
from central.tables import complaints as complaints_table
from testkit.browser import fresh_context, log_in
from testkit.centre_accounts import (
    DEMO_OFFICE,
    bearer,
    new_kiosk,
    new_office,
    new_staff_account,
)
from testkit.centre_requests import complaint, results
from testkit.office_sessions import logged_in

SITI_CARD = "PKU-000001"


def filed(office: RunningCentral, db: Database, text: str, card: str | None = SITI_CARD) -> str:
    """A complaint filed at a kiosk of the demo office, as the kiosk files it: its reference."""
    _, token = new_kiosk(db, office.url)
    item = complaint(str(uuid.uuid4()), text)
    reference = f"ADU-{uuid.uuid4().hex[:4]}-{uuid.uuid4().hex[:4]}-{uuid.uuid4().hex[:4]}"
    item["body"].update(reference=reference.upper(), card_number=card)
    assert results(office.url, token, [item])[0]["status"] == "accepted"
    return reference.upper()


def state_of(db: Database, reference: str) -> str:
    with db.read() as conn:
        found = conn.execute(
            select(complaints_table.c.state).where(complaints_table.c.reference == reference)
        ).scalar_one()
    return str(found)


def answer_of(db: Database, reference: str) -> str | None:
    with db.read() as conn:
        found = conn.execute(
            select(complaints_table.c.answer).where(complaints_table.c.reference == reference)
        ).scalar_one()
    return None if found is None else str(found)


def page_token(http: requests.Session, url: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', http.get(url, timeout=5).text)
    assert found is not None
    return found.group(1)


def test_a_complaint_answered_by_staff_appears_on_the_citizens_page(
    page: Page, browser: Browser, office: RunningCentral, office_db: Database
) -> None:
    reference = filed(office, office_db, "Petugas loket 4 bernama Rudi tidak ramah.")
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, clerk, then="/office/complaints")
    expect(page.get_by_role("heading", name="Pengaduan")).to_be_visible()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_text("Petugas loket 4 bernama Rudi tidak ramah.")).to_be_visible()
    page.get_by_label("Jawaban").fill("Terima kasih. Petugas sudah dibina oleh kepala kantor.")
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.get_by_role("status")).to_have_text("Jawaban tersimpan.")
    expect(page.get_by_text("Sudah dijawab").first).to_be_visible()

    with fresh_context(browser) as citizen:  # the receipt's QR code, on a phone
        phone = citizen.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(f"{office.url}/c/{reference}")
        expect(phone.get_by_text("Terima kasih. Petugas sudah dibina")).to_be_visible()
        expect(phone.get_by_text("Sudah dijawab")).to_be_visible()
        shown = phone.content()
        for personal in ("Rudi", SITI_CARD, clerk):
            assert personal not in shown


def test_staff_close_and_reopen_a_complaint(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    reference = filed(office, office_db, "Kursi ruang tunggu kurang.")
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, clerk, then=f"/office/complaints/{reference}")
    page.get_by_role("button", name="Tutup pengaduan").click()
    expect(page.get_by_role("status")).to_have_text("Pengaduan ditutup.")
    assert state_of(office_db, reference) == "closed"
    expect(page.get_by_role("button", name="Kirim jawaban")).to_have_count(0)
    page.get_by_role("button", name="Buka kembali").click()
    expect(page.get_by_role("status")).to_have_text("Pengaduan dibuka kembali.")
    assert state_of(office_db, reference) == "open"


def test_an_empty_answer_gets_a_page_saying_what_is_wrong(
    office: RunningCentral, office_db: Database
) -> None:
    reference = filed(office, office_db, "Antrean lama.")
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    with logged_in(office.url, clerk)[0] as http:
        detail = f"{office.url}/office/complaints/{reference}"
        token = page_token(http, detail)
        for garbage, says in (("   ", "tidak boleh kosong"), ("x" * 2001, "terlalu panjang")):
            response = http.post(f"{detail}/answer", data={"answer": garbage, "csrf": token})
            assert response.status_code == 422
            assert response.headers["content-type"].startswith("text/html")
            assert says in response.text
    assert state_of(office_db, reference) == "open"


def test_an_answer_without_the_pages_csrf_token_is_refused(
    office: RunningCentral, office_db: Database
) -> None:
    reference = filed(office, office_db, "AC mati.")
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    with logged_in(office.url, clerk)[0] as http:
        url = f"{office.url}/office/complaints/{reference}"
        bare = http.post(f"{url}/answer", data={"answer": "Sudah."}, allow_redirects=False)
        forged = http.post(
            f"{url}/answer", data={"answer": "Sudah.", "csrf": "x" * 64}, allow_redirects=False
        )
        closing = http.post(f"{url}/close", allow_redirects=False)
    assert bare.status_code == 403 and forged.status_code == 403 and closing.status_code == 403
    assert "kedaluwarsa" in bare.text
    assert state_of(office_db, reference) == "open"


def test_another_offices_staff_neither_see_nor_answer_a_complaint(
    office: RunningCentral, office_db: Database
) -> None:
    reference = filed(office, office_db, "Toilet kotor.")
    outsider = new_staff_account(office_db, staff.Role.STAFF, office_id=new_office(office_db))
    with logged_in(office.url, outsider)[0] as http:
        listing = http.get(f"{office.url}/office/complaints", timeout=5)
        detail = http.get(f"{office.url}/office/complaints/{reference}", timeout=5)
        token = page_token(http, f"{office.url}/office/complaints")
        answered = http.post(
            f"{office.url}/office/complaints/{reference}/answer",
            data={"answer": "Bukan kantor kami.", "csrf": token},
            allow_redirects=False,
        )
    assert listing.status_code == 200 and reference not in listing.text
    assert detail.status_code == 404 and "Toilet kotor." not in detail.text
    assert answered.status_code == 404 and "tidak ditemukan" in answered.text
    assert state_of(office_db, reference) == "open"


def test_a_complaints_text_is_read_on_its_own_page_and_every_reading_is_audited(
    office: RunningCentral, office_db: Database
) -> None:
    """The text is the citizen's words about their case, tied to their card when signed:
    the list shows what a complaint is about (its category), never its text, and each
    view of the text writes the audit log, naming the staff member and the complaint."""
    words = "Anak saya Budi Santoso ditolak di loket 3."
    reference = filed(office, office_db, words)
    anonymous = filed(office, office_db, "Antrean kacau pagi ini.", card=None)
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    outsider = new_staff_account(office_db, staff.Role.STAFF, office_id=new_office(office_db))
    with logged_in(office.url, clerk)[0] as http:
        listing = http.get(f"{office.url}/office/complaints", params={"q": reference}, timeout=5)
        first = http.get(f"{office.url}/office/complaints/{reference}", timeout=5)
        again = http.get(f"{office.url}/office/complaints/{reference}", timeout=5)
        other = http.get(f"{office.url}/office/complaints/{anonymous}", timeout=5)
    with logged_in(office.url, outsider)[0] as http:
        refused = http.get(f"{office.url}/office/complaints/{reference}", timeout=5)
    assert listing.status_code == 200 and reference in listing.text
    assert "Budi" not in listing.text
    assert first.status_code == again.status_code == other.status_code == 200
    assert "Budi Santoso" in first.text
    assert refused.status_code == 404 and "Budi" not in refused.text

    with office_db.read() as conn:
        views = conn.execute(
            select(audit_log.c.actor, audit_log.c.subject, audit_log.c.detail)
            .where(audit_log.c.action == "complaint_view")
            .order_by(audit_log.c.id)
        ).all()
    mine = [v for v in views if v.subject in (reference, anonymous)]
    assert [(v.actor, v.subject, v.detail) for v in mine] == [
        (f"staff:{clerk}", reference, "signed"),
        (f"staff:{clerk}", reference, "signed"),
        (f"staff:{clerk}", anonymous, "anonymous"),
    ]
    assert not any(outsider in v.actor for v in views)  # a refused view shows nothing, logs nothing


def test_staff_put_an_application_on_hold_with_a_note_in_each_language(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, clerk, then="/office/applications?q=BRK-DEMO0002")
    page.get_by_role("link", name="BRK-DEMO0002").click()
    page.get_by_label("Status baru").select_option(label="Ditunda")
    page.get_by_label("Catatan untuk warga (Bahasa Indonesia)").fill("Lengkapi fotokopi KK.")
    page.get_by_label("Catatan untuk warga (Bahasa Inggris)").fill("Bring a copy of the KK.")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status")).to_have_text("Perubahan tersimpan.")
    expect(page.get_by_text("Ditunda").first).to_be_visible()

    _, kiosk = new_kiosk(office_db, office.url)
    asked = requests.post(
        f"{office.url}/api/v1/citizens/applications",
        json={"card_number": SITI_CARD},
        headers=bearer(kiosk),
        timeout=5,
    )
    held = next(a for a in asked.json()["applications"] if a["reference"] == "BRK-DEMO0002")
    assert held["state"] == "on_hold"
    assert held["note"] == "Lengkapi fotokopi KK." and held["note_en"] == "Bring a copy of the KK."


def test_an_application_cannot_jump_to_a_state_its_state_does_not_lead_to(
    office: RunningCentral, office_db: Database
) -> None:
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    with logged_in(office.url, clerk)[0] as http:
        url = f"{office.url}/office/applications/BRK-DEMO0003"
        token = page_token(http, url)
        jump = http.post(url, data={"state": "collected", "csrf": token})  # received → collected
        garbage = http.post(url, data={"state": "<script>", "csrf": token})
        bare = http.post(url, data={"state": "in_progress"}, allow_redirects=False)
    assert jump.status_code == 409 and "tidak dapat dipilih" in jump.text
    assert garbage.status_code == 422 and "<script>" not in garbage.text
    assert bare.status_code == 403


def test_another_offices_staff_cannot_move_an_application(
    office: RunningCentral, office_db: Database
) -> None:
    outsider = new_staff_account(office_db, staff.Role.STAFF, office_id=new_office(office_db))
    with logged_in(office.url, outsider)[0] as http:
        listing = http.get(f"{office.url}/office/applications", timeout=5)
        url = f"{office.url}/office/applications/BRK-DEMO0001"
        token = page_token(http, f"{office.url}/office/applications")
        moved = http.post(url, data={"state": "collected", "csrf": token})
    assert "BRK-DEMO" not in listing.text
    assert moved.status_code == 404 and "tidak ditemukan" in moved.text


def test_every_complaint_is_reached_a_page_at_a_time_the_oldest_open_one_first(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    _, token = new_kiosk(office_db, office.url)
    batch = uuid.uuid4().hex[:6].upper()
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    items = []
    for i in range(105):  # the oldest first: ADU-<batch>-000 was filed three hours ago
        item = complaint(str(uuid.uuid4()), f"Pengaduan nomor {i}.")
        item["body"].update(
            reference=f"ADU-{batch}-{i:03d}",
            created_at=(start + dt.timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
        )
        items.append(item)
    assert {r["status"] for r in results(office.url, token, items)} == {"accepted"}
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, clerk, then="/office/complaints?state=open")
    page.get_by_label("Nomor referensi").fill(f"adu-{batch}")
    page.get_by_role("button", name="Terapkan").click()

    ours = page.get_by_role("link", name=re.compile(f"^ADU-{batch}-"))
    expect(ours).to_have_count(100)
    expect(ours.first).to_have_text(f"ADU-{batch}-000")  # the longest waiting, on top
    expect(ours.last).to_have_text(f"ADU-{batch}-099")
    expect(page.get_by_text("1–100 dari 105").first).to_be_visible()
    expect(page.get_by_role("link", name="Sebelumnya")).to_have_count(0)
    page.get_by_role("link", name="Berikutnya").first.click()

    expect(ours).to_have_count(5)
    expect(ours.first).to_have_text(f"ADU-{batch}-100")
    expect(ours.last).to_have_text(f"ADU-{batch}-104")
    expect(page.get_by_text("101–105 dari 105").first).to_be_visible()
    assert "offset=100" in page.url and "state=open" in page.url
    page.get_by_role("link", name="Sebelumnya").first.click()
    expect(ours.first).to_have_text(f"ADU-{batch}-000")


def test_two_staff_answering_at_once_the_second_is_told_and_keeps_the_text(
    browser: Browser, office: RunningCentral, office_db: Database
) -> None:
    reference = filed(office, office_db, "Antrean poli gigi tidak jelas.")
    detail = f"/office/complaints/{reference}"
    with fresh_context(browser) as one, fresh_context(browser) as two:
        ani, budi = one.new_page(), two.new_page()
        log_in(
            ani,
            office.url,
            new_staff_account(office_db, staff.Role.STAFF, DEMO_OFFICE),
            then=detail,
        )
        log_in(
            budi,
            office.url,
            new_staff_account(office_db, staff.Role.STAFF, DEMO_OFFICE),
            then=detail,
        )
        ani.get_by_label("Jawaban").fill("Nomor poli gigi kini dipanggil di papan.")
        budi.get_by_label("Jawaban").fill("Kami akan memasang papan petunjuk.")
        ani.get_by_role("button", name="Kirim jawaban").click()
        expect(ani.get_by_role("status")).to_have_text("Jawaban tersimpan.")
        budi.get_by_role("button", name="Kirim jawaban").click()

        expect(budi.get_by_role("alert")).to_contain_text("diubah oleh petugas lain")
        expect(budi.get_by_text("Nomor poli gigi kini dipanggil di papan.")).to_be_visible()
        expect(budi.get_by_label("Jawaban", exact=True)).to_have_value(
            "Kami akan memasang papan petunjuk."
        )
        assert answer_of(office_db, reference) == "Nomor poli gigi kini dipanggil di papan."

        budi.get_by_role("button", name="Perbarui jawaban").click()  # now knowingly
        expect(budi.get_by_role("status")).to_have_text("Jawaban tersimpan.")
        assert answer_of(office_db, reference) == "Kami akan memasang papan petunjuk."


def test_a_complaint_closed_while_staff_type_keeps_their_answer_to_send_after_reopening(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    reference = filed(office, office_db, "Lampu parkir mati.")
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, clerk, then=f"/office/complaints/{reference}")
    page.get_by_label("Jawaban").fill("Lampu sudah diganti kemarin sore.")
    with logged_in(office.url, clerk)[0] as colleague:
        url = f"{office.url}/office/complaints/{reference}"
        closed = colleague.post(f"{url}/close", data={"csrf": page_token(colleague, url)})
        assert closed.status_code == 200 and state_of(office_db, reference) == "closed"
    page.get_by_role("button", name="Kirim jawaban").click()

    expect(page.get_by_role("alert")).to_contain_text("sudah ditutup oleh petugas lain")
    expect(page.get_by_label("Jawaban Anda (belum tersimpan)")).to_have_value(
        "Lampu sudah diganti kemarin sore."
    )
    page.get_by_role("button", name="Buka kembali dengan jawaban ini").click()
    expect(page.get_by_role("status")).to_have_text("Pengaduan dibuka kembali.")
    expect(page.get_by_label("Jawaban", exact=True)).to_have_value(
        "Lampu sudah diganti kemarin sore."
    )
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.get_by_role("status")).to_have_text("Jawaban tersimpan.")
    assert answer_of(office_db, reference) == "Lampu sudah diganti kemarin sore."


def new_application(db: Database, note: str, note_en: str) -> str:
    """An application of Siti's, in progress, with a note in each language: its reference."""
    with db.begin() as conn:
        siti = conn.execute(
            select(citizens.c.id).where(citizens.c.card_number == SITI_CARD)
        ).scalar_one()
        made = applications.create(
            conn, citizen_id=int(siti), service_id="kk-perubahan", reference=None, title=None,
            state=applications.State.IN_PROGRESS, note=note, note_en=note_en, submitted_at=None,
            actor="test", allowed_office=None,
        )  # fmt: skip
    return made.reference


def application_of(db: Database, reference: str) -> tuple[str, str | None, str | None]:
    with db.read() as conn:
        found = applications.get(conn, reference)
    return found.state.value, found.note, found.note_en


def test_a_state_changed_on_a_page_made_before_a_colleagues_note_keeps_that_note(
    page: Page, office: RunningCentral, office_db: Database
) -> None:
    reference = new_application(office_db, "Menunggu tanda tangan.", "Awaiting a signature.")
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    log_in(page, office.url, clerk, then=f"/office/applications/{reference}")
    url = f"{office.url}/office/applications/{reference}"
    with logged_in(office.url, clerk)[0] as colleague:  # edits the note meanwhile, on a fresh page
        form = colleague.get(url, timeout=5).text
        version = re.search(r'name="version" value="([^"]+)"', form)
        assert version is not None
        saved = colleague.post(
            url,
            data={
                "csrf": page_token(colleague, url),
                "version": version.group(1),
                "note": "Bawa fotokopi akta.",
                "note_en": "Bring a copy of the deed.",
            },
            timeout=5,
        )
        assert saved.status_code == 200 and "Perubahan tersimpan." in saved.text
    page.get_by_label("Status baru").select_option(label="Siap diambil")
    page.get_by_role("button", name="Simpan").click()

    expect(page.get_by_role("alert")).to_contain_text("diubah oleh petugas lain")
    expect(page.get_by_text("Bawa fotokopi akta.")).to_be_visible()  # the colleague's, shown
    expect(page.get_by_label("Status baru")).to_have_value("ready")  # what was chosen, kept
    assert application_of(office_db, reference) == (
        "in_progress",
        "Bawa fotokopi akta.",
        "Bring a copy of the deed.",
    )


def test_a_post_that_leaves_out_the_notes_changes_the_state_and_keeps_the_notes(
    office: RunningCentral, office_db: Database
) -> None:
    reference = new_application(office_db, "Diperiksa kasi.", "Checked by the section head.")
    clerk = new_staff_account(office_db, staff.Role.STAFF, office_id=DEMO_OFFICE)
    url = f"{office.url}/office/applications/{reference}"
    with logged_in(office.url, clerk)[0] as http:
        token = page_token(http, url)
        moved = http.post(url, data={"csrf": token, "state": "ready"}, timeout=5)
        assert moved.status_code == 200 and "Perubahan tersimpan." in moved.text
        assert application_of(office_db, reference) == (
            "ready",
            "Diperiksa kasi.",
            "Checked by the section head.",
        )
        cleared = http.post(url, data={"csrf": token, "note_en": ""}, timeout=5)
        assert cleared.status_code == 200
    assert application_of(office_db, reference) == ("ready", "Diperiksa kasi.", None)
