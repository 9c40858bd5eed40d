"""Many taps in a row under one running :class:`PcscReader`.

pcscd polls the vpcd reader every 0.4 s, so one tap (insert, event, read,
remove, event) takes about 0.8 s: "as fast as pcscd allows" means the next
card goes on as soon as the watcher has reported the last one gone. Faster
than that, vpcd swaps cards under pcscd without pcscd ever seeing the reader
empty, which no watcher can report (docs/pcsc.md).

Each loop runs under :func:`run_with_deadline`, so a deadlock (pyscard #220
saw one after ~40 quick taps) fails with the stuck stack instead of hanging.
One run of fifty taps proves it all: the order of the events, nothing leaked,
and pyscard #220's pattern (quick taps on one slot while the watcher follows
both, then the other slot).
"""

from __future__ import annotations

import pytest

from cardio.card import apdu
from cardio.emulators.vpcd import VpcdCard
from cardio.readers.events import CardPresented, CardRemoved, ReaderAdded, ReaderEvent
from cardio.readers.pcsc import PcscReader
from testkit.pcscd import READER, SECOND_READER, Pcscd
from testkit.pcscd_usage import client_sessions, log_text, resources, settled_resources
from testkit.reader_events import EventLog
from testkit.uid_cards import ATR, UID_RESPONSE, UidCard, tap_and_read
from testkit.waits import run_with_deadline, wait_until

pytestmark = [pytest.mark.pcsc, pytest.mark.slow, pytest.mark.timeout(100)]

CYCLES = 50
#: 0.8 s a tap at pcscd's pace, twice over for a busy machine.
LOOP_DEADLINE_S = 1.6 * CYCLES
TAP = [CardPresented(READER, ATR), CardRemoved(READER)]
#: pcscd ends a client's thread a moment after the client has gone, and an emulated
#: card's thread ends a moment after it is taken away: on a loaded machine a moment
#: is seconds. The wait ends as soon as both are gone; what leaked never goes.
SETTLE_S = 20.0


def card_events(log: list[ReaderEvent], reader: str) -> list[ReaderEvent]:
    return [e for e in log if isinstance(e, CardPresented | CardRemoved) and e.reader == reader]


def test_fifty_taps_on_one_slot_keep_order_leak_nothing_and_leave_both_slots_working(
    pcscd: Pcscd, events: EventLog
) -> None:
    reader = PcscReader(reader_filter="VPCD", poll_interval_s=0.5)
    reader.start(events)
    try:
        events.wait_for(ReaderAdded(READER))
        events.wait_for(ReaderAdded(SECOND_READER))
        wait_until(lambda: pcscd.card_present() is False, 5.0, "an empty reader")
        before = settled_resources(pcscd)
        log_from = len(log_text(pcscd))

        def cycles() -> None:
            for _ in range(CYCLES):
                tap_and_read(reader, events, READER, pcscd.port)

        run_with_deadline(cycles, LOOP_DEADLINE_S, f"{CYCLES} insert/remove cycles")

        try:
            wait_until(lambda: resources(pcscd) == before, SETTLE_S, "resources as before")
        except AssertionError:
            raise AssertionError(f"leak? before {before}, after {resources(pcscd)}") from None
        taps = [s for s in client_sessions(log_text(pcscd)[log_from:]) if "CONNECT" in s.commands]
        assert not pcscd.card_present()

        def other_slot() -> None:
            tap_and_read(reader, events, SECOND_READER, pcscd.port + 1)
            # Both cards at once, each on its own slot, each read: the first slot not stuck.
            with (
                VpcdCard(UidCard(), port=pcscd.port),
                VpcdCard(UidCard(), port=pcscd.port + 1),
            ):
                mark = len(events.snapshot())
                events.wait_for(CardPresented(READER, ATR), after=mark)
                events.wait_for(CardPresented(SECOND_READER, ATR), after=mark)
                for name in (READER, SECOND_READER):
                    with reader.connect(name) as conn:
                        assert conn.transmit(apdu.GET_UID) == UID_RESPONSE

        run_with_deadline(other_slot, 15.0, "taps on both slots after the rapid ones")
    finally:
        reader.stop()
    log = events.snapshot()
    assert set(log[:2]) == {ReaderAdded(READER), ReaderAdded(SECOND_READER)}
    # Nothing but the cards after that: no reader churn.
    assert all(isinstance(e, CardPresented | CardRemoved) for e in log[2:]), log
    # The last two cards may still be on when the watcher stops.
    assert card_events(log, READER) in (TAP * CYCLES + TAP[:1], TAP * (CYCLES + 1))
    second = [CardPresented(SECOND_READER, ATR), CardRemoved(SECOND_READER)]
    assert card_events(log, SECOND_READER) in (second + second[:1], second * 2)
    # Each tap: its own context and card handle, both given back, connection closed.
    assert len(taps) == CYCLES
    for tap in taps:
        assert tap.closed
        assert tap.commands == [
            "CMD_VERSION",
            "ESTABLISH_CONTEXT",
            "CONNECT",
            "TRANSMIT",
            "DISCONNECT",
            "RELEASE_CONTEXT",
        ]
