"""What the office's settings pages share: which office a request may touch, and
where a form sends the browser once it is done.

Staff see and change their own office only; an admin (no office of their own)
picks one with ``?office_id=`` and, without a pick, gets the first active
office (or the first that ``preferred`` accepts). After a form the browser is
sent back to the page with ``?done=`` (the page says what was done), the
admin's office, and the language the form was posted in.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection, select

from central.access.staff import StaffPrincipal
from central.api.deps import AppContext
from central.tables import offices
from central.web.pages import LANGUAGES


def office_choices(conn: Connection, staff: StaffPrincipal) -> list[tuple[str, str]]:
    """The active offices ``staff`` may pick, as ``(id, name)``: the staff's own, or all."""
    query = select(offices.c.id, offices.c.name).where(offices.c.active.is_(True))
    if staff.office_id is not None:
        query = query.where(offices.c.id == staff.office_id)
    return [(r.id, r.name) for r in conn.execute(query.order_by(offices.c.id))]


def office_of(
    ctx: AppContext,
    staff: StaffPrincipal,
    asked: str | None,
    *,
    preferred: Callable[[Connection, str], bool] | None = None,
) -> str | None:
    """The office this request may show or change: the staff's own, or the admin's pick
    (without one, the first office ``preferred`` accepts, else the first office);
    ``None`` when the office asked for is not one ``staff`` may touch."""
    if staff.office_id is not None:
        return staff.office_id if asked in (None, "", staff.office_id) else None
    with ctx.db.read() as conn:
        choices = [office_id for office_id, _ in office_choices(conn, staff)]
        if asked in (None, ""):
            liked = [o for o in choices if preferred(conn, o)] if preferred else []
            first = liked or choices
            return first[0] if first else None
    return asked if asked in choices else None


def after_form(
    request: Request, path: str, done: str, staff: StaffPrincipal | None = None, office_id: str = ""
) -> RedirectResponse:
    """303 back to ``path`` saying ``done``; an admin's ``office_id`` and the form's
    ``?lang=`` ride along, so the page comes back as it was."""
    query = {"done": done}
    if staff is not None and staff.office_id is None:
        query["office_id"] = office_id
    lang = request.query_params.get("lang", "")
    if lang in LANGUAGES:
        query["lang"] = lang
    return RedirectResponse(f"{path}?{urlencode(query)}", 303)
