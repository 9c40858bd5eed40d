"""``/stats``: the public figures of today, per office and service (no login, no personal data).

What a citizen can ask from a phone: how many took a ticket for each
service today, how many were served, how many wait now and how long a
newcomer should expect to wait. Counts only, from
:mod:`central.office.dashboard`; the names are the catalog's. Limited per
client address like the public ticket page (``/t/{id}``); a client over the
limit gets a page saying so (429), never a JSON body.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from central.access.audit import utc_now
from central.api.deps import AppContext, Context, client_address, limit
from central.errors import TooManyRequests
from central.office import dashboard, queue
from central.web.forms import page_router
from central.web.pages import Texts, render
from central.web.session import current_staff

router = page_router()


class _Figures:
    """The city's figures of today, counted at most once per ``--stats-cache`` seconds.

    Every visitor of the public page gets the same figures, so anonymous
    requests cannot each make the centre count the whole city's day again;
    requests that arrive while they are counted wait and share the count.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counted: dict[int, tuple[float, tuple[Any, ...]]] = {}

    def get(self, ctx: AppContext, zone: ZoneInfo) -> tuple[Any, ...]:
        with self._lock:
            cached = self._counted.get(id(ctx))
            if cached is not None and time.monotonic() - cached[0] < ctx.settings.stats_cache_s:
                return cached[1]
            now = utc_now()
            day = dashboard.today(zone, now)
            with ctx.db.read() as conn:
                facts = queue.catalog_facts(conn, ctx.documents)
                days = dashboard.office_days(conn, facts, day=day, zone=zone, office_id=None)
            figures = (now, day, facts, days)
            self._counted[id(ctx)] = (time.monotonic(), figures)
            return figures


_FIGURES = _Figures()

#: The page fetches its figures again this often (seconds, ``static/stats.js``): a phone
#: left open stays current, without a reload that would move a reader's place.
REFRESH_S = 60

TEXTS: Texts = {
    "stats.title": ("Angka layanan hari ini", "Today's service figures"),
    "stats.lead": (
        "Berapa warga yang dilayani hari ini, dan berapa lama menunggu sekarang.",
        "How many people were served today, and how long the wait is now.",
    ),
    "stats.as_of": ("Keadaan pukul {time}, {day}.", "As of {time}, {day}."),
    "stats.service": ("Layanan", "Service"),
    "stats.issued": ("Antrean diambil hari ini", "Tickets taken today"),
    "stats.served": ("Selesai dilayani hari ini", "Served today"),
    "stats.waiting": ("Menunggu sekarang", "Waiting now"),
    "stats.estimate": ("Perkiraan waktu tunggu", "Estimated wait"),
    "stats.minutes": ("± {n} menit", "± {n} minutes"),
    "stats.summary": (
        "{name} hari ini: {served} dilayani",
        "{name} today: {served} served",
    ),
    "stats.office_total": (
        "Hari ini {issued} antrean diambil, {served} dilayani, {waiting} menunggu.",
        "Today {issued} tickets taken, {served} served, {waiting} waiting.",
    ),
    "stats.no_offices": ("Belum ada kantor.", "No office yet."),
    "stats.slow": (
        "Terlalu banyak permintaan dari alamat ini. Coba lagi dalam {seconds} detik.",
        "Too many requests from this address. Try again in {seconds} seconds.",
    ),
}


@router.get("/stats")
def stats_page(request: Request, ctx: Context) -> HTMLResponse:
    staff = current_staff(request)
    try:
        limit(ctx, f"addr:{client_address(request)}")
    except TooManyRequests as exc:
        page = render(
            request, "stats.html", TEXTS, status=429, staff=staff, slow=exc.retry_after_s, days=[]
        )
        page.headers["Retry-After"] = str(exc.retry_after_s)
        return page
    zone = ctx.settings.zone
    now, day, facts, days = _FIGURES.get(ctx, zone)
    local = now.astimezone(zone)
    return render(
        request,
        "stats.html",
        TEXTS,
        staff=staff,
        slow=None,
        days=days,
        estimate=lambda service: dashboard.estimated_wait_minutes(service, facts),
        time=local.strftime("%H:%M"),
        day=day.isoformat(),
        refresh=REFRESH_S,
    )
