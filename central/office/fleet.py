"""The fleet: each kiosk's latest heartbeat, and what staff see of it.

A kiosk beats every :data:`BEAT_INTERVAL_S` seconds with the state of its
reader, printer, outbox and number leases. The server keeps only the latest
beat per kiosk (one upsert by primary key: a fleet of 1,000 kiosks is about
33 small writes a second), and derives the rest when staff look:

* ``stale``: no beat for :data:`STALE_AFTER_S` (three beats missed), or never;
* ``faults``: stable codes, see :data:`FAULTS`.

History belongs in a monitoring system, which can poll the fleet view.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select

from central.access.audit import utc_now
from central.tables import kiosk_heartbeats, kiosk_tokens, kiosks
from central.upsert import upsert

BEAT_INTERVAL_S = 30
STALE_AFTER_S = 3 * BEAT_INTERVAL_S
#: A kiosk clock further off than this (either way) is a fault.
MAX_CLOCK_SKEW_S = 60
#: An outbox item older than this that is still pending is a fault.
MAX_PENDING_AGE_S = 3600
_MAX_BIG = 2**62  # clamp absurd numbers a kiosk may send into BIGINT

#: Every fault code the fleet view can show, and what it means.
FAULTS = {
    "reader_fault": "the card reader reports a fault",
    "reader_unknown": "the card reader's state is unknown (not found, or not checked)",
    "printer_fault": "the printer reports a fault (paper out, cover open, offline)",
    "printer_unknown": "the printer's state is unknown",
    "outbox_dead": "outbox items the server refused for good: someone must look",
    "outbox_stalled": f"an outbox item has been pending for over {MAX_PENDING_AGE_S // 3600} h",
    "clock_skew": f"the kiosk's clock is off by more than {MAX_CLOCK_SKEW_S} s",
}


@dataclass(frozen=True)
class Heartbeat:
    """One beat as the kiosk sent it (validated by the API)."""

    sent_at: dt.datetime
    version: str
    reader_state: str
    reader_detail: str
    printer_state: str
    printer_detail: str
    outbox_pending: int
    outbox_dead: int
    outbox_oldest_pending_s: float | None
    catalog_version: str | None
    leases: Sequence[dict[str, Any]]


@dataclass(frozen=True)
class FleetKiosk:
    kiosk_id: str
    name: str
    office_id: str
    kiosk_code: str | None
    #: The rest is from the latest beat: ``None`` (and stale) for a kiosk never seen.
    last_seen: dt.datetime | None = None
    stale: bool = True
    faults: list[str] = field(default_factory=list)
    outbox_pending: int | None = None
    outbox_dead: int | None = None
    version: str | None = None
    clock_skew_s: float | None = None
    reader_detail: str | None = None
    printer_detail: str | None = None
    catalog_version: str | None = None
    leases: list[dict[str, Any]] = field(default_factory=list)


def _clamp(value: float) -> int:
    return int(max(-_MAX_BIG, min(_MAX_BIG, value)))


def record_heartbeat(
    conn: Connection, kiosk_id: str, beat: Heartbeat, *, now: dt.datetime | None = None
) -> dt.datetime:
    """Store ``beat`` as the kiosk's latest; returns the server time it was received."""
    now = now or utc_now()
    skew_ms = (beat.sent_at - now) / dt.timedelta(milliseconds=1)
    values: dict[str, Any] = {
        "received_at": now,
        "sent_at": beat.sent_at,
        "clock_skew_ms": _clamp(skew_ms),
        "version": beat.version,
        "reader_state": beat.reader_state,
        "reader_detail": beat.reader_detail,
        "printer_state": beat.printer_state,
        "printer_detail": beat.printer_detail,
        "outbox_pending": beat.outbox_pending,
        "outbox_dead": beat.outbox_dead,
        "outbox_oldest_pending_s": (
            None if beat.outbox_oldest_pending_s is None else _clamp(beat.outbox_oldest_pending_s)
        ),
        "catalog_version": beat.catalog_version,
        "leases": json.dumps(list(beat.leases), sort_keys=True, separators=(",", ":")),
    }
    upsert(conn, kiosk_heartbeats, {"kiosk_id": kiosk_id}, values)
    return now


def faults_of(
    *,
    reader_state: str,
    printer_state: str,
    outbox_dead: int,
    outbox_oldest_pending_s: float | None,
    clock_skew_s: float,
) -> list[str]:
    """The fault codes of one beat, in the order of :data:`FAULTS`."""
    found = []
    if reader_state != "ok":
        found.append("reader_fault" if reader_state == "fault" else "reader_unknown")
    if printer_state != "ok":
        found.append("printer_fault" if printer_state == "fault" else "printer_unknown")
    if outbox_dead > 0:
        found.append("outbox_dead")
    if outbox_oldest_pending_s is not None and outbox_oldest_pending_s > MAX_PENDING_AGE_S:
        found.append("outbox_stalled")
    if abs(clock_skew_s) > MAX_CLOCK_SKEW_S:
        found.append("clock_skew")
    return found


def stale_count(conn: Connection, now: dt.datetime | None = None) -> int:
    """How many kiosks with a live token are stale (as :func:`fleet` says it of each)."""
    now = now or utc_now()
    live_token = exists().where(
        and_(kiosk_tokens.c.kiosk_id == kiosks.c.id, kiosk_tokens.c.revoked_at.is_(None))
    )
    silent = or_(
        kiosk_heartbeats.c.received_at.is_(None),
        kiosk_heartbeats.c.received_at < now - dt.timedelta(seconds=STALE_AFTER_S),
    )
    query = (
        select(func.count())
        .select_from(kiosks.outerjoin(kiosk_heartbeats, kiosk_heartbeats.c.kiosk_id == kiosks.c.id))
        .where(live_token, silent)
    )
    return int(conn.execute(query).scalar_one())


def fleet(
    conn: Connection, *, office_id: str | None, now: dt.datetime | None = None
) -> list[FleetKiosk]:
    """Every kiosk with a live token (of one office, or all), with its latest beat."""
    now = now or utc_now()
    live_token = exists().where(
        and_(kiosk_tokens.c.kiosk_id == kiosks.c.id, kiosk_tokens.c.revoked_at.is_(None))
    )
    query = (
        select(
            kiosks.c.id, kiosks.c.name, kiosks.c.office_id, kiosks.c.kiosk_code, kiosk_heartbeats
        )
        .select_from(kiosks.outerjoin(kiosk_heartbeats, kiosk_heartbeats.c.kiosk_id == kiosks.c.id))
        .where(live_token)
        .order_by(kiosks.c.office_id, kiosks.c.name, kiosks.c.id)
    )
    if office_id is not None:
        query = query.where(kiosks.c.office_id == office_id)
    result = []
    for row in conn.execute(query):
        code = row.kiosk_code
        if row.received_at is None:
            result.append(FleetKiosk(row.id, row.name, row.office_id, code))
            continue
        skew_s = row.clock_skew_ms / 1000
        faults = faults_of(
            reader_state=row.reader_state,
            printer_state=row.printer_state,
            outbox_dead=row.outbox_dead,
            outbox_oldest_pending_s=row.outbox_oldest_pending_s,
            clock_skew_s=skew_s,
        )
        result.append(
            FleetKiosk(
                kiosk_id=row.id,
                name=row.name,
                office_id=row.office_id,
                kiosk_code=code,
                last_seen=row.received_at,
                stale=(now - row.received_at).total_seconds() > STALE_AFTER_S,
                faults=faults,
                outbox_pending=row.outbox_pending,
                outbox_dead=row.outbox_dead,
                version=row.version,
                clock_skew_s=skew_s,
                reader_detail=row.reader_detail,
                printer_detail=row.printer_detail,
                catalog_version=row.catalog_version,
                leases=json.loads(row.leases),
            )
        )
    return result
