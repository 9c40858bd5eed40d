"""Every route of the centre's app, found by walking it, with the credentials each asks for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from central.api import ROUTERS
from central.api.deps import require_admin, require_kiosk, require_staff
from central.web import ROUTERS as WEB_ROUTERS
from central.web.session import require_admin_page, require_staff_page


def _calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def routes(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path, kind) of every route; kind: public, kiosk, staff or admin."""
    found = []
    candidates = [r for r in app.routes if isinstance(r, APIRoute)]
    candidates += [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    for route in candidates:
        calls = set(_calls(route.dependant))
        kind = (
            "admin"
            if require_admin in calls
            else "staff"
            if require_staff in calls
            else "kiosk"
            if require_kiosk in calls
            else "public"
        )
        found += [(method, route.path, kind) for method in sorted(route.methods or ())]
    return found


def pages() -> list[tuple[str, str, bool]]:
    """(method, path, needs a session) of every office page (``central.web.ROUTERS``)."""
    found = []
    for router in WEB_ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                calls = set(_calls(route.dependant))
                session = require_staff_page in calls or require_admin_page in calls
                found += [(method, route.path, session) for method in sorted(route.methods or ())]
    return found
