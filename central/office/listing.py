"""What the staff lists of an office's records share: which rows a page may show.

Complaints and citizens' applications are listed the same way: an office's own
(``None``: every office's, for an admin without one), in one state or all, and
those whose reference starts with what staff typed, case-blind, with ``%`` and
``_`` taken as the characters they are. Pure SQLAlchemy Core.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Select, Table, func


def listed(
    query: Select[Any],
    table: Table,
    office_id: str | None,
    state: StrEnum | None,
    reference: str | None,
) -> Select[Any]:
    """``query`` narrowed to the rows a staff list shows; ``table`` has office, state, reference."""
    if office_id is not None:
        query = query.where(table.c.office_id == office_id)
    if state is not None:
        query = query.where(table.c.state == state.value)
    prefix = (reference or "").strip().upper()
    if prefix:
        query = query.where(func.upper(table.c.reference).startswith(prefix, autoescape=True))
    return query
