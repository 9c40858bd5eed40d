"""The signed citizen card through a real pcscd and the vpcd driver: clone_proof, or why not."""

from __future__ import annotations

import pytest

from cardio.card.citizen_card import read_identity
from cardio.emulators import card_tamper
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.demo_cards import demo_card
from cardio.emulators.vpcd import VpcdCard
from cardio.errors import CardRejected, MalformedCard, Reason
from cardio.readers.pcsc import PcscReader
from contract.assurance import Assurance
from testkit.cards import CHALLENGE, DEMO_TRUST, NOW, RecordingApplet
from testkit.pcscd import READER, Pcscd

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(60)]

SITI = demo_card("siti").image()


def test_a_signed_card_reads_as_clone_proof_through_pcscd(pcscd: Pcscd) -> None:
    card = RecordingApplet(CitizenCardApplet.from_image(SITI))
    with VpcdCard(card, port=pcscd.port):
        pcscd.wait_card()
        with PcscReader().connect(READER) as conn:
            identity = read_identity(conn, DEMO_TRUST, now=lambda: NOW, challenge=lambda: CHALLENGE)
    assert identity.assurance is Assurance.CLONE_PROOF
    assert identity.uid == SITI.uid and identity.issuer == "ID-PKU-DEMO"
    assert identity.citizen is not None and identity.citizen.full_name == "Siti Aminah"
    # pcscd and vpcd pass every APDU to the card unchanged, INTERNAL AUTHENTICATE too.
    assert card.commands == [
        bytes.fromhex("FF CA 00 00 00"),  # GET UID
        bytes.fromhex("00 A4 04 0C 0A F0 41 4E 4A 55 4E 47 41 4E 01"),  # SELECT AID
        bytes.fromhex("00 B0 00 00 02"),  # READ BINARY: length (467 = 01 D3)
        bytes.fromhex("00 B0 00 02 E0"),  # READ BINARY: bytes 0-223 of the record
        bytes.fromhex("00 B0 00 E2 E0"),  # READ BINARY: bytes 224-447
        bytes.fromhex("00 B0 01 C2 13"),  # READ BINARY: bytes 448-466
        bytes.fromhex("00 88 00 00 20") + CHALLENGE + b"\x00",  # INTERNAL AUTHENTICATE
    ]


def test_a_cloned_card_is_caught_through_pcscd(pcscd: Pcscd) -> None:
    clone = card_tamper.cloned(SITI)
    with VpcdCard(CitizenCardApplet.from_image(clone), port=pcscd.port):
        pcscd.wait_card()
        with PcscReader().connect(READER) as conn, pytest.raises(CardRejected) as caught:
            read_identity(conn, DEMO_TRUST, now=lambda: NOW)
    assert caught.value.reason is Reason.CLONE_SUSPECTED


@pytest.mark.parametrize(
    "applet",
    [
        CitizenCardApplet.from_image(card_tamper.trailing(SITI)),  # a byte after the COSE_Sign1
        CitizenCardApplet.from_image(
            card_tamper.unprotected(SITI)
        ),  # a kid in the unprotected header
        CitizenCardApplet(
            bytes.fromhex("0411223344"), CitizenCardApplet.from_image(SITI).record, SITI.card_key
        ),
    ],
    ids=["trailing-byte", "unprotected-header", "5-byte-uid"],
)
def test_records_and_uids_outside_the_format_are_malformed_through_pcscd(
    pcscd: Pcscd, applet: CitizenCardApplet
) -> None:
    with VpcdCard(applet, port=pcscd.port):
        pcscd.wait_card()
        with PcscReader().connect(READER) as conn, pytest.raises(MalformedCard) as caught:
            read_identity(conn, DEMO_TRUST, now=lambda: NOW, challenge=lambda: CHALLENGE)
    assert caught.value.reason is Reason.MALFORMED
