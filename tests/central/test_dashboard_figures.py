"""The dashboard's figures of a day: counts per service and queue, waits, hours, complaints.

Tickets are written straight into a real centre's database (SQLite and
PostgreSQL) on a day of their own, so every span is known; the percentiles
are checked against :func:`statistics.quantiles` on those spans.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import statistics
import uuid

import pytest
from sqlalchemy import insert, select

from central.database import Database
from central.documents.versioned import DocumentCache
from central.office import dashboard, queue
from central.process import RunningCentral
from central.tables import citizen_applications, citizens, complaints
from testkit.centre_accounts import DEMO_OFFICE, new_kiosk, new_office
from testkit.office_days import ZONE, DayTicket, at, insert_day

pytestmark = pytest.mark.timeout(120)
KTP, KK, POLI = "ktp-cetak-ulang", "kk-perubahan", "puskesmas-umum"
_days = itertools.count()


def a_day_of_its_own() -> dt.date:
    """A day no other test writes tickets on (they write today's)."""
    return dt.date(2031, 1, 1) + dt.timedelta(days=next(_days))


def figures(
    db: Database, day: dt.date, office_id: str | None = DEMO_OFFICE
) -> list[dashboard.OfficeDay]:
    with db.read() as conn:
        facts = queue.catalog_facts(conn, DocumentCache())
        return dashboard.office_days(conn, facts, day=day, zone=ZONE, office_id=office_id)


def service(days: list[dashboard.OfficeDay], service_id: str) -> dashboard.ServiceDay:
    [office] = [d for d in days if d.office_id == DEMO_OFFICE]
    [found] = [s for s in office.services if s.service_id == service_id]
    return found


def minutes_after(start: dt.datetime, minutes: float) -> dt.datetime:
    return start + dt.timedelta(minutes=minutes)


def test_issued_counts_by_number_and_the_rest_by_the_queue_a_ticket_stands_in(
    central_server: RunningCentral, operator: Database
) -> None:
    kiosk_id, _ = new_kiosk(operator, central_server.url)
    day = a_day_of_its_own()
    nine = at(day, 9)
    items = [
        DayTicket(KTP, "served", nine, minutes_after(nine, 10), minutes_after(nine, 14)),
        DayTicket(KTP, "served", nine, minutes_after(nine, 20), minutes_after(nine, 26)),
        DayTicket(KTP, "no_show", nine, minutes_after(nine, 30), minutes_after(nine, 31)),
        DayTicket(KTP, "waiting", nine),
        DayTicket(KTP, "waiting", nine),
        DayTicket(KTP, "held", nine, minutes_after(nine, 35)),
        DayTicket(KTP, "void", nine, None, minutes_after(nine, 1)),
        # Numbered by the KTP queue, transferred to the family card's, served there.
        DayTicket(KTP, "served", nine, minutes_after(nine, 40), minutes_after(nine, 50), KK),
        DayTicket(KK, "called", nine, minutes_after(nine, 5)),
    ]
    insert_day(operator, DEMO_OFFICE, kiosk_id, day, items)
    days = figures(operator, day)
    ktp, kk = service(days, KTP), service(days, KK)
    assert (ktp.issued, ktp.served, ktp.no_show, ktp.waiting, ktp.held, ktp.called) == (
        7,
        2,
        1,
        2,
        1,
        0,
    )
    assert (kk.issued, kk.served, kk.no_show, kk.waiting, kk.held, kk.called) == (1, 1, 0, 0, 0, 1)
    # The catalog's names, in both languages.
    assert (ktp.name_id, ktp.name_en) == ("Cetak Ulang KTP-el", "Reprint of e-KTP")
    assert service(days, POLI).name_id == "Pendaftaran Poli Umum Puskesmas"
    # KTP's waits: 10, 20, 30 and 35 minutes (the transferred ticket waits in KK's queue).
    assert ktp.wait.count == 4
    assert ktp.wait.median_s == pytest.approx(25 * 60, abs=0.01)
    assert ktp.service_time.count == 2
    assert ktp.service_time.median_s == pytest.approx(5 * 60, abs=0.01)
    assert kk.wait.count == 2  # 40 min (transferred in) and 5 min
    [office] = days
    assert office.total("issued") == 8 and office.total("waiting") == 2


def test_median_and_90th_percentile_agree_with_statistics_quantiles(
    central_server: RunningCentral, operator: Database
) -> None:
    kiosk_id, _ = new_kiosk(operator, central_server.url)
    day = a_day_of_its_own()
    rng = random.Random(1402)  # noqa: S311 - reproducible spans
    waits = [rng.randint(30, 5400) for _ in range(37)]
    services = [rng.randint(45, 1200) for _ in range(37)]
    items = []
    for i, (wait, spent) in enumerate(zip(waits, services, strict=True)):
        issued = at(day, 8) + dt.timedelta(minutes=i * 7)
        called = issued + dt.timedelta(seconds=wait)
        items.append(
            DayTicket(POLI, "served", issued, called, called + dt.timedelta(seconds=spent))
        )
    insert_day(operator, DEMO_OFFICE, kiosk_id, day, items)
    poli = service(figures(operator, day), POLI)

    for spread, spans in ((poli.wait, waits), (poli.service_time, services)):
        expected_p90 = statistics.quantiles(spans, n=10, method="inclusive")[8]
        assert spread.count == len(spans)
        assert spread.median_s == pytest.approx(statistics.median(spans), abs=0.01)
        assert spread.p90_s == pytest.approx(expected_p90, abs=0.01)


def test_one_span_is_its_own_median_and_a_clock_behind_counts_as_no_wait(
    central_server: RunningCentral, operator: Database
) -> None:
    kiosk_id, _ = new_kiosk(operator, central_server.url)
    day = a_day_of_its_own()
    issued = at(day, 10)
    # A kiosk clock two minutes ahead: the ticket seems called before it was issued.
    called = issued - dt.timedelta(minutes=2)
    insert_day(
        operator,
        DEMO_OFFICE,
        kiosk_id,
        day,
        [DayTicket(KK, "served", issued, called, called + dt.timedelta(seconds=90))],
    )
    kk = service(figures(operator, day), KK)
    assert (kk.wait.median_s, kk.wait.p90_s) == (0.0, 0.0)
    assert kk.service_time.median_s == pytest.approx(90, abs=0.01)
    assert kk.service_time.p90_s == pytest.approx(90, abs=0.01)
    nobody = service(figures(operator, day), POLI)
    assert nobody.wait == dashboard.Spread() and nobody.issued == 0


def test_tickets_per_hour_are_counted_in_the_citys_local_hours(
    central_server: RunningCentral, operator: Database
) -> None:
    kiosk_id, _ = new_kiosk(operator, central_server.url)
    day = a_day_of_its_own()
    issued = [
        at(day, 7, 59, 59),
        at(day, 8),
        at(day, 8, 30),
        at(day, 13, 30),
        at(day, 0, 0) - dt.timedelta(seconds=30),  # a kiosk clock in yesterday: the first hour
        at(day, 23, 59, 59) + dt.timedelta(minutes=5),  # and in tomorrow: the last
    ]
    insert_day(
        operator, DEMO_OFFICE, kiosk_id, day, [DayTicket(POLI, "waiting", t) for t in issued]
    )
    poli = service(figures(operator, day), POLI)
    expected = [0] * 24
    for hour in (7, 8, 8, 13, 0, 23):
        expected[hour] += 1
    assert list(poli.per_hour) == expected
    [office] = figures(operator, day)
    assert office.per_hour == tuple(expected)


def test_open_complaints_and_applications_by_state_are_per_office(
    central_server: RunningCentral, operator: Database
) -> None:
    kiosk_id, _ = new_kiosk(operator, central_server.url)
    other = new_office(operator)
    day = a_day_of_its_own()
    before = figures(operator, day, DEMO_OFFICE)[0]
    now = dt.datetime.now(dt.UTC)
    with operator.begin() as conn:
        citizen = conn.execute(select(citizens.c.id).limit(1)).scalar_one()
        for office, state in (
            (DEMO_OFFICE, "open"),
            (DEMO_OFFICE, "answered"),
            (DEMO_OFFICE, "closed"),
            (other, "open"),
        ):
            conn.execute(
                insert(complaints).values(
                    reference=f"ADU-{uuid.uuid4().hex[:10].upper()}",
                    office_id=office,
                    kiosk_id=kiosk_id,
                    category="pelayanan",
                    text="Antrean lama.",
                    language="id",
                    created_at=now,
                    received_at=now,
                    state=state,
                )
            )
        for office, state in ((DEMO_OFFICE, "ready"), (DEMO_OFFICE, "ready"), (other, "received")):
            conn.execute(
                insert(citizen_applications).values(
                    reference=f"BRK-{uuid.uuid4().hex[:10].upper()}",
                    citizen_id=citizen,
                    office_id=office,
                    service_id=KTP,
                    title_id="Cetak ulang KTP",
                    title_en="KTP reprint",
                    state=state,
                    submitted_at=now,
                    state_changed_at=now,
                    updated_by="test",
                )
            )
    after = figures(operator, day, DEMO_OFFICE)[0]
    assert after.open_complaints - before.open_complaints == 2
    assert after.applications.get("ready", 0) - before.applications.get("ready", 0) == 2
    assert after.applications.get("received", 0) == before.applications.get("received", 0)
    [theirs] = figures(operator, day, other)
    assert (theirs.office_id, theirs.open_complaints, theirs.applications) == (
        other,
        1,
        {"received": 1},
    )
    assert theirs.services == ()  # an office without services of its own
    everyone = figures(operator, day, None)
    assert {DEMO_OFFICE, other} <= {d.office_id for d in everyone}
