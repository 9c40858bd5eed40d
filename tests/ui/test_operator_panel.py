"""Kiosk mode's lock, and the operator panel behind the hidden gesture and the PIN (#7)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from cardio.emulators.demo_cards import (
    DEMO_ISSUER_ID,
    DEMO_REVOCATION_LIST,
    DEMO_REVOKED,
    DEMO_TRUST_LIST,
    demo_card,
)
from cardio.readers.simulated import SimulatedReader
from contract.trust import revocation_list_json
from kiosk.config import CardSection, OperatorSection, office_clock
from kiosk.operator.panel import OperatorStatus
from kiosk.operator.pin import FIRST_LOCKOUT_S, MAX_TRIES, hash_pin
from kiosk.overlays import OPERATOR_IDLE_S
from kiosk.session.machine import Phase
from kiosk.wiring.store import open_store
from offline_store import Store, StoredTicket
from testkit.clocks import ManualClock
from testkit.kiosk_window import button_with, click, offline_config, running_kiosk
from testkit.layout_checks import SIZES, layout_problems, wider_than
from testkit.screen_walk import tap_larger_text
from ui.screens.operator import OperatorScreen
from ui.theme import min_touch_px
from ui.window import KioskWindow

PIN = "482913"


@pytest.fixture
def kiosk(tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = offline_config(tmp_path)
    config = dataclasses.replace(config, operator=OperatorSection(pin_hash=hash_pin(PIN)))
    with running_kiosk(qtbot, config) as window:
        yield window


def five_taps(qtbot: QtBot, window: KioskWindow) -> None:
    for _ in range(5):
        click(qtbot, window.attract.office)


def enter(qtbot: QtBot, window: KioskWindow, pin: str) -> None:
    pad = window.overlays.pin.pad
    for digit in pin:
        click(qtbot, pad.keys[digit])
    assert window.overlays.pin.pad.display.text() == "●" * len(pin)
    click(qtbot, pad.ok)


def pin_message(window: KioskWindow) -> str:
    return window.overlays.pin.message.text()


def open_panel(qtbot: QtBot, window: KioskWindow) -> OperatorScreen:
    """Five taps, the PIN: the panel, once its status is read."""
    five_taps(qtbot, window)
    enter(qtbot, window, PIN)
    qtbot.waitUntil(lambda: window.overlays.current is window.overlays.operator, timeout=5000)
    panel = window.overlays.operator
    qtbot.waitUntil(lambda: panel.status is not None, timeout=5000)
    return panel


def todays_ticket(store: Store, now: dt.datetime) -> StoredTicket:
    """A ticket of the demo office, stored as an issue stores it (no print outcome yet)."""
    return store.issue_ticket(
        office_id="pku-mpp",
        service_id="puskesmas-umum",
        prefix="A",
        counter="Loket 1",
        payload={"office_id": "pku-mpp", "service_id": "puskesmas-umum", "values": {}},
        now=now,
    )


def test_five_taps_on_the_office_name_ask_for_the_pin(kiosk: KioskWindow, qtbot: QtBot) -> None:
    clock = ManualClock()
    kiosk.overlays.clock = clock
    for _ in range(4):
        click(qtbot, kiosk.attract.office)
    clock.now += 3.5  # too slow: the count starts again
    click(qtbot, kiosk.attract.office)
    assert kiosk.overlays.current is None
    for _ in range(4):
        click(qtbot, kiosk.attract.office)
    assert kiosk.overlays.current is kiosk.overlays.pin
    assert kiosk.stack.currentWidget() is kiosk.overlays.pin
    assert "PIN operator" in kiosk.overlays.pin.title.text()


def test_the_right_pin_opens_the_panel_with_the_kiosks_state(
    kiosk: KioskWindow, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    panel = open_panel(qtbot, kiosk)
    lines = {k: w.text() for k, w in panel.lines.items()}
    assert "Simulated reader" in lines["reader"]
    assert lines["printer"] == "Printer: baik"
    assert lines["outbox"].startswith("Antrean kirim: 0 menunggu, 0 gagal")
    assert PIN not in caplog.text


def test_a_wrong_pin_says_how_many_tries_are_left(kiosk: KioskWindow, qtbot: QtBot) -> None:
    five_taps(qtbot, kiosk)
    enter(qtbot, kiosk, "000000")
    qtbot.waitUntil(lambda: "PIN salah" in pin_message(kiosk), timeout=5000)
    assert f"Sisa percobaan: {MAX_TRIES - 1}" in pin_message(kiosk)
    assert kiosk.overlays.current is kiosk.overlays.pin


def test_five_wrong_pins_lock_the_pad_for_a_growing_delay(
    kiosk: KioskWindow, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    clock = ManualClock()
    kiosk.overlays.clock = clock
    five_taps(qtbot, kiosk)

    def five_wrong() -> None:
        for i in range(MAX_TRIES):
            enter(qtbot, kiosk, f"99999{i}")
            qtbot.waitUntil(lambda: not kiosk.overlays.machine.checking_pin, timeout=5000)

    five_wrong()
    assert "Coba lagi dalam 30 detik" in pin_message(kiosk)
    enter(qtbot, kiosk, PIN)  # even the right PIN waits out the lockout
    assert "Coba lagi dalam 30 detik" in pin_message(kiosk)
    assert kiosk.overlays.current is kiosk.overlays.pin

    clock.now += FIRST_LOCKOUT_S + 1
    five_wrong()
    assert "Coba lagi dalam 60 detik" in pin_message(kiosk), "the second lockout is longer"
    clock.now += 2 * FIRST_LOCKOUT_S + 1
    enter(qtbot, kiosk, PIN)
    qtbot.waitUntil(lambda: kiosk.overlays.current is kiosk.overlays.operator, timeout=5000)
    assert "operator panel locked for 30 s" in caplog.text
    assert "operator panel locked for 60 s" in caplog.text
    assert PIN not in caplog.text and "999990" not in caplog.text


def test_the_pin_pad_closes_by_itself_when_left_alone(kiosk: KioskWindow, qtbot: QtBot) -> None:
    clock = ManualClock()
    kiosk.overlays.clock = clock
    five_taps(qtbot, kiosk)
    assert kiosk.overlays.current is kiosk.overlays.pin
    clock.now += OPERATOR_IDLE_S + 1
    qtbot.waitUntil(lambda: kiosk.overlays.current is None, timeout=5000)
    assert kiosk.stack.currentWidget() is kiosk.attract


def test_test_read_takes_the_next_tap_without_starting_a_session(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    five_taps(qtbot, kiosk)
    enter(qtbot, kiosk, PIN)
    qtbot.waitUntil(lambda: kiosk.overlays.current is kiosk.overlays.operator, timeout=5000)
    panel = kiosk.overlays.operator
    click(qtbot, panel.test_read)
    assert "Tempelkan kartu uji" in panel.message.text()
    reader = kiosk.kiosk.reader
    assert isinstance(reader, SimulatedReader)
    reader.tap(demo_card("siti").applet())
    qtbot.waitUntil(lambda: "Hasil baca kartu" in panel.message.text(), timeout=5000)
    assert panel.message.text() == "Hasil baca kartu: clone_proof"
    assert kiosk.controller.session().phase is Phase.IDLE
    assert "Siti" not in panel.message.text()


def test_test_print_reports_the_printed_ticket(
    kiosk: KioskWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    five_taps(qtbot, kiosk)
    enter(qtbot, kiosk, PIN)
    qtbot.waitUntil(lambda: kiosk.overlays.current is kiosk.overlays.operator, timeout=5000)
    panel = kiosk.overlays.operator
    click(qtbot, panel.test_print)
    qtbot.waitUntil(lambda: "Tiket uji tercetak" in panel.message.text(), timeout=10000)
    assert list((tmp_path / "tickets").glob("*.pdf"))


def test_a_locked_kiosk_ignores_close_until_the_operator_exits(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    quits: list[bool] = []
    kiosk.exit_requested = lambda: quits.append(True)
    kiosk.go_fullscreen()
    assert kiosk.locked
    assert kiosk.close() is False, "Alt+F4 and the compositor's close end up here"
    assert kiosk.isVisible()

    five_taps(qtbot, kiosk)
    enter(qtbot, kiosk, PIN)
    qtbot.waitUntil(lambda: kiosk.overlays.current is kiosk.overlays.operator, timeout=5000)
    click(qtbot, button_with(kiosk, "Keluar aplikasi"))
    assert not kiosk.isVisible()
    assert quits == [True]


def test_an_unlocked_window_closes_normally(kiosk: KioskWindow) -> None:
    assert not kiosk.locked
    assert kiosk.close() is True


def test_without_a_configured_pin_the_gesture_does_nothing(tmp_path: Path, qtbot: QtBot) -> None:
    config = offline_config(tmp_path)
    with running_kiosk(qtbot, config) as window:
        five_taps(qtbot, window)
        assert window.overlays.current is None
        assert window.stack.currentWidget() is window.attract


def test_out_of_service_the_panel_still_opens_and_names_the_store_fault(
    tmp_path: Path, qtbot: QtBot
) -> None:
    config = offline_config(tmp_path)
    config = dataclasses.replace(config, operator=OperatorSection(pin_hash=hash_pin(PIN)))
    config.store_path.parent.mkdir(parents=True, exist_ok=True)
    config.store_path.write_bytes(b"half a database, then the power went" * 200)
    with running_kiosk(qtbot, config, deferred_store=True) as window:
        qtbot.waitUntil(
            lambda: window.controller.status().store_failure is not None, timeout=10_000
        )
        panel = open_panel(qtbot, window)
        assert panel.lines["store"].isVisible()
        assert panel.lines["store"].text().startswith("Penyimpanan lokal bermasalah: store_")


def test_a_cached_list_older_than_the_configured_one_is_refused_and_named_on_the_panel(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """The store holds the centre's revocation list 1; the kiosk is configured with
    list 3, which revokes Siti: the older cached list is not taken, and the panel says so."""
    revocations = tmp_path / "revocations.json"
    newer = revocation_list_json({DEMO_ISSUER_ID: ["PKU-000001", *DEMO_REVOKED]}, version=3)
    revocations.write_text(json.dumps(newer), encoding="utf-8")
    config = offline_config(tmp_path)
    config = dataclasses.replace(
        config,
        operator=OperatorSection(pin_hash=hash_pin(PIN)),
        card=CardSection(trust_list=str(DEMO_TRUST_LIST), revocation_list=str(revocations)),
    )
    store = open_store(config)
    now = dt.datetime.now(dt.UTC)
    store.save_trust("trust_list", DEMO_TRUST_LIST.read_bytes(), version="1", etag=None, now=now)
    older = DEMO_REVOCATION_LIST.read_bytes()
    store.save_trust("revocations", older, version="1", etag=None, now=now)
    store.close()
    with running_kiosk(qtbot, config) as window:
        controller = window.controller
        qtbot.waitUntil(lambda: window.kiosk.store.is_open, timeout=10_000)
        panel = open_panel(qtbot, window)
        # the cached lists are judged once the store is open, on the sync engine's
        # worker: the panel, open first on a loaded machine, shows it at its next read
        qtbot.waitUntil(lambda: panel.lines["refused"].isVisible(), timeout=10_000)
        assert panel.lines["refused"].text() == (
            "Ditolak dari server pusat: cached trust: revocation list version 1 is lower"
            " than the 3 held"
        )
        assert controller.trust().revocation_version == 3
        assert controller.trust().is_revoked(DEMO_ISSUER_ID, "PKU-000001")


def test_status_reads_go_one_at_a_time_and_never_land_on_a_later_opening(
    kiosk: KioskWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads asked on every status change answer in the order asked (an older one never
    shows a fault after it was fixed), and a read asked for one opening of the panel
    never shows on the next."""
    panel = open_panel(qtbot, kiosk)
    # The sync engine's first status change (offline) may have asked again meanwhile.
    qtbot.waitUntil(lambda: not kiosk.overlays._status_read.on_its_way, timeout=5000)
    assert kiosk.executor.wait_for_done(5000)
    real = panel.status
    assert real is not None
    asked: list[Callable[[OperatorStatus], None]] = []
    monkeypatch.setattr(
        kiosk.controller, "operator_status", lambda done, failed: asked.append(done)
    )

    kiosk.overlays._status_changed()  # the printer faults: read 1
    kiosk.overlays._status_changed()  # it recovers: read 2
    assert len(asked) == 1, "one read on its way at a time"
    asked[0](dataclasses.replace(real, catalog_version="older"))
    assert len(asked) == 2, "asked again for what changed meanwhile"
    asked[1](dataclasses.replace(real, catalog_version="newer"))
    assert "newer" in panel.lines["catalog"].text()

    kiosk.overlays._status_changed()  # read 3, on its way while the panel closes
    kiosk.overlays.close()
    five_taps(qtbot, kiosk)
    enter(qtbot, kiosk, PIN)
    qtbot.waitUntil(lambda: kiosk.overlays.current is kiosk.overlays.operator, timeout=5000)
    asked[2](dataclasses.replace(real, catalog_version="closed-panel"))
    assert panel.status is None, "the earlier panel's answer is not this one's"
    assert len(asked) == 4, "this opening's own read is asked"
    asked[3](dataclasses.replace(real, catalog_version="reopened"))
    assert "reopened" in panel.lines["catalog"].text()


def test_the_panel_names_todays_tickets_the_citizen_got_no_paper_for(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    """A ticket whose print failed, and one stored after its session ended (kept, never
    printed), are named on the panel with why, for the operator to hand out; a printed
    one, and one whose print has no outcome yet, are not."""
    # Settled first, as before any ticket: a ticket stored with no outcome before then
    # was left by a run that stopped (the start marks it)
    qtbot.waitUntil(lambda: kiosk.controller.status().store_settled, timeout=10_000)
    store, now = kiosk.kiosk.store, kiosk.controller.now()

    def ticket(printed: bool | None, fault: str = "") -> str:
        stored = todays_ticket(store, now)
        if printed is not None:
            store.record_print(stored.id, printed=printed, fault=fault)
        return stored.number

    printed, late, empty, on_its_way = (
        ticket(True),
        ticket(False, "session_ended"),
        ticket(False, "out_of_paper"),
        ticket(None),
    )
    panel = open_panel(qtbot, kiosk)
    line = panel.lines["unprinted"]
    assert line.isVisible()
    assert line.text() == (
        f"Tiket hari ini tanpa kertas: {empty} (kertas habis), {late} (sesi sudah berakhir)"
    )
    assert printed not in line.text() and on_its_way not in line.text()


def test_a_ticket_a_stopped_run_left_without_a_print_outcome_is_named_at_the_next_start(
    tmp_path: Path, qtbot: QtBot
) -> None:
    """The power went between storing a ticket and printing it: at the next start the
    ticket is marked, and the panel names it as not known to have its paper."""
    config = offline_config(tmp_path)
    config = dataclasses.replace(config, operator=OperatorSection(pin_hash=hash_pin(PIN)))
    config.store_path.parent.mkdir(parents=True, exist_ok=True)
    before = open_store(config)
    left = todays_ticket(before, office_clock(config)())  # the office's today, as the kiosk's
    before.close()  # the run stopped here: no print, no outcome recorded
    with running_kiosk(qtbot, config, deferred_store=True) as window:
        store = window.kiosk.store
        # settled once the kiosk is ready, off its way there
        qtbot.waitUntil(lambda: window.controller.status().store_settled, timeout=10_000)
        marked = lambda: store.ticket(left.id)["print_fault"] == "interrupted"  # noqa: E731
        qtbot.waitUntil(marked, timeout=10_000)
        panel = open_panel(qtbot, window)
        assert panel.lines["unprinted"].text() == (
            f"Tiket hari ini tanpa kertas: {left.number} (tidak diketahui, kiosk sempat mati)"
        )


def test_with_every_ticket_printed_the_panel_has_no_line_for_missing_paper(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    panel = open_panel(qtbot, kiosk)
    assert not panel.lines["unprinted"].isVisible()
    assert panel.lines["unprinted"].text() == ""


@pytest.mark.parametrize("orientation", sorted(SIZES))
def test_a_day_of_tickets_without_paper_fits_the_panel_in_the_larger_type(
    tmp_path: Path, qtbot: QtBot, orientation: str
) -> None:
    """A printer out of paper all morning: thirty tickets without paper. The panel names
    the newest and counts the rest, on a line of its own that fits either screen in the
    "A+" type, nothing cut."""
    width, height = SIZES[orientation]
    config = offline_config(tmp_path)
    config = dataclasses.replace(config, operator=OperatorSection(pin_hash=hash_pin(PIN)))
    with running_kiosk(qtbot, config, width=width, height=height) as window:
        store, now = window.kiosk.store, window.controller.now()
        numbers = []
        for _ in range(30):
            stored = todays_ticket(store, now)
            store.record_print(stored.id, printed=False, fault="out_of_paper")
            numbers.append(stored.number)
        tap_larger_text(qtbot, window)
        panel = open_panel(qtbot, window)
        line = panel.lines["unprinted"]
        newest = ", ".join(f"{n} (kertas habis)" for n in reversed(numbers[-5:]))
        assert line.text() == f"Tiket hari ini tanpa kertas: {newest} dan 25 lagi"
        dpi = window.controller.config.kiosk.screen_dpi
        # The lines change as the engine's status comes: checked once the layout settles.
        found: list[str] = []

        def laid_out() -> bool:
            found[:] = layout_problems(window, min_touch_px(dpi))
            return not found

        try:
            qtbot.waitUntil(laid_out, timeout=5000)
        except WaitTimeout:
            pytest.fail("\n".join(found))
        assert (window.width(), window.height()) == (width, height), wider_than(window, width)


@pytest.mark.parametrize("orientation", sorted(SIZES))
def test_a_word_wider_than_the_panel_breaks_inside_its_line(
    tmp_path: Path, qtbot: QtBot, orientation: str
) -> None:
    """The centre's catalog version, a reader's name, a fault with an address in it: one
    word wider than the panel at "A+" is broken inside its line, not cut at the side of
    the panel's scroll area, and the window keeps its size."""
    width, height = SIZES[orientation]
    config = offline_config(tmp_path)
    config = dataclasses.replace(config, operator=OperatorSection(pin_hash=hash_pin(PIN)))
    with running_kiosk(qtbot, config, width=width, height=height) as window:
        tap_larger_text(qtbot, window)
        panel = open_panel(qtbot, window)
        assert panel.status is not None
        version = "f" * 64 + "-" + "0" * 64  # a digest the centre may name its catalog by
        reader = "VirtualSmartCardReaderWithAVeryLongNameFromItsDriverWithoutAnySpace 00 00"
        unusual = dataclasses.replace(
            panel.status, catalog_version=version, readers=(reader,), reader_error=""
        )
        dpi = window.controller.config.kiosk.screen_dpi
        found: list[str] = []

        def laid_out() -> bool:
            # shown again: the panel reads its status anew as the engine's changes
            panel.show_status(unusual, window.view)
            found[:] = layout_problems(window, min_touch_px(dpi))
            shown = panel.lines["catalog"].text() + panel.lines["reader"].text()
            return not found and version in shown and reader in shown

        try:
            qtbot.waitUntil(laid_out, timeout=5000)
        except WaitTimeout:
            pytest.fail("\n".join(found))
        assert (window.width(), window.height()) == (width, height), wider_than(window, width)


def test_the_last_sync_is_said_in_the_panels_words_not_the_logs(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    """The sync log keeps its own words (``outbox failed``); the panel says them in
    Bahasa Indonesia, as the rest of its lines."""
    store = kiosk.kiosk.store
    qtbot.waitUntil(lambda: store.last_sync() is not None, timeout=10_000)  # offline: failing
    panel = open_panel(qtbot, kiosk)
    status = panel.status
    assert status is not None and status.last_sync is not None
    words = {
        "identity": "pendaftaran kiosk",
        "documents": "katalog dan daftar kepercayaan",
        "outbox": "pengiriman data",
        "bookings": "janji temu",
        "doctors": "jadwal dokter",
        "leases": "nomor sewaan",
        "heartbeat": "laporan kondisi",
    }
    last = status.last_sync
    when = last.finished_at.astimezone().strftime("%H:%M:%S")
    result = {"ok": "berhasil", "failed": "gagal"}[last.result]
    said = panel.lines["sync"].text()
    assert said.startswith(f"Sinkronisasi terakhir: {words[last.task]} {result} pukul {when}")
    assert last.task not in said.split(": ", 1)[1] and " failed" not in said
    engine = panel.lines["engine"].text()
    assert engine.startswith("Sinkronisasi: luring,") or engine.startswith(
        "Sinkronisasi: belum diketahui,"
    ), engine
