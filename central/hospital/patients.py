"""A hospital's patients: found by No. RM, NIK, BPJS number or name with date of birth; new ones.

A patient is a citizen of the city's registry (``citizens``); their No. RM
is the office's own (``medical_records``). Every find is a lookup: it counts
against the kiosk's hourly budget (:mod:`central.access.lookup_budget`; a
miss or a wrong date of birth also counts as a miss), and is audited in
``citizen_lookups`` as kind ``patient`` with a keyed hash of what was asked,
never the value. An unknown key and a wrong date of birth answer alike.

A new patient gets the office's next No. RM (6 digits) from one row per
office in ``norm_sequence``, taken with ``UPDATE … SET last = last + 1
RETURNING last``: one sequence, safe across processes on both databases.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, insert, or_, select, update

from central.access import limits
from central.access.audit import record_lookup
from central.access.credentials import keyed_hash
from central.access.limits import Subject
from central.access.lookup_budget import LookupBudget
from central.errors import Forbidden, Unprocessable
from central.hospital import schedules
from central.tables import citizens, medical_records, norm_sequence
from central.upsert import dialect_insert
from contract.errors import NikError
from contract.nik import FEMALE_DAY_OFFSET, Sex, parse_nik

log = logging.getLogger(__name__)

#: Names found at most for one name and date of birth.
MAX_BY_NAME = 10
NORM_DIGITS = 6


class FindBy(StrEnum):
    NORM = "norm"
    NIK = "nik"
    NOMORKARTU = "nomorkartu"
    NAME = "name"


@dataclass(frozen=True)
class Patient:
    norm: str
    nik: str = field(repr=False)
    nomorkartu: str = field(repr=False)
    name: str = field(repr=False)
    birth_date: dt.date = field(repr=False)
    sex: str = field(repr=False)
    phone: str = field(repr=False)
    address: str = field(repr=False)


@dataclass(frozen=True)
class Refused:
    """The kiosk's lookup budget is used up: try again after ``retry_after_s``."""

    retry_after_s: int


@dataclass(frozen=True)
class Found:
    """The patients found (at most :data:`MAX_BY_NAME`), and whether more match (``more``):
    a name search then asks for more letters, never silently shows ten of many."""

    patients: list[Patient]
    more: bool = False


@dataclass(frozen=True)
class Malformed:
    """A key of the wrong shape (422 with ``detail``): counted and audited all the same."""

    detail: str


@dataclass(frozen=True)
class BpjsTaken:
    """The BPJS number given for a new patient is another citizen's (409)."""


def _check_new(patient: NewPatient) -> None:
    """Refuse (422) a NIK that cannot exist, or a date of birth or sex it disagrees with."""
    if _nik_date_and_sex(patient.nik) is None:
        raise Unprocessable("NIK tidak sah. / The NIK cannot exist.")
    if patient.sex not in ("L", "P"):
        raise Unprocessable("Jenis kelamin L atau P. / sex: L or P.")
    if not parse_nik(patient.nik).matches(
        patient.birth_date, Sex.FEMALE if patient.sex == "P" else Sex.MALE
    ):
        raise Unprocessable(
            "Tanggal lahir atau jenis kelamin tidak sesuai NIK. / "
            "The date of birth or sex does not agree with the NIK."
        )


@dataclass(frozen=True)
class NewPatient:
    nik: str = field(repr=False)
    name: str = field(repr=False)
    birth_date: dt.date = field(repr=False)
    sex: str = field(repr=False)
    nomorkartu: str = field(default="", repr=False)
    phone: str = field(default="", repr=False)
    address: str = field(default="", repr=False)


def _nik_date_and_sex(nik: str) -> tuple[dt.date, str] | None:
    try:
        parsed = parse_nik(nik)
    except NikError:
        return None
    return parsed.birth_date, "P" if parsed.sex is Sex.FEMALE else "L"


def _born_on(row: Any, birth_date: dt.date) -> bool:
    """The registry's date of birth if it has one, else the NIK's (day, month, two-digit year)."""
    if row.birth_date is not None:
        return bool(row.birth_date == birth_date)
    try:
        parsed = parse_nik(row.nik)
    except NikError as exc:
        log.error("a registered citizen's NIK is unusable: %s", exc)  # never its digits
        return False
    return parsed.matches(birth_date, parsed.sex)


def _patient(row: Any, norm: str | None) -> Patient:
    from_nik = _nik_date_and_sex(row.nik)
    born = row.birth_date or (from_nik[0] if from_nik else None)
    return Patient(
        norm=norm or "",
        nik=row.nik,
        nomorkartu=row.bpjs_number or "",
        name=row.full_name,
        birth_date=born or dt.date(1900, 1, 1),
        sex=row.sex or (from_nik[1] if from_nik else ""),
        phone=row.phone or "",
        address=row.address or "",
    )


def norm_of(conn: Connection, citizen_id: int, office_id: str) -> str | None:
    return conn.execute(
        select(medical_records.c.medical_record_number).where(
            medical_records.c.citizen_id == citizen_id, medical_records.c.office_id == office_id
        )
    ).scalar_one_or_none()


def _nik_birth_digits(birth_date: dt.date) -> list[str]:
    """The ``DDMMYY`` a NIK carries for this date of birth: a man's day, a woman's day + 40."""
    rest = f"{birth_date.month:02d}{birth_date.year % 100:02d}"
    return [f"{birth_date.day:02d}{rest}", f"{birth_date.day + FEMALE_DAY_OFFSET:02d}{rest}"]


def _born_on_sql(birth_date: dt.date) -> ColumnElement[bool]:
    """:func:`_born_on` as SQL, so a name search filters by date of birth before its limit.

    The registry's date of birth when it has one; else the NIK's digits 7–12
    (``substr`` is 1-based on SQLite and PostgreSQL alike).
    """
    return or_(
        citizens.c.birth_date == birth_date,
        and_(
            citizens.c.birth_date.is_(None),
            func.substr(citizens.c.nik, 7, 6).in_(_nik_birth_digits(birth_date)),
        ),
    )


def _candidates(
    conn: Connection, office_id: str, by: FindBy, value: str, birth_date: dt.date
) -> list[Any]:
    if by is FindBy.NORM:
        query = (
            select(citizens)
            .join(medical_records, medical_records.c.citizen_id == citizens.c.id)
            .where(
                medical_records.c.office_id == office_id,
                medical_records.c.medical_record_number == value,
            )
        )
    elif by is FindBy.NIK:
        query = select(citizens).where(citizens.c.nik == value)
    elif by is FindBy.NOMORKARTU:
        query = select(citizens).where(citizens.c.bpjs_number == value)
    else:
        query = (
            select(citizens)
            .where(
                func.lower(citizens.c.full_name).contains(value.lower(), autoescape=True),
                _born_on_sql(birth_date),
            )
            .order_by(citizens.c.full_name, citizens.c.id)
            # The date of birth is filtered above, so the limit cuts only true matches;
            # one more than is answered tells that there are more.
            .limit(MAX_BY_NAME + 1)
        )
    return list(conn.execute(query))


def check_key(by: FindBy, value: str) -> str:
    """The key as searched, or 422 with what is wrong (Indonesian, then English)."""
    value = value.strip()
    if by is FindBy.NIK and not re.fullmatch(r"[0-9]{16}", value):
        raise Unprocessable("NIK harus 16 angka. / A NIK is 16 digits.")
    if by is FindBy.NOMORKARTU and not re.fullmatch(r"[0-9]{13}", value):
        raise Unprocessable("Nomor kartu BPJS harus 13 angka. / A BPJS number is 13 digits.")
    if by is FindBy.NORM and not 1 <= len(value) <= 32:
        raise Unprocessable("No. RM 1 sampai 32 karakter. / A No. RM is 1 to 32 characters.")
    if by is FindBy.NAME and not 3 <= len(value) <= 200:
        raise Unprocessable(
            "Nama minimal 3 huruf. / Give at least 3 letters of the name (at most 200)."
        )
    return value


def require_hospital(conn: Connection, office_id: str) -> None:
    """Refuse (403) a kiosk of an office with no poli: it has no patients to find or add."""
    if not schedules.polis(conn, office_id):
        raise Forbidden(
            "Kantor ini bukan rumah sakit: tidak ada pencarian pasien. / "
            "This office is not a hospital: it has no patients to look up."
        )


def kiosk_view(patient: Patient) -> Patient:
    """What a self-service kiosk is told: what registering needs, no phone, no address.

    The NIK stays (the registration's identity, and BPJS's ``nik``); the phone
    and address are the desk's, where a clerk checks them with the patient.
    """
    return replace(patient, phone="", address="")


def find(
    conn: Connection,
    by: FindBy,
    value: str,
    birth_date: dt.date,
    *,
    office_id: str,
    kiosk_id: str,
    audit_key: bytes,
    budget: LookupBudget | None,
    now: dt.datetime,
    desk: bool = False,
) -> Found | Refused | Malformed:
    """The patients the key and date of birth name (an empty :class:`Found`: none);
    counted and audited, a key of the wrong shape too (:class:`Malformed`).

    Only a hospital's kiosks ask; only a desk (``desk``: the kiosk's role, as staff
    enrolled it, never a request's word) searches by name and is told the phone and
    address (:func:`kiosk_view`).
    """
    require_hospital(conn, office_id)
    if by is FindBy.NAME and not desk:
        raise Forbidden(
            "Pencarian nama hanya di meja pendaftaran, yaitu kiosk yang didaftarkan "
            "petugas sebagai meja. / Only the registration desk searches by name: a kiosk "
            "staff enrolled as a desk."
        )
    value = value.strip()
    key = value.lower() if by is FindBy.NAME else value
    key_hash = keyed_hash(audit_key, f"patient_{by.value}", key)
    counted = _counted(budget or LookupBudget(), kiosk_id, by)
    retry_after = limits.refused_for(conn, counted, now)
    if retry_after is not None:
        record_lookup(
            conn,
            kiosk_id=kiosk_id,
            key_kind="patient_refused",
            key_hash=key_hash,
            found=False,
            at=now,
        )
        return Refused(retry_after)
    try:
        check_key(by, value)
    except Unprocessable as exc:  # a miss all the same: a sweep cannot hide in bad shapes
        record_lookup(
            conn, kiosk_id=kiosk_id, key_kind="patient", key_hash=key_hash, found=False, at=now
        )
        limits.count(conn, counted, now, actor=f"kiosk:{kiosk_id}")
        return Malformed(exc.detail)  # returned, not raised: the audit row must commit
    candidates = _candidates(conn, office_id, by, value, birth_date)
    rows = [r for r in candidates if _born_on(r, birth_date)]
    found = [_patient(r, norm_of(conn, r.id, office_id)) for r in rows[:MAX_BY_NAME]]
    if not desk:
        found = [kiosk_view(p) for p in found]
    record_lookup(
        conn, kiosk_id=kiosk_id, key_kind="patient", key_hash=key_hash, found=bool(found), at=now
    )
    hit = (counted[0], *counted[2:])  # every find, and a name search's own; not the misses
    limits.count(conn, hit if found else counted, now, actor=f"kiosk:{kiosk_id}")
    return Found(found, more=len(rows) > MAX_BY_NAME)


def _counted(budget: LookupBudget, kiosk_id: str, by: FindBy) -> tuple[Subject, ...]:
    """A find's budgets, in the order every transaction locks them."""
    every, misses = budget.patient_subjects(kiosk_id)
    return (every, misses, budget.name_subject(kiosk_id)) if by is FindBy.NAME else (every, misses)


def next_norm(conn: Connection, office_id: str) -> str:
    """The office's next No. RM: six digits, zero-padded, never given twice."""
    start = _highest_numeric_norm(conn, office_id)
    conn.execute(
        dialect_insert(conn, norm_sequence)
        .values(office_id=office_id, last=start)
        .on_conflict_do_nothing(index_elements=["office_id"])
    )
    while True:
        last = conn.execute(
            update(norm_sequence)
            .where(norm_sequence.c.office_id == office_id)
            .values(last=norm_sequence.c.last + 1)
            .returning(norm_sequence.c.last)
        ).scalar_one()
        norm = f"{int(last):0{NORM_DIGITS}d}"
        taken = conn.execute(
            select(medical_records.c.citizen_id).where(
                medical_records.c.office_id == office_id,
                medical_records.c.medical_record_number == norm,
            )
        ).first()
        if taken is None:  # a number staff typed in by hand is skipped
            return norm


def _highest_numeric_norm(conn: Connection, office_id: str) -> int:
    numbers = conn.execute(
        select(medical_records.c.medical_record_number).where(
            medical_records.c.office_id == office_id
        )
    ).scalars()
    return max((int(n) for n in numbers if n.isascii() and n.isdigit() and len(n) <= 9), default=0)


def register(
    conn: Connection,
    patient: NewPatient,
    *,
    office_id: str,
    kiosk_id: str,
    audit_key: bytes,
    budget: LookupBudget | None,
    now: dt.datetime,
    desk: bool = False,
) -> tuple[str, bool] | Refused | BpjsTaken:
    """The patient's No. RM at the office and whether it is new; audited as a lookup.

    A NIK the city knows keeps its record (what it lacks is filled in: BPJS
    number, sex, address, date of birth); one it does not know is added. A
    NIK with a No. RM here answers that No. RM. A BPJS number another citizen
    holds is :class:`BpjsTaken`.

    Only the registration desk (``desk``: the kiosk's role, as staff enrolled it) adds
    patients, where a clerk checks the person: the date of birth asked is only what the
    NIK's digits say, so any other kiosk could write a record, fill in a stranger's phone
    and address, or learn a NIK's No. RM (403).
    """
    require_hospital(conn, office_id)
    if not desk:
        raise Forbidden(
            "Pasien baru hanya didaftarkan di meja pendaftaran, yaitu kiosk yang "
            "didaftarkan petugas sebagai meja. / Only the registration desk adds patients: "
            "a kiosk staff enrolled as a desk."
        )
    counted = (budget or LookupBudget()).patient_subjects(kiosk_id)
    key_hash = keyed_hash(audit_key, "patient_nik", patient.nik)
    retry_after = limits.refused_for(conn, counted, now)
    if retry_after is not None:  # first: a locked kiosk learns nothing, not even a 422
        record_lookup(
            conn,
            kiosk_id=kiosk_id,
            key_kind="patient_refused",
            key_hash=key_hash,
            found=False,
            at=now,
        )
        return Refused(retry_after)
    _check_new(patient)
    row = conn.execute(select(citizens).where(citizens.c.nik == patient.nik)).first()
    held = norm_of(conn, int(row.id), office_id) if row is not None else None
    record_lookup(
        conn,
        kiosk_id=kiosk_id,
        key_kind="patient_new",
        key_hash=key_hash,
        found=held is not None,
        at=now,
    )
    # A No. RM made counts as a miss too: a sweep of NIKs through this route
    # stops as soon as one through the lookup does.
    limits.count(conn, counted[:1] if held else counted, now, actor=f"kiosk:{kiosk_id}")
    if patient.nomorkartu:
        holder = conn.execute(
            select(citizens.c.nik).where(citizens.c.bpjs_number == patient.nomorkartu)
        ).scalar_one_or_none()
        if holder is not None and holder != patient.nik:
            return BpjsTaken()  # returned, not raised: the audit row must commit
    if row is None:
        citizen_id = conn.execute(
            insert(citizens).values(
                nik=patient.nik,
                full_name=patient.name.strip()[:200],
                phone=patient.phone or None,
                birth_date=patient.birth_date,
                bpjs_number=patient.nomorkartu or None,
                sex=patient.sex,
                address=patient.address.strip()[:300] or None,
                updated_at=now,
            )
        ).inserted_primary_key
        if citizen_id is None:  # pragma: no cover - every insert here has a primary key
            raise RuntimeError("no id for the new citizen")
        cid = int(citizen_id[0])
    else:
        cid = int(row.id)
        fill = {
            k: v
            for k, v in (
                ("bpjs_number", patient.nomorkartu or None),
                ("sex", patient.sex),
                ("address", patient.address.strip()[:300] or None),
                ("birth_date", patient.birth_date),
                ("phone", patient.phone or None),
            )
            if v is not None and getattr(row, k) is None
        }
        if fill:
            conn.execute(
                update(citizens).where(citizens.c.id == cid).values(**fill, updated_at=now)
            )
        if held is not None:
            return held, False
    norm = next_norm(conn, office_id)
    conn.execute(
        insert(medical_records).values(
            citizen_id=cid, office_id=office_id, medical_record_number=norm
        )
    )
    return norm, True
