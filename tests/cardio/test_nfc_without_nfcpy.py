"""The nfc backend and the emulators import and degrade without nfcpy."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys, threading, time
    sys.modules["nfc"] = None  # any "import nfc..." now fails
    import cardio.readers.nfc, cardio.emulators.nfc_emulator, cardio.readers.factory
    from cardio.errors import CardServiceUnavailable, ReaderUnavailable
    reader = cardio.readers.factory.make_reader("nfc", path="usb")
    events = []
    reader.start(events.append)
    time.sleep(0.3)
    assert reader.readers() == [], reader.readers()
    try:
        with reader.connect(reader.name):
            raise SystemExit("connected without nfcpy")
    except ReaderUnavailable:
        pass
    reader.stop()
    assert events == [] and threading.active_count() == 1
    emulator = cardio.emulators.nfc_emulator.IsoDepEmulator(object(), uid=bytes(4))
    try:
        emulator.present()
        raise SystemExit("emulating without nfcpy")
    except CardServiceUnavailable as exc:
        assert "nfcpy is not installed" in exc.detail, exc.detail
    assert not emulator.presented
    print("ok")
    """
)


@pytest.mark.timeout(30)
def test_import_and_degrade_without_nfcpy() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"
    assert "nfcpy is not installed" in result.stderr  # logged once, not raised
