"""``POST /api/v1/citizens/lookup``: what the city knows that the card does not.

A POST with a JSON body, not a GET with a query string, on purpose: URLs
end up in access logs (uvicorn's, and any proxy's in front of it), and a
NIK must not. Every lookup is audited (:mod:`central.citizens`).
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from central import citizens
from central.citizens import KeyKind
from central.deps import Context, KioskAuth, kiosk_router

router = kiosk_router(tags=["citizens"])

CardNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")]
Nik = Annotated[str, StringConstraints(pattern=r"^[0-9]{16}$")]
Uid = Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{8,20}$")]


class LookupRequest(BaseModel):
    """Exactly one key."""

    # The schema says "exactly one" too (one property, none null), so generated
    # clients and schemathesis send what the validator accepts.
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"minProperties": 1, "maxProperties": 1}
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
        description="The UID (hex) of a card that holds no record, e.g. an e-KTP.",
        examples=["08C0FFEE"],
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [k for k in ("card_number", "nik", "uid") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of card_number, nik, uid")
        return self

    def key(self) -> tuple[KeyKind, str]:
        for kind in KeyKind:
            value = getattr(self, kind.value)
            if value is not None:
                return kind, value
        raise AssertionError("validated: exactly one key")  # pragma: no cover


class Record(BaseModel):
    medical_record_number: str | None = Field(description="At the kiosk's own office.")
    family_card_number: str | None = Field(description="Nomor Kartu Keluarga (KK).")
    phone: str | None


class Holder(BaseModel):
    """Who a UID-only card belongs to, by the city's registry (unverified: UIDs can be copied)."""

    full_name: str
    nik: str
    card_number: str | None


class LookupResponse(BaseModel):
    found: bool
    record: Record | None = None
    holder: Holder | None = Field(default=None, description="For uid lookups only.")


@router.post("/api/v1/citizens/lookup")
def lookup(body: LookupRequest, kiosk: KioskAuth, ctx: Context) -> LookupResponse:
    """Look up one citizen's record; ``found: false`` when the city has none."""
    kind, value = body.key()
    with ctx.db.begin() as conn:
        found = citizens.lookup(
            conn,
            kind,
            value,
            kiosk_id=kiosk.kiosk_id,
            office_id=kiosk.office_id,
            audit_key=ctx.audit_key,
        )
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
