"""The shipped DEMO cards: what each one shows, and that the files match their source."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cardio.card import signed_record
from cardio.emulators.demo_cards import (
    DEMO_CARDS,
    DEMO_DATA,
    DEMO_ISSUER_ID,
    DemoCard,
    demo_card,
    demo_trust_store,
    regenerate,
)
from cardio.errors import CardError
from contract.demo import DEMO_LISTS
from contract.nik import Sex, parse_nik
from contract.trust import TrustStore
from testkit.cards import DEMO_TRUST, NOW, read


@pytest.mark.parametrize("card", DEMO_CARDS, ids=lambda c: c.key)
def test_each_demo_card_gives_what_it_is_for(card: DemoCard) -> None:
    try:
        result = read(card.applet()).assurance.value
    except CardError as exc:
        result = exc.reason.value
    assert result == card.expect


@pytest.mark.parametrize("card", [c for c in DEMO_CARDS if c.claims], ids=lambda c: c.key)
def test_demo_niks_are_real_shaped_and_match_the_claims(card: DemoCard) -> None:
    assert card.claims is not None
    nik = parse_nik(card.claims["nik"], reference=NOW.date())
    assert nik.province == "14" and nik.regency == "71"  # Kota Pekanbaru, Riau
    born = dt.date.fromisoformat(card.claims["date_of_birth"])
    assert nik.matches(born, Sex(card.claims["sex"]))


@pytest.mark.parametrize("key", ["siti", "budi", "kedaluwarsa", "salinan", "diblokir"])
def test_stored_records_hold_the_claims_written_in_demo_cards(key: str) -> None:
    card = demo_card(key)
    image = card.image()
    assert image.uid == card.uid and image.label == card.label
    _, claims = signed_record.unverified_claims(image.record or b"")
    citizen = dict(claims[signed_record.CLAIM_CITIZEN])
    citizen.pop(signed_record.CARD_KEY)
    assert citizen == card.claims and claims[signed_record.CLAIM_ISS] == DEMO_ISSUER_ID


def test_everything_demo_is_named_demo() -> None:
    names = sorted(p.name for p in [*DEMO_DATA.glob("*.json"), *DEMO_LISTS.glob("*.json")])
    assert names == ["DEMO-issuer-key.json", "DEMO-revocation-list.json", "DEMO-trust-list.json"]
    assert "never" in (DEMO_DATA / "README.md").read_text()
    [issuer] = demo_trust_store().issuers.values()
    assert "DEMO" in issuer.issuer_id and "DEMO" in issuer.name


def test_regenerate_makes_a_consistent_new_set(tmp_path: Path) -> None:
    regenerate(tmp_path, tmp_path)
    trust = TrustStore.load(
        tmp_path / "DEMO-trust-list.json", tmp_path / "DEMO-revocation-list.json"
    )
    assert set(trust.issuers) != set(DEMO_TRUST.issuers)  # a new key
    for card in DEMO_CARDS:
        data = json.loads((tmp_path / "cards" / f"{card.key}.json").read_text())
        assert data["uid"] == card.uid.hex().upper()
