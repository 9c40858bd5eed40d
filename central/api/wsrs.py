"""WS RS: the endpoints BPJS's Mobile JKN calls on the hospital (docs/bpjs-wsrs.md).

On when the integrations file has a ``[bpjs]`` section (its ``ws_rs_username`` and
``ws_rs_password``, :mod:`central.integrations.config`); off, every route answers
404 with the envelope saying so. The hospital gives
BPJS these URLs (BPJS's catalog: "RS mengirimkan url masing-masing ws"):

* ``GET /api/v1/wsrs/token``: headers ``x-username``, ``x-password`` → a token;
* with headers ``x-token`` and ``x-username``, ``POST``:
  ``/api/v1/wsrs/antrean/status`` (status antrean), ``/api/v1/wsrs/antrean``
  (ambil antrean), ``/api/v1/wsrs/antrean/sisa`` (sisa antrean),
  ``/api/v1/wsrs/antrean/batal`` (batal antrean), ``/api/v1/wsrs/antrean/checkin``
  (check-in) and ``/api/v1/wsrs/pasienbaru`` (info pasien baru).

Every answer is BPJS's envelope ``{"metadata": {"code", "message"}, "response"?}``,
never the centre's own error body: ``code`` 200 done, 201 refused (HTTP 200, the
message says why), 202 booked for a patient without a No. RM yet. Every token
request counts against the caller's address before its password is read (as the
staff login); over the limit it is HTTP 429 and no password is checked. A refused
token on a call is HTTP 401 with code 201 and counts against the address too; a
body over :data:`MAX_BODY_BYTES` is HTTP 413, a body that is not a JSON object
HTTP 400, both in the envelope.
"""

from __future__ import annotations

import json
import logging
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from central.access.audit import record_event, server_secret
from central.access.ratelimit import RateLimiter
from central.api.deps import client_address, get_context
from central.outage import outage_of
from central.wsrs import service, shapes
from central.wsrs.tokens import TOKEN_SECRET, WsRsAccount, issue, password_matches, verify

__all__ = [
    "MAX_BODY_BYTES",
    "PREFIX",
    "WsRs",
    "install",
    "is_wsrs",
    "router",
    "routing_error",
]

log = logging.getLogger(__name__)
router = APIRouter(tags=["wsrs"])

PREFIX = "/api/v1/wsrs"
#: The largest body a WS RS call may send (the biggest, pasien baru, is under 1 KiB).
MAX_BODY_BYTES = 16 * 1024

_OFF = "Layanan WS RS tidak aktif di rumah sakit ini / the WS RS is not switched on here"
_BAD_LOGIN = "Username atau password tidak sesuai / wrong username or password"
_TOKEN_REFUSED = {
    "missing": "Header x-token dan x-username wajib dikirim / x-token and x-username are required",
    "malformed": "Token tidak valid / the token is not valid",
    "expired": "Token sudah kedaluwarsa, silakan minta token baru / the token has expired",
    "wrong_user": "Username tidak sesuai dengan token / the username does not match the token",
}
_TOO_BIG = "Permintaan terlalu besar / the request is too large"
_NOT_JSON = "Isi permintaan harus objek JSON / the body must be a JSON object"
_FAILED = (
    "Terjadi kesalahan pada sistem rumah sakit, silakan coba lagi / "
    "the hospital's system failed, please try again"
)
_ROUTING = {
    404: "Layanan WS RS tidak ditemukan / no such WS RS path",
    405: "Metode HTTP tidak sesuai / wrong HTTP method for this WS RS path",
    413: "Permintaan terlalu besar / the request is too large",
    503: "Sistem rumah sakit sedang sibuk, silakan coba lagi / "
    "the hospital's system is busy, please try again",
}
_TOO_MANY = "Terlalu banyak percobaan, coba lagi nanti / too many attempts, try again later"


@dataclass(frozen=True)
class WsRs:
    """The WS RS of this server process: the account and the signing secret."""

    account: WsRsAccount
    secret: bytes
    #: Calls with a good token, counted per account (not per address: BPJS's back end
    #: calls for every patient from a few addresses), in this process.
    limiter: RateLimiter


def install(app: Any, account: WsRsAccount | None, *, rate_per_minute: int = 3000) -> None:
    """Switch the WS RS on for ``app`` (``account`` ``None``: off); reads or makes the secret.

    ``rate_per_minute``: calls with a good token a minute (bursts of as many), the
    ``[bpjs]`` ``ws_rs_rate_per_minute``.
    """
    ctx = app.state.central
    app.state.wsrs = (
        None
        if account is None
        else WsRs(
            account,
            server_secret(ctx.db, TOKEN_SECRET),
            RateLimiter(rate_per_minute, rate_per_minute),
        )
    )


def _now_ms() -> int:
    return int(time.time() * 1000)


def _answer(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status)


def _wsrs(request: Request) -> WsRs | None:
    return getattr(request.app.state, "wsrs", None)


def _audit_refusal(request: Request, actor: str, why: str) -> None:
    """An ``audit_log`` row for a refused call (action ``wsrs_refused``): the route, the
    caller's address and why, in the answer's words (which never echo a value)."""
    with get_context(request).db.begin() as conn:
        record_event(
            conn,
            actor=actor,
            action="wsrs_refused",
            subject=request.url.path.removeprefix(PREFIX),
            detail=f"{client_address(request)}: {why}"[:300],
        )


async def _refused_credential(request: Request, refusal: str, message: str) -> JSONResponse:
    """401 in the envelope; counts against the address (429 once too many); audited."""
    ctx = get_context(request)
    retry_after = ctx.auth_limiter.hit(f"addr:{client_address(request)}")
    if retry_after is None:  # over the limit: counted, not written (a flood writes nothing)
        await run_in_threadpool(_audit_refusal, request, "wsrs:?", f"credential {refusal}")
    if retry_after is not None:
        return JSONResponse(
            shapes.failed(_TOO_MANY), 429, headers={"Retry-After": str(retry_after)}
        )
    return _answer(shapes.failed(message), 401)


def _limited(request: Request, wsrs: WsRs) -> JSONResponse | None:
    retry_after = wsrs.limiter.hit(f"wsrs:{wsrs.account.username}")
    if retry_after is None:
        return None
    return JSONResponse(shapes.failed(_TOO_MANY), 429, headers={"Retry-After": str(retry_after)})


@router.get(f"{PREFIX}/token", responses={401: {}, 404: {}})
async def token(request: Request) -> JSONResponse:
    """A token for the headers' ``x-username`` and ``x-password`` (BPJS's "Token")."""
    wsrs = _wsrs(request)
    if wsrs is None:
        return _answer(shapes.failed(_OFF), 404)
    # Every attempt counts first, the right password too (as the staff login): once an
    # address is over its limit no password is checked until the wait is over, so a
    # 429 tells a guesser nothing about the guess.
    address = client_address(request)
    retry_after = get_context(request).auth_limiter.hit(f"addr:{address}")
    if retry_after is not None:
        log.warning("WS RS token refused: too many attempts from %s", address)
        return JSONResponse(
            shapes.failed(_TOO_MANY), 429, headers={"Retry-After": str(retry_after)}
        )
    username = request.headers.get("x-username")
    password = request.headers.get("x-password")
    if not password_matches(wsrs.account, username, password):
        log.warning("WS RS token refused: wrong username or password from %s", address)
        await run_in_threadpool(_audit_refusal, request, "wsrs:?", "token: wrong credentials")
        return _answer(shapes.failed(_BAD_LOGIN), 401)
    return _answer(shapes.ok({"token": issue(wsrs.secret, wsrs.account, now_ms=_now_ms())}))


async def _call(
    request: Request,
    parse: Callable[[dict[str, Any]], Any],
    work: Callable[..., dict[str, Any]],
) -> JSONResponse:
    """Check the token, read the body (capped), parse it and do ``work`` in a thread."""
    wsrs = _wsrs(request)
    if wsrs is None:
        return _answer(shapes.failed(_OFF), 404)
    refusal = verify(
        wsrs.secret,
        wsrs.account,
        request.headers.get("x-token"),
        request.headers.get("x-username"),
        now_ms=_now_ms(),
    )
    if refusal is not None:
        log.warning("WS RS call refused: token %s from %s", refusal.value, client_address(request))
        return await _refused_credential(request, refusal.value, _TOKEN_REFUSED[refusal.value])
    limited = _limited(request, wsrs)
    if limited is not None:
        return limited
    actor = f"wsrs:{wsrs.account.username}"
    try:
        answer, status = await _work(request, parse, work, actor)
    except Exception as exc:  # anything unforeseen: BPJS's envelope, the log without data
        if outage_of(exc) is not None:
            raise  # the database busy or away: the app's 503 (central/outage.py)
        log.error("WS RS %s failed: %s", request.url.path, _where(exc))
        answer, status = shapes.failed(_FAILED), 500
    if answer["metadata"]["code"] == shapes.FAILED:
        # A refusal is audited too (a done call is, by the work, with what it did). BPJS
        # still gets its answer when that row cannot be written; staff are told.
        try:
            await run_in_threadpool(_audit_refusal, request, actor, answer["metadata"]["message"])
        except Exception as exc:
            outage = outage_of(exc)
            log.warning(
                "WS RS %s: its refusal was answered but not audited (%s)",
                request.url.path,
                outage.said if outage else _where(exc),
            )
    return _answer(answer, status)


async def _work(
    request: Request,
    parse: Callable[[dict[str, Any]], Any],
    work: Callable[..., dict[str, Any]],
    actor: str,
) -> tuple[dict[str, Any], int]:
    """Read the body (capped), parse it, do ``work``: the answer and its HTTP status."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            return shapes.failed(_TOO_BIG), 413
    try:
        body = json.loads(bytes(raw))
    except (ValueError, RecursionError):
        body = None
    if not isinstance(body, dict):
        return shapes.failed(_NOT_JSON), 400
    try:
        parsed = parse(body)
    except shapes.Invalid as exc:
        return shapes.failed(exc.message), 200
    return await run_in_threadpool(work, get_context(request), parsed, actor=actor), 200


def _where(exc: BaseException) -> str:
    """The exception's class and the centre's last line it passed, never its message:
    a database error's message holds the row's values (a NIK, a card number)."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if f"{os.sep}central{os.sep}" in f.filename
    ]
    place = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    kind = type(exc)
    return f"{kind.__module__}.{kind.__qualname__}{place}"


def is_wsrs(path: str) -> bool:
    """Whether ``path`` is the WS RS's (every answer there is BPJS's envelope)."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def routing_error(status: int, headers: dict[str, str] | None) -> JSONResponse:
    """An error raised before a WS RS route ran (no such path 404, wrong method 405, a
    body over the server's ``--max-body`` 413), or the database busy or away (503), in
    BPJS's envelope."""
    message = _ROUTING.get(status, _FAILED)
    return JSONResponse(shapes.failed(message), status, headers=headers)


def _example(example: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI request body of a call: a JSON object, BPJS's example of it."""
    content = {"application/json": {"schema": {"type": "object"}, "example": example}}
    return {"requestBody": {"required": True, "content": content}}


@router.post(
    f"{PREFIX}/antrean/status",
    responses={401: {}, 404: {}, 413: {}},
    openapi_extra=_example(
        {
            "kodepoli": "INT",
            "kodedokter": 12345,
            "tanggalperiksa": "2026-01-28",
            "jampraktek": "08:00-14:00",
        }
    ),
)
async def status_antrean(request: Request) -> JSONResponse:
    """Status antrean: a doctor's queue and quota on a day."""
    return await _call(request, shapes.parse_status, service.status_antrean)


@router.post(
    f"{PREFIX}/antrean",
    responses={401: {}, 404: {}, 413: {}},
    openapi_extra=_example(
        {
            "nomorkartu": "0001234567891",
            "nik": "1471021505900002",
            "nohp": "081234567890",
            "kodepoli": "INT",
            "norm": "000124",
            "tanggalperiksa": "2026-01-28",
            "kodedokter": 12345,
            "jampraktek": "08:00-14:00",
            "jeniskunjungan": 1,
            "nomorreferensi": "0001R0040116A000001",
        }
    ),
)
async def ambil_antrean(request: Request) -> JSONResponse:
    """Ambil antrean: book a JKN place in a doctor's queue; a Mobile JKN booking."""
    return await _call(request, shapes.parse_ambil, service.ambil_antrean)


@router.post(
    f"{PREFIX}/antrean/sisa",
    responses={401: {}, 404: {}, 413: {}},
    openapi_extra=_example({"kodebooking": "123456780"}),
)
async def sisa_antrean(request: Request) -> JSONResponse:
    """Sisa antrean: how many are ahead of a booking, on its day."""
    return await _call(request, shapes.parse_kodebooking, service.sisa_antrean)


@router.post(
    f"{PREFIX}/antrean/batal",
    responses={401: {}, 404: {}, 413: {}},
    openapi_extra=_example({"kodebooking": "123456780", "keterangan": "Ada kebutuhan mendadak"}),
)
async def batal_antrean(request: Request) -> JSONResponse:
    """Batal antrean: cancel a booking not yet checked in; its quota place is given back."""
    return await _call(request, shapes.parse_batal, service.batal_antrean)


@router.post(
    f"{PREFIX}/antrean/checkin",
    responses={401: {}, 404: {}, 413: {}},
    openapi_extra=_example({"kodebooking": "123456780", "waktu": 1616559330000}),
)
async def checkin_antrean(request: Request) -> JSONResponse:
    """Check-in: BPJS says the patient has arrived (the kiosk's tap does the same)."""
    return await _call(request, shapes.parse_checkin, service.checkin_antrean)


@router.post(
    f"{PREFIX}/pasienbaru",
    responses={401: {}, 404: {}, 413: {}},
    openapi_extra=_example(
        {
            "nomorkartu": "0001234567899",
            "nik": "1471020101900009",
            "nomorkk": "1471020101900001",
            "nama": "Contoh Pasien",
            "jeniskelamin": "L",
            "tanggallahir": "1990-01-01",
            "nohp": "081234567899",
            "alamat": "Jl. Contoh No. 1",
            "kodeprop": "14",
            "namaprop": "Riau",
            "kodedati2": "0227",
            "namadati2": "Kota Pekanbaru",
            "kodekec": "2801",
            "namakec": "Sukajadi",
            "kodekel": "D2801",
            "namakel": "Kampung Melayu",
            "rw": "001",
            "rt": "002",
        }
    ),
)
async def pasien_baru(request: Request) -> JSONResponse:
    """Info pasien baru: a new No. RM for a patient who booked without one."""
    return await _call(request, shapes.parse_pasien_baru, service.pasien_baru)
