"""No ``repr`` of ours writes whole a secret that opens a citizen's page, or her personal
data, on the kiosk or the centre.

A complaint's reference (``/c/{reference}``), a booking's code (``/b/{code}``, which is
BPJS's ``kodebooking`` of a Mobile JKN booking) and a key that is or gives one (an outbox
key, a submission's, a message's, a doctor's place's) are keys to her pages;
a NIK, a name, a phone number, a card's UID and a date of birth are hers. A ``repr``
reaches a log through ``%r``, a traceback's locals and a debugger. Every dataclass,
NamedTuple and pydantic model (the centre's API bodies) of the packages that holds a field
of such a name is built with a canary there (and a record in a field of it with its own),
and the canary must not show in its ``repr`` or ``str``. The classes are found by walking
the packages, so a new one is checked the day it is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import importlib
import pkgutil
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from contract.shown import shown_code, shown_key, shown_reference

PACKAGES = ("contract", "kiosk", "cardio", "printing", "offline_store", "central", "ui")
#: Modules that need an optional stack this test has no use for.
OPTIONAL = (
    "cardio.readers._nfc",
    "cardio.readers.nfc",
    "cardio.readers._pcsc",
    "cardio.readers.pcsc",
    "printing.printers.escpos",
)

CODE = "482913077"
REFERENCE = "ADU-7G4K-M2QX-9TBA"
#: A kiosk visit's kodebooking (``central.hospital.quota.kodebooking_for``): opens nothing.
KIOSK_KODEBOOKING = "20261207A1B2C3D4"
#: A message's key (``central.messages.outbox``) with a booking's code in it.
KEY = f"booking:{CODE}:reminder"
TICKET_ID = "3f2a9c1e-77b0-8d41-9a6e-0c5d2b7f1e83"
#: A ticket's public page, printed as its QR code.
TICKET_PAGE = f"https://pusat.example/t/{TICKET_ID}"
NAME = "Siti Canary Aminah"
NIK = "1471015203850001"
PHONE = "081299887766"
BIRTH = dt.date(1933, 7, 19)
UID = bytes.fromhex("04a1b2c3d4e5f6")
#: The values of a body or a result: a registration's, a check-in's.
BODY = {"nik": NIK, "full_name": NAME, "phone": PHONE, "reference": REFERENCE, "code": CODE}
#: What must never show of each canary.
LEAKS = (
    TICKET_ID[:13],
    CODE[3:],
    REFERENCE[4:],
    "Canary",
    NIK[4:],
    PHONE[4:],
    "1933",
    UID.hex()[2:].upper(),
)

#: Secret and personal field names, and the canary each is given.
CANARIES: dict[str, Any] = {
    "code": CODE,
    "booking_code": CODE,
    "kodebooking": CODE,
    "ticket_id": TICKET_ID,
    "reference": REFERENCE,
    "nik": NIK,
    "name": NAME,
    "full_name": NAME,
    "first_name": NAME,
    "phone": PHONE,
    "notify_phone": PHONE,
    "card_uid": UID,
    "birth_date": BIRTH,
    "date_of_birth": BIRTH,
}
#: Fields of a name too common to walk by (``key``, ``body``, ``result``) that hold a
#: secret or personal data in these classes, and the canary each is given.
HOLDERS: dict[str, dict[str, Any]] = {
    "central.messages.outbox.DeadLetter": {"key": KEY},
    "central.hospital.quota.Take": {"key": f"booking:{CODE}"},
    "offline_store.models.StoredTicket": {"id": TICKET_ID},
    "central.api.submissions.ItemIn": {"key": KEY, "body": BODY},
    "central.integrations.outbox.Item": {"dedupe_key": f"bpjs:task:{CODE}:3", "order_key": CODE},
    "central.integrations.outbox.Failure": {
        "dedupe_key": f"satusehat:encounter:{TICKET_ID}:arrived",
        "order_key": f"encounter:{TICKET_ID}",
    },
    "central.integrations.outbox.Held": {"order_key": CODE},
    "central.integrations.outbox.Waiting": {"dedupe_key": f"bpjs:batal:{CODE}"},
    "central.integrations.http.Answer": {"body": str(BODY).encode()},
    "central.api.staff.LoginRequest": {"password": NAME},
    "central.api.staff.LoginResponse": {"token": NAME},
    "central.office.submissions.Item": {"key": KEY, "body": BODY},
    "central.office.submissions.Outcome": {"key": KEY, "result": BODY},
    "central.office.submissions.Plan": {"result": BODY, "ticket": BODY, "notify": (PHONE, "id", 3)},
    "kiosk.client.results.SubmissionResult": {"key": KEY},
    "printing.documents.ReceiptDocument": {"status_url": f"https://pusat.example/c/{REFERENCE}"},
    "printing.documents.TicketDocument": {"status_url": TICKET_PAGE},
    "kiosk.session.events.IssuedTicket": {"status_url": TICKET_PAGE},
}
#: Fields of such a name that hold neither in one class that has others, and why.
NOT_SECRET_FIELDS = {
    "central.api.enrolment.EnrolRequest": {"name": "the kiosk's"},
}
#: Classes with a field of such a name that holds neither, and why.
NOT_SECRET = {
    "central.api.applications.ApplicationOut": (
        "``reference``: an application's opens only a staff page (/office/applications/…)"
    ),
    "central.api.boards.BoardOut": "``name``: the board's",
    "central.api.boards.BoardRequest": "``name``: the board's",
    "central.api.bookings.HolidayIn": "``name``: the holiday's",
    "central.api.bookings.HolidayOut": "``name``: the holiday's",
    "central.api.fleet.FleetKioskOut": "``name``: the kiosk's",
    "central.api.health_info.DoctorOnDuty": "``name``: a doctor's, on the public board",
    "central.api.health_info.WardIn": "``name``: the ward's",
    "central.api.staff.KioskOut": "``name``: the kiosk's",
    "cardio.issuing.issuer.IssuerKey": "``name``: the issuer's name",
    "central.access.kiosks.KioskInfo": "``name``: the kiosk's",
    "central.hospital.schedules.Poli": "``name``: the poli's",
    "central.integrations.outbox.Refused": "``code``: the service's error code",
    "central.integrations.outbox.RetryLater": "``code``: the service's error code",
    "central.office.applications.Application": (
        "``reference``: an application's opens only a staff page (/office/applications/…)"
    ),
    "central.office.boards.Board": "``name``: the board's",
    "central.office.bookings.Holiday": "``name``: the holiday's",
    "central.office.dashboard.OfficeDay": "``name``: the office's",
    "central.office.fleet.FleetKiosk": "``name``: the kiosk's",
    "central.office.health_info.Doctor": "``name``: a doctor's, on the public board",
    "central.office.numbering.ServiceInfo": "``name``: the service's",
    "central.office.registrations.Entry": "``name``: the form field's (its value is hidden)",
    "central.outage.Outage": "``code``: the outage's error code",
    "central.web.booking.Choice": "``name``: a service's or an office's",
    "central.web.booking_staff.ServiceRow": "``name``: the service's",
    "central.web.bookings_today.ServiceDay": "``name``: the service's",
    "central.web.counter_texts.Action": "``name``: the button's",
    "central.web.dashboard.KioskRow": "``name``, ``code``: the kiosk's",
    "contract.catalog.FormField": "``name``: the field's",
    "contract.catalog.Office": "``name``: the office's",
    "contract.catalog.Service": "``name``: the service's",
    "contract.trust.Issuer": "``name``: the issuer's",
    "contract.wire.KioskInfo": "``name``: the kiosk's",
    "contract.wire.Ward": "``name``: the ward's",
    "kiosk.client.info.Application": (
        "``reference``: an application's opens only a staff page (/office/applications/…)"
    ),
    "kiosk.client.info.DoctorOnDuty": "``name``: a doctor's, on the public board",
    "kiosk.doctor.check.Check": "``name``: the check's",
    "kiosk.speech.ProblemLines": "``code``: the problem's reason code",
    "kiosk.sync.schedule.Task": "``name``: the task's",
}


def _modules() -> Iterator[types.ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if info.name.startswith(OPTIONAL) or info.name.endswith("__main__"):
                continue
            yield importlib.import_module(info.name)


def _is_model(cls: type) -> bool:
    """A pydantic model (the centre's API bodies): its ``repr`` writes every field too."""
    from pydantic import BaseModel

    return issubclass(cls, BaseModel) and cls is not BaseModel


def _fields(cls: type) -> list[str]:
    if dataclasses.is_dataclass(cls):
        return [f.name for f in dataclasses.fields(cls)]
    if _is_model(cls):
        return list(cls.model_fields)  # type: ignore[attr-defined]
    return list(getattr(cls, "_fields", ()))


def _classes() -> list[type]:
    found: dict[str, type] = {}
    for module in _modules():
        for obj in vars(module).values():
            if not isinstance(obj, type) or obj.__module__ != module.__name__:
                continue
            name = f"{obj.__module__}.{obj.__qualname__}"
            is_record = (
                dataclasses.is_dataclass(obj)
                or (issubclass(obj, tuple) and hasattr(obj, "_fields"))
                or _is_model(obj)
            )
            held = set(_fields(obj)) & CANARIES.keys() or name in HOLDERS
            if is_record and held and name not in NOT_SECRET:
                found[name] = obj
    return [found[k] for k in sorted(found)]


def _hints(cls: type) -> dict[str, Any]:
    if _is_model(cls):
        return {k: f.annotation for k, f in cls.model_fields.items()}  # type: ignore[attr-defined]
    try:
        return typing.get_type_hints(cls, vars(importlib.import_module(cls.__module__)))
    except NameError:  # a name imported only for type checking
        return {}


def _neutral(tp: Any) -> Any:
    """A value of type ``tp`` that is no canary."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        records = [a for a in args if isinstance(a, type) and dataclasses.is_dataclass(a)]
        if records:  # an optional record inside: built, so its repr is checked within
            return _build(records[0])
        return None if type(None) in args else _neutral(args[0])
    if origin is typing.Literal:
        return args[0]
    if tp in (dict, Mapping) or origin in (dict, Mapping):
        return {}
    if tp is tuple or origin is tuple:
        return ()
    if tp is list or origin is list:
        return []
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):  # a record inside: built with its canaries too
            return _build(tp)
        if issubclass(tp, enum.Enum):
            return next(iter(tp))
        if tp is bool:
            return False
        if tp in (int, float):
            return 1
        if tp is bytes:
            return b"\x01"
        if tp is dt.datetime:
            return dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
        if tp is dt.date:
            return dt.date(2026, 12, 7)
        if tp is dt.time:
            return dt.time(9, 30)
    return "x"


def _canaries(cls: type) -> dict[str, Any]:
    name = f"{cls.__module__}.{cls.__qualname__}"
    canaries = {**CANARIES, **HOLDERS.get(name, {})}
    return {k: v for k, v in canaries.items() if k not in NOT_SECRET_FIELDS.get(name, {})}


def _canary(value: Any, tp: Any) -> Any:
    if isinstance(value, str) and tp is bytes:
        return value.encode()
    if isinstance(value, bytes) and tp is str:
        return value.hex().upper()
    return value


def _build(cls: type) -> Any:
    """An instance of ``cls`` (its checks bypassed) with a canary in every such field."""
    hints, canaries = _hints(cls), _canaries(cls)
    values = {
        name: _canary(canaries[name], hints.get(name))
        if name in canaries
        else _neutral(hints.get(name))
        for name in _fields(cls)
    }
    if _is_model(cls):
        return cls.model_construct(**values)  # type: ignore[attr-defined]
    if not dataclasses.is_dataclass(cls):
        return cls(**values)
    obj = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(obj, name, value)
    return obj


CLASSES = _classes()


def test_the_walk_finds_the_classes_that_hold_a_secret_or_personal_data() -> None:
    names = {f"{c.__module__}.{c.__qualname__}" for c in CLASSES}
    assert {
        "contract.bookings.BookingToday",
        "printing.documents.ReceiptDocument",
        "central.office.bookings.Booking",
        "central.web.bookings_today.Entry",
        "central.messages.outbox.DeadLetter",
        "central.office.submissions.Item",
        "central.office.submissions.Outcome",
        "kiosk.client.results.SubmissionResult",
        "printing.documents.TicketDocument",
        "kiosk.session.events.IssuedTicket",
        "central.hospital.quota.Take",
        "central.api.hospital.PatientOut",
        "central.api.citizens.LookupRequest",
        "central.api.submissions.ItemIn",
        "central.hospital.visits.Placed",
        "central.wsrs.shapes.BatalAntrean",
        "central.wsrs.shapes.CheckInAntrean",
        "kiosk.client.results.HospitalPlace",
    } <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_no_secret_or_personal_value_shows_whole_in_a_repr(cls: type) -> None:
    obj = _build(cls)
    for text in (repr(obj), str(obj)):
        leaked = [leak for leak in LEAKS if leak in text]
        assert not leaked, f"{cls.__qualname__} shows {leaked}: {text}"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param(lambda: _booking_today(CODE), shown_code(CODE), id="BookingToday"),
        pytest.param(lambda: _receipt(REFERENCE), shown_reference(REFERENCE), id="Receipt"),
        pytest.param(lambda: _submission_result(KEY), shown_key(KEY), id="SubmissionResult"),
        pytest.param(lambda: _place(CODE), shown_code(CODE), id="HospitalPlace"),
        pytest.param(lambda: _place(KIOSK_KODEBOOKING), KIOSK_KODEBOOKING, id="kiosk-kodebooking"),
    ],
)
def test_a_secret_in_a_repr_is_still_told_as_the_log_lines_show_it(value: Any, shown: str) -> None:
    """Cut, not dropped: the repr says which booking, complaint or item it is, as a log
    line of the same thing does."""
    assert shown in repr(value())


def _booking_today(code: str) -> Any:
    from contract.bookings import BookingState, BookingToday

    at = dt.time(9, 30)
    day = dt.date(2026, 12, 7)
    return BookingToday(code, "o-1", "s-1", day, at, at, BookingState.BOOKED, NIK, None, NAME)


def _receipt(reference: str) -> Any:
    from printing.documents import ReceiptDocument

    at = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
    url = f"https://pusat.example/c/{reference}"
    return ReceiptDocument(reference, "MPP", "Layanan", at, "id", url)


def _place(kodebooking: str) -> Any:
    from kiosk.client.results import HospitalPlace

    return HospitalPlace(kodebooking, 7, "INT-007", dt.time(9, 30))


def _submission_result(key: str) -> Any:
    from kiosk.client.results import SubmissionResult

    return SubmissionResult(key, "accepted")
