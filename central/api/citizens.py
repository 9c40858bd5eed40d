"""``POST /api/v1/citizens/lookup``: what the city knows that the card does not.

A POST with a JSON body, not a GET with a query string, on purpose: URLs
end up in access logs (uvicorn's, and any proxy's in front of it), and a
NIK must not. Every lookup is audited (:mod:`central.office.citizens`).

A ``uid`` alone never finds anyone (``found: false``, registered or not):
with the holder's ``birth_date`` it does, when the date is right. Too many
wrong dates for a UID or from a kiosk: 429 ``too_many_attempts`` with
``Retry-After`` (:mod:`central.access.uid_proof`). Too many card-number or NIK
lookups (or too many of them not found) from a kiosk in an hour: 429
``too_many_lookups`` with ``Retry-After`` (:mod:`central.access.lookup_budget`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from central.api.deps import Context, KioskAuth, kiosk_router
from central.api.shown import ShownModel
from central.errors import TooManyAttempts, TooManyLookups
from central.office import citizens
from central.office.citizens import KeyKind
from contract.shown import shape

router = kiosk_router(tags=["citizens"])

CardNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")]
Nik = Annotated[str, StringConstraints(pattern=r"^[0-9]{16}$")]
Uid = Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{8,20}$")]


def _iso_date_text(value: object) -> object:
    """Only ``YYYY-MM-DD`` (pydantic would also take a number or a datetime's text)."""
    if not isinstance(value, str) or re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) is None:
        raise ValueError("birth_date must be an ISO date, YYYY-MM-DD")
    return value


def _born_since_1900(value: dt.date) -> dt.date:
    """A date of birth is a citizen's past (the one date not in :mod:`central.times`' range)."""
    if not dt.date(1900, 1, 1) <= value < dt.date(2100, 1, 1):
        raise ValueError("birth_date must be from 1900 to 2099")
    return value


BirthDate = Annotated[dt.date, BeforeValidator(_iso_date_text), AfterValidator(_born_since_1900)]


class LookupRequest(
    ShownModel, shown=dict.fromkeys(("card_number", "nik", "uid", "birth_date"), shape)
):
    """Exactly one key; with a ``uid``, the holder's ``birth_date`` to find anything."""

    # The schema says "exactly one" too (one property, none null; a uid may
    # bring its date), so generated clients and schemathesis send what the
    # validator accepts.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "minProperties": 1,
            "maxProperties": 2,
            "oneOf": [
                {"required": ["card_number"], "maxProperties": 1},
                {"required": ["nik"], "maxProperties": 1},
                {"required": ["uid"]},
            ],
            "dependentRequired": {"birth_date": ["uid"]},
        },
    )

    card_number: CardNumber | SkipJsonSchema[None] = Field(
        default=None,
        description="The card number from a verified city card.",
        examples=["PKU-000001"],
    )
    nik: Nik | SkipJsonSchema[None] = Field(
        default=None, description="The NIK from a verified card."
    )
    uid: Uid | SkipJsonSchema[None] = Field(
        default=None,
        description=(
            "The UID (hex) of a card that holds no record, e.g. an e-KTP. Alone it never"
            " finds anyone: give birth_date too."
        ),
        examples=["08C0FFEE"],
    )
    birth_date: BirthDate | SkipJsonSchema[None] = Field(
        default=None,
        description=(
            "With uid only: the holder's date of birth as the citizen typed it (ISO date)."
            " Wrong dates are counted per UID and per kiosk."
        ),
        examples=["1990-06-15"],
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [k for k in ("card_number", "nik", "uid") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of card_number, nik, uid")
        if self.birth_date is not None and self.uid is None:
            raise ValueError("birth_date goes with uid only")
        return self

    def key(self) -> tuple[KeyKind, str]:
        for kind in KeyKind:  # birth_date is not a KeyKind
            value = getattr(self, kind.value)
            if value is not None:
                return kind, value
        raise AssertionError("validated: exactly one key")  # pragma: no cover


class Record(
    ShownModel,
    shown=dict.fromkeys(("medical_record_number", "family_card_number", "phone"), shape),
):
    medical_record_number: str | None = Field(description="At the kiosk's own office.")
    family_card_number: str | None = Field(description="Nomor Kartu Keluarga (KK).")
    phone: str | None


class Holder(ShownModel, shown=dict.fromkeys(("full_name", "nik", "card_number"), shape)):
    """Who a UID-only card belongs to, by the city's registry: only with the right birth_date."""

    full_name: str
    nik: str
    card_number: str | None


class LookupResponse(BaseModel):
    found: bool
    record: Record | None = None
    holder: Holder | None = Field(
        default=None, description="For uid lookups with the right birth_date only."
    )


@router.post(
    "/api/v1/citizens/lookup",
    responses={
        429: {
            "description": (
                "too_many_attempts: wrong birth dates; too_many_lookups: the kiosk's hourly"
                " budget of card-number/NIK lookups is used up. See Retry-After."
            )
        }
    },
)
def lookup(body: LookupRequest, kiosk: KioskAuth, ctx: Context) -> LookupResponse:
    """Look up one citizen's record; ``found: false`` when the city has none (or gives none)."""
    kind, value = body.key()
    with ctx.db.begin() as conn:
        found = citizens.lookup(
            conn,
            kind,
            value,
            kiosk_id=kiosk.kiosk_id,
            office_id=kiosk.office_id,
            audit_key=ctx.audit_key,
            birth_date=body.birth_date,
            budget=ctx.settings.lookup_budget,
        )
    if isinstance(found, citizens.Refused):  # after the commit: the attempt stays audited
        if found.budget:
            raise TooManyLookups(found.retry_after_s)
        raise TooManyAttempts(found.retry_after_s)
    if found is None:
        return LookupResponse(found=False)
    holder = None
    if found.full_name is not None and found.nik is not None:
        holder = Holder(full_name=found.full_name, nik=found.nik, card_number=found.card_number)
    record = Record(
        medical_record_number=found.medical_record_number,
        family_card_number=found.family_card_number,
        phone=found.phone,
    )
    return LookupResponse(found=True, record=record, holder=holder)
