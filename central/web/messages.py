"""``/office/messages``: the messages that could not be sent (the dead-letter list),
and below it the newest that expired (no longer true when their turn came).

Staff see each dead message of their office (an account for every office: of
all offices): when it was written, what it was (its template), the number
masked, the attempts and why it stopped; "Kirim lagi" puts it back in the
outbox under the same key, so the gateway still takes it once, and is audited
(``message_sent_again``: who, which message, its key cut as a log line cuts it,
the number masked). Never the
full number, never the text (it is written again when sent).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from central.access.audit import record_event, utc_now
from central.access.staff import StaffPrincipal
from central.api.deps import get_context
from central.messages import outbox
from central.web.forms import page_router
from central.web.pages import RowId, Texts, render
from central.web.session import Csrf, StaffPage

router = page_router()

TEXTS: Texts = {
    "messages.title": ("Pesan gagal", "Messages not sent"),
    "messages.lead": (
        "Pesan ke warga yang tidak dapat dikirim gateway setelah semua percobaan, "
        "atau yang ditolak gateway. Periksa gateway, lalu kirim lagi.",
        "Messages to citizens the gateway could not take after every attempt, or refused. "
        "Check the gateway, then send them again.",
    ),
    "messages.none": ("Tidak ada pesan gagal.", "No failed messages."),
    "messages.count": ("Pesan gagal", "Failed messages"),
    "messages.created": ("Dibuat (UTC)", "Written (UTC)"),
    "messages.kind": ("Jenis", "Kind"),
    "messages.to": ("Nomor", "Number"),
    "messages.attempts": ("Percobaan", "Attempts"),
    "messages.error": ("Sebab", "Reason"),
    "messages.again": ("Kirim lagi", "Send again"),
    "messages.expired": ("Pesan kedaluwarsa", "Messages expired"),
    "messages.expired_lead": (
        "Pesan yang tidak lagi benar saat gilirannya tiba (janji sudah lewat, nomor "
        "antrean sudah tidak menunggu atau tidak dipanggil lagi), jadi tidak dikirim.",
        "Messages no longer true when their turn came (the booking's time had passed, "
        "the ticket no longer waited or was no longer called), so not sent.",
    ),
    "messages.sent_again": ("Pesan dikirim lagi.", "The message is sent again."),
    "messages.unknown": (
        "Pesan itu tidak ada di daftar (mungkin sudah dikirim lagi).",
        "That message is not on the list (it may have been sent again already).",
    ),
    "refused.title": ("Permintaan ditolak", "Request refused"),
    "login.title": ("Masuk petugas", "Staff login"),
}


def _page(
    request: Request,
    staff: StaffPrincipal,
    *,
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
) -> HTMLResponse:
    with get_context(request).db.read() as conn:
        dead = outbox.dead_letters(conn, staff.office_id)
        total = outbox.count_dead(conn, staff.office_id)
        expired = outbox.expired(conn, staff.office_id)
    return render(
        request,
        "office_messages.html",
        TEXTS,
        status=status,
        staff=staff,
        dead=dead,
        total=total,
        expired=expired,
        notice=notice,
        problem=problem,
    )


@router.get("/office/messages", response_class=HTMLResponse)
def message_page(request: Request, staff: StaffPage) -> HTMLResponse:
    """The dead-letter list of the staff member's office."""
    return _page(request, staff)


@router.post("/office/messages/{message_id}/send-again", response_class=HTMLResponse)
def send_again(request: Request, staff: StaffPage, _: Csrf, message_id: RowId) -> HTMLResponse:
    """Put a dead message back in the outbox; 404 with the list if it is not there."""
    ctx = get_context(request)
    with ctx.db.begin() as conn:
        dead = outbox.dead_letter(conn, message_id, staff.office_id)
        done = dead is not None and outbox.send_again(conn, message_id, staff.office_id, utc_now())
        if dead is not None and done:
            record_event(
                conn,
                actor=staff.actor,
                action="message_sent_again",
                subject=f"message:{message_id}",
                detail=f"{outbox.shown_key(dead.key)} ({dead.template}) to {dead.phone_masked}",
            )
    if not done:
        return _page(request, staff, status=404, problem="messages.unknown")
    return _page(request, staff, notice="messages.sent_again")
