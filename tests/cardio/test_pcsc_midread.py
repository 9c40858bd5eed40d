"""pcscd, the reader or the card going away in the middle of a read.

The card here is slow on purpose (:class:`SlowCard` takes its time over
INTERNAL AUTHENTICATE), so the service can be stopped or killed while
``SCardTransmit`` is waiting for it. Whatever goes, the read must end with a
typed :class:`CardError` within :data:`READ_DEADLINE_S`, and the same
:class:`PcscReader` must read the next tap once the service is back.
"""

from __future__ import annotations

import signal
import time

import pytest

from cardio.card import apdu
from cardio.emulators.vpcd import VpcdCard
from cardio.errors import CardRemovedDuringRead, CardServiceUnavailable, Reason
from cardio.readers.events import CardPresented, CardRemoved, ReaderAdded, ReaderRemoved
from cardio.readers.pcsc import PcscReader
from testkit.pcscd import READER, Pcscd, end_pcscd
from testkit.reader_events import EVENT_DEADLINE_S, EventLog
from testkit.uid_cards import (
    ATR,
    READ_DEADLINE_S,
    UID_RESPONSE,
    BackgroundRead,
    SlowCard,
    UidCard,
    tap_and_read,
)
from testkit.waits import wait_until

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(60)]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["killed", "stopped"])
def test_pcscd_gone_mid_read_is_a_typed_error_then_the_next_tap_reads(
    pcscd: Pcscd, events: EventLog, how: signal.Signals
) -> None:
    reader = PcscReader(reader_filter="00 00", poll_interval_s=0.2)
    card_logic = SlowCard()
    card = VpcdCard(card_logic, port=pcscd.port)
    reader.start(events)
    try:
        events.wait_for(ReaderAdded(READER))
        card.insert()
        presented = events.wait_for(CardPresented(READER, ATR))
        read = BackgroundRead(reader, READER)
        assert card_logic.started.wait(EVENT_DEADLINE_S), "the slow command never reached the card"

        gone_at = time.monotonic()
        end_pcscd(pcscd, how)
        ended_at = read.join(READ_DEADLINE_S)

        assert ended_at - gone_at < READ_DEADLINE_S
        assert read.responses == [UID_RESPONSE]  # the first APDU went through
        assert isinstance(read.error, CardServiceUnavailable), repr(read.error)
        assert read.error.reason is Reason.SERVICE_UNAVAILABLE
        # The detail names the call that failed, not the follow-up check.
        assert read.error.detail.startswith("SCardTransmit"), read.error.detail
        removed = events.wait_for(CardRemoved(READER), after=presented)
        gone = events.wait_for(ReaderRemoved(READER), after=removed)

        # vpcd went with pcscd: once done with the command, the card notices,
        # and it can be presented again.
        card_logic.release()
        wait_until(lambda: not card.inserted, EVENT_DEADLINE_S, "the card to see vpcd go")
        pcscd.start()
        back = events.wait_for(ReaderAdded(READER), after=gone)
        card.insert()  # the same card object, re-presented
        again = events.wait_for(CardPresented(READER, ATR), after=back)
        with reader.connect(READER) as conn:
            assert conn.transmit(apdu.GET_UID) == UID_RESPONSE
        card.remove()
        events.wait_for(CardRemoved(READER), after=again)
    finally:
        card_logic.release()
        card.remove()
        reader.stop()


def test_card_leaving_during_a_slow_command_is_removed_during_read(
    pcscd: Pcscd, events: EventLog
) -> None:
    reader = PcscReader(reader_filter="00 00", poll_interval_s=0.2)
    card_logic = SlowCard()
    card = VpcdCard(card_logic, port=pcscd.port)
    reader.start(events)
    try:
        events.wait_for(ReaderAdded(READER))
        card.insert()
        presented = events.wait_for(CardPresented(READER, ATR))
        read = BackgroundRead(reader, READER)
        assert card_logic.started.wait(EVENT_DEADLINE_S), "the slow command never reached the card"

        left_at = time.monotonic()
        card.remove(timeout_s=0.0)  # the citizen pulls the card mid-command
        ended_at = read.join(READ_DEADLINE_S)

        assert ended_at - left_at < READ_DEADLINE_S
        assert isinstance(read.error, CardRemovedDuringRead), repr(read.error)
        assert read.error.reason is Reason.REMOVED_DURING_READ
        assert read.error.detail.startswith("SCardTransmit"), read.error.detail
        events.wait_for(CardRemoved(READER), after=presented)
        card_logic.release()
        # The reader is fine: the next tap reads, with the same PcscReader.
        tap_and_read(reader, events, READER, pcscd.port)
    finally:
        card_logic.release()
        card.remove()
        reader.stop()


def test_a_read_after_pcscd_restarted_needs_no_new_reader(pcscd: Pcscd) -> None:
    """No watcher at all: :meth:`PcscReader.connect` alone survives a restart."""
    reader = PcscReader()
    with VpcdCard(UidCard(), port=pcscd.port):
        pcscd.wait_card()
        with reader.connect(READER) as conn:
            assert conn.transmit(apdu.GET_UID) == UID_RESPONSE
    end_pcscd(pcscd, signal.SIGKILL)
    with pytest.raises(CardServiceUnavailable), reader.connect(READER):
        pytest.fail("connected without a card service")
    pcscd.start()
    with VpcdCard(UidCard(), port=pcscd.port):
        pcscd.wait_card()
        with reader.connect(READER) as conn:
            assert conn.transmit(apdu.GET_UID) == UID_RESPONSE
