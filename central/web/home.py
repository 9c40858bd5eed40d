"""``/``: where the office's pages start (public): the figures, and the way in for staff."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from central.web.forms import page_router
from central.web.pages import Texts, render
from central.web.session import current_staff

router = page_router()

TEXTS: Texts = {
    "home.title": ("Anjungan — layanan kantor", "Anjungan — office services"),
    "home.lead": (
        "Halaman kantor untuk petugas loket, papan antrean, dan angka layanan hari ini.",
        "The office's pages for counter staff, queue boards, and today's service figures.",
    ),
    "home.staff": ("Untuk petugas", "For staff"),
    "home.public": ("Untuk umum", "For the public"),
    "home.login": ("Masuk petugas", "Staff login"),
    "home.booking": ("Buat janji layanan", "Book an appointment"),
}


@router.get("/")
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html", TEXTS, staff=current_staff(request))
