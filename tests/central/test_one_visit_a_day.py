"""One live visit per patient, poli and day, whatever made it, however requests race.

Two real server processes on one database (SQLite, then the throwaway PostgreSQL),
with BPJS switched on so a visit's calls are written: a kiosk's registration and
Mobile JKN's "ambil antrean" for one patient, or two kiosks' (one of them the desk),
are released at once by a barrier, again and again. Each time exactly one visit is
live and holds its place of the doctor's quota; the other hears what it would have
heard a moment later (Mobile JKN: BPJS's envelope "sudah memiliki antrean"; a kiosk:
``already_registered``, its ticket a plain one, holding its own place till it closes and
nobody's day), and leaves no booking, record or call to BPJS behind. On PostgreSQL the
race is also made certain: the other visit is committed between a registration's read
and its insert.

Before the visit, the place: two allocates naming one patient (by the same keys or by
different ones), sent at once to the two processes before any registration, number one
ticket; the other is ``already_registered`` and leaves no ticket or place, at one
doctor or at two of the poli. The place the allocate holds is the patient's day until
it is given back (a void, a cancel): an offline kiosk's registration and Mobile JKN
meanwhile make no second visit, and its own registration makes the visit.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import event, func, insert, or_, select, update

from central.access.audit import utc_now
from central.database import Database
from central.errors import AlreadyRegistered
from central.hospital import quota, visits
from central.process import RunningCentral, start_central
from central.tables import (
    bookings,
    citizens,
    doctor_quota,
    hospital_visits,
    integration_outbox,
    quota_takes,
    tickets,
)
from central.wsrs.service import _ambil
from central.wsrs.shapes import AmbilAntrean
from contract.hospital import HospitalRequest, PatientKeys, Payer
from testkit.bpjs_standin import BpjsStandIn
from testkit.centre_accounts import bearer, new_staff
from testkit.centre_hospital import (
    Patient,
    hospital_desk,
    hospital_kiosk,
    hospital_registration,
    new_hospital_patient,
    patient_numbers,
    what_the_registration_did,
)
from testkit.centre_requests import ZONE, new_id, results, today
from testkit.centres import BACKENDS, LOOSE_SERVER_ARGS, SHARED_START_S, migrated_database
from testkit.mjkn import (
    BASE,
    KODEPOLI,
    OFFICE,
    POLI,
    USERNAME,
    ambil_body,
    integrations_file,
    put_doctor,
    wsrs_token,
)

pytestmark = pytest.mark.timeout(600)

ALL_DAY = "00:00-23:59"
ROUNDS = 10
ALREADY = "sudah memiliki antrean"
#: The key of the lookup hashes where a test calls the centre's functions itself.
KEY = b"k" * 32
_fallbacks = itertools.count(101)


@dataclass(frozen=True)
class Pair:
    """Two server processes of one database, a kiosk enrolled on each, Mobile JKN's tokens."""

    urls: tuple[str, str]
    kiosks: tuple[str, str]
    #: The kiosks' codes, which their fallback numbers carry.
    codes: tuple[str, str]
    wsrs: tuple[str, str]
    servers: tuple[RunningCentral, RunningCentral]
    db: Database
    staff: str

    def logs(self) -> str:
        return "\n".join(s.output_tail() for s in self.servers)


@pytest.fixture(scope="module", params=BACKENDS)
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    folder: Path = tmp_path_factory.mktemp("one-visit")
    url = migrated_database(request, tmp_path_factory, str(request.param), "one-visit")
    standin = BpjsStandIn()
    request.addfinalizer(standin.close)
    args = (*LOOSE_SERVER_ARGS, "--integrations", str(integrations_file(folder, standin)))
    first = start_central(seed_demo=True, db_url=url, extra_args=args, timeout_s=SHARED_START_S)
    second = None
    db = Database(url)
    try:
        second = start_central(
            seed_demo=True, db_url=url, extra_args=args, timeout_s=SHARED_START_S
        )
        # the second process's kiosk is the registration desk (staff enrolled it as one)
        kiosks = (hospital_kiosk(first.url), hospital_desk(second.url))
        yield Pair(
            (first.url, second.url),
            (kiosks[0][0], kiosks[1][0]),
            (kiosks[0][1], kiosks[1][1]),
            (wsrs_token(first.url), wsrs_token(second.url)),
            (first, second),
            db,
            new_staff(db, first.url),
        )
    finally:
        db.dispose()
        if second is not None:
            second.stop()
        first.stop()


def known_patient(p: Pair) -> Patient:
    """A patient of the hospital: the city's record with a BPJS card, and a No. RM."""
    return new_hospital_patient(p.db)


def unknown_patient() -> Patient:
    """A NIK the city's records do not hold, with a BPJS card: no No. RM yet."""
    return Patient(*patient_numbers(), norm="")


def doctor(p: Pair, quota_jkn: int = 20) -> tuple[int, str]:
    """A doctor of Poli Anak with hours all day today: (kodedokter, schedule id)."""
    kode = put_doctor(
        p.urls[0],
        p.staff,
        today(),
        name="Sehari",
        starts="00:00",
        ends="23:59",
        quota_jkn=quota_jkn,
    )
    return kode, f"sehari-{kode}"


# -- what each side sends ---------------------------------------------------------------------


@dataclass(frozen=True)
class Kiosk:
    """A kiosk's (or the desk's) visit: its ticket numbered online, its registration."""

    which: int
    ticket_id: str
    kodebooking: str
    item: dict[str, Any]


def kiosk_ticket(p: Pair, which: int, schedule_id: str, patient: Patient, *, desk: bool) -> Kiosk:
    """A JKN ticket of ``patient`` numbered by kiosk ``which`` with the doctor's place, and
    its registration as the kiosk's outbox sends it (not sent yet)."""
    ticket_id = new_id()
    place = {"schedule_id": schedule_id, "payer": "jkn"}
    made = requests.post(
        f"{p.urls[which]}/api/v1/tickets/allocate",
        json={"ticket_id": ticket_id, "service_id": POLI, "hospital": place},
        headers=bearer(p.kiosks[which]),
        timeout=30,
    )
    assert made.status_code == 201, made.text
    hospital = {**place, "norm": patient.norm, "nomorkartu": patient.nomorkartu}
    item = hospital_registration(
        ticket_id,
        made.json()["display"],
        "online",
        hospital,
        service_id=POLI,
        values={"nik": patient.nik},
        card_number=None,
    )
    if desk:
        item["body"]["desk"] = True
    return Kiosk(which, ticket_id, made.json()["hospital"]["kodebooking"], item)


def register(p: Pair, kiosk: Kiosk, session: requests.Session) -> dict[str, Any]:
    """Send the registration; what it did, as the centre keeps it for staff."""
    answer = session.post(
        f"{p.urls[kiosk.which]}/api/v1/submissions",
        json={"items": [kiosk.item]},
        headers=bearer(p.kiosks[kiosk.which]),
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    (done,) = answer.json()["results"]
    assert done["status"] == "accepted", done
    assert "hospital" not in done["result"], done  # the kiosk is told nothing of it
    return what_the_registration_did(p.db, kiosk.ticket_id)


def ambil(
    p: Pair, which: int, patient: Patient, kode: int, session: requests.Session
) -> tuple[int, int, str, dict[str, Any]]:
    """Mobile JKN books ``patient`` with doctor ``kode`` today on process ``which``:
    (HTTP status, metadata.code, message, response)."""
    body = ambil_body(
        {"nik": patient.nik, "nomorkartu": patient.nomorkartu, "norm": patient.norm},
        kode,
        today(),
        ALL_DAY,
    )
    answer = session.post(
        p.urls[which] + BASE + "/antrean",
        json=body,
        headers={"x-token": p.wsrs[which], "x-username": USERNAME},
        timeout=60,
    )
    got = answer.json()
    return answer.status_code, got["metadata"]["code"], got["metadata"]["message"], got


def at_once(*sends: tuple[str, Callable[[requests.Session], Any]]) -> list[Any]:
    """Each of ``sends`` (the server it talks to, what it sends) on a thread of its own
    with its connection made, released together by a barrier; their answers in order."""
    gate = threading.Barrier(len(sends))
    answers: list[Any] = [None] * len(sends)
    failures: list[BaseException] = []

    def run(i: int, url: str, send: Callable[[requests.Session], Any]) -> None:
        with requests.Session() as session:
            try:
                session.get(f"{url}/ready", timeout=30)  # the connection made before the gate
                gate.wait(timeout=60)
                answers[i] = send(session)
            except BaseException as exc:  # reported on the test's thread
                failures.append(exc)
                gate.abort()

    threads = [
        threading.Thread(target=run, args=(i, url, send)) for i, (url, send) in enumerate(sends)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return answers


# -- what the database holds afterwards -------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """What the database holds of one patient's day at Poli Anak."""

    live: list[Any]
    used: int
    places: int
    bookings: int
    citizens: int


def held(p: Pair, patient: Patient, schedule_id: str) -> Held:
    with p.db.read() as conn:
        who = conn.execute(select(citizens.c.id).where(citizens.c.nik == patient.nik)).all()
        keys = [hospital_visits.c.nik == patient.nik]
        if who:
            keys.append(hospital_visits.c.citizen_id == who[0].id)
        live = conn.execute(
            select(hospital_visits).where(
                or_(*keys),
                hospital_visits.c.service_id == POLI,
                hospital_visits.c.day == today(),
                hospital_visits.c.state != "cancelled",
            )
        ).all()
        used = conn.execute(
            select(doctor_quota.c.used_jkn).where(
                doctor_quota.c.schedule_id == schedule_id, doctor_quota.c.day == today()
            )
        ).scalar_one_or_none()
        places = conn.execute(
            select(func.count())
            .select_from(quota_takes)
            .where(quota_takes.c.schedule_id == schedule_id, quota_takes.c.released_at.is_(None))
        ).scalar_one()
        booked = conn.execute(
            select(func.count())
            .select_from(bookings)
            .join(citizens, citizens.c.id == bookings.c.citizen_id)
            .where(citizens.c.nik == patient.nik, bookings.c.state != "cancelled")
        ).scalar_one()
    return Held(list(live), int(used or 0), int(places), int(booked), len(who))


def held_for_the_desk(p: Pair, ticket_id: str) -> bool:
    """Whether ``ticket_id`` (its registration refused for its patient) holds its doctor's
    place till its ticket closes, held for nobody's day (central/hospital/visits.py)."""
    with p.db.read() as conn:
        take = conn.execute(select(quota_takes).where(quota_takes.c.ticket_id == ticket_id)).first()
    return take is not None and take.released_at is None and take.nik_hash is None


def calls_about(p: Pair, kiosk: Kiosk) -> int:
    """The calls to BPJS and SATUSEHAT written for ``kiosk``'s visit."""
    with p.db.read() as conn:
        return int(
            conn.execute(
                select(func.count())
                .select_from(integration_outbox)
                .where(
                    integration_outbox.c.order_key.in_(
                        [kiosk.kodebooking, f"encounter:{kiosk.ticket_id}"]
                    )
                )
            ).scalar_one()
        )


# -- the races over HTTP ----------------------------------------------------------------------


def test_a_kiosk_and_mobile_jkn_at_once_make_one_visit(pair: Pair) -> None:
    """The patient registers at a kiosk (process 0) as Mobile JKN books them (process 1)."""
    outcomes: Counter[str] = Counter()
    for round_ in range(ROUNDS):
        kode, sid = doctor(pair)
        patient = known_patient(pair) if round_ % 2 == 0 else unknown_patient()
        kiosk = kiosk_ticket(pair, 0, sid, patient, desk=False)
        said, (status, code, message, _) = at_once(
            (pair.urls[0], partial(register, pair, kiosk)),
            (pair.urls[1], partial(ambil, pair, 1, patient, kode)),
        )
        after = held(pair, patient, sid)
        assert len(after.live) == 1, (round_, said, message, after.live)
        assert status == 200, (status, message)
        (visit,) = after.live
        if visit.source == "mjkn":  # Mobile JKN first: the kiosk's ticket stays a plain one
            outcomes["mjkn"] += 1
            assert code in (200, 202), message
            assert said == visits.ALREADY_REGISTERED, said
            # the booking's place, and the one the kiosk's ticket holds till it closes
            assert (after.used, after.places) == (2, 2), (round_, after)
            assert held_for_the_desk(pair, kiosk.ticket_id), round_
            assert calls_about(pair, kiosk) == 0, "the refused registration wrote a call"
            assert after.bookings == 1
        else:  # the kiosk first: Mobile JKN hears the read's answer, nothing is left
            outcomes["kiosk"] += 1
            assert (after.used, after.places) == (1, 1), (round_, after)
            assert visit.ticket_id == kiosk.ticket_id
            assert said["kodebooking"] == kiosk.kodebooking, said
            assert (code, ALREADY in message) == (201, True), message
            assert after.bookings == 0, "the refused booking left its row"
            assert after.citizens == (1 if patient.norm else 0), "a refused booking's record"
            assert calls_about(pair, kiosk) > 0, "the kiosk's visit was never reported"
    assert sum(outcomes.values()) == ROUNDS, outcomes
    logs = pair.logs()
    assert "Traceback" not in logs, logs[-3000:]


def test_two_kiosks_at_once_make_one_visit(pair: Pair) -> None:
    """The same patient registered at a kiosk (process 0) and at the desk (process 1)."""
    for round_ in range(ROUNDS):
        _, sid = doctor(pair)
        patient = known_patient(pair) if round_ % 2 == 0 else unknown_patient()
        kiosk = kiosk_ticket(pair, 0, sid, patient, desk=False)
        desk = kiosk_ticket(pair, 1, sid, patient, desk=True)
        said = at_once(
            (pair.urls[0], partial(register, pair, kiosk)),
            (pair.urls[1], partial(register, pair, desk)),
        )
        after = held(pair, patient, sid)
        assert len(after.live) == 1, (round_, said, after.live)
        assert (after.used, after.places) == (2, 2), (round_, after)  # one held till it closes
        (visit,) = after.live
        ours = [kiosk, desk]
        winner = next(i for i, k in enumerate(ours) if k.ticket_id == visit.ticket_id)
        loser = 1 - winner
        assert said[winner]["kodebooking"] == ours[winner].kodebooking, said
        assert visit.source == ("kiosk", "desk")[winner]
        assert said[loser] == visits.ALREADY_REGISTERED, said
        assert calls_about(pair, ours[loser]) == 0, "the refused registration wrote a call"
        assert calls_about(pair, ours[winner]) > 0
        assert held_for_the_desk(pair, ours[loser].ticket_id), round_


# -- one after the other ----------------------------------------------------------------------


def test_a_kiosk_registration_after_a_mobile_jkn_booking_makes_no_second_visit(
    pair: Pair,
) -> None:
    """Booked in the app, then registered at the kiosk for the same poli (another doctor):
    the ticket stays a plain one, holding its place till it closes (and nobody's day),
    nothing reaches BPJS for it."""
    kode, booked_with = doctor(pair)
    _, other = doctor(pair)
    patient = known_patient(pair)
    with requests.Session() as session:
        assert ambil(pair, 1, patient, kode, session)[:2] == (200, 200)
    kiosk = kiosk_ticket(pair, 0, other, patient, desk=False)
    with requests.Session() as session:
        said = register(pair, kiosk, session)
    assert said == visits.ALREADY_REGISTERED
    assert " / " in said["detail"]
    assert len(held(pair, patient, booked_with).live) == 1
    refused = held(pair, patient, other)
    assert (refused.used, refused.places) == (1, 1), "the kiosk's place was given back"
    assert held_for_the_desk(pair, kiosk.ticket_id)
    assert calls_about(pair, kiosk) == 0


def test_one_batch_registering_a_patient_twice_makes_one_visit(pair: Pair) -> None:
    """A kiosk's outbox sends the patient's online ticket and an offline one of the same
    poli in one batch: the first is the visit; the second, numbered from a fallback, makes
    none and says why, its ticket holding a place of its own till it closes, as a visit
    would (and nobody's day)."""
    _, sid = doctor(pair)
    patient = known_patient(pair)
    online = kiosk_ticket(pair, 0, sid, patient, desk=False)
    offline_id = new_id()
    offline = hospital_registration(
        offline_id,
        f"N-{pair.codes[0]}-{next(_fallbacks)}",
        "fallback",
        {"schedule_id": sid, "payer": "jkn", "norm": patient.norm},
        service_id=POLI,
        values={"nik": patient.nik},
        card_number=None,
    )
    first, second = results(pair.urls[0], pair.kiosks[0], [online.item, offline])
    assert first["status"] == "accepted", first
    did = what_the_registration_did(pair.db, online.ticket_id)
    assert did["kodebooking"] == online.kodebooking, did
    assert second["status"] == "accepted", second
    did = what_the_registration_did(pair.db, offline_id)
    assert did == visits.ALREADY_REGISTERED, did
    after = held(pair, patient, sid)
    assert [v.ticket_id for v in after.live] == [online.ticket_id]
    assert (after.used, after.places) == (2, 2)
    assert held_for_the_desk(pair, offline_id)


def test_a_cancelled_visit_leaves_the_day_free(pair: Pair) -> None:
    """Registered, cancelled at the desk, registered again: the second visit is made."""
    _, sid = doctor(pair)
    patient = known_patient(pair)
    first = kiosk_ticket(pair, 0, sid, patient, desk=False)
    with requests.Session() as session:
        assert "kodebooking" in register(pair, first, session)
    cancel = {
        "key": f"cancel-{first.ticket_id}",
        "kind": "visit_cancel",
        "body": {
            "office_id": OFFICE,
            "ticket_id": first.ticket_id,
            "reason": "Salah poli",
            "cancelled_at": dt.datetime.now(ZONE).isoformat(),
        },
    }
    [done] = results(pair.urls[0], pair.kiosks[0], [cancel])
    assert done["result"]["cancel"] == "cancelled", done
    again = kiosk_ticket(pair, 1, sid, patient, desk=False)
    with requests.Session() as session:
        said = register(pair, again, session)
    assert said["kodebooking"] == again.kodebooking, said
    after = held(pair, patient, sid)
    assert [v.ticket_id for v in after.live] == [again.ticket_id]
    assert (after.used, after.places) == (1, 1)


def test_a_lapsed_mobile_jkn_booking_leaves_the_day_to_the_kiosk(pair: Pair) -> None:
    """A booking whose grace is over (the no-show tick has not come by yet) does not hold
    the day: the kiosk's registration closes it as a no-show and is made a visit."""
    kode, booked_with = doctor(pair)
    patient = known_patient(pair)
    with requests.Session() as session:
        status, code, _, got = ambil(pair, 1, patient, kode, session)
    assert (status, code) == (200, 200)
    with pair.db.begin() as conn:  # its doctor's hours and grace are over, as hours later
        conn.execute(
            update(bookings)
            .where(bookings.c.code == got["response"]["kodebooking"])
            .values(no_show_after=utc_now() - dt.timedelta(minutes=1))
        )
    kiosk = kiosk_ticket(pair, 0, booked_with, patient, desk=False)
    with requests.Session() as session:
        said = register(pair, kiosk, session)
    assert said["kodebooking"] == kiosk.kodebooking, said
    after = held(pair, patient, booked_with)
    assert [v.source for v in after.live] == ["kiosk"]
    assert (after.used, after.places) == (1, 1), "the lapsed booking gave its place back"


def _call_up_to(
    p: Pair, ticket_id: str, end: str | None, queue: str = POLI, counter: str = "Poli Anak"
) -> None:
    """Call ``queue`` at ``counter`` up to ``ticket_id`` (the earlier tickets of the queue
    served) and end that one with the counter's step ``end`` (``no-show``; or ``None``:
    left called)."""
    step = {"office_id": OFFICE, "service_id": queue, "counter": counter}
    while True:
        called = requests.post(
            f"{p.urls[0]}/api/v1/staff/queue/call-next",
            json=step,
            headers=bearer(p.staff),
            timeout=30,
        )
        assert called.status_code == 200, called.text
        ticket = called.json()["ticket"]
        assert ticket is not None, "the ticket was never called"
        if ticket["ticket_id"] == ticket_id and end is None:
            return
        last = ticket["ticket_id"] == ticket_id
        finished = requests.post(
            f"{p.urls[0]}/api/v1/staff/tickets/{ticket['ticket_id']}/{end if last else 'served'}",
            headers=bearer(p.staff),
            timeout=30,
        )
        assert finished.status_code == 200, finished.text
        if last:
            return


def _call_to_no_show(p: Pair, ticket_id: str) -> None:
    """Call Poli Anak's queue up to ``ticket_id`` and mark its holder as not come: the
    counter's ``no-show``, the end of that ticket."""
    _call_up_to(p, ticket_id, "no-show")


def test_a_visit_whose_patient_did_not_come_when_called_leaves_the_day_free(pair: Pair) -> None:
    """Called at the poli and marked no-show (BPJS told task 99, the visit is over), the
    patient comes back and registers again: the day is not held by the visit that ended,
    at the kiosk as in Mobile JKN; the no-show's place is given back."""
    kode, sid = doctor(pair)
    patient = known_patient(pair)
    first = kiosk_ticket(pair, 0, sid, patient, desk=False)
    with requests.Session() as session:
        assert "kodebooking" in register(pair, first, session)
    _call_to_no_show(pair, first.ticket_id)
    after = held(pair, patient, sid)
    assert after.live == [], "a visit whose patient did not come still holds the day"
    assert (after.used, after.places) == (0, 0), "the no-show kept its place"
    with pair.db.read() as conn:
        ended = conn.execute(
            select(hospital_visits.c.state, hospital_visits.c.cancel_reason).where(
                hospital_visits.c.ticket_id == first.ticket_id
            )
        ).one()
    assert tuple(ended) == ("cancelled", visits.NO_SHOW_REASON)
    again = kiosk_ticket(pair, 1, sid, patient, desk=False)
    with requests.Session() as session:
        said = register(pair, again, session)
    assert said.get("kodebooking") == again.kodebooking, said
    _call_to_no_show(pair, again.ticket_id)
    with requests.Session() as session:
        status, code, message, _ = ambil(pair, 1, patient, kode, session)
    assert (status, code) == (200, 200), message
    assert [v.source for v in held(pair, patient, sid).live] == ["mjkn"]


def test_a_no_show_at_the_pharmacy_after_the_doctor_leaves_the_visit_as_it_was(
    pair: Pair,
) -> None:
    """Seen by the doctor, then sent to the pharmacy and not come when called there: the
    visit happened, so it keeps its place and the patient's day at the poli (only a
    no-show in the poli's own queue ends it)."""
    _, sid = doctor(pair)
    patient = known_patient(pair)
    seen = kiosk_ticket(pair, 0, sid, patient, desk=False)
    with requests.Session() as session:
        assert "kodebooking" in register(pair, seen, session)
    _call_up_to(pair, seen.ticket_id, None)  # at the poli, called: the doctor sees her
    sent_on = requests.post(
        f"{pair.urls[0]}/api/v1/staff/tickets/{seen.ticket_id}/transfer",
        json={"counter": "Poli Anak", "service_id": "farmasi"},
        headers=bearer(pair.staff),
        timeout=30,
    )
    assert sent_on.status_code == 200, sent_on.text
    _call_up_to(pair, seen.ticket_id, "no-show", "farmasi", "Farmasi")
    after = held(pair, patient, sid)
    assert [v.ticket_id for v in after.live] == [seen.ticket_id], "the seen visit was closed"
    assert (after.used, after.places) == (1, 1), "the seen visit's place was given back"


# -- the race made certain (PostgreSQL: one writer at a time on SQLite) -----------------------


def _visits_read(statement: str) -> bool:
    """Whether ``statement`` reads the patient's live visits of the day."""
    return "hospital_visits.day" in statement and "hospital_visits.state" in statement


def _places_read(statement: str) -> bool:
    """Whether ``statement`` reads the places held for the patient that day."""
    return "quota_takes.nik_hash" in statement and "quota_takes.released_at" in statement


def _commit_between(
    p: Pair,
    conn: Any,
    work: Callable[[], Any],
    meanwhile: Callable[[Any], None],
    read: Callable[[str], bool] = _visits_read,
) -> Any:
    """``work`` on ``conn``; once it has read the patient's live visits of the day (or
    what ``read`` tells), ``meanwhile`` is run and committed on another connection,
    before the insert."""
    done: list[bool] = []

    def commit_the_other(*args: Any) -> None:
        statement = str(args[2])
        if not done and statement.lstrip().startswith("SELECT") and read(statement):
            done.append(True)
            with p.db.begin() as other:
                meanwhile(other)

    event.listen(conn, "after_cursor_execute", commit_the_other)
    try:
        return work()
    finally:
        event.remove(conn, "after_cursor_execute", commit_the_other)
        assert done, "the patient's day was never read"


def _other_visit(conn: Any, patient: Patient, schedule_id: str, source: str) -> None:
    """A visit of ``patient`` at Poli Anak today, as another registration stores it."""
    citizen = conn.execute(
        select(citizens.c.id).where(citizens.c.nik == patient.nik)
    ).scalar_one_or_none()
    ticket = new_id() if source != "mjkn" else None
    conn.execute(
        insert(hospital_visits).values(
            ticket_id=ticket,
            kodebooking=new_id()[:16],
            office_id=OFFICE,
            service_id=POLI,
            schedule_id=schedule_id,
            kodepoli=KODEPOLI,
            kodedokter="1",
            doctor_name="dr. Lain",
            jampraktek=ALL_DAY,
            day=today(),
            payer="jkn",
            citizen_id=citizen,
            nik=patient.nik,
            new_patient=False,
            jeniskunjungan=1,
            nomorantrean=f"{KODEPOLI}-099",
            angkaantrean=99,
            estimated_at="08:00",
            source=source,
            state="registered" if source != "mjkn" else "booked",
            over_quota=False,
            created_at=utc_now(),
        )
    )


def test_a_booking_that_loses_the_day_between_its_read_and_its_insert_leaves_nothing(
    pair: Pair,
) -> None:
    if pair.db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: no commit between a read and an insert")
    for patient in (known_patient(pair), unknown_patient()):
        kode, sid = doctor(pair)
        req = AmbilAntrean(
            kodepoli=KODEPOLI,
            kodedokter=kode,
            tanggalperiksa=today(),
            starts="00:00",
            ends="23:59",
            jeniskunjungan=1,
            nomorreferensi="0001R0040116A000001",
            nomorkartu=patient.nomorkartu,
            nik=patient.nik,
            nohp="081234567890",
            norm=patient.norm,
        )
        with pair.db.begin() as conn:
            answer = _commit_between(
                pair,
                conn,
                partial(_ambil, conn, req, audit_key=KEY, zone=ZONE, now=utc_now(), actor=USERNAME),
                partial(_other_visit, patient=patient, schedule_id=sid, source="kiosk"),
            )
        assert answer["metadata"]["code"] == 201, answer
        assert ALREADY in answer["metadata"]["message"]
        after = held(pair, patient, sid)
        assert [v.source for v in after.live] == ["kiosk"]
        assert (after.used, after.places, after.bookings) == (0, 0, 0), after
        assert after.citizens == (1 if patient.norm else 0), "the refused booking's record"


def test_a_registration_that_loses_the_day_between_its_read_and_its_insert_leaves_nothing(
    pair: Pair,
) -> None:
    """An offline kiosk's registration (it takes its place with the visit): refused by
    the database, it answers ``already_registered``, no call is left, and its ticket
    holds a place till it closes as any refused registration's does (nobody's day)."""
    if pair.db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: no commit between a read and an insert")
    for patient in (known_patient(pair), unknown_patient()):
        _, sid = doctor(pair)
        ticket_id = new_id()
        request = HospitalRequest(
            schedule_id=sid, payer=Payer.JKN, norm=patient.norm, nomorkartu=patient.nomorkartu
        )
        with pair.db.begin() as conn:
            said = _commit_between(
                pair,
                conn,
                partial(
                    visits.register,
                    conn,
                    office_id=OFFICE,
                    ticket_id=ticket_id,
                    service_id=POLI,
                    day=today(),
                    request=request,
                    body={"values": {"nik": patient.nik}},
                    now=utc_now(),
                    audit_key=KEY,
                ),
                partial(_other_visit, patient=patient, schedule_id=sid, source="mjkn"),
            )
        assert said == visits.ALREADY_REGISTERED, said
        after = held(pair, patient, sid)
        assert [v.source for v in after.live] == ["mjkn"]
        with pair.db.read() as conn:
            take = conn.execute(
                select(quota_takes).where(quota_takes.c.ticket_id == ticket_id)
            ).first()
            calls = conn.execute(
                select(func.count())
                .select_from(integration_outbox)
                .where(
                    integration_outbox.c.order_key.in_(
                        [quota.kodebooking_for(ticket_id, today()), f"encounter:{ticket_id}"]
                    )
                )
            ).scalar_one()
        assert take is not None and take.released_at is None, take
        assert take.nik_hash is None, "the refused ticket's place holds the patient's day"
        assert (after.used, calls) == (1, 0), after


# -- before the visit: the place an allocate holds for the patient ----------------------------

#: Pairs of allocates for one patient sent at once (fewer than a kiosk's 30 refused
#: patient checks an hour, which would lock its checks: fresh kiosks for each test).
PAIRS = 20


def fresh_kiosks(p: Pair) -> tuple[tuple[str, str], tuple[str, str]]:
    """A kiosk of the hospital enrolled on each process: ((token, code), (token, code))."""
    return hospital_kiosk(p.urls[0]), hospital_kiosk(p.urls[1])


def allocate_for(
    p: Pair,
    which: int,
    token: str,
    schedule_id: str,
    keys: dict[str, str],
    ticket_id: str,
    session: requests.Session,
) -> requests.Response:
    """Number ``ticket_id`` online on process ``which`` with a JKN place of the doctor,
    naming the patient by ``keys``, as the kiosk ``token``'s allocate carries them."""
    place = {"schedule_id": schedule_id, "payer": "jkn", **keys}
    return session.post(
        f"{p.urls[which]}/api/v1/tickets/allocate",
        json={"ticket_id": ticket_id, "service_id": POLI, "hospital": place},
        headers=bearer(token),
        timeout=60,
    )


def named_twice(patient: Patient, round_: int) -> tuple[dict[str, str], dict[str, str]]:
    """The keys two kiosks name ``patient`` by: the same ones, or different keys of the
    one person (a No. RM on one side, the NIK and name on the other; a BPJS card
    number against a No. RM), as two relatives at two kiosks might type them."""
    every = patient.keys()
    if not patient.norm:  # a patient the city does not know yet: the NIK names them
        return every, {"nik": patient.nik}
    ways = (
        (every, every),
        ({"norm": patient.norm}, {"nik": patient.nik, "full_name": patient.full_name}),
        ({"nomorkartu": patient.nomorkartu}, {"norm": patient.norm}),
    )
    return ways[round_ % len(ways)]


def left_behind(p: Pair, ticket_ids: list[str]) -> tuple[set[str], set[str]]:
    """Of ``ticket_ids``: those the centre numbered, and those holding a place now."""
    with p.db.read() as conn:
        numbered = set(
            conn.execute(select(tickets.c.id).where(tickets.c.id.in_(ticket_ids))).scalars()
        )
        placed = set(
            conn.execute(
                select(quota_takes.c.ticket_id).where(
                    quota_takes.c.ticket_id.in_(ticket_ids), quota_takes.c.released_at.is_(None)
                )
            ).scalars()
        )
    return numbered, placed


def test_two_allocates_for_one_patient_at_once_number_one_ticket(pair: Pair) -> None:
    """Two kiosks (one on each process) number a ticket for one patient at the same
    moment, before any registration: at one doctor (every other pair) or at two doctors
    of the poli, whose counters do not make them wait on each other."""
    (first, _), (second, _) = fresh_kiosks(pair)
    _, one = doctor(pair, quota_jkn=PAIRS + 5)
    _, other = doctor(pair, quota_jkn=PAIRS + 5)
    won: Counter[int] = Counter()
    for round_ in range(PAIRS):
        patient = unknown_patient() if round_ % 4 == 3 else known_patient(pair)
        keys = named_twice(patient, round_)
        doctors = (one, one) if round_ % 2 == 0 else (one, other)
        ids = [new_id(), new_id()]
        said = at_once(
            *(
                (
                    pair.urls[i],
                    partial(allocate_for, pair, i, (first, second)[i], doctors[i], keys[i], ids[i]),
                )
                for i in (0, 1)
            )
        )
        statuses = [answer.status_code for answer in said]
        assert sorted(statuses) == [201, 409], (round_, [answer.text for answer in said])
        winner = statuses.index(201)
        refused = said[1 - winner].json()
        assert refused["error"] == "already_registered", (round_, refused)
        assert "sudah terdaftar di poli ini hari ini" in refused["detail"], refused
        numbered, placed = left_behind(pair, ids)
        assert numbered == placed == {ids[winner]}, (round_, numbered, placed)
        won[winner] += 1
    assert sum(won.values()) == PAIRS, won
    logs = pair.logs()
    assert "Traceback" not in logs, logs[-3000:]


def test_the_place_an_allocate_holds_is_the_patients_day_until_given_back(pair: Pair) -> None:
    """The patient's ticket numbered online, its registration not arrived yet: the
    place it holds refuses the patient a second one anywhere (a kiosk's allocate, an
    offline kiosk's registration, Mobile JKN); its own registration makes the visit;
    given back (a void, a cancel at the desk), it holds the patient no longer."""
    (first, _), (second, second_code) = fresh_kiosks(pair)
    kode, sid = doctor(pair)
    _, elsewhere = doctor(pair)
    patient = known_patient(pair)

    def allocate_at(which: int, schedule_id: str) -> tuple[str, requests.Response]:
        ticket_id = new_id()
        with requests.Session() as session:
            answer = allocate_for(
                pair, which, (first, second)[which], schedule_id, patient.keys(), ticket_id, session
            )
        return ticket_id, answer

    holding, made = allocate_at(0, sid)
    assert made.status_code == 201, made.text
    for which, schedule_id in ((0, sid), (1, sid), (1, elsewhere)):
        ticket_id, again = allocate_at(which, schedule_id)
        assert (again.status_code, again.json()["error"]) == (409, "already_registered")
        assert left_behind(pair, [ticket_id]) == (set(), set())

    # an offline kiosk's registration of the patient makes no visit; its ticket holds a
    # place till it closes, not the patient's day (numbered again below once the first goes)
    offline_id = new_id()
    offline = hospital_registration(
        offline_id,
        f"N-{second_code}-{next(_fallbacks)}",
        "fallback",
        {"schedule_id": elsewhere, "payer": "jkn", "norm": patient.norm},
        service_id=POLI,
        values={"nik": patient.nik},
        card_number=None,
    )
    [done] = results(pair.urls[1], second, [offline])
    assert done["status"] == "accepted", done
    assert what_the_registration_did(pair.db, offline_id) == visits.ALREADY_REGISTERED
    assert held_for_the_desk(pair, offline_id)
    # nor does Mobile JKN book them
    with requests.Session() as session:
        status, code, message, _ = ambil(pair, 1, patient, kode, session)
    assert (status, code, ALREADY in message) == (200, 201, True), message
    assert held(pair, patient, sid).bookings == 0

    # given back: the kiosk never kept its ticket
    voided = requests.post(
        f"{pair.urls[0]}/api/v1/tickets/{holding}/void", headers=bearer(first), timeout=30
    )
    assert voided.status_code == 200, voided.text
    kept, made = allocate_at(1, elsewhere)
    assert made.status_code == 201, "a place given back still held the patient's day"
    # its own registration is no second place: the visit is made on it
    item = hospital_registration(
        kept,
        made.json()["display"],
        "online",
        {"schedule_id": elsewhere, "payer": "jkn", "norm": patient.norm},
        service_id=POLI,
        values={"nik": patient.nik},
        card_number=None,
    )
    [done] = results(pair.urls[1], second, [item])
    assert done["status"] == "accepted", done
    did = what_the_registration_did(pair.db, kept)
    assert did["kodebooking"] == made.json()["hospital"]["kodebooking"], did
    _, again = allocate_at(0, sid)
    assert (again.status_code, again.json()["error"]) == (409, "already_registered")
    # cancelled at the desk: the day is free again
    cancel = {
        "key": f"cancel-{kept}",
        "kind": "visit_cancel",
        "body": {
            "office_id": OFFICE,
            "ticket_id": kept,
            "reason": "Salah poli",
            "cancelled_at": dt.datetime.now(ZONE).isoformat(),
        },
    }
    [done] = results(pair.urls[1], second, [cancel])
    assert done["result"]["cancel"] == "cancelled", done
    _, made = allocate_at(0, sid)
    assert made.status_code == 201, made.text


def _other_place(conn: Any, *, key: str, schedule_id: str, holder: str | None) -> None:
    """A place at Poli Anak today held for ``holder``, as another allocate takes it."""
    conn.execute(
        insert(quota_takes).values(
            ticket_id=key,
            schedule_id=schedule_id,
            day=today(),
            payer="jkn",
            angka=99,
            kodebooking=key[:16],
            taken_at=utc_now(),
            service_id=POLI,
            nik_hash=holder,
        )
    )


def test_an_allocate_that_loses_its_patients_place_between_its_read_and_its_take_uses_none(
    pair: Pair,
) -> None:
    """Another allocate's place for the patient is committed after this one read the
    patient's places and before it took its own: the database refuses the second place,
    and the allocate is ``already_registered`` with nothing taken."""
    if pair.db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: no commit between a read and an insert")
    for patient in (known_patient(pair), unknown_patient()):
        _, sid = doctor(pair)
        ticket_id, theirs = new_id(), new_id()
        keys = PatientKeys(nik=patient.nik, norm=patient.norm)
        with pair.db.begin() as conn, pytest.raises(AlreadyRegistered):
            _commit_between(
                pair,
                conn,
                partial(
                    visits.take_for_ticket,
                    conn,
                    OFFICE,
                    ticket_id,
                    POLI,
                    sid,
                    Payer.JKN,
                    today(),
                    utc_now(),
                    dt.time(12, 0),
                    keys,
                    audit_key=KEY,
                ),
                partial(
                    _other_place,
                    key=theirs,
                    schedule_id=sid,
                    holder=visits.holder(KEY, patient.nik),
                ),
                _places_read,
            )
        assert left_behind(pair, [ticket_id, theirs]) == (set(), {theirs})
        with pair.db.read() as conn:
            used = conn.execute(
                select(doctor_quota.c.used_jkn).where(doctor_quota.c.schedule_id == sid)
            ).scalar_one_or_none()
        assert not used, "the refused allocate counted a place"


# -- every way a place is given back frees the patient's day ----------------------------------


def _numbered_again(p: Pair, schedule_id: str, patient: Patient) -> requests.Response:
    """The patient's allocate at another kiosk (process 1), as one who came back."""
    (_, _), (token, _) = fresh_kiosks(p)
    with requests.Session() as session:
        return allocate_for(p, 1, token, schedule_id, patient.keys(), new_id(), session)


def visit_cancel_of(ticket_id: str) -> dict[str, Any]:
    """The desk's cancel of the visit of ``ticket_id``, as its outbox sends it."""
    return {
        "key": f"cancel-{ticket_id}",
        "kind": "visit_cancel",
        "body": {
            "office_id": OFFICE,
            "ticket_id": ticket_id,
            "reason": "Pasien batal",
            "cancelled_at": dt.datetime.now(ZONE).isoformat(),
        },
    }


def _checked_in(p: Pair, patient: Patient, schedule_id: str, kode: int) -> tuple[str, str]:
    """``patient`` booked in Mobile JKN with doctor ``kode``, then checked in at a fresh
    kiosk of process 0 (the booking's visit bound to its ticket): (kiosk token, ticket id)."""
    with requests.Session() as session:
        status, code, message, got = ambil(p, 0, patient, kode, session)
    assert (status, code) == (200, 200), message
    booking = got["response"]["kodebooking"]
    (token, _), _ = fresh_kiosks(p)
    ticket_id = new_id()
    plain = requests.post(
        f"{p.urls[0]}/api/v1/tickets/allocate",
        json={"ticket_id": ticket_id, "service_id": POLI},
        headers=bearer(token),
        timeout=30,
    )
    assert plain.status_code == 201, plain.text
    item = hospital_registration(
        ticket_id,
        plain.json()["display"],
        "online",
        {"schedule_id": schedule_id, "payer": "jkn", "norm": patient.norm},
        service_id=POLI,
        values={"nik": patient.nik},
        card_number=None,
    )
    item["body"]["booking_code"] = booking
    [checked_in] = results(p.urls[0], token, [item])
    assert checked_in["result"]["booking"] == "checked_in", checked_in
    return token, ticket_id


def test_a_mobile_jkn_visit_checked_in_then_cancelled_at_the_desk_frees_the_day(
    pair: Pair,
) -> None:
    """Booked in Mobile JKN, checked in at a kiosk, then cancelled at the desk: the place
    is the booking's, and it is given back with the visit, so it holds the patient's day
    no longer (nor the doctor's quota)."""
    kode, sid = doctor(pair)
    patient = known_patient(pair)
    token, ticket_id = _checked_in(pair, patient, sid, kode)
    [done] = results(pair.urls[0], token, [visit_cancel_of(ticket_id)])
    assert done["result"]["cancel"] == "cancelled", done
    after = held(pair, patient, sid)
    assert after.live == [], after.live
    assert (after.used, after.places) == (0, 0), "the cancelled booking kept its place"
    again = _numbered_again(pair, sid, patient)
    assert again.status_code == 201, f"the day stays held after the cancel: {again.text}"


def test_a_mobile_jkn_visit_checked_in_at_a_kiosk_is_that_kiosks_to_cancel(pair: Pair) -> None:
    """The visit of a Mobile JKN booking checked in at a kiosk is bound to that kiosk's
    ticket: another kiosk of the hospital cancelling that ticket id is answered
    ``unknown_visit``, as for a ticket that does not exist, and the visit, its place and
    the patient's day stay; the kiosk that checked it in still cancels it."""
    kode, sid = doctor(pair)
    patient = known_patient(pair)
    token, ticket_id = _checked_in(pair, patient, sid, kode)
    before = held(pair, patient, sid)
    assert [v.ticket_id for v in before.live] == [ticket_id], before.live
    _, (other, _) = fresh_kiosks(pair)
    [refused] = results(pair.urls[1], other, [visit_cancel_of(ticket_id)])
    assert refused["result"]["cancel"] == "unknown_visit", refused
    after = held(pair, patient, sid)
    assert [v.ticket_id for v in after.live] == [ticket_id], after.live
    assert (after.used, after.places) == (before.used, before.places)
    [done] = results(pair.urls[0], token, [visit_cancel_of(ticket_id)])
    assert done["result"]["cancel"] == "cancelled", done
    assert held(pair, patient, sid).live == []


def _allocated(p: Pair, schedule_id: str, patient: Patient) -> tuple[str, dict[str, Any]]:
    """A JKN ticket of ``patient`` numbered online on process 0 by a fresh kiosk, the
    patient named in its allocate, and its registration as its outbox will send it (not
    sent yet): ``(kiosk token, item)``."""
    (token, _), _ = fresh_kiosks(p)
    ticket_id = new_id()
    with requests.Session() as session:
        made = allocate_for(p, 0, token, schedule_id, patient.keys(), ticket_id, session)
    assert made.status_code == 201, made.text
    item = hospital_registration(
        ticket_id,
        made.json()["display"],
        "online",
        {"schedule_id": schedule_id, "payer": "jkn", "norm": patient.norm},
        service_id=POLI,
        values={"nik": patient.nik},
        card_number=None,
    )
    return token, item


def test_a_ticket_not_come_when_called_before_its_registration_arrived_frees_the_day(
    pair: Pair,
) -> None:
    """Numbered online with the doctor's place, its kiosk offline before the registration
    left: the poli calls the ticket and marks it not come (the patient went home). The
    place is given back as a visit's would be, so the patient who comes back is numbered
    again; the old registration, arriving at last, makes no visit beside the new one."""
    _, sid = doctor(pair)
    patient = known_patient(pair)
    token, item = _allocated(pair, sid, patient)
    gone = item["key"]
    _call_to_no_show(pair, gone)
    after = held(pair, patient, sid)
    assert (after.used, after.places) == (0, 0), "the ticket not come kept its place"
    again = _numbered_again(pair, sid, patient)
    assert again.status_code == 201, f"the day stays held by the no-show: {again.text}"
    [late] = results(pair.urls[0], token, [item])
    assert late["status"] == "accepted", late
    assert what_the_registration_did(pair.db, gone) == visits.ALREADY_REGISTERED
    assert left_behind(pair, [gone])[1] == set(), "the late registration took a place"


def test_a_registration_arriving_after_its_ticket_was_not_come_makes_no_live_visit(
    pair: Pair,
) -> None:
    """Marked not come at the poli before its registration arrived: the registration
    makes the visit (BPJS hears the steps it missed, task 99 among them) and the visit
    ends as the no-show ended the ticket, its place given back: the patient's day is free
    again (Mobile JKN books them)."""
    kode, sid = doctor(pair)
    patient = known_patient(pair)
    token, item = _allocated(pair, sid, patient)
    gone = item["key"]
    _call_to_no_show(pair, gone)
    [late] = results(pair.urls[0], token, [item])
    assert late["status"] == "accepted", late
    assert "kodebooking" in what_the_registration_did(pair.db, item["key"])
    with pair.db.read() as conn:
        ended = conn.execute(
            select(hospital_visits.c.state, hospital_visits.c.cancel_reason).where(
                hospital_visits.c.ticket_id == gone
            )
        ).one()
    assert tuple(ended) == ("cancelled", visits.NO_SHOW_REASON)
    after = held(pair, patient, sid)
    assert after.live == [], "a visit whose ticket was not come holds the day"
    assert (after.used, after.places) == (0, 0), "the no-show kept its place"
    with requests.Session() as session:
        status, code, message, _ = ambil(pair, 1, patient, kode, session)
    assert (status, code) == (200, 200), f"the day stays held by the no-show: {message}"


def test_a_registration_arriving_after_its_ticket_was_served_makes_a_visit_done(
    pair: Pair,
) -> None:
    """Served at the poli before its registration arrived: the visit it makes is ``done``
    at once, as it would be had it been known when the doctor saw the patient."""
    _, sid = doctor(pair)
    patient = known_patient(pair)
    token, item = _allocated(pair, sid, patient)
    _call_up_to(pair, item["key"], "served")
    [late] = results(pair.urls[0], token, [item])
    assert late["status"] == "accepted", late
    assert "kodebooking" in what_the_registration_did(pair.db, item["key"])
    after = held(pair, patient, sid)
    assert [(v.ticket_id, v.state) for v in after.live] == [(item["key"], "done")]
    assert (after.used, after.places) == (1, 1), "the visit seen gave its place back"
