"""A form posted to an office page: read once, first, with the limits every page shares.

Starlette parses a request's form once and keeps it: whoever reads it first
sets the limits, and every later read gets that parse, whatever limits it
asks for. Three readers meet on a page's post (FastAPI for the route's
``Form`` fields, the CSRF check, a route reading the form itself), in an
order that depends on the route, so a limit set by one of them held or not
by chance. The limits are here instead, in one place: every route of the
pages is a :class:`FormRoute` (:func:`page_router`), which reads a form post
with them before anything else looks at it; :func:`read_form` reads with
them too, for the readers that come after.

A form beyond them (more fields, a file, a field longer than its part) is
not parsed further than where it overflowed: Starlette refuses it ``400``,
answered with the page "Permintaan ini tidak dapat diproses. Periksa isian
Anda" (:mod:`central.web.problems`), and one line in the log says which limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

log = logging.getLogger(__name__)

#: The most fields a page's form has: a counter's desk, its office, its counter and up to
#: 50 services (``queues``); the others have a handful.
MAX_FIELDS = 100
#: No page takes a file.
MAX_FILES = 0
#: The longest field as sent, percent-encoded: the longest text a page takes is 2,000
#: characters (a complaint's answer, a board's running text), 24,000 bytes encoded at worst.
MAX_PART_SIZE = 64 * 1024

#: The bodies a browser posts a form as.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith(FORM_TYPES)


async def read_form(request: Request) -> FormData:
    """The request's form, parsed with the pages' limits (or as the first reader parsed it:
    a :class:`FormRoute`, with the same). 400 for a form beyond them, or not a form."""
    try:
        return await request.form(
            max_fields=MAX_FIELDS, max_files=MAX_FILES, max_part_size=MAX_PART_SIZE
        )
    except HTTPException as exc:
        # Starlette's own exception (FastAPI's HTTPException is a subclass of it, not the
        # other way round, so catching that one would catch nothing here). Its words say
        # which limit was passed; no value sent is in them.
        route = getattr(request.scope.get("route"), "path", "(no route)")
        log.warning("a form posted to %s refused: %s", route, exc.detail)
        raise


class FormRoute(APIRoute):
    """A page's route: a form posted to it is read first, with :func:`read_form`'s limits."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def read_first(request: Request) -> Response:
            if is_form(request):
                await read_form(request)  # kept by the request for every later reader
            return await handler(request)

        return read_first


def page_router() -> APIRouter:
    """A router of office pages: each of its routes a :class:`FormRoute`."""
    return APIRouter(route_class=FormRoute)
