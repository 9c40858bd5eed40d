"""The vpcd wire protocol of :class:`cardio.emulators.vpcd.VpcdCard`, without pcscd.

A small TCP listener on loopback plays the vpcd driver: it sends exact frames
(2-byte big-endian length + payload) and checks the exact bytes answered.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest

import cardio.emulators.vpcd
from cardio.emulators.citizen_applet import CitizenCardApplet
from cardio.emulators.vpcd import DEFAULT_ATR, VpcdCard
from cardio.readers.atr import contactless_atr
from testkit.cards import RecordingApplet
from testkit.waits import wait_until

pytestmark = pytest.mark.timeout(30)

UID = bytes.fromhex("04A1B2C3D4E5F6")


class DriverSide:
    """The vpcd end of the connection: listens, accepts one card."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(5.0)
        self.port = int(self.server.getsockname()[1])
        self.conn: socket.socket | None = None

    def accept(self) -> socket.socket:
        self.conn, _ = self.server.accept()
        self.conn.settimeout(5.0)
        return self.conn

    def send(self, raw_hex: str) -> None:
        assert self.conn is not None
        self.conn.sendall(bytes.fromhex(raw_hex))

    def receive(self, size: int) -> bytes:
        assert self.conn is not None
        data = bytearray()
        while len(data) < size:
            chunk = self.conn.recv(size - len(data))
            if not chunk:
                break
            data += chunk
        return bytes(data)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.server.close()


@pytest.fixture
def driver() -> Iterator[DriverSide]:
    side = DriverSide()
    try:
        yield side
    finally:
        side.close()


def test_contactless_atr_follows_pcsc_part_3() -> None:
    assert bytes.fromhex("3B 80 80 01 01") == DEFAULT_ATR
    assert contactless_atr() == DEFAULT_ATR
    # A MIFARE DESFire EV1 (historical byte 80) as PC/SC readers report it.
    assert contactless_atr(b"\x80") == bytes.fromhex("3B 81 80 01 80 80")
    with pytest.raises(ValueError):
        contactless_atr(bytes(16))


def test_exact_frames_for_control_codes_and_apdus(driver: DriverSide) -> None:
    applet = RecordingApplet(CitizenCardApplet(uid=UID, record=None))
    card = VpcdCard(applet, port=driver.port)
    card.insert()
    try:
        driver.accept()
        driver.send("0001 01")  # power on: not answered
        driver.send("0001 04")  # ATR request
        assert driver.receive(7) == bytes.fromhex("0005 3B80800101")
        driver.send("0005 FFCA000000")  # GET UID
        assert driver.receive(11) == bytes.fromhex("0009 04A1B2C3D4E5F6 9000")
        driver.send("0001 00")  # power off: not answered
        driver.send("0001 02")  # reset: not answered
        driver.send("0001 07")  # unknown control code: ignored
        driver.send("0005")  # length and body in separate writes, as vpcd does
        time.sleep(0.05)
        driver.send("00B0000002")  # READ BINARY with nothing selected
        assert driver.receive(4) == bytes.fromhex("0002 6985")
        assert applet.commands == [bytes.fromhex("FFCA000000"), bytes.fromhex("00B0000002")]
        assert applet.resets == 3  # on, off, reset
    finally:
        card.remove()
    assert driver.receive(1) == b""  # closed, and nothing else was ever sent
    assert not card.inserted
    card.remove()  # idempotent


def test_a_custom_atr_is_sent(driver: DriverSide) -> None:
    atr = contactless_atr(b"\x80")
    with VpcdCard(CitizenCardApplet(uid=UID, record=None), port=driver.port, atr=atr):
        driver.accept()
        driver.send("0001 04")
        assert driver.receive(8) == bytes.fromhex("0006 3B8180018080")


class Broken:
    def execute(self, command: bytes) -> bytes:
        if command[1] == 0xB0:
            raise RuntimeError("card logic bug")
        return UID + b"\x90\x00"


def test_card_logic_failure_answers_6f00_and_keeps_serving(
    driver: DriverSide, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="cardio.emulators.vpcd"),
        VpcdCard(Broken(), port=driver.port),
    ):
        driver.accept()
        driver.send("0005 00B0000002")
        assert driver.receive(4) == bytes.fromhex("0002 6F00")
        driver.send("0005 FFCA000000")
        assert driver.receive(11) == bytes.fromhex("0009 04A1B2C3D4E5F6 9000")
    assert "card logic failed" in caplog.text


@pytest.mark.parametrize(
    "last_words",
    ["", "00", "0005 FFCA"],
    ids=["between-frames", "mid-length", "mid-apdu"],
)
def test_vpcd_closing_the_socket_ends_the_card_quietly(
    driver: DriverSide, last_words: str, caplog: pytest.LogCaptureFixture
) -> None:
    card = VpcdCard(CitizenCardApplet(uid=UID, record=None), port=driver.port)
    with caplog.at_level(logging.WARNING):
        card.insert()
        conn = driver.accept()
        driver.send("0001 01")
        if last_words:
            driver.send(last_words)
        conn.close()
        wait_until(lambda: not card.inserted, 5.0, "the card to notice vpcd left")
        card.remove()
    # No traceback, no warning: an unhandled thread exception would also fail the test.
    assert caplog.records == []


def test_insert_without_vpcd_raises(driver: DriverSide) -> None:
    port = driver.port
    driver.close()
    card = VpcdCard(CitizenCardApplet(uid=UID, record=None), port=port)
    with pytest.raises(ConnectionRefusedError):
        card.insert()
    assert not card.inserted


def test_double_insert_is_refused(driver: DriverSide) -> None:
    with VpcdCard(CitizenCardApplet(uid=UID, record=None), port=driver.port) as card:
        with pytest.raises(RuntimeError):
            card.insert()
        assert card.inserted


def _round_trips(driver: DriverSide, count: int) -> float:
    """Seconds for ``count`` APDUs, length and body written separately like vpcd."""
    assert driver.conn is not None
    driver.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)  # Nagle on, as vpcd
    started = time.monotonic()
    for _ in range(count):
        driver.send("0005")
        driver.send("FFCA000000")
        assert driver.receive(11) == bytes.fromhex("0009 04A1B2C3D4E5F6 9000")
    return time.monotonic() - started


@pytest.mark.skipif(not hasattr(socket, "TCP_QUICKACK"), reason="TCP_QUICKACK is Linux-only")
def test_no_delayed_ack_stall_per_apdu(driver: DriverSide) -> None:
    """Without TCP_QUICKACK each APDU waits ~40 ms for a delayed ACK."""
    with VpcdCard(CitizenCardApplet(uid=UID, record=None), port=driver.port):
        driver.accept()
        took = _round_trips(driver, 20)
    assert took < 0.3, f"20 APDUs took {took:.3f} s"


def test_the_stall_test_can_see_a_stall(
    driver: DriverSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guards the test above: with QUICKACK off, the stall shows (else that test is moot)."""
    if not hasattr(socket, "TCP_QUICKACK"):
        pytest.skip("TCP_QUICKACK is Linux-only")
    monkeypatch.setattr(cardio.emulators.vpcd, "_TCP_QUICKACK", None)
    with VpcdCard(CitizenCardApplet(uid=UID, record=None), port=driver.port):
        driver.accept()
        took = _round_trips(driver, 10)
    if took < 0.3:
        pytest.skip(f"no delayed-ACK stall on this kernel ({took:.3f} s for 10 APDUs)")
