"""Reading cards through a real pcscd and the vpcd driver."""

from __future__ import annotations

import datetime as dt

import pytest

from cardio.card import apdu
from cardio.card.citizen import Citizen
from cardio.card.citizen_card import read_identity
from cardio.card.layout import AID, encode_record
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.vpcd import VpcdCard
from cardio.errors import (
    CardError,
    CardRemovedDuringRead,
    CardServiceUnavailable,
    ReaderUnavailable,
    Reason,
)
from cardio.readers.pcsc import PcscReader
from contract.assurance import Assurance
from contract.nik import Sex
from testkit.cards import RecordingApplet
from testkit.pcscd import FRIENDLY_NAME, READER, SECOND_READER, Pcscd

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(60)]

UID = bytes.fromhex("04A1B2C3D4E5F6")
CLAIMS = {
    "card_number": "AJG-2026-000017",
    "nik": "1471014101900001",
    "full_name": "Siti Aminah",
    "date_of_birth": "1990-01-01",
    "sex": "F",
}


def test_reads_the_uid_through_pcscd(pcscd: Pcscd) -> None:
    card = RecordingApplet(CitizenCardApplet(uid=UID, record=None))
    with VpcdCard(card, port=pcscd.port):
        pcscd.wait_card()
        with PcscReader().connect(READER) as conn:
            response = conn.transmit(apdu.GET_UID)
    assert response == UID + b"\x90\x00"
    # pcscd and vpcd pass the pseudo-APDU to the card unchanged.
    assert card.commands == [bytes.fromhex("FF CA 00 00 00")]
    assert card.resets >= 1  # the driver powered the card on


def test_lists_only_the_readers_matching_the_filter(pcscd: Pcscd) -> None:
    assert PcscReader(reader_filter=FRIENDLY_NAME).readers() == [READER, SECOND_READER]
    assert PcscReader(reader_filter="00 01").readers() == [SECOND_READER]
    assert PcscReader(reader_filter="no such reader").readers() == []


def test_read_identity_of_a_citizen_card(pcscd: Pcscd) -> None:
    card = RecordingApplet(CitizenCardApplet(uid=UID, record=encode_record(CLAIMS)))
    with VpcdCard(card, port=pcscd.port):
        pcscd.wait_card()
        with PcscReader().connect(READER) as conn:
            identity = read_identity(conn)
    assert identity.uid == UID
    assert identity.assurance is Assurance.UNVERIFIED
    assert identity.citizen == Citizen(
        card_number="AJG-2026-000017",
        nik="1471014101900001",
        full_name="Siti Aminah",
        date_of_birth=dt.date(1990, 1, 1),
        sex=Sex.FEMALE,
    )
    body_length = len(encode_record(CLAIMS)) - 2
    assert card.commands == [
        bytes.fromhex("FF CA 00 00 00"),  # GET UID
        bytes.fromhex("00 A4 04 0C 0A") + AID,  # SELECT the citizen application
        bytes.fromhex("00 B0 00 00 02"),  # READ BINARY the length header
        bytes([0x00, 0xB0, 0x00, 0x02, body_length]),  # READ BINARY the CBOR claims
    ]


def test_read_identity_of_a_record_longer_than_one_read(pcscd: Pcscd) -> None:
    claims = dict(CLAIMS, full_name="Siti " + "Aminah " * 60)
    record = encode_record(claims)
    assert len(record) > 2 + 2 * apdu.READ_CHUNK  # three READ BINARY chunks
    with VpcdCard(CitizenCardApplet(uid=UID, record=record), port=pcscd.port):
        pcscd.wait_card()
        with PcscReader().connect(READER) as conn:
            identity = read_identity(conn)
    assert identity.citizen is not None
    assert identity.citizen.full_name == claims["full_name"].strip()


def test_read_identity_of_a_uid_only_card(pcscd: Pcscd) -> None:
    with VpcdCard(CitizenCardApplet(uid=UID, record=None), port=pcscd.port):
        pcscd.wait_card()
        with PcscReader().connect(READER) as conn:
            identity = read_identity(conn)
    assert identity.uid == UID
    assert identity.citizen is None
    assert identity.assurance is Assurance.UNVERIFIED


class RemovedOnRead:
    """A citizen card that leaves the field when asked for its claims."""

    def __init__(self, applet: CitizenCardApplet) -> None:
        self.applet = applet
        self.card: VpcdCard | None = None

    def execute(self, command: bytes) -> bytes:
        if command[:2] == b"\x00\xb0" and self.card is not None:
            self.card.remove()  # the socket closes before any answer
        return self.applet.execute(command)

    def reset(self) -> None:
        self.applet.reset()


def test_card_removed_mid_read_is_a_typed_error(pcscd: Pcscd) -> None:
    applet = RemovedOnRead(CitizenCardApplet(uid=UID, record=encode_record(CLAIMS)))
    card = VpcdCard(applet, port=pcscd.port)
    applet.card = card
    with card:
        pcscd.wait_card()
        with PcscReader().connect(READER) as conn:
            with pytest.raises(CardRemovedDuringRead) as raised:
                read_identity(conn)
            assert raised.value.reason is Reason.REMOVED_DURING_READ
            assert "SCardTransmit" in raised.value.detail
            # The handle now reports the removal itself.
            with pytest.raises(CardRemovedDuringRead):
                conn.transmit(apdu.GET_UID)


def test_connect_errors_are_typed(pcscd: Pcscd) -> None:
    reader = PcscReader()
    with pytest.raises(CardRemovedDuringRead), reader.connect(READER):
        pytest.fail("connected with no card on the reader")
    with pytest.raises(ReaderUnavailable), reader.connect("No Such Reader 00 00"):
        pytest.fail("connected to a reader that does not exist")


def test_many_taps_release_every_handle(pcscd: Pcscd) -> None:
    """pcscd allows 200 contexts and handles per client: a leak would show."""
    reader = PcscReader()
    with VpcdCard(CitizenCardApplet(uid=UID, record=encode_record(CLAIMS)), port=pcscd.port):
        pcscd.wait_card()
        for _ in range(250):
            with reader.connect(READER) as conn:
                assert conn.transmit(apdu.GET_UID) == UID + b"\x90\x00"


def test_service_down_means_no_readers_and_a_typed_error(pcscd: Pcscd) -> None:
    pcscd.stop()
    reader = PcscReader()
    assert reader.readers() == []
    with pytest.raises(CardServiceUnavailable) as raised, reader.connect(READER):
        pytest.fail("connected without a card service")
    assert raised.value.reason is Reason.SERVICE_UNAVAILABLE
    assert isinstance(raised.value, CardError)
    assert "8010001D" in raised.value.detail
