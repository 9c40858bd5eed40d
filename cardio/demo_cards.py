"""Demo citizens for the simulated reader and the tests.

Fictional people; NIKs follow the real structure (Kota Pekanbaru, 14 71 xx;
women have 40 added to the day of birth) but belong to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from cardio.citizen_card import CitizenCardApplet, encode_record


@dataclass(frozen=True)
class DemoCard:
    key: str
    label: str  # shown on the demo button; no personal data beyond the demo name
    uid: bytes
    claims: dict[str, str] | None

    def applet(self) -> CitizenCardApplet:
        record = encode_record(self.claims) if self.claims is not None else None
        return CitizenCardApplet(uid=self.uid, record=record)


DEMO_CARDS: tuple[DemoCard, ...] = (
    DemoCard(
        key="siti",
        label="Siti Aminah",
        uid=bytes.fromhex("04A1B2C3D4E5F6"),
        claims={
            "card_number": "PKU-000001",
            "nik": "1471015203850001",
            "full_name": "Siti Aminah",
            "date_of_birth": "1985-03-12",
            "sex": "F",
        },
    ),
    DemoCard(
        key="budi",
        label="Budi Santoso",
        uid=bytes.fromhex("04B2C3D4E5F607"),
        claims={
            "card_number": "PKU-000002",
            "nik": "1471011708790002",
            "full_name": "Budi Santoso",
            "date_of_birth": "1979-08-17",
            "sex": "M",
        },
    ),
    DemoCard(
        key="ektp",
        label="e-KTP (UID saja)",
        uid=bytes.fromhex("08C0FFEE"),
        claims=None,
    ),
    DemoCard(
        key="rusak",
        label="Kartu rusak",
        uid=bytes.fromhex("04DEADBEEF0001"),
        claims={
            "card_number": "PKU-000003",
            "nik": "147101",  # broken on purpose: a NIK has 16 digits
            "full_name": "Kartu Rusak",
            "date_of_birth": "1990-01-01",
            "sex": "M",
        },
    ),
)


def demo_card(key: str) -> DemoCard:
    for card in DEMO_CARDS:
        if card.key == key:
            return card
    raise KeyError(key)
