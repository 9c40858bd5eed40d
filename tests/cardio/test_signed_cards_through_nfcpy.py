"""The signed citizen card and signed NDEF tags through nfcpy's real udp driver."""

from __future__ import annotations

import pytest

from cardio.card.citizen_card import read_identity
from cardio.card.ndef_cose import NDEF_TYPE
from cardio.emulators import card_tamper
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.demo_cards import demo_card
from cardio.emulators.nfc_emulator import IsoDepEmulator, NtagEmulator, Type3NdefEmulator
from cardio.errors import MalformedCard, Reason
from cardio.readers.atr import ISO_DEP_ATR, atr_for_tag_type
from cardio.readers.events import CardPresented
from contract.assurance import Assurance
from testkit.cards import CHALLENGE, DEMO_TRUST, NOW
from testkit.nfc_udp import NFC_EVENT_DEADLINE_S, free_udp_port, running_reader, udp_path

pytestmark = pytest.mark.timeout(60)

SITI = demo_card("siti").image()
RECORD = SITI.record or b""


def test_the_citizen_card_is_clone_proof_over_iso_dep() -> None:
    path = udp_path(free_udp_port())
    with (
        running_reader(path) as (reader, events),
        IsoDepEmulator(CitizenCardApplet.from_image(SITI), path),
    ):
        events.wait_for(CardPresented(reader.name, ISO_DEP_ATR), timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            identity = read_identity(conn, DEMO_TRUST, now=lambda: NOW, challenge=lambda: CHALLENGE)
    assert identity.assurance is Assurance.CLONE_PROOF
    assert identity.uid == SITI.uid


def test_the_record_on_a_type3_tag_is_signed() -> None:
    path = udp_path(free_udp_port())
    tag = Type3NdefEmulator.mime(NDEF_TYPE, RECORD, path)
    with running_reader(path, targets=("212F",)) as (reader, events), tag:
        presented = CardPresented(reader.name, atr_for_tag_type("Type3Tag"))
        events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            identity = read_identity(conn, DEMO_TRUST, now=lambda: NOW)
    assert identity.assurance is Assurance.SIGNED
    assert identity.citizen is not None and identity.citizen.full_name == "Siti Aminah"


def test_the_record_on_an_ntag_is_signed() -> None:
    path = udp_path(free_udp_port())
    tag = NtagEmulator.mime(NDEF_TYPE, RECORD, path)
    with running_reader(path) as (reader, events), tag:
        presented = CardPresented(reader.name, atr_for_tag_type("Type2Tag"))
        events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            identity = read_identity(conn, DEMO_TRUST, now=lambda: NOW)
    assert identity.assurance is Assurance.SIGNED


def test_a_record_with_a_byte_after_it_on_an_ntag_is_malformed() -> None:
    path = udp_path(free_udp_port())
    trailing = card_tamper.trailing(SITI).record or b""
    assert trailing == RECORD + b"\x00"
    tag = NtagEmulator.mime(NDEF_TYPE, trailing, path)
    with running_reader(path) as (reader, events), tag:
        presented = CardPresented(reader.name, atr_for_tag_type("Type2Tag"))
        events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn, pytest.raises(MalformedCard) as caught:
            read_identity(conn, DEMO_TRUST, now=lambda: NOW)
    assert caught.value.reason is Reason.MALFORMED
