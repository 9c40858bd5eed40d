"""The wire shapes both sides use: what the centre answers and the kiosk reads.

One dataclass per shape. The centre builds them and FastAPI writes them out
(their fields are the JSON's, docs/central-api.md); the kiosk's client builds
them from the JSON it checked (:mod:`kiosk.client.results`, :mod:`kiosk.client.info`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Lease:
    """``POST /api/v1/leases``: a block of numbers ``start..end`` for one queue and day."""

    lease_id: str
    office_id: str
    service_id: str
    day: dt.date
    start: int
    end: int
    expires_at: dt.datetime


@dataclass(frozen=True)
class Ward:
    """A hospital ward's beds, as staff last set them (``GET /api/v1/health-info``).

    The centre always says when (``updated_at``); a kiosk reading an answer
    without it keeps the ward and None.
    """

    ward_id: str
    name: str
    beds_total: int
    beds_free: int
    updated_at: dt.datetime | None = None
