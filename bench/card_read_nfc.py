"""Benchmark: reading a card through nfcpy, over nfcpy's own udp driver.

An ISO-DEP (Type 4A) emulator (:class:`cardio.emulators.nfc_emulator.IsoDepEmulator`)
serves the demo citizen's card on loopback, and a :class:`cardio.readers.nfc.NfcReader`
watches it as the kiosk does. Measured on that stack:

- the raw APDU round trip (SELECT of the citizen application, which the card
  itself answers; GET UID is answered by the connection) on one connection;
- card-present event → verified identity, with the DEMO trust list and the
  anti-clone challenge, per tap;
- the kiosk's own share: the same, less the read's APDUs at the floor's median.

The udp driver waits a fixed 1 s on a search that finds nothing, so the time
from presenting a card to the event says nothing about a real reader and is
not reported.
"""

from __future__ import annotations

import socket
import statistics
import time
from collections.abc import Callable

from bench.card_read import (
    OWN_SHARE_GOAL_MS,
    CountingApplet,
    Stamps,
    Tap,
    assurance,
)
from bench.results import Benchmark, Measurement, ms_since, percentile
from cardio.card import apdu
from cardio.card.citizen_card import read_identity
from cardio.card.layout import AID
from cardio.emulators.demo_cards import demo_card, demo_trust_store
from testkit.demo_kiosk import DEMO_CARD

TITLE = "Card read over nfcpy (udp driver, ISO-DEP emulator)"
APDUS = 300
QUICK_APDUS = 30
TAPS = 20
QUICK_TAPS = 3


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(quick: bool, progress: Callable[[str], None]) -> Benchmark:
    from cardio.emulators.nfc_emulator import IsoDepEmulator
    from cardio.readers.nfc import NfcReader

    path = f"udp:127.0.0.1:{_free_udp_port()}"
    card = demo_card(DEMO_CARD).applet()
    applet = CountingApplet(card)
    trust = demo_trust_store()
    reader = NfcReader(path)
    stamps = Stamps(reader.name)
    reader.start(stamps)
    floor: list[float] = []
    taps: list[Tap] = []
    select = apdu.select_aid(AID)
    try:
        with IsoDepEmulator(applet, path, uid=card.uid):
            Stamps.next(stamps.presented, "card-present")
            with reader.connect(stamps.reader) as conn:
                for _ in range(10):
                    conn.transmit(select)
                for _ in range(QUICK_APDUS if quick else APDUS):
                    start = time.perf_counter()
                    conn.transmit(select)
                    floor.append(ms_since(start, time.perf_counter()))
        Stamps.next(stamps.removed, "card-removed")
        progress(f"card read (nfc): APDU round trip median {statistics.median(floor):.2f} ms")
        rounds = QUICK_TAPS if quick else TAPS
        for i in range(rounds):
            with IsoDepEmulator(applet, path, uid=card.uid):
                presented = Stamps.next(stamps.presented, "card-present")
                applet.count = 0
                with reader.connect(stamps.reader) as conn:
                    identity = read_identity(conn, trust)
                done = time.perf_counter()
                taps.append(Tap(0.0, ms_since(presented, done), applet.count, assurance(identity)))
            Stamps.next(stamps.removed, "card-removed")
            progress(f"card read (nfc) {i + 1}/{rounds}: {taps[-1].event_to_identity_ms:.1f} ms")
    finally:
        reader.stop()
    return _summarise(floor, taps)


def _summarise(floor: list[float], taps: list[Tap]) -> Benchmark:
    floor_ms = statistics.median(floor)
    apdus = sorted({t.apdus for t in taps})
    rows = (
        Measurement(
            "APDU round trip (SELECT)",
            "SELECT of the citizen application on one open connection, after a warm-up: "
            "reader thread → nfcpy → udp on loopback → the ISO-DEP emulator, and back.",
            tuple(floor),
        ),
        Measurement(
            "card-present event → verified identity",
            f"From the reader's `CardPresented` to `read_identity` with the DEMO trust list "
            f"(signature, revocation, INTERNAL AUTHENTICATE): {'/'.join(map(str, apdus))} "
            "card APDUs per tap.",
            tuple(t.event_to_identity_ms for t in taps),
        ),
        Measurement(
            "kiosk's own share of the read",
            f"The row above less its card APDUs at the round-trip median ({floor_ms:.2f} ms).",
            tuple(t.event_to_identity_ms - t.apdus * floor_ms for t in taps),
            goal_ms=OWN_SHARE_GOAL_MS,
        ),
    )
    levels = sorted({t.assurance for t in taps})
    notes = (
        f"Reads ended with assurance {', '.join(f'`{x}`' for x in levels)}.",
        f"APDU round trip to two decimals: median {floor_ms:.2f} ms, "
        f"p95 {percentile(floor, 0.95):.2f} ms.",
        "nfcpy's udp driver stands in for a USB reader: the radio's own timing is not in "
        "these figures.",
    )
    return Benchmark(TITLE, rows, notes)


def run(quick: bool, progress: Callable[[str], None] = lambda _: None) -> list[Benchmark]:
    """The nfcpy card-read benchmark, or a note saying why it could not run here."""
    try:
        import nfc  # noqa: F401
    except ImportError:
        return [Benchmark(TITLE, (), ("Skipped on this machine: nfcpy is not installed.",))]
    return [measure(quick, progress)]
