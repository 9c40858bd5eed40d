"""``/office/integrations``: what could not be sent to BPJS and SATUSEHAT, and why.

Staff see whether each integration is on, how many calls wait, and every
call of their office (an account for every office: of all offices) that
failed: dead ones (BPJS refused them, or their attempts ran out) and those
still retried, each with the service's own code and message, its kind and
its booking code. "Kirim lagi" puts a dead call back in the outbox under
the same key and in the same place in its booking's order, due now, and is
audited (``integration_sent_again``); a BPJS ``antrean/add`` goes with a body
made afresh from the visit as it stands (a corrected card number or phone).
"Lewati" skips a dead call the service will never take (audited
``integration_skipped``): the calls that waited behind it in its booking's
order go on; each failure lists the calls waiting behind it. A target
switched off (a server started without its section) sends nothing: the page
lists the calls that wait for it, and "Kirim lagi" is refused while it is
off. A service's message is shown with long
digit runs cut (a card number or NIK a message might quote stays off the
page). "Impor jadwal dari BPJS" reads BPJS's ``jadwaldokter`` for the
office's polis on a date and writes them as the office's weekly schedules
(audited ``bpjs_schedules_imported``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse

from central.access.audit import record_event, utc_now
from central.access.staff import StaffPrincipal
from central.api.deps import get_context
from central.integrations import outbox, triggers
from central.integrations.bpjs import reference
from central.integrations.bpjs.antrean import AntreanClient, BpjsError
from central.web.forms import page_router
from central.web.pages import RowId, Texts, render
from central.web.session import Csrf, StaffPage

router = page_router()

TEXTS: Texts = {
    "integrations.title": ("Integrasi BPJS & SATUSEHAT", "BPJS & SATUSEHAT integrations"),
    "integrations.lead": (
        "Setiap pendaftaran dan langkah antrean dilaporkan ke BPJS Antrean RS dan SATUSEHAT "
        "lewat kotak keluar. Pendaftaran tidak pernah menunggu: yang gagal dicoba lagi, "
        "dan yang ditolak menunggu di sini.",
        "Every registration and queue step is reported to BPJS Antrean RS and SATUSEHAT "
        "through an outbox. Registration never waits: what failed is tried again, and what "
        "was refused waits here.",
    ),
    "integrations.on": ("aktif", "on"),
    "integrations.off": ("tidak aktif", "off"),
    "integrations.pending": ("Menunggu dikirim", "Waiting to be sent"),
    "integrations.count": ("Gagal", "Failed"),
    "integrations.none": ("Tidak ada yang gagal.", "Nothing failed."),
    "integrations.created": ("Dibuat (UTC)", "Written (UTC)"),
    "integrations.target": ("Tujuan", "To"),
    "integrations.kind": ("Jenis", "Kind"),
    "integrations.booking": ("Kode booking", "Booking code"),
    "integrations.attempts": ("Percobaan", "Attempts"),
    "integrations.state": ("Status", "State"),
    "integrations.dead": ("ditolak / berhenti", "refused / stopped"),
    "integrations.retrying": ("dicoba lagi", "being retried"),
    "integrations.error": ("Pesan dari layanan", "The service's message"),
    "integrations.again": ("Kirim lagi", "Send again"),
    "integrations.sent_again": ("Dikirim lagi.", "Sent again."),
    "integrations.skip": ("Lewati", "Skip"),
    "integrations.skipped_one": (
        "Dilewati: tidak akan dikirim; yang menunggu di belakangnya dikirim.",
        "Skipped: it will not be sent; what waited behind it is sent.",
    ),
    "integrations.not_dead": (
        "Hanya yang ditolak / berhenti dapat dilewati.",
        "Only a refused / stopped call can be skipped.",
    ),
    "integrations.behind": ("Menunggu di belakangnya", "Waiting behind it"),
    "integrations.held": (
        "Tujuan tidak aktif: panggilan ini menunggu sampai tujuannya diaktifkan lagi "
        "(server dijalankan dengan bagiannya di berkas --integrations)",
        "Target off: these calls wait until their target is switched on again "
        "(a server started with its section in the --integrations file)",
    ),
    "integrations.target_off": (
        "Tidak dikirim: tujuannya tidak aktif di server ini. Panggilan ini menunggu dan "
        "dikirim setelah tujuannya diaktifkan lagi.",
        "Not sent: its target is off on this server. The call waits and is sent once its "
        "target is switched on again.",
    ),
    "integrations.unknown": (
        "Itu tidak ada di daftar (mungkin sudah dikirim lagi).",
        "That is not on the list (it may have been sent again already).",
    ),
    "integrations.import": ("Impor jadwal dokter dari BPJS", "Import doctors' schedules from BPJS"),
    "integrations.import_date": ("Tanggal", "Date"),
    "integrations.import_go": ("Impor", "Import"),
    "integrations.imported": ("Jadwal diimpor dari BPJS.", "Schedules imported from BPJS."),
    "integrations.import_off": (
        "BPJS tidak aktif di server ini (berkas --integrations tanpa [bpjs]).",
        "BPJS is off on this server (no [bpjs] in the --integrations file).",
    ),
    "integrations.import_office": (
        "Impor jadwal hanya untuk akun satu kantor.",
        "Schedules are imported by an account of one office.",
    ),
    "integrations.import_failed": (
        "BPJS tidak dapat dihubungi atau menolak; coba lagi nanti.",
        "BPJS could not be reached or refused; try again later.",
    ),
    "integrations.bad_date": ("Tanggal tidak sah.", "Not a valid date."),
    "integrations.skipped": ("Dilewati", "Skipped"),
    "refused.title": ("Permintaan ditolak", "Request refused"),
    "login.title": ("Masuk petugas", "Staff login"),
}

shown = outbox.scrubbed


def _page(
    request: Request,
    staff: StaffPrincipal,
    *,
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
    detail: str = "",
    skipped: tuple[str, ...] = (),
) -> HTMLResponse:
    ctx = get_context(request)
    with ctx.db.read() as conn:
        failing = outbox.failures(conn, staff.office_id)
        total = outbox.count_failing(conn, staff.office_id)
        pending = outbox.count_pending(conn, staff.office_id)
        behind = outbox.waiting_behind(conn, failing)
        held = outbox.held_by_off_targets(conn, staff.office_id)
    integrations = ctx.settings.integrations
    return render(
        request,
        "office_integrations.html",
        TEXTS,
        status=status,
        staff=staff,
        failing=[(f, shown(f.last_error), behind.get(f.id, [])) for f in failing],
        total=total,
        pending=pending,
        held=held,
        bpjs_on=integrations.bpjs is not None,
        satusehat_on=integrations.satusehat is not None,
        today=utc_now().astimezone(ctx.settings.zone).date().isoformat(),
        notice=notice,
        problem=problem,
        detail=detail,
        skipped=skipped,
    )


@router.get("/office/integrations", response_class=HTMLResponse)
def integrations_page(request: Request, staff: StaffPage) -> HTMLResponse:
    """What failed to reach BPJS and SATUSEHAT, for the staff member's office."""
    return _page(request, staff)


@router.post("/office/integrations/{row_id}/send-again", response_class=HTMLResponse)
def send_again(request: Request, staff: StaffPage, _: Csrf, row_id: RowId) -> HTMLResponse:
    """Put a failed call back in the outbox, due now; 404 with the list if it is not there."""
    ctx = get_context(request)
    with ctx.db.begin() as conn:
        failed = outbox.failure(conn, row_id, staff.office_id)
        off = failed is not None and not outbox.enabled(conn, failed.target)
        body = None
        if not off and failed is not None and failed.target == outbox.BPJS and failed.kind == "add":
            body = triggers.add_body_now(conn, failed.order_key)  # as the visit stands now
        done = (
            not off
            and failed is not None
            and outbox.send_again(conn, row_id, staff.office_id, utc_now(), body)
        )
        if failed is not None and done:
            record_event(
                conn,
                actor=staff.actor,
                action="integration_sent_again",
                subject=f"integration:{row_id}",
                detail=f"{failed.target} {failed.kind} {failed.dedupe_key} "
                f"(last: {failed.last_code} {shown(failed.last_error)})"[:300],
            )
    if off:
        return _page(request, staff, status=409, problem="integrations.target_off")
    if not done:
        return _page(request, staff, status=404, problem="integrations.unknown")
    return _page(request, staff, notice="integrations.sent_again")


@router.post("/office/integrations/{row_id}/skip", response_class=HTMLResponse)
def skip(request: Request, staff: StaffPage, _: Csrf, row_id: RowId) -> HTMLResponse:
    """Never send a dead call (the service will never take it); the calls behind it go."""
    ctx = get_context(request)
    with ctx.db.begin() as conn:
        failed = outbox.failure(conn, row_id, staff.office_id)
        done = failed is not None and outbox.skip(conn, row_id, staff.office_id)
        if failed is not None and done:
            record_event(
                conn,
                actor=staff.actor,
                action="integration_skipped",
                subject=f"integration:{row_id}",
                detail=f"{failed.target} {failed.kind} {failed.dedupe_key} "
                f"(last: {failed.last_code} {shown(failed.last_error)})"[:300],
            )
    if not done:
        problem = "integrations.not_dead" if failed is not None else "integrations.unknown"
        return _page(request, staff, status=404 if failed is None else 409, problem=problem)
    return _page(request, staff, notice="integrations.skipped_one")


@router.post("/office/integrations/import-schedules", response_class=HTMLResponse)
def import_schedules(
    request: Request, staff: StaffPage, _: Csrf, day: Annotated[str, Form()] = ""
) -> HTMLResponse:
    """Read BPJS's schedules of the office's polis on ``day`` into the office's schedules."""
    ctx = get_context(request)
    settings = ctx.settings.integrations.bpjs
    if settings is None:
        return _page(request, staff, status=409, problem="integrations.import_off")
    if staff.office_id is None:
        return _page(request, staff, status=409, problem="integrations.import_office")
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        return _page(request, staff, status=422, problem="integrations.bad_date")
    with ctx.db.read() as conn:
        polis = sorted(reference.polis_of(conn, staff.office_id))
    try:  # network: outside any transaction, with the client's deadline and cap
        rows, none = reference.fetch(AntreanClient(settings), polis, date)
    except BpjsError as exc:
        return _page(
            request,
            staff,
            status=502,
            problem="integrations.import_failed",
            detail=f"{exc.code}: {shown(exc.message)}",
        )
    with ctx.db.begin() as conn:
        done = reference.store(conn, staff.office_id, rows, actor=staff.actor, now=utc_now())
        record_event(
            conn,
            actor=staff.actor,
            action="bpjs_schedules_imported",
            subject=f"office:{staff.office_id}",
            detail=f"{date.isoformat()}: {done.written} written, {len(done.skipped) + len(none)} "
            "skipped",
        )
    return _page(
        request,
        staff,
        notice="integrations.imported",
        detail=f"{done.written}",
        skipped=tuple(none) + done.skipped,
    )
