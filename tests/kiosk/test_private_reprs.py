"""No personal data in a ``repr`` or ``str``: every dataclass of the core packages
with a personal field is built with a canary value there, and the canary must
not show. The classes are found by walking the packages, so a new one is
checked the day it is written."""

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

CANARY = "Canary Rahasia 4417"
CANARY_DATE = dt.date(1933, 7, 19)
CANARY_SHOWS = (CANARY, "Rahasia", "4417", "1933")
PACKAGES = ("kiosk", "cardio", "printing", "offline_store")
#: Field names that hold a citizen's personal data (or a value holding some).
PERSONAL = frozenset(
    {
        "values",
        "value",
        "record",
        "records",
        "full_name",
        "name_on_card",
        "nik",
        "phone",
        "notify_phone",
        "digits",
        "text",
        "card_number",
        "bpjs_number",
        "address",
        "street",
        "date_of_birth",
        "birth_date",
        "citizen",
        "identity",
        "fields",
        "holder",
        "payload",
        "slip",
    }
)
#: Classes with a field of a personal name that holds none, and why.
NOT_PERSONAL = {
    "contract.catalog.Text": "``values`` is a catalog text in each language",
    "contract.catalog.Service": "``slip`` says whether the service prints a slip",
}
#: Modules that need an optional stack this test has no use for.
OPTIONAL = (
    "cardio.readers._nfc",
    "cardio.readers.nfc",
    "cardio.readers._pcsc",
    "cardio.readers.pcsc",
    "printing.printers.escpos",
)


def _modules() -> Iterator[types.ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            if info.name.startswith(OPTIONAL) or info.name.endswith("__main__"):
                continue
            yield importlib.import_module(info.name)


def _personal_dataclasses() -> list[type]:
    found: dict[str, type] = {}
    for module in _modules():
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and dataclasses.is_dataclass(obj)
                and obj.__module__ == module.__name__
                and any(f.name in PERSONAL for f in dataclasses.fields(obj))
                and f"{obj.__module__}.{obj.__qualname__}" not in NOT_PERSONAL
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


def _hints(cls: type) -> dict[str, Any]:
    module = importlib.import_module(cls.__module__)
    try:
        return typing.get_type_hints(cls, vars(module))
    except NameError:  # a name imported only for type checking: go field by field
        hints: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            try:
                text = f.type
                # Our own annotation, evaluated in its own module.
                hints[f.name] = eval(text, vars(module)) if isinstance(text, str) else text  # noqa: S307
            except NameError:
                hints[f.name] = Any
        return hints


def _value(tp: Any, personal: bool, depth: int) -> Any:
    """A value of type ``tp``: the canary where personal, else something neutral."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return _value(options[0], personal, depth) if options else None
    if origin is typing.Literal:
        return args[0]
    if origin in (dict, Mapping) or tp in (dict, Mapping) or origin is typing.Mapping:
        return {"phone": CANARY, "nama": CANARY} if personal else {}
    if origin is tuple or tp is tuple:
        inner = args[0] if args else str
        return (_value(inner, personal, depth),) if personal else ()
    if origin is list:
        return [_value(args[0], personal, depth)] if personal else []
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp) and depth < 4:
            return _build(tp, depth + 1, canary=personal)
        if issubclass(tp, enum.Enum):
            return next(iter(tp))
        if tp is bool:
            return False
        if tp in (int, float):
            return 1
        if tp is bytes:
            return CANARY.encode() if personal else b"\x01\x02"
        if tp is dt.datetime:
            day = CANARY_DATE if personal else dt.date(2026, 1, 2)
            return dt.datetime.combine(day, dt.time(), dt.UTC)
        if tp is dt.date:
            return CANARY_DATE if personal else dt.date(2026, 1, 2)
    return CANARY if personal else "x"


def _build(cls: type, depth: int = 0, *, canary: bool = True) -> Any:
    """An instance of ``cls`` (its checks bypassed) with the canary in every personal field."""
    hints = _hints(cls)
    obj = object.__new__(cls)
    for f in dataclasses.fields(cls):
        personal = canary and f.name in PERSONAL
        value = _value(hints.get(f.name, Any), personal, depth)
        if not personal:
            if f.default is not dataclasses.MISSING:
                value = f.default
            elif f.default_factory is not dataclasses.MISSING:
                value = f.default_factory()
        object.__setattr__(obj, f.name, value)
    return obj


CLASSES = _personal_dataclasses()


def test_the_walk_finds_the_classes_that_carry_personal_data() -> None:
    names = {c.__qualname__ for c in CLASSES}
    assert {"FormSubmitted", "IssueTicket", "CardRead", "Citizen", "SessionState"} <= names
    assert {"CitizenLookup", "SlipField", "SlipDocument", "FileComplaint", "OutboxItem"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_no_personal_value_in_repr_or_str(cls: type) -> None:
    obj = _build(cls)
    shown = [f.name for f in dataclasses.fields(cls) if f.name in PERSONAL]
    assert any(getattr(obj, n) for n in shown), "the canary was not placed"
    for text in (repr(obj), str(obj)):
        leaked = [c for c in CANARY_SHOWS if c in text]
        assert not leaked, f"{cls.__qualname__} shows personal data: {text}"


def test_a_private_repr_names_the_field_and_its_size() -> None:
    from kiosk.session.events import FormSubmitted

    assert repr(FormSubmitted({"phone": CANARY})) == "FormSubmitted(values=<1 fields>)"


def test_an_outbox_items_repr_shows_its_key_by_its_end_as_its_log_lines_do() -> None:
    """A complaint's outbox key gives its reference (``reference_for``: the UUID's first
    60 bits), which opens her complaint's page: the hand-written reprs of an outbox item
    show it no more than a log line or ``kiosk sync status`` does (``shown_key``)."""
    import uuid

    from contract.shown import shown_key
    from kiosk.tickets.complaints import reference_for
    from offline_store import OutboxState
    from offline_store.models import OutboxItem, OutboxText

    key = str(uuid.uuid4())
    item = OutboxItem(key, "complaint", {}, OutboxState.DEAD, 1, "2026-12-07T02:00:00Z")
    text = OutboxText(key, "complaint", b"{}")
    for shown in (repr(item), str(item), repr(text), str(text)):
        assert shown_key(key).removeprefix("…") in shown  # still told apart
        assert key[:8] not in shown and reference_for(key) not in shown, shown


#: A complaint's reference opens her complaint's page (/c/{reference}), a booking's code
#: its booking's page (/b/{code}): a repr shows either by its start only.
REFERENCE = "ADU-7G4K-M2QX-9TBA"
BOOKING_CODE = "482913077"


def _values_with_a_secret() -> list[Any]:
    from contract.bookings import BookingState
    from kiosk.client.bookings import BookingInfo
    from kiosk.client.info import AnsweredComplaint
    from kiosk.session.events import ComplaintReceipt

    at = dt.time(9, 30)
    day = dt.date(2026, 12, 7)
    booking = BookingInfo(BOOKING_CODE, "o-1", "s-1", day, at, at, BookingState.BOOKED)
    answered = AnsweredComplaint(REFERENCE, "answered", CANARY, "2026-12-07")
    return [
        pytest.param(
            ComplaintReceipt(REFERENCE, printed=True), REFERENCE, "'ADU-…#4f4394'", id="receipt"
        ),
        pytest.param(answered, REFERENCE, "'ADU-…#4f4394'", id="answered-complaint"),
        pytest.param(booking, BOOKING_CODE, "'482…'", id="booking-info"),
    ]


@pytest.mark.parametrize(("value", "secret", "start"), _values_with_a_secret())
def test_a_reference_or_a_booking_code_shows_by_its_start_only(
    value: object, secret: str, start: str
) -> None:
    """The centre's values alike: tests/central/test_private_reprs.py."""
    for text in (repr(value), str(value)):
        assert start in text, text  # still said
        assert secret not in text and secret[4:8] not in text, text
        assert not [c for c in CANARY_SHOWS if c in text], text


def test_two_complaints_are_told_apart_in_the_kiosks_reprs() -> None:
    """Cut as it is, a reference in a repr still tells one complaint from another: every
    reference starts ``ADU-``, so ``ComplaintReceipt(reference='ADU-…', ...)`` in a
    traceback names every complaint alike."""
    from kiosk.client.info import AnsweredComplaint
    from kiosk.session.events import ComplaintReceipt

    other = "ADU-3QZ8-K7DW-1MRC"
    pairs = [
        (ComplaintReceipt(REFERENCE, printed=True), ComplaintReceipt(other, printed=True)),
        (
            AnsweredComplaint(REFERENCE, "answered", CANARY, "2026-12-07"),
            AnsweredComplaint(other, "answered", CANARY, "2026-12-07"),
        ),
    ]
    for one, two in pairs:
        assert repr(one) != repr(two), repr(one)
