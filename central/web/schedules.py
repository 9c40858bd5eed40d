"""``/office/schedules``: a hospital's staff keep the doctors' schedules and quota.

One row per doctor, poli and weekday, with hours, the quota for JKN and
non-JKN patients and the minutes per patient (the estimated time on the
ticket). Today's rows show how many places are left; below, today's visits
registered beyond a doctor's quota (an offline kiosk's), for staff to check.
The rules are :mod:`central.hospital.schedules`'s (every change audited);
this reads the forms, calls it and renders. Staff see their own office (an
admin without an office picks one, ``?office_id=``); every form carries the
page's CSRF token; a bad value changes nothing and says what is allowed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from central.access.audit import utc_now
from central.access.staff import StaffPrincipal
from central.api.deps import AppContext, Context
from central.errors import ApiError
from central.hospital import schedules
from central.office.numbering import local_day
from central.tables import hospital_visits, tickets
from central.web.forms import page_router
from central.web.pages import Texts, render
from central.web.session import Csrf, StaffPage
from central.web.staff_forms import after_form, office_choices, office_of

router = page_router()

WEEKDAYS = (
    ("Senin", "Monday"),
    ("Selasa", "Tuesday"),
    ("Rabu", "Wednesday"),
    ("Kamis", "Thursday"),
    ("Jumat", "Friday"),
    ("Sabtu", "Saturday"),
    ("Minggu", "Sunday"),
)
TEXTS: Texts = {
    "schedules.title": ("Jadwal dokter", "Doctors' schedules"),
    "schedules.lead": (
        "Jadwal praktik dokter per poli dan hari, dengan kuota pasien JKN dan non-JKN. "
        "Anjungan menampilkan dokter hari ini dan sisa kuotanya.",
        "Each doctor's hours per poli and weekday, with the quota of JKN and non-JKN "
        "patients. Kiosks show today's doctors and the places left.",
    ),
    "schedules.office": ("Kantor", "Office"),
    "schedules.show": ("Tampilkan", "Show"),
    "schedules.no_poli": (
        "Kantor ini belum punya poli di katalog (layanan kesehatan dengan kodepoli).",
        "This office has no poli in the catalog yet (a health service with a kodepoli).",
    ),
    "schedules.none": ("Belum ada jadwal.", "No schedules yet."),
    "schedules.poli": ("Poli", "Poli"),
    "schedules.day": ("Hari", "Day"),
    "schedules.hours": ("Jam", "Hours"),
    "schedules.doctor": ("Dokter", "Doctor"),
    "schedules.quota_jkn": ("Kuota JKN", "JKN quota"),
    "schedules.quota_non_jkn": ("Kuota non-JKN", "Non-JKN quota"),
    "schedules.left_today": ("Sisa hari ini (JKN/non)", "Left today (JKN/non)"),
    "schedules.minutes": ("Menit per pasien", "Minutes per patient"),
    "schedules.remove": ("Hapus", "Remove"),
    "schedules.form": ("Tambah atau ubah jadwal", "Add or change a schedule"),
    "schedules.form_lead": (
        "Kode jadwal yang sudah ada diganti; kuota hari ini langsung mengikuti.",
        "An existing schedule id is replaced; today's quota follows at once.",
    ),
    "schedules.id": ("Kode jadwal", "Schedule id"),
    "schedules.kodedokter": ("Kode dokter BPJS", "BPJS doctor code"),
    "schedules.doctor_name": ("Nama dokter", "Doctor's name"),
    "schedules.starts": ("Mulai (JJ:MM)", "Starts (HH:MM)"),
    "schedules.ends": ("Selesai (JJ:MM)", "Ends (HH:MM)"),
    "schedules.practitioner": (
        "ID Practitioner SATUSEHAT (opsional)",
        "SATUSEHAT Practitioner id (optional)",
    ),
    "schedules.save": ("Simpan", "Save"),
    "schedules.saved": ("Jadwal disimpan.", "The schedule is saved."),
    "schedules.removed": ("Jadwal dihapus.", "The schedule is removed."),
    "schedules.over": ("Kunjungan melebihi kuota hari ini", "Visits beyond the quota today"),
    "schedules.over_lead": (
        "Didaftarkan oleh anjungan yang sedang luring saat kuota sudah habis: kuota habis — "
        "periksa dengan dokter.",
        "Registered by a kiosk that was offline when the quota was used up: check with the doctor.",
    ),
    "schedules.ticket": ("Nomor", "Number"),
    "schedules.problem.office": (
        "Kantor itu tidak dapat Anda kelola.",
        "You cannot manage that office.",
    ),
    "schedules.problem.fields": (
        "Jadwal tidak disimpan: periksa kode jadwal (huruf, angka, titik, garis), hari, jam "
        "JJ:MM (mulai sebelum selesai), kuota 0–999 dan menit 1–240.",
        "The schedule was not saved: check the id (letters, digits, dots, dashes), the day, "
        "hours HH:MM (starts before ends), quota 0–999 and minutes 1–240.",
    ),
    "refused.title": ("Permintaan ditolak", "Request refused"),
    "login.title": ("Masuk petugas", "Staff login"),
}
_OFFICE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_DONE = ("saved", "removed")
Small = Annotated[str, Form(max_length=64)]
Long = Annotated[str, Form(max_length=400)]


def _office_of(ctx: AppContext, staff: StaffPrincipal, asked: str | None) -> str | None:
    """The office this request may show or change (an admin's default: the first with polis)."""
    return office_of(ctx, staff, asked, preferred=lambda conn, o: bool(schedules.polis(conn, o)))


def _page(
    request: Request,
    ctx: AppContext,
    staff: StaffPrincipal,
    office_id: str | None,
    *,
    status: int = 200,
    problem: str = "",
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    rows: list[Any] = []
    polis: dict[str, schedules.Poli] = {}
    left: dict[str, tuple[int, int]] = {}
    over: list[Any] = []
    with ctx.db.read() as conn:
        choices = office_choices(conn, staff)
        if office_id is not None:
            polis = schedules.polis(conn, office_id)
            rows = schedules.listing(conn, office_id)
            today = local_day(utc_now(), ctx.settings.zone)
            left = {
                d.schedule_id: (d.left_jkn, d.left_non_jkn)
                for d in schedules.doctors_today(conn, office_id, today)
            }
            over = list(
                conn.execute(
                    select(
                        tickets.c.display,
                        hospital_visits.c.doctor_name,
                        hospital_visits.c.payer,
                        hospital_visits.c.kodebooking,
                    )
                    .join(tickets, tickets.c.id == hospital_visits.c.ticket_id)
                    .where(
                        hospital_visits.c.office_id == office_id,
                        hospital_visits.c.day == today,
                        hospital_visits.c.over_quota.is_(True),
                        hospital_visits.c.state != "cancelled",
                    )
                    .order_by(tickets.c.display)
                )
            )
    done = request.query_params.get("done")
    return render(
        request,
        "office_schedules.html",
        TEXTS,
        status=status,
        staff=staff,
        offices=choices,
        office_id=office_id or "",
        polis=polis,
        rows=rows,
        left=left,
        over=over,
        weekdays=WEEKDAYS,
        form=form or {},
        problem=problem,
        done=done if done in _DONE and not problem else None,
    )


@router.get("/office/schedules")
def schedules_page(
    request: Request, ctx: Context, staff: StaffPage, office_id: str | None = None
) -> HTMLResponse:
    office = _office_of(ctx, staff, office_id)
    if office is None and office_id:
        return _page(request, ctx, staff, None, status=404, problem="schedules.problem.office")
    return _page(request, ctx, staff, office)


def _count(value: str, largest: int) -> int:
    """A count typed in the form: ASCII digits only (``int`` reads other scripts' too)."""
    value = value.strip()
    if not re.fullmatch(r"[0-9]{1,4}", value) or int(value) > largest:
        raise ValueError("not a count")
    return int(value)


@router.post("/office/schedules/save", response_model=None)
def save_schedule(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    _: Csrf,
    schedule_id: Small = "",
    service_id: Small = "",
    kodedokter: Small = "",
    doctor_name: Long = "",
    weekday: Small = "",
    starts: Small = "",
    ends: Small = "",
    quota_jkn: Small = "",
    quota_non_jkn: Small = "",
    minutes_per_patient: Small = "",
    practitioner_id: Small = "",
    office_id: Small = "",
) -> Response:
    """Add or replace one schedule (the staff API's ``PUT``)."""
    office = _office_of(ctx, staff, office_id)
    if office is None:
        return _page(request, ctx, staff, None, status=404, problem="schedules.problem.office")
    typed = {
        "schedule_id": schedule_id.strip(),
        "service_id": service_id,
        "kodedokter": kodedokter.strip(),
        "doctor_name": " ".join(doctor_name.split()),
        "weekday": weekday,
        "starts": starts.strip(),
        "ends": ends.strip(),
        "quota_jkn": quota_jkn,
        "quota_non_jkn": quota_non_jkn,
        "minutes_per_patient": minutes_per_patient,
        "practitioner_id": practitioner_id.strip(),
    }
    now = utc_now()
    try:
        # The fields themselves are checked by schedules.put, as for the staff API.
        if not schedules.is_schedule_id(typed["schedule_id"]):
            raise ValueError("bad schedule id")
        fields = schedules.ScheduleFields(
            service_id=typed["service_id"],
            kodedokter=typed["kodedokter"],
            doctor_name=typed["doctor_name"],
            weekday=_count(weekday, 7),
            starts=typed["starts"],
            ends=typed["ends"],
            quota_jkn=_count(quota_jkn, schedules.MAX_QUOTA),
            quota_non_jkn=_count(quota_non_jkn, schedules.MAX_QUOTA),
            minutes_per_patient=_count(minutes_per_patient, schedules.MAX_MINUTES),
            practitioner_id=typed["practitioner_id"],
        )
        with ctx.db.begin() as conn:
            schedules.put(
                conn,
                office,
                typed["schedule_id"],
                fields,
                actor=staff.actor,
                now=now,
                today=local_day(now, ctx.settings.zone),
            )
    except (ValueError, ApiError):  # nothing written: the block rolled back
        return _page(
            request, ctx, staff, office, status=422, problem="schedules.problem.fields", form=typed
        )
    return after_form(request, "/office/schedules", "saved", staff, office)


@router.post("/office/schedules/remove", response_model=None)
def remove_schedule(
    request: Request,
    ctx: Context,
    staff: StaffPage,
    _: Csrf,
    schedule_id: Small = "",
    office_id: Small = "",
) -> Response:
    office = _office_of(ctx, staff, office_id)
    if office is None:
        return _page(request, ctx, staff, None, status=404, problem="schedules.problem.office")
    try:
        with ctx.db.begin() as conn:
            schedules.remove(conn, office, schedule_id, actor=staff.actor)
    except ApiError:
        return _page(request, ctx, staff, office, status=404, problem="schedules.problem.fields")
    return after_form(request, "/office/schedules", "removed", staff, office)
