"""``/office/applications``: staff find their office's applications and move them along.

The states and where each may go are :mod:`central.office.applications`'s
(diterima, diproses, siap diambil, ditunda, …); each carries a note per
language, ``note`` in Bahasa Indonesia and ``note_en`` in English, which the
kiosk shows to the citizen in their language only. Staff find a file by its
reference: nothing of the citizen is shown. Another office's application is
answered as unknown; every form carries the page's CSRF token.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central.access.staff import StaffPrincipal, require_reach
from central.api.deps import Context
from central.errors import InvalidApplicationTransition, NotFound, StaleEdit
from central.office import applications
from central.office.applications import PAGE_SIZE, TRANSITIONS, State
from central.office.plain_text import has_invisible
from central.web import paging
from central.web.forms import page_router, read_form
from central.web.pages import Texts, choice, local_time, render
from central.web.session import Csrf, StaffPage

router = page_router()

REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9-]{2,39}")
MAX_NOTE = 500
#: Printable text only, one line (the API's rule for notes).
_PLAIN = re.compile(r"[^\x00-\x1f\x7f]*")

TEXTS: Texts = {
    "apps.title": ("Berkas permohonan", "Applications"),
    "apps.lead": (
        "Cari berkas dengan nomor referensinya, lalu ubah statusnya. Warga melihat status dan "
        "catatan di anjungan, dalam bahasa yang mereka pilih.",
        "Find a file by its reference, then change its state. Citizens see the state and the "
        "note at the kiosk, in the language they chose.",
    ),
    "apps.search": ("Nomor referensi", "Reference"),
    "apps.filter": ("Status", "State"),
    "apps.all": ("Semua", "All"),
    "apps.apply": ("Cari", "Search"),
    "apps.none": ("Tidak ada berkas.", "No applications."),
    "apps.reference": ("Referensi", "Reference"),
    "apps.service": ("Layanan", "Service"),
    "apps.state": ("Status", "State"),
    "apps.changed": ("Diubah", "Changed"),
    "apps.submitted": ("Diajukan", "Submitted"),
    "apps.office": ("Kantor", "Office"),
    "app.title": ("Berkas {reference}", "Application {reference}"),
    "app.back": ("Kembali ke daftar", "Back to the list"),
    "app.new_state": ("Status baru", "New state"),
    "app.keep": ("(tetap)", "(unchanged)"),
    "app.note_id": ("Catatan untuk warga (Bahasa Indonesia)", "Note for the citizen (Indonesian)"),
    "app.note_en": ("Catatan untuk warga (Bahasa Inggris)", "Note for the citizen (English)"),
    "app.note_hint": (
        "Satu baris, paling banyak {n} karakter. Anjungan menampilkan catatan dalam bahasa "
        "warga saja: isi keduanya. Jangan tulis data pribadi.",
        "One line, at most {n} characters. The kiosk shows the note in the citizen's language "
        "only: fill in both. Write no personal data.",
    ),
    "app.save": ("Simpan", "Save"),
    "app.saved": ("Perubahan tersimpan.", "Changes saved."),
    "app.final": (
        "Berkas ini sudah selesai; statusnya tidak dapat diubah lagi.",
        "This file is finished; its state cannot change any more.",
    ),
    "problem.unknown": ("Berkas tidak ditemukan.", "Application not found."),
    "problem.stale": (
        "Berkas ini baru saja diubah oleh petugas lain, dan perubahan Anda belum disimpan. "
        "Periksa status dan catatan terbaru di atas; isian Anda masih ada di formulir: "
        "simpan lagi bila memang ingin menggantinya.",
        "Another member of staff has just changed this file, and your changes were not saved. "
        "Check the latest state and notes above; what you typed is still in the form: save "
        "again if you do mean to replace them.",
    ),
    "app.current_id": ("Catatan sekarang (Bahasa Indonesia)", "Current note (Indonesian)"),
    "app.current_en": ("Catatan sekarang (Bahasa Inggris)", "Current note (English)"),
    "problem.transition": (
        "Status itu tidak dapat dipilih dari status sekarang.",
        "That state cannot follow the current one.",
    ),
    "problem.note": (
        "Catatan terlalu panjang atau berisi karakter yang tidak diizinkan "
        "(paling banyak {n} karakter, satu baris).",
        "A note is too long or has characters that are not allowed "
        "(at most {n} characters, one line).",
    ),
    "state.received": ("Diterima", "Received"),
    "state.in_progress": ("Diproses", "In progress"),
    "state.on_hold": ("Ditunda", "On hold"),
    "state.ready": ("Siap diambil", "Ready to collect"),
    "state.collected": ("Sudah diambil", "Collected"),
    "state.rejected": ("Ditolak", "Rejected"),
    **paging.TEXTS,
}


@router.get("/office/applications")
def application_list(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    state: str | None = None,
    q: str | None = None,
    offset: str | None = None,
) -> HTMLResponse:
    page = paging.listing(
        request,
        ctx,
        staff.office_id,
        path="/office/applications",
        state=choice(State, state),
        search=(q or "").strip().upper()[:40],
        offset=offset,
        size=PAGE_SIZE,
        count=applications.count_for_office,
        find=applications.for_office,
    )
    return render(
        request,
        "applications.html",
        TEXTS,
        staff=staff,
        items=page.items,
        chosen=page.chosen,
        q=page.search,
        pager=page.pager,
        states=[s.value for s in State],
        when=lambda at: local_time(ctx.settings.zone, at),
    )


def _detail(
    request: Request,
    ctx: Context,
    staff: StaffPrincipal,
    reference: str,
    *,
    status: int = 200,
    problem: str | None = None,
    draft: tuple[str | None, str | None] = (None, None),
    draft_state: str = "",
) -> HTMLResponse:
    item = None
    if REFERENCE.fullmatch(reference):
        with ctx.db.read() as conn:
            try:
                item = applications.get(conn, reference)
                require_reach(staff.office_id, item.office_id, NotFound("unknown"))
            except NotFound:
                item = None
    if item is None:
        status, problem = 404, "problem.unknown"
    saved = request.query_params.get("saved") == "1" and problem is None
    kept = (item.note, item.note_en) if item else (None, None)
    notes = tuple(
        (typed if typed is not None else now or "")[: MAX_NOTE * 4]
        for typed, now in zip(draft, kept, strict=True)
    )
    return render(
        request,
        "application.html",
        TEXTS,
        status=status,
        staff=staff,
        item=item,
        problem=problem,
        saved=saved,
        next_states=sorted(s.value for s in TRANSITIONS[item.state]) if item else [],
        note_id=notes[0],
        note_en=notes[1],
        draft_state=draft_state,
        max_note=MAX_NOTE,
        when=lambda at: local_time(ctx.settings.zone, at),
    )


@router.get("/office/applications/{reference}")
def application_page(
    request: Request, ctx: Context, staff: StaffPage, reference: str
) -> HTMLResponse:
    return _detail(request, ctx, staff, reference)


def _note(text: str) -> str | None:
    """The note as kept (``None`` when blank); ValueError when it is no plain one-line text."""
    cleaned = " ".join(text.split()) if "\n" in text or "\r" in text else text.strip()
    if len(cleaned) > MAX_NOTE or not _PLAIN.fullmatch(cleaned) or has_invisible(cleaned):
        raise ValueError("not a note")
    return cleaned or None


async def _sent(request: Request) -> dict[str, str]:
    """The form's fields as sent: a field left out is absent, an emptied one is ``""``."""
    form = await read_form(request)
    return {k: v for k, v in form.items() if isinstance(v, str)}


Sent = Annotated[dict[str, str], Depends(_sent)]


@router.post("/office/applications/{reference}", response_model=None)
def change_application(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    _: Csrf,
    sent: Sent,
    reference: str,
) -> Response:
    """Change the state and/or the notes sent (a note left out stays as it is).

    With ``version`` (every form carries it): 409, the typed values kept, if
    someone changed the file since the form was made.
    """
    if not REFERENCE.fullmatch(reference):
        return _detail(request, ctx, staff, reference)
    state, version = sent.get("state", "")[:32], sent.get("version") or None
    note, note_en = sent.get("note"), sent.get("note_en")
    drafts = (note, note_en)
    wanted = choice(State, state)
    if state and wanted is None:
        return _detail(request, ctx, staff, reference, status=422, problem="problem.transition")
    try:
        notes = (
            None if note is None else _note(note),
            None if note_en is None else _note(note_en),
        )
    except ValueError:
        problem = "problem.note"
        return _detail(
            request, ctx, staff, reference, status=422, problem=problem, draft=drafts,
            draft_state=state,
        )  # fmt: skip
    try:
        with ctx.db.begin() as conn:
            applications.change(
                conn,
                reference,
                state=wanted,
                note=notes[0],
                set_note=note is not None,
                note_en=notes[1],
                set_note_en=note_en is not None,
                actor=staff.actor,
                allowed_office=staff.office_id,
                version=version[:64] if version else None,
            )
    except StaleEdit:
        return _detail(
            request, ctx, staff, reference, status=409, problem="problem.stale", draft=drafts,
            draft_state=state,
        )  # fmt: skip
    except InvalidApplicationTransition:
        return _detail(
            request, ctx, staff, reference, status=409, problem="problem.transition",
            draft=drafts,
        )  # fmt: skip
    except NotFound:
        return _detail(request, ctx, staff, reference)
    lang = request.query_params.get("lang")
    suffix = f"&lang={lang}" if lang in ("id", "en") else ""
    return RedirectResponse(f"/office/applications/{reference}?saved=1{suffix}", 303)
