"""A database busy or away after an answer has begun: the answer ends whole, one warning.

The app's handlers (:func:`central.app.install_error_handlers`) answer an outage
(:mod:`central.outage`) ``503 database_unavailable`` while nothing has been sent. A
streamed answer (a board's Server-Sent Events, central/web/board.py) meets the database
between two of its messages, its ``200`` long sent: no 503 can follow. Starlette then
raised on ("Caught handled exception, but response already started"), uvicorn logged
"Exception in ASGI application" with a traceback and cut the connection mid-chunk.

:class:`LateOutage`, around the whole app, ends such an answer with its last (empty)
chunk, so the caller sees it end whole and connects again (a board does, after its
``retry``; then it is told 503 until the database is back), and logs one warning: the
outage as :mod:`central.outage` says it and the route's template (no token, no id).
Whatever streams, now or later, is treated alike. Any other fault is raised on as
before: a traceback is for a bug.
"""

from __future__ import annotations

import contextlib
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central.outage import Outage, outage_of

log = logging.getLogger(__name__)


def outage_under(exc: BaseException) -> Outage | None:
    """The outage ``exc`` is, or was raised from (``raise … from``: Starlette's own
    "response already started" names the database's error so)."""
    seen: set[int] = set()
    found: BaseException | None = exc
    while found is not None and id(found) not in seen:
        outage = outage_of(found)
        if outage is not None:
            return outage
        seen.add(id(found))
        found = found.__cause__
    return None


class LateOutage:
    """ASGI wrapper around the whole app: an outage after the answer began ends it whole."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        begun = ended = False

        async def watching_send(message: Message) -> None:
            nonlocal begun, ended
            if message["type"] == "http.response.start":
                begun = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                ended = True
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception as exc:
            outage = outage_under(exc)
            if outage is None or not begun or ended:
                raise
            where = getattr(scope.get("route"), "path", None) or "(no route)"  # no ids
            log.warning(
                "%s: %s %s ended mid-answer (its 200 already sent, no 503 could follow);"
                " the caller connects again",
                outage.said,
                scope["method"],
                where,
            )
            with contextlib.suppress(OSError):  # the caller may have gone meanwhile
                await send({"type": "http.response.body", "body": b"", "more_body": False})
