"""The HTTP API, one module per area, each with one or more routers.

To add an area (say ``queue.py``): make its routers with
:func:`central.api.deps.kiosk_router`, :func:`central.api.deps.staff_router` or
:func:`central.api.deps.admin_router`, name them in :data:`ROUTERS` below, and
document the endpoints in docs/central-api.md. Paths start with ``/api/v1/``.
A new public route must also be added to :data:`central.api.deps.PUBLIC_ROUTES`,
or the route test fails.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from central.api import (
    applications,
    boards,
    bookings,
    citizens,
    complaints,
    counter,
    documents,
    enrolment,
    fleet,
    health_info,
    hospital,
    public,
    queue,
    staff,
    statistics,
    submissions,
)

#: Every router of the app, in the order the OpenAPI lists them.
ROUTERS: tuple[APIRouter, ...] = (
    enrolment.router,
    documents.router,
    citizens.router,
    staff.public,
    staff.router,
    staff.admin,
    queue.router,
    submissions.router,
    counter.router,
    public.router,
    fleet.router,
    fleet.staff,
    health_info.router,
    health_info.staff,
    applications.router,
    applications.staff,
    complaints.router,
    statistics.staff,
    boards.router,
    bookings.router,
    bookings.staff,
    hospital.router,
    hospital.staff,
)


def include_routers(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
