"""The office's web pages: server-rendered HTML for staff, the boards and the public.

Each page is a route here, a Jinja2 template in ``templates/`` and, where it
moves, a script of its own in ``static/`` (no inline script: the
Content-Security-Policy forbids it, :mod:`central.web.security`). Every
asset is served by the centre itself: an office's internet fails, and a
page must still work.

The rules of the queue, the board and the figures live in
:mod:`central.office`; these modules only read a request, call them, and
render. Staff pages take a :data:`central.web.session.StaffPage` (the
session cookie) and check :func:`central.web.session.require_csrf` on every
form that changes something. Pages anyone may open are named in
:data:`PUBLIC_PAGES`; a test sends every other page a request without a
session and expects the login (GET) or a refusal (POST).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from central.web import (
    applications,
    board,
    boards,
    booking,
    booking_staff,
    complaints,
    counter,
    dashboard,
    home,
    messages,
    schedules,
    session,
    stats,
    ticket,
)
from central.web.security import SecurityHeaders

STATIC = Path(__file__).parent / "static"

#: (method, path) of the pages anyone may open.
PUBLIC_PAGES = frozenset(
    {
        ("GET", "/"),
        ("GET", "/login"),
        ("POST", "/login"),
        # Ends the session of the cookie it is sent with, if any (CSRF-checked).
        ("POST", "/logout"),
        ("GET", "/stats"),
        # A ticket's status, for whoever holds its paper (the id is a random UUID).
        ("GET", "/t/{ticket_id}"),
        ("GET", "/c/{reference}"),
        # A board's token is its credential (central/web/board.py); the clips are the same
        # for every office.
        ("GET", "/board/{token}"),
        ("GET", "/board/{token}/events"),
        ("GET", "/voice/{name}.wav"),
        # Citizens book without a login: they prove who they are with NIK (or card number)
        # and date of birth, counted and audited (central/web/booking.py); the forms carry a
        # double-submit CSRF token. A booking's page is opened by its code (8 random digits
        # and a check digit) and never shows the NIK.
        ("GET", "/booking"),
        ("POST", "/booking"),
        ("GET", "/b/{code}"),
        ("POST", "/b/{code}/cancel"),
        ("POST", "/b/{code}/change"),
    }
)

#: Every router of the web pages.
ROUTERS: tuple[APIRouter, ...] = (
    session.router,
    home.router,
    dashboard.router,
    stats.router,
    counter.router,
    ticket.router,
    complaints.router,
    applications.router,
    boards.router,
    board.router,
    booking.router,
    booking_staff.router,
    messages.router,
    schedules.router,
)


def install(app: FastAPI) -> None:
    """Add the pages, their static files and the security headers to ``app``."""
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)
    session.install_handlers(app)
