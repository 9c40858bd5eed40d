"""The public ticket status: ``GET /api/v1/public/tickets/{id}`` (JSON) and ``GET /t/{id}`` (HTML).

Anyone holding a ticket may look at it: the ticket's QR code carries
``/t/<ticket id>``, a random UUID nobody can guess. The answer names the
queue, never the citizen: nothing of the registration (names, NIK, form
values) is read here. Limited per client address.

An id that two kiosks registered (one of them read it off the other's paper:
:mod:`central.office.submissions`) is *disputed*: the centre cannot tell which
ticket the paper is, so it shows neither (409 ``ticket_disputed``, and a
page sending the citizen to the counter with the paper).
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import Connection, Row, func, select

from central.api.deps import AppContext, Context, client_address, limit
from central.api.queue import TicketId
from central.errors import Disputed, NotFound
from central.office import numbering, queue
from central.tables import tickets
from contract.wire import ErrorCode

router = APIRouter(tags=["public"])

REFRESH_S = 30


class ServiceName(BaseModel):
    id: str
    en: str


class PublicTicket(BaseModel):
    number: str
    service_id: str
    service_name: ServiceName
    office_name: str
    status: str
    counter: str
    people_ahead: int
    now_serving: str | None
    estimated_wait_minutes: int
    issued_at: dt.datetime
    called_at: dt.datetime | None


def _disputed(conn: Connection, row: Row[Any]) -> bool:
    """Whether another kiosk's ticket claims this id and the paper may be either.

    Decided on the centre's own times (``recorded_at``), never on a
    claimant's clock: a number allocated online was given before any claim
    the centre received after it, so such a claim is a copy of this paper
    and the page stays, whatever ``issued_at`` the claimant gives. Any
    second claim of an id first registered offline disputes it (the centre
    has no time of its own for when that paper was printed).
    """
    claims = tickets.c.kiosk_ticket_id == row.id
    if row.number_source != "online":
        return conn.execute(select(tickets.c.id).where(claims).limit(1)).first() is not None
    earliest = conn.execute(
        select(func.min(tickets.c.recorded_at)).where(claims)
    ).scalar_one_or_none()
    return earliest is not None and earliest < row.recorded_at


def ticket_status(ctx: AppContext, request: Request, ticket_id: str) -> PublicTicket | None:
    limit(ctx, f"addr:{client_address(request)}")
    with ctx.db.read() as conn:
        row = conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
        if row is None:
            return None
        if _disputed(conn, row):
            raise Disputed("two kiosks registered this ticket id: ask at the counter")
        facts = queue.catalog_facts(conn, ctx.documents)
        service = numbering.service_info(conn, row.service_id)
        place = queue.place(conn, row, facts)
    names = facts.service_names.get(row.service_id, {"id": service.name, "en": service.name})
    return PublicTicket(
        number=row.display,
        service_id=row.service_id,
        service_name=ServiceName(id=names["id"], en=names["en"]),
        office_name=facts.office_names.get(row.office_id, row.office_id),
        status=row.status,
        counter=row.counter or service.counter,
        people_ahead=place.people_ahead,
        now_serving=place.now_serving,
        estimated_wait_minutes=place.estimated_wait_minutes,
        issued_at=row.issued_at,
        called_at=row.called_at,
    )


@router.get(
    "/api/v1/public/tickets/{ticket_id}",
    responses={
        404: {"description": "`unknown_ticket`."},
        409: {"description": "`ticket_disputed`: two kiosks registered this id."},
    },
)
def public_ticket(ticket_id: TicketId, request: Request, ctx: Context) -> PublicTicket:
    """A ticket's place in its queue, for anyone holding its id; no personal data."""
    found = ticket_status(ctx, request, ticket_id)
    if found is None:
        raise NotFound(
            "this ticket has not reached the centre (yet)", code=ErrorCode.UNKNOWN_TICKET
        )
    return found


#: Ticket states in Bahasa Indonesia and English.
STATUS_TEXT = {
    queue.WAITING: ("Menunggu giliran", "Waiting for your turn"),
    queue.CALLED: (
        "Dipanggil: silakan ke loket {counter}",
        "Called: please go to counter {counter}",
    ),
    queue.SERVED: ("Sudah dilayani", "Served"),
    queue.NO_SHOW: ("Tidak hadir saat dipanggil", "Not present when called"),
    queue.VOID: ("Tiket batal", "Ticket void"),
}

_PAGE = """<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{refresh}">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 32em; margin: 1em auto; padding: 0 1em; }}
.number {{ font-size: 3em; font-weight: bold; margin: .2em 0; }}
section + section {{ border-top: 1px solid #999; margin-top: 1.5em; color: #333; }}
dt {{ font-weight: bold; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def _clock(at: dt.datetime | None, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%H:%M") if at is not None else "–"


def _section(lang: str, t: PublicTicket, zone: ZoneInfo) -> str:
    indonesian = lang == "id"
    status = STATUS_TEXT.get(t.status, (t.status, t.status))[0 if indonesian else 1]
    labels = (
        (
            "Layanan",
            "Kantor",
            "Status",
            "Orang di depan Anda",
            "Sedang dilayani",
            "Perkiraan waktu tunggu",
            "menit",
            "Diambil pukul",
            "Nomor antrean",
        )
        if indonesian
        else (
            "Service",
            "Office",
            "Status",
            "People ahead of you",
            "Now serving",
            "Estimated wait",
            "minutes",
            "Taken at",
            "Queue number",
        )
    )
    rows = [
        (labels[0], getattr(t.service_name, lang)),
        (labels[1], t.office_name),
        (labels[2], status.format(counter=t.counter)),
        (labels[3], str(t.people_ahead)),
        (labels[4], t.now_serving or "–"),
        (labels[5], f"± {t.estimated_wait_minutes} {labels[6]}"),
        (labels[7], _clock(t.issued_at, zone)),
    ]
    items = "\n".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    return (
        f'<section lang="{lang}"><p>{escape(labels[8])}</p>'
        f'<p class="number">{escape(t.number)}</p><dl>\n{items}\n</dl></section>'
    )


_NOT_YET = (
    '<section lang="id"><h1>Tiket belum tercatat</h1>'
    "<p>Tiket ini belum tercatat di pusat. Jika Anda baru saja mengambilnya, "
    "tunggu sebentar: halaman ini dimuat ulang sendiri.</p></section>"
    '<section lang="en"><h1>Ticket not recorded yet</h1>'
    "<p>This ticket has not reached the centre yet. If you just took it, "
    "wait a moment: this page reloads itself.</p></section>"
)


_DISPUTED = (
    '<section lang="id"><h1>Tiket tidak dapat ditampilkan</h1>'
    "<p>Nomor tiket ini tercatat dari dua anjungan, sehingga pusat tidak dapat "
    "memastikan tiket Anda. Giliran Anda tetap sesuai nomor pada kertas: "
    "tunjukkan kertas tiket Anda di loket.</p></section>"
    '<section lang="en"><h1>This ticket cannot be shown</h1>'
    "<p>This ticket's id reached the centre from two kiosks, so the centre cannot "
    "tell which ticket is yours. Your turn still follows the number on your paper: "
    "show it at the counter.</p></section>"
)


@router.get(
    "/t/{ticket_id}",
    response_class=HTMLResponse,
    responses={
        404: {"description": 'The page "belum tercatat" (not recorded yet).'},
        409: {"description": "The page for a ticket id two kiosks registered."},
    },
)
def ticket_page(ticket_id: TicketId, request: Request, ctx: Context) -> HTMLResponse:
    """The ticket's status as a page (Bahasa Indonesia, English below); reloads every 30 s."""
    try:
        found = ticket_status(ctx, request, ticket_id)
    except Disputed:
        page = _PAGE.format(
            refresh=REFRESH_S, title="Tiket tidak dapat ditampilkan", body=_DISPUTED
        )
        return HTMLResponse(page, status_code=409)
    if found is None:
        page = _PAGE.format(refresh=REFRESH_S, title="Tiket belum tercatat", body=_NOT_YET)
        return HTMLResponse(page, status_code=404)
    zone = ctx.settings.zone
    body = _section("id", found, zone) + "\n" + _section("en", found, zone)
    title = escape(f"Antrean {found.number}")
    return HTMLResponse(_PAGE.format(refresh=REFRESH_S, title=title, body=body))
