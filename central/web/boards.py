"""``/office/boards``: register, list and revoke an office's boards; set its running text.

Admins register ("Daftarkan papan") and revoke; the new board's URL, with its
token, is shown once. Any staff member of the office sets the running text.
A staff account limited to an office sees and changes only that office; an
account for every office picks the office (``?office=``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from central.access.audit import utc_now
from central.access.staff import Role, StaffPrincipal
from central.api.deps import get_context, public_base
from central.errors import NotFound, PageRefused
from central.office import boards
from central.tables import offices
from central.web.forms import page_router
from central.web.pages import Texts, render
from central.web.session import Csrf, StaffPage

router = page_router()

TEXTS: Texts = {
    "boards.title": ("Papan antrean", "Queue boards"),
    "boards.lead": (
        "Papan antrean dibuka di TV ruang tunggu dengan alamat yang berisi kunci papan. "
        "Tidak perlu masuk di TV.",
        "A queue board opens on the waiting room's TV with a URL that carries its key. "
        "No login on the TV.",
    ),
    "boards.office": ("Kantor", "Office"),
    "boards.show": ("Tampilkan", "Show"),
    "boards.name": ("Nama papan", "Board name"),
    "boards.register": ("Daftarkan papan", "Register a board"),
    "boards.registered": (
        "Papan terdaftar. Buka alamat ini di TV. Alamat ini hanya ditampilkan sekali:",
        "Board registered. Open this URL on the TV. It is shown only this once:",
    ),
    "boards.list": ("Papan terdaftar", "Registered boards"),
    "boards.none": ("Belum ada papan.", "No boards yet."),
    "boards.created": ("Didaftarkan", "Registered"),
    "boards.by": ("oleh", "by"),
    "boards.state": ("Status", "State"),
    "boards.active": ("Aktif", "Active"),
    "boards.revoked": ("Dicabut", "Revoked"),
    "boards.revoke": ("Cabut", "Revoke"),
    "boards.revoked_done": ("Papan dicabut.", "Board revoked."),
    "boards.running": ("Teks berjalan", "Running text"),
    "boards.running_help": (
        "Satu baris yang berjalan di bawah papan (kosongkan untuk menghapus).",
        "One line that scrolls along the bottom of the boards (empty to remove).",
    ),
    "boards.save": ("Simpan", "Save"),
    "boards.saved": ("Teks berjalan disimpan.", "Running text saved."),
    "boards.bad_name": (
        "Nama papan wajib diisi (paling banyak 100 karakter).",
        "A board name is required (at most 100 characters).",
    ),
    "boards.bad_text": (
        "Teks berjalan paling banyak 500 karakter, tanpa karakter khusus.",
        "The running text is at most 500 characters, without control characters.",
    ),
    "boards.bad_office": ("Kantor tidak dikenal.", "Unknown office."),
    "boards.unknown": ("Papan tidak ditemukan.", "Board not found."),
    "boards.admin_only": (
        "Hanya admin yang dapat mendaftarkan atau mencabut papan.",
        "Only admins register or revoke boards.",
    ),
    "refused.title": ("Permintaan ditolak", "Request refused"),
    "refused.admin": ("Halaman ini hanya untuk admin.", "This page is for admins only."),
    "login.title": ("Masuk petugas", "Staff login"),
}


def _offices(request: Request, staff: StaffPrincipal) -> list[tuple[str, str]]:
    """(id, name) of the offices this account may manage."""
    query = select(offices.c.id, offices.c.name).order_by(offices.c.name)
    if staff.office_id is not None:
        query = query.where(offices.c.id == staff.office_id)
    with get_context(request).db.read() as conn:
        return [(row.id, row.name) for row in conn.execute(query)]


def _office(staff: StaffPrincipal, choices: list[tuple[str, str]], asked: str | None) -> str | None:
    ids = [office_id for office_id, _ in choices]
    if staff.office_id is not None:
        return staff.office_id
    if asked in ids:
        return asked
    return ids[0] if ids else None


def _page(
    request: Request,
    staff: StaffPrincipal,
    office_id: str | None,
    *,
    status: int = 200,
    problem: str | None = None,
    notice: str | None = None,
    url: str | None = None,
) -> HTMLResponse:
    choices = _offices(request, staff)
    office = _office(staff, choices, office_id)
    listed: list[boards.Board] = []
    text = ""
    if office is not None:
        with get_context(request).db.read() as conn:
            listed = boards.list_boards(conn, office)
            text = boards.running_text(conn, office)
    return render(
        request,
        "office_boards.html",
        TEXTS,
        status=status,
        staff=staff,
        offices=choices,
        office=office,
        boards=listed,
        running_text=text,
        is_admin=staff.role is Role.ADMIN,
        problem=problem,
        notice=notice,
        url=url,
    )


@router.get("/office/boards")
def boards_page(
    request: Request, staff: StaffPage, office: str | None = None, saved: str | None = None
) -> HTMLResponse:
    return _page(request, staff, office, notice="boards.saved" if saved == "1" else None)


def _reachable(request: Request, staff: StaffPrincipal, office_id: str) -> bool:
    return office_id in {o for o, _ in _offices(request, staff)}


def board_url(request: Request, token: str) -> str:
    """The URL a TV opens: this centre's address as people use it (``--public-url``)."""
    return f"{public_base(request)}/board/{token}"


@router.post("/office/boards", response_model=None)
def register_board(
    request: Request,
    staff: StaffPage,
    _: Csrf,
    office_id: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    if staff.role is not Role.ADMIN:
        raise PageRefused("refused.admin")
    if not _reachable(request, staff, office_id):
        return _page(request, staff, None, status=422, problem="boards.bad_office")
    cleaned = boards.clean_name(name)
    if cleaned is None:
        return _page(request, staff, office_id, status=422, problem="boards.bad_name")
    with get_context(request).db.begin() as conn:
        made = boards.register(conn, staff, office_id, cleaned, utc_now())
    return _page(request, staff, office_id, status=201, url=board_url(request, made.token))


@router.post("/office/boards/{board_id}/revoke", response_model=None)
def revoke_board(request: Request, staff: StaffPage, _: Csrf, board_id: str) -> Response:
    if staff.role is not Role.ADMIN:
        raise PageRefused("refused.admin")
    ctx = get_context(request)
    try:
        with ctx.db.begin() as conn:
            board = boards.revoke(conn, staff, board_id[:64], utc_now())
    except NotFound:
        return _page(request, staff, None, status=404, problem="boards.unknown")
    ctx.live.wake(board.office_id)
    return _page(request, staff, board.office_id, notice="boards.revoked_done")


@router.post("/office/boards/running-text", response_model=None)
def running_text(
    request: Request,
    staff: StaffPage,
    _: Csrf,
    office_id: Annotated[str, Form(max_length=64)] = "",
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if not _reachable(request, staff, office_id):
        return _page(request, staff, None, status=422, problem="boards.bad_office")
    cleaned = boards.clean_running_text(text)
    if cleaned is None:
        return _page(request, staff, office_id, status=422, problem="boards.bad_text")
    ctx = get_context(request)
    with ctx.db.begin() as conn:
        boards.set_running_text(conn, staff, office_id, cleaned, utc_now())
    ctx.live.wake(office_id)
    return RedirectResponse(f"/office/boards?office={office_id}&saved=1", status_code=303)
