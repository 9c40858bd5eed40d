"""The attract screen tells the office's date and time, in the language chosen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from testkit.kiosk_window import offline_config, running_kiosk
from ui.screens.attract import clock_text

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember")  # fmt: skip
JAKARTA = ZoneInfo("Asia/Jakarta")


def test_indonesian_dates_are_written_the_indonesian_way() -> None:
    at = dt.datetime(2026, 8, 17, 9, 5, tzinfo=JAKARTA)
    assert clock_text(at, "id") == "Senin, 17 Agustus 2026 · 09.05"
    assert clock_text(at, "en") == "Monday 17 August 2026 · 09:05"
    # the office's wall clock, whatever zone the moment came in
    assert clock_text(at.astimezone(dt.UTC).astimezone(JAKARTA), "id").endswith("09.05")


def test_the_attract_screen_shows_today_in_the_office(tmp_path: Path, qtbot: QtBot) -> None:
    config = offline_config(tmp_path)
    with running_kiosk(qtbot, config) as window:
        clock = window.attract.clock
        qtbot.waitUntil(lambda: bool(clock.text()), timeout=5000)
        today = window.controller.now()
        assert clock.text().startswith(f"{HARI[today.weekday()]}, {today.day} ")
        assert BULAN[today.month - 1] in clock.text() and clock.isVisible()
        window.toggle_language()
        qtbot.waitUntil(lambda: today.strftime("%A") in clock.text(), timeout=5000)
