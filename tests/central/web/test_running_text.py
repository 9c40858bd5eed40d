"""Staff set the office's running text; several saving at once never break, on either database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from central.access import staff
from central.database import Database
from central.process import RunningCentral
from central.tables import office_notices
from testkit.centre_accounts import new_office, new_staff_account
from testkit.office_sessions import logged_in


def test_staff_saving_a_new_offices_running_text_at_once_all_succeed(
    central_server: RunningCentral, operator: Database
) -> None:
    office = new_office(operator)
    clerks = [
        logged_in(central_server.url, new_staff_account(operator, staff.Role.STAFF, office))
        for _ in range(6)
    ]
    barrier = threading.Barrier(len(clerks), timeout=30)

    def save(i: int) -> int:
        http, token = clerks[i]
        barrier.wait()
        return http.post(
            f"{central_server.url}/office/boards/running-text",
            data={"office_id": office, "text": f"Pengumuman {i}", "csrf": token},
            timeout=30,
            allow_redirects=False,
        ).status_code

    with ThreadPoolExecutor(len(clerks)) as pool:
        outcomes = list(pool.map(save, range(len(clerks))))
    assert outcomes == [303] * len(clerks)
    with operator.read() as conn:
        text = conn.execute(
            select(office_notices.c.running_text).where(office_notices.c.office_id == office)
        ).scalar_one()
    assert text in {f"Pengumuman {i}" for i in range(len(clerks))}
