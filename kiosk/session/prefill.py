"""Pre-fill a service's form from the card and the citizen's city record."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from cardio.card.citizen import CardIdentity
from contract.catalog import FieldType, FormField

log = logging.getLogger(__name__)


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
    service_id: str = "",
) -> dict[str, FieldValue]:
    """Values for every field the card or the record can fill; others stay out.

    A choice is filled only with one of its choices: any other value, locked, would
    leave the citizen with no tile chosen and none to choose, stuck on the form. It
    stays out (the citizen chooses) and the log names the field, never the value.
    """
    claims = identity.citizen.to_claims() if identity.citizen is not None else {}
    out: dict[str, FieldValue] = {}
    for field in fields:
        origin, _, key = field.prefill.partition(".")
        if origin == "card" and claims.get(key):
            value, source = claims[key], Source.CARD
        elif origin == "record" and record and record.get(key):
            value, source = record[key], Source.RECORD
        else:
            continue
        if field.type is FieldType.CHOICE and value not in field.choices:
            log.warning(
                "service %s, field %s: the %s value is not one of its choices; the citizen chooses",
                service_id,
                field.name,
                origin,
            )
            continue
        out[field.name] = FieldValue(value, source, not field.editable)
    return out
