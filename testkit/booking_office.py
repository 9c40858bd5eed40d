"""An office open for bookings, and citizens to book with, for the booking pages' tests and bench.

:func:`open_for_bookings` gives the demo office hours every day from 00:00 to
23:30 (so a slot is still to come at whatever hour a test runs) and turns
bookings on for a service; :func:`new_citizens` writes citizens whose NIK
carries their date of birth, as a real NIK does (contract/nik.py), so the
centre's identity check passes for the right date and fails for another.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import insert

from central.access.audit import utc_now
from central.database import Database
from central.office import bookings
from central.office.bookings import Hours, ServiceSettings
from central.tables import citizens
from testkit.centre_accounts import DEMO_OFFICE

#: Siti Aminah of the demo cards: her NIK and the date of birth it carries.
SITI_NIK = "1471015203850001"
SITI_BORN = dt.date(1985, 3, 12)
BUDI_NIK = "1471011708790002"
BUDI_BORN = dt.date(1979, 8, 17)


@dataclass(frozen=True)
class Citizen:
    nik: str = field(repr=False)
    born: dt.date


def open_for_bookings(
    db: Database,
    service_id: str,
    *,
    office_id: str = DEMO_OFFICE,
    settings: ServiceSettings | None = None,
) -> None:
    """Open ``office_id`` every day 00:00–23:30 and let ``service_id`` take bookings."""
    with db.begin() as conn:
        bookings.put_hours(
            conn, office_id, [Hours(day, "00:00", "23:30") for day in range(7)], actor="test"
        )
        bookings.put_settings(
            conn, office_id, service_id, settings or ServiceSettings(), actor="test", now=utc_now()
        )


def new_citizens(db: Database, count: int, *, seed: int) -> list[Citizen]:
    """``count`` citizens of Pekanbaru with NIKs nobody else has (``seed`` picks the serials)."""
    pick = random.Random(seed)  # noqa: S311 - test data, not a secret
    made: list[Citizen] = []
    rows = []
    serials = pick.sample(range(1000, 10000), count)
    for serial in serials:
        born = dt.date(1950 + pick.randrange(50), pick.randrange(1, 13), pick.randrange(1, 29))
        day = born.day + (40 if pick.random() < 0.5 else 0)
        # Province 14 (Riau), regency 71 (Pekanbaru), district 9x: none of the demo's.
        nik = f"14719{seed % 10}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
        made.append(Citizen(nik, born))
        rows.append(
            {"nik": nik, "full_name": f"Warga Uji {serial}", "card_number": None,
             "family_card_number": None, "phone": None, "updated_at": utc_now()}
        )  # fmt: skip
    with db.begin() as conn:
        conn.execute(insert(citizens), rows)
    return made
