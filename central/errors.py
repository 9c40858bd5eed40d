"""Every refusal the central server answers with, and the one shape of an error body.

Domain code (enrolment, lookups, the operator CLI) raises :class:`ApiError`
subclasses; the handlers installed by :func:`install_error_handlers` turn
them, FastAPI's validation errors and Starlette's own HTTP errors (404, 405,
413) into::

    {"error": "<stable code>", "detail": "<what went wrong, for people>"}

Validation errors (422) carry a list in ``detail``: ``loc``, ``msg`` and
``type`` of each problem, never the rejected ``input`` (it may be a NIK).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException


class ApiError(Exception):
    """A request the server refuses; ``status`` and ``code`` are stable."""

    status = 400
    code = "bad_request"

    def __init__(
        self, detail: str, *, code: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.headers = dict(headers or {})


class Unauthorized(ApiError):
    """No credential, or one the server does not accept (unknown, revoked, expired)."""

    status = 401
    code = "unauthenticated"

    def __init__(self, detail: str = "a valid bearer token is required") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    """A valid credential of the wrong kind or role for this endpoint."""

    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class TooManyRequests(ApiError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(
            f"too many requests; try again in {retry_after_s} s",
            headers={"Retry-After": str(retry_after_s)},
        )
        self.retry_after_s = retry_after_s


class TooManyAttempts(TooManyRequests):
    """Too many wrong dates of birth for a UID-only card, or from one kiosk (#7)."""

    code = "too_many_attempts"


class TooManyLookups(TooManyRequests):
    """A kiosk used up its hourly budget of card-number/NIK lookups (or of misses)."""

    code = "too_many_lookups"


class LoginLocked(TooManyRequests):
    """Failed logins in a row locked this staff username for a while."""

    code = "login_locked"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(retry_after_s)
        self.detail = (
            "terlalu banyak percobaan masuk yang gagal; coba lagi dalam "
            f"{retry_after_s} detik / too many failed logins; try again in {retry_after_s} s"
        )


def error_body(code: str, detail: Any) -> dict[str, Any]:
    return {"error": code, "detail": detail}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.detail), exc.status, headers=exc.headers)

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        code = _slug(exc.status_code)
        return JSONResponse(
            error_body(code, exc.detail), exc.status_code, headers=dict(exc.headers or {})
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse(error_body("invalid_request", problems), 422)


def _slug(status: int) -> str:
    if status == 413:  # RFC 9110's name; Python 3.11 still says "Request Entity Too Large"
        return "content_too_large"
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_")
    except ValueError:
        return "error"
