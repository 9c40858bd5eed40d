"""The kiosk's whole read path (read_identity) over the nfc backend, for each card kind.

The signed citizen card on ISO-DEP proves its key (``clone_proof``); the
same record on an NDEF tag, whichever NFC Forum type, reads as ``signed``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cardio.card.citizen_card import read_identity
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.demo_cards import demo_card, demo_trust_store
from cardio.emulators.nfc_emulator import (
    IsoDepEmulator,
    NfcEmulator,
    NtagEmulator,
    Type3NdefEmulator,
    mime_message,
)
from cardio.emulators.nfc_tags import Type4NdefApplet
from cardio.readers.atr import atr_for_tag_type
from cardio.readers.events import CardPresented
from contract.assurance import Assurance
from testkit.nfc_udp import NFC_EVENT_DEADLINE_S, free_udp_port, running_reader, udp_path

pytestmark = pytest.mark.timeout(60)

SITI = demo_card("siti").image()
RECORD_TYPE, RECORD = SITI.ndef_tag().ndef_records()[0]


def citizen_card(path: str) -> NfcEmulator:
    return IsoDepEmulator(CitizenCardApplet.from_image(SITI), path)


def ntag(path: str) -> NfcEmulator:
    return NtagEmulator.mime(RECORD_TYPE, RECORD, path)


def felica(path: str) -> NfcEmulator:
    return Type3NdefEmulator.mime(RECORD_TYPE, RECORD, path)


def type4_ndef(path: str) -> NfcEmulator:
    return IsoDepEmulator(Type4NdefApplet(mime_message(RECORD_TYPE, RECORD)), path)


@pytest.mark.parametrize(
    ("make", "tag_type", "assurance"),
    [
        (citizen_card, "Type4Tag", Assurance.CLONE_PROOF),
        (ntag, "Type2Tag", Assurance.SIGNED),
        (felica, "Type3Tag", Assurance.SIGNED),
        (type4_ndef, "Type4Tag", Assurance.SIGNED),
    ],
    ids=["citizen-card", "ntag", "type3", "type4-ndef"],
)
def test_read_identity_through_nfcpy(
    make: Callable[[str], NfcEmulator], tag_type: str, assurance: Assurance
) -> None:
    path = udp_path(free_udp_port())
    emulator = make(path)
    targets = ("212F",) if tag_type == "Type3Tag" else ("106A",)
    with running_reader(path, targets) as (reader, events), emulator:
        presented = CardPresented(reader.name, atr_for_tag_type(tag_type))
        events.wait_for(presented, timeout_s=NFC_EVENT_DEADLINE_S)
        with reader.connect(reader.name) as conn:
            identity = read_identity(conn, demo_trust_store())
    assert identity.assurance is assurance
    assert identity.citizen is not None
    assert identity.citizen.full_name == "Siti Aminah"
