"""A page for a request that went wrong, where a person (not a program) asked.

The centre's JSON API answers errors in its one JSON body; anything else (an
office page, a board, a ticket's page opened from a mistyped address) gets a
page in Bahasa Indonesia with English a click away, saying what went wrong
and what to do, with the same status code and headers (``Retry-After``).
:func:`wants_page` tells which is which; the handlers are in
:func:`central.app.install_error_handlers`. Nothing of what was sent is
repeated on the page (it may be a NIK).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from central.web.pages import Texts, render, text_for

#: Paths that stay JSON whatever goes wrong: the API and what programs poll.
_MACHINE_PREFIXES = ("/api/", "/health", "/openapi.json")

TEXTS: Texts = {
    "problem.title": ("Tidak dapat ditampilkan", "Cannot be shown"),
    "problem.400": (
        "Permintaan ini tidak dapat diproses. Periksa isian Anda, lalu coba lagi.",
        "This request cannot be processed. Check what you entered and try again.",
    ),
    "problem.401": ("Silakan masuk terlebih dahulu.", "Please log in first."),
    "problem.403": ("Anda tidak berhak membuka halaman ini.", "You may not open this page."),
    "problem.404": (
        "Halaman tidak ditemukan. Periksa alamatnya, atau mulai dari halaman depan.",
        "Page not found. Check the address, or start from the front page.",
    ),
    "problem.405": (
        "Halaman ini tidak dapat dibuka dengan cara ini.",
        "This page cannot be opened this way.",
    ),
    "problem.409": (
        "Data sudah berubah sejak halaman dimuat. Muat ulang halaman, lalu coba lagi.",
        "The data changed since the page was loaded. Reload the page and try again.",
    ),
    "problem.413": (
        "Isian terlalu panjang. Persingkat, lalu coba lagi.",
        "What you entered is too long. Shorten it and try again.",
    ),
    "problem.422": (
        "Alamat atau isian tidak sesuai. Periksa kembali, lalu coba lagi.",
        "The address or what you entered is not valid. Check it and try again.",
    ),
    "problem.429": (
        "Terlalu banyak permintaan. Tunggu sebentar, lalu coba lagi.",
        "Too many requests. Wait a moment and try again.",
    ),
    "problem.500": (
        "Terjadi gangguan di server. Coba lagi sebentar lagi; petugas dapat melihat catatannya.",
        "Something went wrong on the server. Try again shortly; staff can see the log.",
    ),
    "problem.503": (
        "Server pusat sedang sibuk atau basis datanya tidak dapat dihubungi. "
        "Tunggu sebentar, lalu coba lagi.",
        "The centre is busy or its database cannot be reached. Wait a moment and try again.",
    ),
    "problem.home": ("Ke halaman depan", "To the front page"),
}


def wants_page(request: Request) -> bool:
    """Whether the request came from a page (answered in HTML) rather than a program."""
    return not request.url.path.startswith(_MACHINE_PREFIXES)


def asks_json(request: Request) -> bool:
    """Whether a page's own script asked (``Accept: application/json``, as the counter's
    buttons send it): answered ``{"ok": …, "message": …}`` with the same status, the
    message in the page's language, instead of a page.

    Asked: ``Accept`` takes ``application/json`` (a media type is named in any case) with
    a weight above 0 and not below ``text/html``'s. ``q=0`` says "not this"; a client
    preferring HTML gets the page; a weight that is no number takes nothing.
    """
    weights = _accepted(request.headers.get("accept", ""))
    json_weight = weights.get("application/json", 0.0)
    return json_weight > 0 and json_weight >= weights.get("text/html", 0.0)


def _accepted(accept: str) -> dict[str, float]:
    """The weight ``accept`` gives each media type it names (the highest, if named twice)."""
    weights: dict[str, float] = {}
    for item in accept.split(","):
        media, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
                if not 0.0 <= weight <= 1.0:  # also nan, inf
                    weight = 0.0
        media = media.lower()
        weights[media] = max(weight, weights.get(media, 0.0))
    return weights


def script_answer(
    request: Request, status: int, texts: Texts, key: str, **values: object
) -> JSONResponse:
    """The answer to a page's script (:func:`asks_json`): ``key``'s message of ``texts`` in
    the page's language, with ``status`` (``ok`` below 400). Every answer a script may get
    from a page's route is this one shape, refusals of the session and of a step alike:
    the script shows the message, and anything else it cannot read."""
    message = text_for(request, texts, key, **values)
    return JSONResponse({"ok": status < 400, "message": message}, status)


def problem_page(
    request: Request, status: int, headers: Mapping[str, str] | None = None
) -> Response:
    """The page for ``status``, with ``headers`` (``Retry-After``) passed on."""
    shown = status if f"problem.{status}" in TEXTS else (500 if status >= 500 else 400)
    reason = f"problem.{shown}"
    response: Response
    if asks_json(request):
        # A page's own script asked (the counter's buttons): the message it shows, as JSON.
        response = script_answer(request, status, TEXTS, reason)
    else:
        response = render(request, "problem.html", TEXTS, status=status, reason=reason)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
