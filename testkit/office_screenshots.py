"""Pictures of the office pages, taken in the real browser, for docs/office.md and the README.

``python -m testkit.office_screenshots --out docs/screenshots`` (``make
screenshots`` runs it): a demo centre with a morning's tickets, a clerk at
Loket 2 who has just called a number, the board that announced it, the
dashboard, the public figures and a complaint being answered, each at
1366×768 (the public figures also on a phone), and Siti booking an appointment
on a phone (the form, then her booking's page). Then one picture of the kiosk,
the counter and the board side by side for the README's first screen, made
from the kiosk's own screenshot (``make screenshots`` takes it first).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from central.access.audit import utc_now
from central.database import Database
from central.office import bookings
from central.process import start_central
from central.settings import DEMO_BOARD_TOKEN, DEMO_STAFF_PASSWORD, DEMO_STAFF_USERNAME
from testkit.booking_office import SITI_BORN, SITI_NIK
from testkit.browser import chromium, fresh_context, log_in
from testkit.centre_accounts import new_kiosk
from testkit.centre_requests import allocate, complaint, new_id, results

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
QUEUES = ("ktp-cetak-ulang", "puskesmas-umum", "kk-perubahan")


def _shot(page: Page, out: Path, name: str) -> Path:
    path = out / f"office-{name}.png"
    page.screenshot(path=str(path))
    print(f"office screenshots: {path}", file=sys.stderr)
    return path


def take(out: Path) -> list[Path]:
    """Every picture, written into ``out``; their paths."""
    out.mkdir(parents=True, exist_ok=True)
    taken: list[Path] = []
    with start_central(seed_demo=True, extra_args=("--stats-cache", "0")) as centre:
        db = Database(centre.db_url)
        try:
            _, kiosk = new_kiosk(db, centre.url)
        finally:
            db.dispose()
        for service in QUEUES * 4:
            assert allocate(centre.url, kiosk, service).status_code == 201
        filed = complaint(new_id(), "Antrean KTP lama sekali, tidak ada kursi di ruang tunggu.")
        results(centre.url, kiosk, [filed])
        reference = filed["body"]["reference"]
        with chromium() as browser:
            with fresh_context(browser, viewport=DESKTOP) as tv_context:
                board = tv_context.new_page()
                board.goto(f"{centre.url}/board/{DEMO_BOARD_TOKEN}")
                with fresh_context(browser, viewport=DESKTOP) as staff_context:
                    counter = staff_context.new_page()
                    log_in(
                        counter,
                        centre.url,
                        DEMO_STAFF_USERNAME,
                        DEMO_STAFF_PASSWORD,
                        then="/counter",
                    )
                    counter.locator("#desk-counter").select_option("2")
                    for service in QUEUES:
                        counter.locator(f'input[name="queues"][value="{service}"]').check()
                    counter.get_by_role("button", name="Simpan loket").click()
                    counter.get_by_role("button", name="Panggil berikutnya").click()
                    expect(counter.get_by_role("button", name="Selesai")).to_be_visible()
                    expect(board.locator("#now-number")).not_to_have_text("—")
                    taken.append(_shot(counter, out, "counter"))
                    taken.append(_shot(board, out, "board"))
                    counter.goto(f"{centre.url}/dashboard")
                    taken.append(_shot(counter, out, "dashboard"))
                    counter.goto(f"{centre.url}/office/complaints/{reference}")
                    taken.append(_shot(counter, out, "complaint"))
                    counter.goto(f"{centre.url}/stats")
                    taken.append(_shot(counter, out, "stats"))
            with fresh_context(browser, viewport=PHONE, is_mobile=True) as phone_context:
                phone = phone_context.new_page()
                phone.goto(f"{centre.url}/stats")
                taken.append(_shot(phone, out, "stats-phone"))
                taken += _booking_shots(phone, centre.url, centre.db_url, out)
    kiosk_picture = out / "attract.png"
    if kiosk_picture.exists():
        taken.append(
            side_by_side(
                kiosk_picture,
                out / "office-counter.png",
                out / "office-board.png",
                out / "office-side-by-side.png",
            )
        )
    return taken


def _booking_shots(phone: Page, url: str, db_url: str, out: Path) -> list[Path]:
    """Siti books Cetak Ulang KTP-el on a phone: the form filled in, then her booking's page."""
    db = Database(db_url)
    try:
        with db.begin() as conn:
            if not bookings.hours(conn, "pku-mpp"):  # the catalog's hours, if none are set
                week = [bookings.Hours(d, "08:00", "15:00") for d in range(5)]
                bookings.put_hours(conn, "pku-mpp", [*week, bookings.Hours(5, "08:00", "12:00")],
                                   actor="screenshots")  # fmt: skip
            if bookings.get_settings(conn, "pku-mpp", "ktp-cetak-ulang") is None:
                bookings.put_settings(conn, "pku-mpp", "ktp-cetak-ulang",
                                      bookings.ServiceSettings(), actor="screenshots",
                                      now=utc_now())  # fmt: skip
    finally:
        db.dispose()
    phone.goto(f"{url}/booking")
    with phone.expect_navigation():
        phone.get_by_label("Layanan").select_option("ktp-cetak-ulang")
    days = phone.get_by_label("Tanggal", exact=True).locator("option")
    with phone.expect_navigation():
        phone.get_by_label("Tanggal", exact=True).select_option(days.nth(1).get_attribute("value"))
    phone.get_by_label("NIK", exact=True).fill(SITI_NIK)
    phone.get_by_label("Tanggal lahir").fill(SITI_BORN.isoformat())
    phone.get_by_label("Nomor HP (opsional)").fill("081378901234")
    phone.locator("#book").scroll_into_view_if_needed()
    shots = [_shot(phone, out, "booking-phone")]
    with phone.expect_navigation():
        phone.get_by_role("button", name="Buat janji").click()
    path = out / "office-booking-code-phone.png"
    phone.screenshot(path=str(path), full_page=True)
    print(f"office screenshots: {path}", file=sys.stderr)
    return [*shots, path]


def side_by_side(*paths: Path) -> Path:
    """The pictures ``paths[:-1]`` scaled to one height and set in a row, saved to ``paths[-1]``."""
    *sources, target = paths
    height = 480
    images = []
    for source in sources:
        with Image.open(source) as opened:
            width = round(opened.width * height / opened.height)
            images.append(opened.convert("RGB").resize((width, height), Image.Resampling.LANCZOS))
    gap = 16
    row = Image.new(
        "RGB", (sum(i.width for i in images) + gap * (len(images) - 1), height), "white"
    )
    x = 0
    for picture in images:
        row.paste(picture, (x, 0))
        x += picture.width + gap
    row.save(target, optimize=True)
    print(f"office screenshots: {target}", file=sys.stderr)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    take(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
