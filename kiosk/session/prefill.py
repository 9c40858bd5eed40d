"""Pre-fill a service's form from the card and the citizen's city record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from cardio.card.citizen import CardIdentity
from contract.catalog import FormField


class Source(StrEnum):
    CARD = "card"  # shown as "kartu"
    RECORD = "record"  # shown as "data kota"
    CITIZEN = "citizen"  # typed on the kiosk


@dataclass(frozen=True)
class FieldValue:
    value: str
    source: Source
    locked: bool  # pre-filled and not editable

    def __repr__(self) -> str:  # values are personal data
        return f"FieldValue(<{len(self.value)} chars>, {self.source.value})"


def prefill(
    fields: tuple[FormField, ...],
    identity: CardIdentity,
    record: Mapping[str, str] | None = None,
) -> dict[str, FieldValue]:
    """Values for every field the card or the record can fill; others stay out."""
    claims = identity.citizen.to_claims() if identity.citizen is not None else {}
    out: dict[str, FieldValue] = {}
    for field in fields:
        origin, _, key = field.prefill.partition(".")
        if origin == "card" and claims.get(key):
            out[field.name] = FieldValue(claims[key], Source.CARD, not field.editable)
        elif origin == "record" and record and record.get(key):
            out[field.name] = FieldValue(record[key], Source.RECORD, not field.editable)
    return out
