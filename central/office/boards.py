"""Display boards: the TVs of a waiting room, each opened by a URL that carries its token.

An admin registers a board for an office and is shown its URL once; the
token in it (``bd_…``, :mod:`central.access.credentials`) is stored only as
its SHA-256, like every other token. A board's token reads its own office's
board and nothing else: no staff route accepts it, and
:func:`authenticate_board` answers the office it belongs to. A revoked or
unknown token is refused. Registering and revoking are audited.

The office's running text (one line the boards scroll) is set by its staff
and kept in ``office_notices``; setting it wakes the boards
(:func:`central.live.notify`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from central.access import audit
from central.access.audit import utc_now
from central.access.credentials import BOARD_PREFIX, TokenKind, new_token, sha256_hex
from central.access.staff import StaffPrincipal, require_reach
from central.errors import NotFound
from central.live import notify
from central.tables import boards, office_notices, offices
from central.upsert import upsert

NAME_MAX = 100
RUNNING_TEXT_MAX = 500
#: Longer than any token we make; a longer one is refused without a query.
TOKEN_MAX = 100


@dataclass(frozen=True)
class Board:
    """A registered board (never its token: that is shown once, at registration)."""

    id: str
    office_id: str
    name: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class Registered:
    board: Board
    #: The board's token, shown once: it goes in the URL the TV opens.
    token: str


def _board(row: Any) -> Board:
    return Board(
        id=row.id,
        office_id=row.office_id,
        name=row.name,
        created_at=row.created_at,
        created_by=row.created_by,
        revoked_at=row.revoked_at,
    )


def _unknown(board_id: str) -> NotFound:
    return NotFound(f"no board {board_id!r}")


def clean_name(name: str) -> str | None:
    """The board's name, trimmed; ``None`` when empty or too long."""
    cleaned = " ".join(name.split())
    return cleaned if 0 < len(cleaned) <= NAME_MAX and cleaned.isprintable() else None


def office_exists(conn: Connection, office_id: str) -> bool:
    return conn.execute(select(offices.c.id).where(offices.c.id == office_id)).first() is not None


def register(
    conn: Connection, staff: StaffPrincipal, office_id: str, name: str, now: dt.datetime
) -> Registered:
    """A new board of ``office_id`` (the caller has checked the staff may act for it)."""
    if not office_exists(conn, office_id):
        raise NotFound(f"no office {office_id!r}")
    token = new_token(TokenKind.BOARD)
    board_id = str(uuid.uuid4())
    conn.execute(
        insert(boards).values(
            id=board_id,
            office_id=office_id,
            name=name,
            token_hash=sha256_hex(token),
            created_at=now,
            created_by=staff.actor,
            revoked_at=None,
        )
    )
    audit.record_event(
        conn, actor=staff.actor, action="board_registered", subject=board_id, detail=office_id
    )
    board = Board(board_id, office_id, name, now, staff.actor, None)
    return Registered(board=board, token=token)


DEMO_RUNNING_TEXT = (
    "Selamat datang di Mal Pelayanan Publik. Siapkan KTP-el Anda, dan ambil nomor antrean "
    "di anjungan. · Welcome: have your e-KTP ready and take a number at the kiosk."
)


def ensure_demo_board(conn: Connection, office_id: str, token: str) -> bool:
    """Register the demo board of ``office_id`` with a published ``token``; True if added.

    Only ``--seed-demo`` calls it: like the demo enrolment code, its token is public.
    """
    digest = sha256_hex(token)
    if conn.execute(select(boards.c.id).where(boards.c.token_hash == digest)).first():
        return False
    conn.execute(
        insert(boards).values(
            id=str(uuid.uuid4()),
            office_id=office_id,
            name="Papan demo",
            token_hash=digest,
            created_at=utc_now(),
            created_by="demo",
            revoked_at=None,
        )
    )
    if (
        conn.execute(
            select(office_notices.c.office_id).where(office_notices.c.office_id == office_id)
        ).first()
        is None
    ):
        conn.execute(
            insert(office_notices).values(
                office_id=office_id,
                running_text=DEMO_RUNNING_TEXT,
                updated_at=utc_now(),
                updated_by="demo",
            )
        )
    return True


def list_boards(conn: Connection, office_id: str | None) -> list[Board]:
    """The boards of ``office_id`` (``None``: every office), newest first."""
    query = select(boards).order_by(boards.c.created_at.desc(), boards.c.id)
    if office_id is not None:
        query = query.where(boards.c.office_id == office_id)
    return [_board(row) for row in conn.execute(query)]


def revoke(conn: Connection, staff: StaffPrincipal, board_id: str, now: dt.datetime) -> Board:
    """Revoke a board; another office's board is answered as an unknown one."""
    row = conn.execute(select(boards).where(boards.c.id == board_id)).first()
    if row is None:
        raise _unknown(board_id)
    require_reach(staff.office_id, row.office_id, _unknown(board_id))
    if row.revoked_at is None:
        conn.execute(update(boards).where(boards.c.id == board_id).values(revoked_at=now))
        audit.record_event(
            conn, actor=staff.actor, action="board_revoked", subject=board_id, detail=row.office_id
        )
        notify(conn, row.office_id)  # its open streams end at once
        row = conn.execute(select(boards).where(boards.c.id == board_id)).one()
    return _board(row)


def authenticate(conn: Connection, token: str) -> Board | None:
    """The active board holding ``token``; ``None`` for a revoked, unknown or malformed one."""
    if not token.startswith(BOARD_PREFIX) or len(token) > TOKEN_MAX:
        return None
    row = conn.execute(select(boards).where(boards.c.token_hash == sha256_hex(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return _board(row)


def is_active(conn: Connection, board_id: str) -> bool:
    revoked = conn.execute(select(boards.c.revoked_at).where(boards.c.id == board_id)).first()
    return revoked is not None and revoked.revoked_at is None


def running_text(conn: Connection, office_id: str) -> str:
    """The office's running text ("" when none is set)."""
    found = conn.execute(
        select(office_notices.c.running_text).where(office_notices.c.office_id == office_id)
    ).scalar_one_or_none()
    return str(found or "")


def clean_running_text(text: str) -> str | None:
    """The running text on one line; ``None`` when too long or not printable."""
    cleaned = " ".join(text.split())
    return cleaned if len(cleaned) <= RUNNING_TEXT_MAX and cleaned.isprintable() else None


def set_running_text(
    conn: Connection, staff: StaffPrincipal, office_id: str, text: str, now: dt.datetime
) -> None:
    """Set (or, with "", clear) the office's running text; its boards show it within moments.

    One statement (``INSERT … ON CONFLICT DO UPDATE``): staff of a new office
    saving at once never collide on its first row.
    """
    upsert(
        conn,
        office_notices,
        {"office_id": office_id},
        {"running_text": text, "updated_at": now, "updated_by": staff.actor},
    )
    notify(conn, office_id)
