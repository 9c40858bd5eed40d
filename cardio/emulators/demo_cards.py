"""Demo cards for the simulated reader, the demo and the tests, signed by a DEMO issuer.

Fictional people; NIKs follow the real structure (Kota Pekanbaru, 14 71 xx;
women have 40 added to the day of birth) but belong to nobody.

The card images and the DEMO issuer key that signed them ship in
``cardio/emulators/demo_data/``; the DEMO trust and revocation lists, which the
centre reads too, in ``contract/demo_data/`` (:mod:`contract.demo`). **The DEMO issuer key is
public: never put the DEMO trust list on a real kiosk**, or anyone could
issue cards it accepts. ``python -m cardio.emulators.demo_cards`` makes a new set.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardio.emulators import card_tamper
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.issuing.card_image import CardImage
from cardio.issuing.issuer import IssuerKey, generate_issuer_key, issue_card
from contract.demo import DEMO_LISTS, DEMO_REVOCATION_LIST, DEMO_TRUST_LIST
from contract.trust import TrustStore, revocation_list_json

DEMO_DATA = Path(__file__).with_name("demo_data")
DEMO_ISSUER_KEY = DEMO_DATA / "DEMO-issuer-key.json"
DEMO_ISSUER_ID = "ID-PKU-DEMO"
DEMO_ISSUER_NAME = "DEMO Kota Pekanbaru (never trust in production)"
_ISSUED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
_EXPIRES = dt.datetime(2035, 1, 1, tzinfo=dt.UTC)


def _pekanbaru(street: str, rt: str, rw: str, kelurahan: str, kecamatan: str) -> dict[str, str]:
    return {
        "street": street,
        "rt": rt,
        "rw": rw,
        "kelurahan": kelurahan,
        "kecamatan": kecamatan,
        "city": "Kota Pekanbaru",
    }


@dataclass(frozen=True)
class DemoCard:
    key: str
    label: str  # shown on the demo button; no personal data beyond the demo name
    uid: bytes
    #: The citizen map the card's record holds (None: a UID-only card).
    claims: dict[str, Any] | None
    #: What a kiosk with the DEMO trust list makes of it: a level or a reason.
    expect: str

    def image(self) -> CardImage:
        return _image(self.key)

    def applet(self) -> CitizenCardApplet:
        """A fresh applet for one tap (card images are read once, then cached)."""
        return CitizenCardApplet.from_image(self.image())


SITI = {
    "card_number": "PKU-000001",
    "nik": "1471015203850001",
    "full_name": "Siti Aminah",
    "date_of_birth": "1985-03-12",
    "sex": "F",
    "address": _pekanbaru(
        "Jl. Jenderal Sudirman No. 45", "003", "005", "Simpang Empat", "Pekanbaru Kota"
    ),
    "blood_type": "O",
    "bpjs_number": "0001234567890",
}
BUDI = {
    "card_number": "PKU-000002",
    "nik": "1471011708790002",
    "full_name": "Budi Santoso",
    "date_of_birth": "1979-08-17",
    "sex": "M",
    "address": _pekanbaru(
        "Jl. Arifin Achmad No. 8", "001", "002", "Sidomulyo Timur", "Marpoyan Damai"
    ),
    "blood_type": "A",
}
RAHMAT = {
    "card_number": "PKU-000004",
    "nik": "1471022105680004",
    "full_name": "Rahmat Hidayat",
    "date_of_birth": "1968-05-21",
    "sex": "M",
    "address": _pekanbaru("Jl. Tuanku Tambusai No. 3", "002", "004", "Delima", "Tampan"),
}
DEWI = {
    "card_number": "PKU-000005",
    "nik": "1471034711920005",
    "full_name": "Dewi Lestari",
    "date_of_birth": "1992-11-07",
    "sex": "F",
    "address": _pekanbaru("Jl. Paus No. 17", "004", "001", "Tangkerang Barat", "Marpoyan Damai"),
    "blood_type": "B",
}
#: Card numbers the DEMO revocation list names.
DEMO_REVOKED = ("PKU-000005",)

DEMO_CARDS: tuple[DemoCard, ...] = (
    DemoCard("siti", "Siti Aminah", bytes.fromhex("04A1B2C3D4E5F6"), SITI, "clone_proof"),
    DemoCard("budi", "Budi Santoso", bytes.fromhex("04B2C3D4E5F607"), BUDI, "clone_proof"),
    DemoCard("ektp", "e-KTP (UID saja)", bytes.fromhex("08C0FFEE"), None, "unverified"),
    DemoCard("rusak", "Kartu rusak", bytes.fromhex("04DEADBEEF0001"), BUDI, "malformed"),
    DemoCard(
        "kedaluwarsa", "Kartu kedaluwarsa", bytes.fromhex("04C3D4E5F60718"), RAHMAT, "expired"
    ),
    DemoCard(
        "salinan", "Salinan kartu Siti", bytes.fromhex("04A1B2C3D4E5F6"), SITI, "clone_suspected"
    ),
    DemoCard("diblokir", "Kartu diblokir", bytes.fromhex("04D4E5F6071829"), DEWI, "revoked"),
    DemoCard("palsu", "Kartu palsu", bytes.fromhex("04E5F60718293A"), BUDI, "unknown_issuer"),
)


def demo_card(key: str) -> DemoCard:
    for card in DEMO_CARDS:
        if card.key == key:
            return card
    raise KeyError(key)


def demo_trust_store() -> TrustStore:
    """The DEMO trust and revocation lists: for the demo and tests only."""
    return TrustStore.load(DEMO_TRUST_LIST, DEMO_REVOCATION_LIST)


@functools.cache
def _image(key: str) -> CardImage:
    return CardImage.load(DEMO_DATA / "cards" / f"{key}.json")


def regenerate(directory: Path = DEMO_DATA, lists: Path = DEMO_LISTS) -> None:
    """Make a new DEMO issuer key and card images in ``directory``, its lists in ``lists``."""
    issuer = generate_issuer_key(DEMO_ISSUER_ID, DEMO_ISSUER_NAME)
    (directory / "cards").mkdir(parents=True, exist_ok=True)
    issuer.save(directory / DEMO_ISSUER_KEY.name)
    _write(lists / DEMO_TRUST_LIST.name, issuer.trust_list())
    _write(lists / DEMO_REVOCATION_LIST.name, revocation_list_json({DEMO_ISSUER_ID: DEMO_REVOKED}))
    images = {card.key: _make(card, issuer) for card in DEMO_CARDS}
    clone = card_tamper.cloned(images["siti"])  # Siti's record, another card key
    images["salinan"] = CardImage(
        clone.uid, clone.record, clone.card_key, demo_card("salinan").label
    )
    for key, image in images.items():
        image.save(directory / "cards" / f"{key}.json")
    for path in [
        *directory.glob("*.json"),
        *lists.glob("*.json"),
        *(directory / "cards").glob("*.json"),
    ]:
        path.chmod(0o644)  # DEMO keys are public by design; see README.md there
    _image.cache_clear()


def _make(card: DemoCard, issuer: IssuerKey) -> CardImage:
    if card.claims is None:
        return CardImage(card.uid, None, None, card.label)
    if card.key == "kedaluwarsa":
        issued, expires = (
            dt.datetime(2019, 1, 1, tzinfo=dt.UTC),
            dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        )
    else:
        issued, expires = _ISSUED, _EXPIRES
    image = issue_card(
        issuer, card.claims, uid=card.uid, issued=issued, expires=expires, label=card.label
    )
    if card.key == "rusak" and image.record is not None:  # a damaged chip: cut off
        image = CardImage(card.uid, image.record[:200], image.card_key, card.label)
    if card.key == "palsu":  # signed by a key no trust list names
        image = card_tamper.forged(image, keep_kid=False)
        image = CardImage(card.uid, image.record, image.card_key, card.label)
    return image


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        regenerate(Path(sys.argv[1]), Path(sys.argv[1]))
    else:
        regenerate()
    print("new DEMO issuer key, trust lists and cards")
