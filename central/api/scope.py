"""Which offices a staff member's request may cover: a staff account may be limited to one.

The :class:`~central.access.staff.StaffPrincipal` every staff and admin route
receives carries its office (``None``: every office). A route that acts on
an office's data (named in the path or body, or found from a kiosk, ticket
or application) passes that office through :func:`require_office_access`;
a listing narrows its query with :func:`office_filter`. A resource found by
its id (a kiosk, ticket or application) goes through
:func:`central.access.staff.require_reach` instead: another office's is answered
with the same 404 as an unknown id, not a 403 that would confirm it exists.
``tests/central/test_office_scope.py`` probes every staff route with two
offices, so a new route without either fails.
"""

from __future__ import annotations

from central.access.staff import StaffPrincipal
from central.errors import Forbidden


def require_office_access(staff: StaffPrincipal, office_id: str) -> None:
    """Refuse (403) a staff member limited to another office."""
    if not staff.may_act_for(office_id):
        raise Forbidden(f"this staff account is limited to office {staff.office_id!r}")


def office_filter(staff: StaffPrincipal, office_id: str | None) -> str | None:
    """The office a listing covers: the asked one (if allowed), else the staff's own, else all."""
    if office_id is not None:
        require_office_access(staff, office_id)
        return office_id
    return staff.office_id
