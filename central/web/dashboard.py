"""``/dashboard``: the office head's and the city's view of a day, its fleet, its CSV.

Staff only, office-scoped: an account limited to an office sees that office
(asking for another is refused); an account without one sees every office
and may pick one. The figures come from :mod:`central.office.dashboard`,
the kiosks from :mod:`central.office.fleet`; the CSV from
:mod:`central.office.day_export`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from central.access.audit import utc_now
from central.access.staff import StaffPrincipal
from central.api.deps import AppContext, Context
from central.office import dashboard, day_export, fleet, queue
from central.times import EARLIEST, LATEST
from central.web.booking_texts import TODAY
from central.web.bookings_today import ServiceDay, service_days
from central.web.charts import bar_chart
from central.web.forms import page_router
from central.web.pages import Texts, language, render
from central.web.session import StaffPage

router = page_router()

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_OFFICE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")

TEXTS: Texts = {
    "dash.title": ("Dasbor kantor", "Office dashboard"),
    "dash.day": ("Tanggal", "Day"),
    "dash.office": ("Kantor", "Office"),
    "dash.show": ("Tampilkan", "Show"),
    "dash.export": ("Unduh CSV hari ini", "Download the day as CSV"),
    "dash.of_day": ("Angka {day}", "Figures of {day}"),
    "dash.bad_day": (
        "Tanggal tidak dikenal. Tulis tanggal seperti 2026-11-23 (tahun 2000 sampai 2099).",
        "Unknown date. Write a date like 2026-11-23 (years 2000 to 2099).",
    ),
    "dash.not_yours": (
        "Akun ini hanya untuk kantor {office}; kantor lain tidak dapat dilihat.",
        "This account is limited to office {office}; other offices cannot be shown.",
    ),
    "dash.unknown_office": ("Kantor ini tidak dikenal.", "No such office."),
    "dash.service": ("Layanan", "Service"),
    "dash.issued": ("Diambil", "Issued"),
    "dash.served": ("Dilayani", "Served"),
    "dash.no_show": ("Tidak hadir", "No-show"),
    "dash.waiting": ("Menunggu", "Waiting"),
    "dash.held": ("Ditunda", "On hold"),
    "dash.wait": ("Waktu tunggu (menit)", "Wait (minutes)"),
    "dash.service_time": ("Lama layanan (menit)", "Service time (minutes)"),
    "dash.median": ("median", "median"),
    "dash.p90": ("persentil 90", "90th percentile"),
    "dash.total": ("Jumlah", "Total"),
    "dash.per_hour": ("Tiket per jam", "Tickets per hour"),
    "dash.per_hour_desc": (
        "Tiket yang diambil di {office} per jam pada {day}, jumlah {total}.",
        "Tickets issued at {office} per hour on {day}, {total} in all.",
    ),
    "dash.hour": ("Jam", "Hour"),
    "dash.tickets": ("Tiket", "Tickets"),
    "dash.hour_table": ("Angka per jam", "The numbers per hour"),
    "dash.complaints": (
        "Pengaduan belum ditutup (belum dijawab atau sudah dijawab)",
        "Complaints not yet closed (unanswered or answered)",
    ),
    "dash.applications": ("Berkas menurut status", "Applications by state"),
    "dash.none": ("Tidak ada.", "None."),
    "dash.no_services": ("Kantor ini belum punya layanan.", "This office has no services yet."),
    "dash.fleet": ("Anjungan", "Kiosks"),
    "dash.no_kiosks": ("Belum ada anjungan terdaftar.", "No kiosk enrolled yet."),
    "fleet.kiosk": ("Anjungan", "Kiosk"),
    "fleet.reader": ("Pembaca kartu", "Card reader"),
    "fleet.printer": ("Printer", "Printer"),
    "fleet.outbox": ("Antrean kirim", "Outbox"),
    "fleet.outbox_value": ("{pending} menunggu, {dead} gagal", "{pending} pending, {dead} failed"),
    "fleet.clock": ("Selisih jam", "Clock skew"),
    "fleet.seen": ("Kabar terakhir", "Last heartbeat"),
    "fleet.state": ("Keadaan", "State"),
    "fleet.ok": ("Baik", "OK"),
    "fleet.all_well": ("Semua baik", "All well"),
    "fleet.never": ("Belum pernah", "Never"),
    "fleet.stale": (
        "Tidak ada kabar selama {minutes} menit",
        "No heartbeat for {minutes} minutes",
    ),
    "fleet.never_seen": ("Belum pernah mengirim kabar", "Has never sent a heartbeat"),
    "fleet.reader_fault": ("Pembaca kartu rusak", "The card reader reports a fault"),
    "fleet.reader_unknown": (
        "Pembaca kartu tidak ditemukan atau belum diperiksa",
        "The card reader was not found or not checked",
    ),
    "fleet.printer_fault": (
        "Printer bermasalah (kertas habis, tutup terbuka, atau mati)",
        "The printer reports a fault (paper out, cover open, or offline)",
    ),
    "fleet.printer_unknown": ("Keadaan printer tidak diketahui", "The printer's state is unknown"),
    "fleet.outbox_dead": (
        "Ada data yang ditolak pusat: perlu diperiksa petugas",
        "Items the centre refused for good: someone must look",
    ),
    "fleet.outbox_stalled": (
        "Ada data yang tertahan lebih dari satu jam",
        "An item has been waiting to be sent for over an hour",
    ),
    "fleet.clock_skew": (
        "Jam anjungan selisih lebih dari {limit} detik",
        "The kiosk's clock is off by more than {limit} seconds",
    ),
    "state.received": ("Diterima", "Received"),
    "state.in_progress": ("Diproses", "In progress"),
    "state.ready": ("Siap diambil", "Ready for collection"),
    "state.collected": ("Sudah diambil", "Collected"),
    "state.rejected": ("Ditolak", "Rejected"),
    "state.on_hold": ("Ditunda", "On hold"),
    **TODAY,
}


@dataclass(frozen=True)
class Scope:
    """What a request may show: one office, or every office (``None``)."""

    office_id: str | None
    problem: str | None = None
    status: int = 200


def parse_day(value: str | None, ctx: AppContext) -> dt.date | None:
    """The day asked for (default: the office's today), or ``None`` for a bad one."""
    if value is None or value == "":
        return dashboard.today(ctx.settings.zone)
    if not _DAY.fullmatch(value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if EARLIEST.date() <= day < LATEST.date() else None


def scope_of(staff: StaffPrincipal, asked: str | None, ctx: AppContext) -> Scope:
    if staff.office_id is not None:
        if asked not in (None, "", staff.office_id):
            return Scope(staff.office_id, "not_yours", 403)
        return Scope(staff.office_id)
    if asked in (None, ""):
        return Scope(None)
    if not _OFFICE.fullmatch(asked):
        return Scope(None, "unknown_office", 404)
    with ctx.db.read() as conn:
        known = dashboard.office_exists(conn, asked)
    return Scope(asked) if known else Scope(None, "unknown_office", 404)


def minutes(seconds: float | None, lang: str) -> str:
    """A span in minutes with one decimal (a comma in Bahasa Indonesia), or a dash."""
    if seconds is None:
        return "–"
    text = f"{seconds / 60:.1f}"
    return text if lang == "en" else text.replace(".", ",")


@dataclass(frozen=True)
class KioskRow:
    """One kiosk of the fleet view, as the page words it."""

    name: str
    code: str | None
    reader: str
    printer: str
    outbox: tuple[int, int] | None
    clock: str
    seen: str
    #: (text key, values) of each thing wrong, the silence first.
    problems: tuple[tuple[str, dict[str, object]], ...]
    stale: bool


def _device(kiosk: fleet.FleetKiosk, device: str) -> str:
    if kiosk.last_seen is None:
        return "–"
    for fault in (f"{device}_fault", f"{device}_unknown"):
        if fault in kiosk.faults:
            return f"fleet.{fault}"
    return "fleet.ok"


def kiosk_row(kiosk: fleet.FleetKiosk, now: dt.datetime, ctx: AppContext) -> KioskRow:
    problems: list[tuple[str, dict[str, object]]] = []
    if kiosk.last_seen is None:
        problems.append(("fleet.never_seen", {}))
    elif kiosk.stale:
        silent = int((now - kiosk.last_seen).total_seconds() // 60)
        problems.append(("fleet.stale", {"minutes": silent}))
    for fault in kiosk.faults:
        problems.append((f"fleet.{fault}", {"limit": fleet.MAX_CLOCK_SKEW_S}))
    seen = (
        kiosk.last_seen.astimezone(ctx.settings.zone).strftime("%Y-%m-%d %H:%M:%S")
        if kiosk.last_seen
        else ""
    )
    skew = kiosk.clock_skew_s
    return KioskRow(
        name=kiosk.name,
        code=kiosk.kiosk_code,
        reader=_device(kiosk, "reader"),
        printer=_device(kiosk, "printer"),
        outbox=(
            None
            if kiosk.outbox_pending is None or kiosk.outbox_dead is None
            else (kiosk.outbox_pending, kiosk.outbox_dead)
        ),
        clock="–" if skew is None else f"{skew:+.0f} s",
        seen=seen,
        problems=tuple(problems),
        stale=kiosk.stale,
    )


def _fleet_order(kiosk: fleet.FleetKiosk) -> tuple[bool, bool, str, str]:
    return (not kiosk.stale, not kiosk.faults, kiosk.name.lower(), kiosk.kiosk_id)


def _hour_labels() -> list[str]:
    return [f"{h:02d}:00–{(h + 1) % 24:02d}:00" for h in range(dashboard.HOURS)]


def _page(
    request: Request,
    ctx: AppContext,
    staff: StaffPrincipal,
    *,
    day: dt.date | None,
    day_text: str,
    scope: Scope,
    problem: str | None,
    status: int,
) -> HTMLResponse:
    days: list[dashboard.OfficeDay] = []
    kiosks: list[fleet.FleetKiosk] = []
    choices: list[tuple[str, str]] = []
    now = utc_now()
    with ctx.db.read() as conn:
        facts = queue.catalog_facts(conn, ctx.documents)
        if staff.office_id is None:
            choices = dashboard.office_names(conn, facts)
        if problem is None and day is not None:
            days = dashboard.office_days(
                conn, facts, day=day, zone=ctx.settings.zone, office_id=scope.office_id
            )
            kiosks = sorted(fleet.fleet(conn, office_id=scope.office_id, now=now), key=_fleet_order)
    booked: dict[str, list[ServiceDay]] = {}
    if days:
        with ctx.db.begin() as conn:  # reading the day's bookings marks due no-shows
            for office_day in days:
                booked[office_day.office_id] = service_days(
                    conn, ctx, office_day.office_id, language(request), day=day
                )
    labels = _hour_labels()
    return render(
        request,
        "dashboard.html",
        TEXTS,
        status=status,
        staff=staff,
        day=day_text,
        scope=scope,
        problem=problem,
        limited_to=staff.office_id,
        choices=choices,
        days=days,
        charts={d.office_id: bar_chart(labels, d.per_hour) for d in days},
        kiosks=[kiosk_row(k, now, ctx) for k in kiosks],
        booked=booked,
        minutes=lambda seconds: minutes(seconds, language(request)),
        hours=labels,
        known_states={key for key in TEXTS if key.startswith("state.")},
        # Today's figures follow the office by themselves (static/refresh.js).
        live=problem is None and day == dashboard.today(ctx.settings.zone, now),
        refresh=LIVE_REFRESH_S,
    )


#: How often a dashboard showing today fetches its figures again (seconds).
LIVE_REFRESH_S = 30

DayParam = Annotated[str | None, Query(max_length=40)]
OfficeParam = Annotated[str | None, Query(max_length=100)]


@router.get("/dashboard")
def dashboard_page(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    day: DayParam = None,
    office_id: OfficeParam = None,
) -> HTMLResponse:
    scope = scope_of(staff, office_id, ctx)
    chosen = parse_day(day, ctx)
    day_text = chosen.isoformat() if chosen else (day or "")
    problem, status = scope.problem, scope.status
    if problem is None and chosen is None:
        problem, status = "bad_day", 422
    return _page(
        request,
        ctx,
        staff,
        day=chosen,
        day_text=day_text,
        scope=scope,
        problem=problem,
        status=status,
    )


@router.get("/dashboard/export.csv", response_model=None)
def dashboard_csv(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    day: DayParam = None,
    office_id: OfficeParam = None,
) -> Response:
    scope = scope_of(staff, office_id, ctx)
    chosen = parse_day(day, ctx)
    if scope.problem is not None or chosen is None:
        problem = scope.problem or "bad_day"
        status = scope.status if scope.problem else 422
        return _page(
            request,
            ctx,
            staff,
            day=chosen,
            day_text=day or "",
            scope=scope,
            problem=problem,
            status=status,
        )
    with ctx.db.read() as conn:
        facts = queue.catalog_facts(conn, ctx.documents)
        days = dashboard.office_days(
            conn, facts, day=chosen, zone=ctx.settings.zone, office_id=scope.office_id
        )
    name = f"anjungan-{chosen.isoformat()}-{scope.office_id or 'semua-kantor'}.csv"
    return Response(
        day_export.csv_text(days, language(request)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
