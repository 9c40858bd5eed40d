"""Which offices a staff member's request may cover: a staff account may be limited to one."""

from __future__ import annotations

from central.errors import Forbidden
from central.staff import StaffPrincipal


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
