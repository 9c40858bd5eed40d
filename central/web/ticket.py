"""``/t/{id}``: a ticket's status as a page, for whoever holds its paper (public).

The ticket's QR code carries this address. Bahasa Indonesia first, English
below, both on the page: the citizen who scans it has not chosen a language.
It names the queue, never the citizen (:func:`central.api.public.ticket_status`
reads nothing of the registration), and follows the ticket by itself
(``static/refresh.js``): called, held, transferred, served.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from central.api.deps import Context
from central.api.public import REFRESH_S, PublicTicket, ticket_status
from central.api.queue import TicketId
from central.errors import Disputed
from central.office import queue
from central.web.forms import page_router
from central.web.pages import Texts, render

router = page_router()

#: Ticket states in Bahasa Indonesia and English.
STATUS_TEXT: dict[str, tuple[str, str]] = {
    queue.WAITING: ("Menunggu giliran", "Waiting for your turn"),
    queue.CALLED: (
        "Dipanggil: silakan ke loket {counter}",
        "Called: please go to counter {counter}",
    ),
    queue.HELD: (
        "Ditunda: tunggu dipanggil lagi ke loket {counter}",
        "On hold: wait to be called again to counter {counter}",
    ),
    queue.SERVED: ("Sudah dilayani", "Served"),
    queue.NO_SHOW: ("Tidak hadir saat dipanggil", "Not present when called"),
    queue.VOID: ("Tiket batal", "Ticket void"),
}
LABELS: dict[str, tuple[str, str]] = {
    "number": ("Nomor antrean", "Queue number"),
    "service": ("Layanan", "Service"),
    "office": ("Kantor", "Office"),
    "status": ("Status", "Status"),
    "ahead": ("Orang di depan Anda", "People ahead of you"),
    "serving": ("Sedang dilayani", "Now serving"),
    "wait": ("Perkiraan waktu tunggu", "Estimated wait"),
    "minutes": ("menit", "minutes"),
    "taken": ("Diambil pukul", "Taken at"),
}
TEXTS: Texts = {
    "ticket.title": ("Antrean {number}", "Queue {number}"),
    "ticket.not_yet": ("Tiket belum tercatat", "Ticket not recorded yet"),
    "ticket.not_yet_text": (
        "Tiket ini belum tercatat di pusat. Jika Anda baru saja mengambilnya, "
        "tunggu sebentar: halaman ini dimuat ulang sendiri.",
        "This ticket has not reached the centre yet. If you just took it, "
        "wait a moment: this page reloads itself.",
    ),
    "ticket.disputed": ("Tiket tidak dapat ditampilkan", "This ticket cannot be shown"),
    "ticket.disputed_text": (
        "Nomor tiket ini tercatat dari dua anjungan, sehingga pusat tidak dapat "
        "memastikan tiket Anda. Giliran Anda tetap sesuai nomor pada kertas: "
        "tunjukkan kertas tiket Anda di loket.",
        "This ticket's id reached the centre from two kiosks, so the centre cannot "
        "tell which ticket is yours. Your turn still follows the number on your paper: "
        "show it at the counter.",
    ),
}


def _clock(at: dt.datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%H:%M") if at is not None else "–"


def _section(lang: str, ticket: PublicTicket, zone: ZoneInfo) -> dict[str, object]:
    pick = 1 if lang == "en" else 0
    status = STATUS_TEXT.get(ticket.status, (ticket.status, ticket.status))[pick]
    label = {key: pair[pick] for key, pair in LABELS.items()}
    rows = [
        (label["service"], getattr(ticket.service_name, lang)),
        (label["office"], ticket.office_name),
        (label["status"], status.format(counter=ticket.counter)),
        (label["ahead"], str(ticket.people_ahead)),
        (label["serving"], ticket.now_serving or "–"),
        (label["wait"], f"± {ticket.estimated_wait_minutes} {label['minutes']}"),
        (label["taken"], _clock(ticket.issued_at, zone)),
    ]
    return {"lang": lang, "number_label": label["number"], "rows": rows}


def _problem(request: Request, status: int, problem: str) -> HTMLResponse:
    notes = [
        {
            "lang": lang,
            "title": TEXTS[f"ticket.{problem}"][pick],
            "text": TEXTS[f"ticket.{problem}_text"][pick],
        }
        for pick, lang in enumerate(("id", "en"))
    ]
    return render(
        request,
        "ticket.html",
        TEXTS,
        status=status,
        ticket=None,
        problem=problem,
        notes=notes,
        refresh=REFRESH_S,
        sections=[],
    )


@router.get("/t/{ticket_id}")
def ticket_page(ticket_id: TicketId, request: Request, ctx: Context) -> HTMLResponse:
    """The ticket's status (Indonesian, English below); follows the ticket every 30 s."""
    try:
        found = ticket_status(ctx, request, ticket_id)
    except Disputed:
        return _problem(request, 409, "disputed")
    if found is None:
        return _problem(request, 404, "not_yet")
    zone = ctx.settings.zone
    sections = [_section("id", found, zone), _section("en", found, zone)]
    return render(
        request,
        "ticket.html",
        TEXTS,
        ticket=found,
        problem=None,
        notes=[],
        refresh=REFRESH_S,
        sections=sections,
    )
