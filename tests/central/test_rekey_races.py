"""Changes to one kiosk's tokens take turns, on PostgreSQL too.

Under READ COMMITTED, a revocation (or a second re-key) racing a re-key would
miss the token the re-key is inserting, and leave it live. The interleaving is
forced: the first transaction re-keys and holds; the second starts and is seen
waiting on a lock; then the first commits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, func, insert, select, text

from central.access import kiosks
from central.database import Database, migrate
from central.tables import kiosk_tokens, offices
from testkit.pg_cluster import PgCluster

pytestmark = pytest.mark.timeout(60)

OFFICE = "rekey-race"


@pytest.fixture(scope="module")
def pg(pg_cluster: PgCluster) -> Iterator[Database]:
    db = Database(pg_cluster.create_database())
    migrate(db)
    with db.begin() as conn:
        conn.execute(insert(offices).values(id=OFFICE, name="Kantor", city="Kota", active=True))
    yield db
    db.dispose()


def enrolled(db: Database) -> kiosks.Enrolment:
    with db.begin() as conn:
        code, _ = kiosks.create_enrolment_code(conn, OFFICE, ttl_s=600, actor="test")
        return kiosks.enrol(conn, code, "kiosk")


def rekey_code(db: Database, kiosk_id: str) -> str:
    with db.begin() as conn:
        code, _ = kiosks.create_enrolment_code(
            conn, OFFICE, ttl_s=600, actor="test", kiosk_id=kiosk_id
        )
    return code


def live_tokens(db: Database, kiosk_id: str) -> int:
    with db.read() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(kiosk_tokens)
                .where(kiosk_tokens.c.kiosk_id == kiosk_id, kiosk_tokens.c.revoked_at.is_(None))
            ).scalar_one()
        )


def waiting_on_a_lock(db: Database) -> bool:
    with db.read() as conn:
        found = conn.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        ).scalar_one()
    return int(found) > 0


def race(db: Database, kiosk_id: str, second: Callable[[Connection], Any]) -> Any:
    """Re-key ``kiosk_id`` and hold; run ``second`` meanwhile; commit the first."""
    code = rekey_code(db, kiosk_id)
    result: list[Any] = []
    with db.engine.connect() as first:
        held = first.begin()
        kiosks.enrol(first, code, "kiosk")

        def run_second() -> None:
            with db.begin() as conn:
                result.append(second(conn))

        worker = threading.Thread(target=run_second)
        worker.start()
        deadline = time.monotonic() + 20
        while not waiting_on_a_lock(db):
            if not worker.is_alive() or time.monotonic() > deadline:
                break  # it did not wait: then it cannot have seen the new token
            time.sleep(0.02)
        held.commit()
    worker.join(20)
    assert not worker.is_alive() and result, "the second transaction never finished"
    return result[0]


def test_a_revocation_racing_a_rekey_revokes_the_new_token(pg: Database) -> None:
    kiosk = enrolled(pg)
    race(pg, kiosk.kiosk_id, lambda conn: kiosks.revoke_kiosk(conn, kiosk.kiosk_id, actor="t"))
    assert live_tokens(pg, kiosk.kiosk_id) == 0


def test_two_rekeys_at_once_leave_one_live_token(pg: Database) -> None:
    kiosk = enrolled(pg)
    code = rekey_code(pg, kiosk.kiosk_id)
    race(pg, kiosk.kiosk_id, lambda conn: kiosks.enrol(conn, code, "kiosk"))
    assert live_tokens(pg, kiosk.kiosk_id) == 1
