"""Staff sessions for the pages: log in with a form, a cookie, log out.

The session is a staff token (:mod:`central.access.staff`, the same the API
hands out) kept in the ``anjungan_staff`` cookie: ``HttpOnly`` (no script
reads it), ``SameSite=Strict``, ``Secure`` when the page came over HTTPS
(through a trusted proxy: ``--trusted-proxy``), and as long-lived as the
token. Logging out revokes the token. Wrong passwords count towards the
username's lock in the database, as the API's login does.

Routes take ``staff: StaffPage`` for a logged-in member (a page without one
answers the login form: 303 to ``/login?next=…`` for GET, 401 otherwise)
and ``_: Csrf`` on every form that changes something (403 without the
page's token, :mod:`central.web.csrf`).
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from central.access import staff
from central.access.staff import Role, StaffPrincipal
from central.api.deps import Context, client_address, get_context, limit
from central.errors import LoginRequired, PageRefused
from central.outage import outage_of
from central.web.csrf import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    same_origin,
    token_matches,
)
from central.web.forms import page_router, read_form
from central.web.pages import LANGUAGES, Texts, kept_query, render
from central.web.problems import asks_json, script_answer

log = logging.getLogger(__name__)

router = page_router()

TEXTS: Texts = {
    "login.title": ("Masuk petugas", "Staff login"),
    "login.username": ("Nama pengguna", "Username"),
    "login.password": ("Kata sandi", "Password"),
    "login.submit": ("Masuk", "Log in"),
    "login.wrong": ("Nama pengguna atau kata sandi salah.", "Wrong username or password."),
    "login.locked": (
        "Terlalu banyak percobaan. Coba lagi dalam {minutes} menit.",
        "Too many attempts. Try again in {minutes} minutes.",
    ),
    "login.slow": (
        "Terlalu banyak permintaan dari alamat ini. Tunggu sebentar.",
        "Too many requests from this address. Please wait.",
    ),
    "refused.title": ("Permintaan ditolak", "Request refused"),
    "refused.csrf": (
        "Formulir ini sudah kedaluwarsa atau bukan dari halaman ini. "
        "Muat ulang halaman, lalu coba lagi.",
        "This form has expired or did not come from this page. Reload the page and try again.",
    ),
    "refused.login": ("Silakan masuk terlebih dahulu.", "Please log in first."),
    "refused.admin": (
        "Halaman ini hanya untuk admin.",
        "This page is for admins only.",
    ),
    "refused.back": ("Kembali", "Back"),
}


def current_staff(request: Request) -> StaffPrincipal | None:
    """The staff member of the request's session cookie, or ``None``."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    ctx = get_context(request)
    with ctx.db.read() as conn:
        return staff.authenticate_staff(conn, token)


def require_staff_page(request: Request) -> StaffPrincipal:
    principal = current_staff(request)
    if principal is None:
        raise LoginRequired()
    limit(get_context(request), f"staff:{principal.staff_id}")
    return principal


def require_admin_page(
    principal: Annotated[StaffPrincipal, Depends(require_staff_page)],
) -> StaffPrincipal:
    if principal.role is not Role.ADMIN:
        raise PageRefused("refused.admin")
    return principal


async def require_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request without this page's CSRF token."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await read_form(request)).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not same_origin(request) or not token_matches(request, sent):
        raise PageRefused("refused.csrf")


StaffPage = Annotated[StaffPrincipal, Depends(require_staff_page)]
AdminPage = Annotated[StaffPrincipal, Depends(require_admin_page)]
Csrf = Annotated[None, Depends(require_csrf)]


#: The longest page a login goes on to (the form takes ``next`` up to this long).
MAX_NEXT = 500


def _safe_next(target: str | None) -> str:
    """A page of this centre to go on to after the login, else the counter page."""
    if (
        target
        and len(target) <= MAX_NEXT
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
    ):
        return target
    return "/counter"


def _back_to(request: Request) -> str:
    """The page a login sends staff back to: its path, what the page declares of its
    address (:func:`central.web.pages.kept_query`) and its language, at most
    :data:`MAX_NEXT` long; never the rest of what the address carried."""
    query = kept_query(request)
    lang = request.query_params.get("lang")
    if lang in LANGUAGES:
        query.append(("lang", lang))
    target = request.url.path + (f"?{urlencode(query)}" if query else "")
    return _safe_next(target if len(target) <= MAX_NEXT else request.url.path)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", TEXTS, next=_safe_next(next), problem=None, minutes=0)


def _login_page(request: Request, status: int, target: str, problem: str) -> HTMLResponse:
    return render(
        request, "login.html", TEXTS, status=status, next=target, problem=problem, minutes=0
    )


@router.post("/login", response_model=None)
def login(
    request: Request,
    ctx: Context,
    _: Csrf,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/counter",
) -> Response:
    target = _safe_next(next)
    if ctx.auth_limiter.hit(f"addr:{client_address(request)}") is not None:
        return render(
            request, "login.html", TEXTS, status=429, next=target, problem="slow", minutes=0
        )
    name = username.strip().lower()
    done = None
    if staff.USERNAME.fullmatch(name):
        with ctx.db.begin() as conn:
            done = staff.login(
                conn,
                name,
                password,
                ttl_s=ctx.settings.staff_token_ttl_s,
                policy=ctx.settings.lockout_policy,
            )
    if isinstance(done, staff.LoginLocked):
        minutes = max(1, -(-done.retry_after_s // 60))
        return render(
            request, "login.html", TEXTS, status=429, next=target, problem="locked", minutes=minutes
        )
    if done is None:
        return render(
            request, "login.html", TEXTS, status=401, next=target, problem="wrong", minutes=0
        )
    previous = request.cookies.get(SESSION_COOKIE)
    if previous and len(previous) <= 200:  # this browser's earlier session ends with the new one
        with ctx.db.begin() as conn:
            staff.logout(conn, previous)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        done.token,
        max_age=ctx.settings.staff_token_ttl_s,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, ctx: Context, _: Csrf) -> RedirectResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        try:
            with ctx.db.begin() as conn:
                staff.logout(conn, token)
        except Exception as exc:
            outage = outage_of(exc)
            if outage is None:
                raise
            # The browser still forgets the session: staff leaving a shared counter PC
            # are logged out of it; the session's row lapses with its time to live.
            log.warning(
                "logout while %s: the session's cookie removed, its row left to lapse",
                outage.said,
            )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


def install_handlers(app: FastAPI) -> None:
    # A page's own script (the counter's buttons) is told in the JSON it reads, as every
    # other refusal of a page's route tells it (central.web.problems.script_answer).
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        if asks_json(request):
            return script_answer(request, 401, TEXTS, "refused.login")
        if request.method == "GET":
            target = quote(_back_to(request), safe="")
            return RedirectResponse(f"/login?next={target}", status_code=303)
        return render(request, "refused.html", TEXTS, status=401, reason="refused.login")

    @app.exception_handler(PageRefused)
    async def _refused(request: Request, exc: PageRefused) -> Response:
        if asks_json(request):
            return script_answer(request, exc.status, TEXTS, exc.reason)
        return render(request, "refused.html", TEXTS, status=exc.status, reason=exc.reason)
