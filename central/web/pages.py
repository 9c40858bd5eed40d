"""Rendering a page: the Jinja2 templates, the page's language and its texts.

Each page module keeps its own texts as ``{key: (Indonesian, English)}``
and passes them to :func:`render`; a template writes ``{{ t("key") }}``, or
``{{ t("key", n=3) }}`` for a text with ``{n}`` in it.
Bahasa Indonesia is the default; ``?lang=en`` switches (kept in a cookie).
Templates escape everything they print; nothing a citizen or staff typed is
ever marked safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Path, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from central.access.staff import StaffPrincipal
from central.web.csrf import CSRF_COOKIE, CSRF_FIELD, token_for

Texts = Mapping[str, tuple[str, str]]

#: A row's id in a page's address (a message, an integration call). The database's
#: ids are 64-bit integers from 1: anything beyond names no row, and would reach the
#: driver as a number it cannot bind (a 500), so it is refused with the 422 page first.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
LANGUAGES = ("id", "en")
LANG_COOKIE = "lang"

COMMON: Texts = {
    "app": ("Anjungan", "Anjungan"),
    "nav.counter": ("Loket", "Counter"),
    "nav.board": ("Papan", "Boards"),
    "nav.messages": ("Pesan", "Messages"),
    "nav.integrations": ("BPJS", "BPJS"),
    "nav.dashboard": ("Dasbor", "Dashboard"),
    "nav.complaints": ("Pengaduan", "Complaints"),
    "nav.applications": ("Berkas", "Applications"),
    "nav.stats": ("Statistik", "Figures"),
    "nav.bookings": ("Janji", "Bookings"),
    "nav.schedules": ("Jadwal dokter", "Doctors"),
    "logout": ("Keluar", "Log out"),
    "other_language": ("English", "Bahasa Indonesia"),
    "signed_in_as": ("Masuk sebagai", "Signed in as"),
    "all_offices": ("Semua kantor", "All offices"),
}

_env = Environment(
    loader=PackageLoader("central.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


_Choice = TypeVar("_Choice", bound=StrEnum)


def local_time(zone: ZoneInfo, at: dt.datetime | None) -> str:
    """``at`` as the office reads it ("05-12-2026 10:30", the city's time zone); "–" if none."""
    return "–" if at is None else at.astimezone(zone).strftime("%d-%m-%Y %H:%M")


def choice(kind: type[_Choice], value: str | None) -> _Choice | None:
    """``value`` as one of ``kind`` (a filter from the address), or ``None`` for none or garbage."""
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGUAGES else "id"


#: The longest value of an address parameter a page's links carry on (a login's ``next``
#: is at most 500 characters, as its form takes it); a longer one is left behind.
MAX_KEPT_VALUE = 500


def _query_names(dependant: Any) -> list[str]:
    """The query parameters a route declares, its dependencies' too, in order, each once."""
    names: list[str] = []
    for field in getattr(dependant, "query_params", ()):
        names.append(str(getattr(field, "alias", "")))
    for sub in getattr(dependant, "dependencies", ()):
        names.extend(_query_names(sub))
    return list(dict.fromkeys(n for n in names if n and n != "lang"))


def kept_query(request: Request) -> list[tuple[str, str]]:
    """What a link back to this page keeps of its address: only the parameters its route
    declares (a day, an office, a filter), each once, as the page read it, none longer than
    :data:`MAX_KEPT_VALUE`. Nothing else the request carried is ever written into a page:
    an address is the sender's to fill, with anything, as long as a server takes it. A
    request that reached no route (a page not found) keeps nothing."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return []
    kept = []
    for name in _query_names(dependant):
        value = request.query_params.get(name)  # the last one, as the route reads it
        if value is not None and len(value) <= MAX_KEPT_VALUE:
            kept.append((name, value))
    return kept


def _language_link(request: Request, lang: str) -> str:
    """This page in ``lang``, keeping what the page was asked (:func:`kept_query`).

    Relative (``?…``): the page's own path is never written back into it.
    """
    return f"?{urlencode([*kept_query(request), ('lang', lang)])}"


def translator(texts: Texts, lang: str) -> Any:
    table = {**COMMON, **texts}

    def t(key: str, **values: object) -> str:
        pair = table[key]
        text = pair[1] if lang == "en" else pair[0]
        return text.format(**values) if values else text

    return t


def text_for(request: Request, texts: Texts, key: str, **values: object) -> str:
    """One text of ``texts`` in the request's language (for an answer that is not a page)."""
    return str(translator(texts, language(request))(key, **values))


def render(
    request: Request,
    template: str,
    texts: Texts,
    *,
    status: int = 200,
    staff: StaffPrincipal | None = None,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` in the request's language, with its CSRF token; never cached."""
    lang = language(request)
    csrf, new_cookie = token_for(request)
    html = _env.get_template(template).render(
        t=translator(texts, lang),
        lang=lang,
        other_lang="en" if lang == "id" else "id",
        lang_href=_language_link(request, "en" if lang == "id" else "id"),
        staff=staff,
        csrf=csrf,
        csrf_field=CSRF_FIELD,
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status)
    response.headers["Cache-Control"] = "no-store"
    secure = request.url.scheme == "https"
    if new_cookie is not None:
        response.set_cookie(
            CSRF_COOKIE, new_cookie, httponly=True, samesite="strict", secure=secure
        )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure)
    return response
