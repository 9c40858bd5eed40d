"""Complaints: staff answer them at ``/office/complaints``, citizens read them at ``/c/{ref}``.

The rules are :mod:`central.office.complaints`'s; this reads the request,
calls them and renders. Staff see their own office's complaints (an admin
without an office sees every office's); another office's complaint is
answered as unknown. Every form carries the page's CSRF token.

``/c/{reference}`` is public (the receipt's reference is 60 random bits
nobody guesses), limited per client address like ``/t/{id}``, and shows
the state and the answer only: never the card number, nor the complaint's
text (:func:`central.office.complaints.public_view` says why).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central.access.staff import StaffPrincipal
from central.api.deps import Context, client_address, limit
from central.errors import (
    ApiError,
    InvalidComplaintTransition,
    NotFound,
    StaleEdit,
    Unprocessable,
)
from central.office import complaints
from central.office.complaints import MAX_ANSWER, PAGE_SIZE, State
from central.web import paging
from central.web.forms import page_router
from central.web.pages import Texts, choice, local_time, render
from central.web.session import Csrf, StaffPage
from central.web.staff_forms import after_form

router = page_router()

#: What a complaint reference may look like in a URL (the kiosks' ``ADU-XXXX-XXXX-XXXX``).
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{2,63}")

TEXTS: Texts = {
    "complaints.title": ("Pengaduan", "Complaints"),
    "complaints.filter": ("Tampilkan", "Show"),
    "complaints.all": ("Semua", "All"),
    "complaints.apply": ("Terapkan", "Apply"),
    "complaints.search": ("Nomor referensi", "Reference"),
    "complaints.none": ("Tidak ada pengaduan.", "No complaints."),
    "complaints.reference": ("Referensi", "Reference"),
    "complaints.office": ("Kantor", "Office"),
    "complaints.category": ("Kategori", "Category"),
    "complaints.filed": ("Diajukan", "Filed"),
    "complaints.state": ("Status", "State"),
    "complaints.text": ("Isi pengaduan", "Complaint"),
    "complaints.open_it": ("Buka", "Open"),
    "state.open": ("Belum dijawab", "Open"),
    "state.answered": ("Sudah dijawab", "Answered"),
    "state.closed": ("Ditutup", "Closed"),
    "cat.pelayanan": ("Pelayanan petugas", "Staff and service"),
    "cat.antrean": ("Antrean dan waktu tunggu", "Queue and waiting time"),
    "cat.fasilitas": ("Fasilitas dan kebersihan", "Facilities and cleanliness"),
    "cat.kiosk": ("Anjungan (kiosk)", "The kiosk"),
    "cat.lainnya": ("Lainnya", "Other"),
    "complaint.title": ("Pengaduan {reference}", "Complaint {reference}"),
    "complaint.language": ("Bahasa warga", "Citizen's language"),
    "complaint.with_card": ("Diajukan dengan kartu warga", "Filed with a citizen card"),
    "complaint.anonymous": ("Tanpa kartu (anonim)", "Without a card (anonymous)"),
    "complaint.answer": ("Jawaban", "Answer"),
    "complaint.answered_by": ("Dijawab oleh {who}, {when}", "Answered by {who}, {when}"),
    "complaint.answer_hint": (
        "Teks biasa, paling banyak {n} karakter. Jawaban dapat dibaca siapa pun yang memegang "
        "nomor referensi, dan oleh warga di anjungan: jangan tulis data pribadi.",
        "Plain text, at most {n} characters. Anyone holding the reference can read the answer, "
        "and so can the citizen at the kiosk: write no personal data.",
    ),
    "complaint.send": ("Kirim jawaban", "Send answer"),
    "complaint.correct": ("Perbarui jawaban", "Update answer"),
    "complaint.close": ("Tutup pengaduan", "Close complaint"),
    "complaint.reopen": ("Buka kembali", "Reopen"),
    "complaint.back": ("Kembali ke daftar", "Back to the list"),
    "complaint.done.answered": ("Jawaban tersimpan.", "Answer saved."),
    "complaint.done.closed": ("Pengaduan ditutup.", "Complaint closed."),
    "complaint.done.reopened": ("Pengaduan dibuka kembali.", "Complaint reopened."),
    "problem.empty": ("Jawaban tidak boleh kosong.", "The answer cannot be empty."),
    "problem.long": (
        "Jawaban terlalu panjang (paling banyak {n} karakter).",
        "The answer is too long (at most {n} characters).",
    ),
    "problem.plain": (
        "Jawaban hanya boleh berisi teks biasa.",
        "The answer may contain plain text only.",
    ),
    "problem.closed": (
        "Pengaduan ini sudah ditutup. Buka kembali untuk menjawab.",
        "This complaint is closed. Reopen it to answer.",
    ),
    "problem.unknown": ("Pengaduan tidak ditemukan.", "Complaint not found."),
    "problem.stale": (
        "Pengaduan ini baru saja diubah oleh petugas lain, dan jawaban Anda belum disimpan. "
        "Baca jawaban terbaru di atas; jawaban Anda masih ada di kotak di bawah: kirim lagi "
        "bila memang ingin menggantinya.",
        "Another member of staff has just changed this complaint, and your answer was not "
        "saved. Read the latest answer above; yours is still in the box below: send it again "
        "if you do mean to replace it.",
    ),
    "problem.closed_draft": (
        "Pengaduan ini sudah ditutup oleh petugas lain, dan jawaban Anda belum disimpan. "
        "Jawaban Anda masih ada di bawah: buka kembali pengaduan untuk mengirimnya.",
        "Another member of staff has closed this complaint, and your answer was not saved. "
        "Yours is still below: reopen the complaint to send it.",
    ),
    "complaint.draft": ("Jawaban Anda (belum tersimpan)", "Your answer (not saved)"),
    "complaint.reopen_send": ("Buka kembali dengan jawaban ini", "Reopen with this answer"),
    "public.title": ("Status pengaduan", "Complaint status"),
    "public.lead": (
        "Halaman ini menunjukkan tindak lanjut pengaduan dengan nomor referensi di bukti Anda.",
        "This page shows what became of the complaint with the reference on your receipt.",
    ),
    "public.waiting": (
        "Pengaduan Anda sudah diterima dan belum dijawab. Silakan periksa lagi nanti.",
        "Your complaint has been received and not answered yet. Please check again later.",
    ),
    "public.answered_at": ("Dijawab {when}", "Answered {when}"),
    "public.unknown": (
        "Pengaduan dengan nomor ini belum tercatat di pusat. Jika baru saja Anda ajukan, "
        "tunggu sebentar lalu muat ulang halaman ini.",
        "No complaint with this reference has reached the centre yet. If you just filed it, "
        "wait a moment and reload this page.",
    ),
    **paging.TEXTS,
}

#: The text keys of the categories a kiosk files under; another code is shown as it is.
CATEGORY_KEYS = frozenset(k for k in TEXTS if k.startswith("cat."))
_PROBLEMS = {
    "an answer needs some text": "problem.empty",
    f"an answer has at most {MAX_ANSWER} characters": "problem.long",
    "an answer is plain text": "problem.plain",
}
_DONE = ("answered", "closed", "reopened")


@router.get("/office/complaints")
def complaint_list(
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
        path="/office/complaints",
        state=choice(State, state),
        search=(q or "").strip().upper()[:64],
        offset=offset,
        size=PAGE_SIZE,
        count=complaints.count_for_office,
        find=complaints.for_office,
    )
    return render(
        request,
        "complaints.html",
        TEXTS,
        staff=staff,
        items=page.items,
        chosen=page.chosen,
        q=page.search,
        pager=page.pager,
        states=[s.value for s in State],
        when=lambda at: local_time(ctx.settings.zone, at),
        cat_keys=CATEGORY_KEYS,
    )


def _detail(
    request: Request,
    ctx: Context,
    staff: StaffPrincipal,
    reference: str,
    *,
    status: int = 200,
    problem: str | None = None,
    draft: str | None = None,
    done: str | None = None,
) -> HTMLResponse:
    try:
        if not REFERENCE.fullmatch(reference):
            raise NotFound("no such complaint")
        with ctx.db.begin() as conn:  # the view is audited (complaints.view)
            found = complaints.view(
                conn, reference, allowed_office=staff.office_id, actor=staff.actor
            )
    except NotFound:
        return render(
            request, "complaint.html", TEXTS, status=404, staff=staff, item=None,
            problem="problem.unknown", done=None, draft="", draft_kept=False, max_answer=MAX_ANSWER,
            when=lambda at: local_time(ctx.settings.zone, at), cat_keys=CATEGORY_KEYS,
        )  # fmt: skip
    done = done or request.query_params.get("done")
    return render(
        request,
        "complaint.html",
        TEXTS,
        status=status,
        staff=staff,
        item=found,
        problem=problem,
        done=done if done in _DONE and problem is None else None,
        draft=found.answer or "" if draft is None else draft,
        draft_kept=draft is not None and found.state is State.CLOSED,
        max_answer=MAX_ANSWER,
        when=lambda at: local_time(ctx.settings.zone, at),
        cat_keys=CATEGORY_KEYS,
    )


@router.get("/office/complaints/{reference}")
def complaint_page(
    request: Request, ctx: Context, staff: StaffPage, reference: str
) -> HTMLResponse:
    return _detail(request, ctx, staff, reference)


@router.post("/office/complaints/{reference}/answer", response_model=None)
def answer_complaint(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    _: Csrf,
    reference: str,
    answer: Annotated[str, Form(max_length=MAX_ANSWER * 2)] = "",
    version: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    """Answer, or correct the answer; 409 with the typed text kept if someone changed it first."""
    if not REFERENCE.fullmatch(reference):
        return _detail(request, ctx, staff, reference)
    try:
        with ctx.db.begin() as conn:
            complaints.answer(
                conn,
                reference,
                answer,
                actor=staff.actor,
                allowed_office=staff.office_id,
                version=version,
            )
    except Unprocessable as exc:
        key = _PROBLEMS.get(exc.detail, "problem.plain")
        return _detail(request, ctx, staff, reference, status=422, problem=key, draft=answer)
    except StaleEdit:
        return _detail(
            request, ctx, staff, reference, status=409, problem="problem.stale", draft=answer
        )
    except InvalidComplaintTransition:
        return _detail(
            request, ctx, staff, reference, status=409, problem="problem.closed_draft", draft=answer
        )
    except NotFound:
        return _detail(request, ctx, staff, reference)
    return after_form(request, f"/office/complaints/{reference}", "answered")


@router.post("/office/complaints/{reference}/close", response_model=None)
def close_complaint(
    request: Request, ctx: Context, staff: StaffPage, _: Csrf, reference: str
) -> Response:
    return _step(request, ctx, staff, reference, complaints.close, "closed")


@router.post("/office/complaints/{reference}/reopen", response_model=None)
def reopen_complaint(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    _: Csrf,
    reference: str,
    answer: Annotated[str, Form(max_length=MAX_ANSWER * 2)] = "",
) -> Response:
    """Reopen; with ``answer`` (a draft a colleague's closing kept from being sent) shown again."""
    done = _step(request, ctx, staff, reference, complaints.reopen, "reopened")
    if answer.strip() and isinstance(done, RedirectResponse):
        return _detail(request, ctx, staff, reference, draft=answer, done="reopened")
    return done


def _step(
    request: Request,
    ctx: Context,
    staff: StaffPrincipal,
    reference: str,
    step: complaints.Step,
    done: str,
) -> Response:
    if not REFERENCE.fullmatch(reference):
        return _detail(request, ctx, staff, reference)
    try:
        with ctx.db.begin() as conn:
            step(conn, reference, actor=staff.actor, allowed_office=staff.office_id)
    except InvalidComplaintTransition:
        return _detail(request, ctx, staff, reference, status=409)
    except ApiError:
        return _detail(request, ctx, staff, reference)
    return after_form(request, f"/office/complaints/{reference}", done)


@router.get("/c/{reference}")
def public_complaint(request: Request, ctx: Context, reference: str) -> HTMLResponse:
    """The complaint's state and answer, for whoever holds the receipt (public, rate-limited)."""
    limit(ctx, f"addr:{client_address(request)}")
    found = None
    if REFERENCE.fullmatch(reference):
        with ctx.db.read() as conn:
            found = complaints.public_view(conn, reference) or complaints.public_view(
                conn, reference.upper()
            )
    return render(
        request,
        "complaint_public.html",
        TEXTS,
        status=200 if found is not None else 404,
        item=found,
        reference=reference if REFERENCE.fullmatch(reference) else "",
        when=lambda at: local_time(ctx.settings.zone, at),
        cat_keys=CATEGORY_KEYS,
    )
