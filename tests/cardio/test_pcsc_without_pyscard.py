"""The PC/SC backend and the virtual card import and degrade without pyscard."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import sys
    sys.modules["smartcard"] = None  # any "import smartcard..." now fails
    import cardio.readers.pcsc, cardio.emulators.vpcd
    from cardio.errors import CardServiceUnavailable
    reader = cardio.readers.pcsc.PcscReader()
    assert reader.readers() == [], reader.readers()
    try:
        with reader.connect("Any Reader 00 00"):
            raise SystemExit("connected without pyscard")
    except CardServiceUnavailable as exc:
        assert "pyscard is not installed" in exc.detail, exc.detail
    reader.start(print)
    reader.stop()
    assert "smartcard.scard" not in sys.modules
    print("ok")
    """
)


@pytest.mark.timeout(30)
def test_import_and_degrade_without_pyscard() -> None:
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
