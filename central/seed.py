"""What the server loads at start: a catalog file, trust lists, and with ``--seed-demo`` the demo.

Everything here is idempotent, so every app process (and every restart)
may run it: a catalog or list with unchanged content is not published
again, demo rows that exist are left alone.

The demo (``--seed-demo``) is: the demo catalog unless ``--catalog`` names
another, the DEMO trust and revocation lists of ``cardio/demo_data/``
(their issuer key is public: never on a real deployment), the demo citizens
of ``central/demo_data/citizens.json`` with a few applications
(:mod:`central.office.applications`), and for the demo office the reusable demo
enrolment code :data:`central.settings.DEMO_ENROLMENT_CODE` and health
information (:mod:`central.office.health_info`: a puskesmas's wards and doctors),
the demo staff account :data:`central.settings.DEMO_STAFF_USERNAME` (an
admin of the demo office, for the office pages) and its board
(:data:`central.settings.DEMO_BOARD_TOKEN`). When the catalog has the demo
hospital ``rsud-pku``, its doctors and patients (:mod:`central.hospital.demo`),
its reusable codes :data:`central.settings.DEMO_HOSPITAL_ENROLMENT_CODE` and (a
registration desk) :data:`central.settings.DEMO_HOSPITAL_DESK_ENROLMENT_CODE`, its
staff account :data:`central.settings.DEMO_HOSPITAL_STAFF_USERNAME`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from central.access import staff
from central.access.audit import utc_now
from central.access.kiosks import ensure_reusable_code
from central.database import Database, startup_turn
from central.documents.catalog import publish_catalog, read_catalog_file
from central.documents.trust_lists import import_revocation_list, import_trust_list
from central.errors import SeedError
from central.hospital import demo as hospital_demo
from central.office import applications, boards, bookings, health_info
from central.office.citizens import seed_citizens
from central.settings import (
    DEMO_BOARD_TOKEN,
    DEMO_CITIZENS_PATH,
    DEMO_ENROLMENT_CODE,
    DEMO_HOSPITAL_DESK_ENROLMENT_CODE,
    DEMO_HOSPITAL_ENROLMENT_CODE,
    DEMO_HOSPITAL_ID,
    DEMO_HOSPITAL_STAFF_USERNAME,
    DEMO_OFFICE_ID,
    DEMO_STAFF_PASSWORD_HASH,
    DEMO_STAFF_USERNAME,
    CentralSettings,
)
from central.tables import offices
from contract.catalog import Catalog
from contract.demo import DEMO_REVOCATION_LIST, DEMO_TRUST_LIST
from contract.errors import TrustError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartupData:
    """The files to load, read and checked before the database is touched."""

    catalog: tuple[Catalog, Any] | None
    trust_list: tuple[str, Any] | None
    revocation_list: tuple[str, Any] | None
    seed_demo: bool
    #: The city's time zone: the demo's bookings are for the office's today.
    zone: ZoneInfo | None = None


def read_startup_files(settings: CentralSettings) -> StartupData:
    """Read the catalog and lists to load; raise :class:`CatalogLoadError` or :class:`SeedError`."""
    catalog_path = settings.resolved_catalog_path()
    trust_list, revocation_list = settings.trust_list_path, settings.revocation_list_path
    if settings.seed_demo:
        trust_list = trust_list or DEMO_TRUST_LIST
        revocation_list = revocation_list or DEMO_REVOCATION_LIST
    return StartupData(
        catalog=read_catalog_file(catalog_path) if catalog_path is not None else None,
        trust_list=(str(trust_list), _read_json(trust_list)) if trust_list else None,
        revocation_list=(
            (str(revocation_list), _read_json(revocation_list)) if revocation_list else None
        ),
        seed_demo=settings.seed_demo,
        zone=settings.zone,
    )


def load_startup_data(db: Database, data: StartupData) -> None:
    """Publish what :func:`read_startup_files` read, and the demo if asked, in one transaction.

    One process at a time (:func:`central.database.startup_turn`): of processes
    starting together on one database, the first publishes, the others find it
    published. Raises :class:`SeedError` for a list a kiosk would refuse.
    """
    try:
        with db.begin() as conn:
            startup_turn(conn)
            if data.catalog is not None and publish_catalog(conn, *data.catalog):
                log.info("published catalog %s", data.catalog[0].version)
            if data.trust_list is not None and import_trust_list(
                conn, data.trust_list[1], data.trust_list[0]
            ):
                log.info("imported trust list %s", data.trust_list[0])
            if data.revocation_list is not None and import_revocation_list(
                conn, data.revocation_list[1], data.revocation_list[0]
            ):
                log.info("imported revocation list %s", data.revocation_list[0])
            if data.seed_demo:
                seed_demo(conn, data.zone)
    except TrustError as exc:
        raise SeedError(str(exc)) from exc


def seed_demo(conn: Connection, zone: ZoneInfo | None = None) -> None:
    """The demo citizens, their applications and bookings; the demo office's code, health info."""
    has_office = conn.execute(select(offices.c.id).where(offices.c.id == DEMO_OFFICE_ID)).first()
    if has_office is None:
        log.warning("demo office %s is not in the catalog: no demo code", DEMO_OFFICE_ID)
    else:
        ensure_reusable_code(conn, DEMO_ENROLMENT_CODE, DEMO_OFFICE_ID, "demo (reusable)")
        if health_info.seed_demo(conn, DEMO_OFFICE_ID):
            log.info("seeded demo health information for %s", DEMO_OFFICE_ID)
        if boards.ensure_demo_board(conn, DEMO_OFFICE_ID, DEMO_BOARD_TOKEN):
            log.info("demo board of %s registered", DEMO_OFFICE_ID)
        if staff.ensure_demo_staff(
            conn, DEMO_STAFF_USERNAME, DEMO_STAFF_PASSWORD_HASH, office_id=DEMO_OFFICE_ID
        ):
            log.warning(
                "demo staff account %r (admin of %s) made: its password is published",
                DEMO_STAFF_USERNAME,
                DEMO_OFFICE_ID,
            )
    added = seed_citizens(conn, DEMO_CITIZENS_PATH)
    if added:
        log.info("seeded %d demo citizens", added)
    added = applications.seed_demo(conn)
    if added:
        log.info("seeded %d demo applications", added)
    _seed_hospital(conn)
    if has_office is not None:
        added = bookings.seed_demo(
            conn, DEMO_OFFICE_ID, now=utc_now(), zone=zone or ZoneInfo("Asia/Jakarta")
        )
        if added:
            log.info("booked %d demo citizens for today at %s", added, DEMO_OFFICE_ID)


def _seed_hospital(conn: Connection) -> None:
    """The demo hospital (central/hospital/demo.py), its kiosk and desk codes, its staff
    account."""
    if conn.execute(select(offices.c.id).where(offices.c.id == DEMO_HOSPITAL_ID)).first() is None:
        return
    ensure_reusable_code(
        conn, DEMO_HOSPITAL_ENROLMENT_CODE, DEMO_HOSPITAL_ID, "demo hospital (reusable)"
    )
    ensure_reusable_code(
        conn,
        DEMO_HOSPITAL_DESK_ENROLMENT_CODE,
        DEMO_HOSPITAL_ID,
        "demo hospital registration desk (reusable)",
        desk=True,
    )
    if staff.ensure_demo_staff(
        conn, DEMO_HOSPITAL_STAFF_USERNAME, DEMO_STAFF_PASSWORD_HASH, office_id=DEMO_HOSPITAL_ID
    ):
        log.warning(
            "demo staff account %r (admin of %s) made: its password is published",
            DEMO_HOSPITAL_STAFF_USERNAME,
            DEMO_HOSPITAL_ID,
        )
    added = hospital_demo.seed(conn, DEMO_HOSPITAL_ID)
    if added:
        log.info("seeded %d demo hospital rows for %s", added, DEMO_HOSPITAL_ID)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SeedError(f"{path}: cannot read JSON ({exc})") from exc


__all__ = [
    "StartupData",
    "load_startup_data",
    "read_startup_files",
    "seed_demo",
]
