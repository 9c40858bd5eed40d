"""`kiosk doctor` with the card readers on the suite's real pcscd (vpcd reader), CUPS
and centre: all healthy, then pcscd down and the configured reader missing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from central.process import RunningCentral
from testkit.cupsd import PDF_QUEUE, PrivateCupsd
from testkit.doctor_kiosk import by_name, doctor_centre, failing, faults, kiosk_files
from testkit.pcscd import FRIENDLY_NAME, READER, SECOND_READER, Pcscd, running_pcscd

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def centre() -> Iterator[RunningCentral]:
    yield from doctor_centre()


@pytest.fixture
def pcscd(tmp_path: Path) -> Iterator[Pcscd]:
    yield from running_pcscd(tmp_path)


def test_every_real_part_healthy_then_pcscd_down(
    tmp_path: Path, centre: RunningCentral, cupsd: PrivateCupsd, pcscd: Pcscd
) -> None:
    files = kiosk_files(
        tmp_path,
        centre.url,
        card=f'backend = "pcsc"\nreader = "{FRIENDLY_NAME}"',
        printer=f'backend = "cups"\nqueue = "{PDF_QUEUE}"\ncups_server = "{cupsd.server}"',
    )
    code, report = files.doctor_json()
    assert (code, failing(report)) == (0, []), report
    checks = by_name(report)
    assert checks["pcscd"]["detail"] == "menjawab / answers"
    assert checks["readers"]["detail"] == f"{READER}; {SECOND_READER}"
    assert PDF_QUEUE in checks["printer"]["detail"]
    assert checks["nfc"]["detail"] == "tidak dipakai / not used (card.backend = pcsc)"

    pcscd.stop()
    code, report = files.doctor_json()
    assert (code, failing(report)) == (1, ["pcscd", "readers"])
    assert "systemctl enable --now pcscd.socket" in by_name(report)["pcscd"]["fix"]


def test_a_reader_that_is_not_plugged_in(
    tmp_path: Path, centre: RunningCentral, pcscd: Pcscd
) -> None:
    files = kiosk_files(tmp_path, centre.url, card='backend = "pcsc"\nreader = "ACR1252"')
    code, report = files.doctor_json()
    assert (code, faults(report)) == (1, ["readers"])
    readers = by_name(report)["readers"]
    # what pcscd does see is named, so the operator can fix card.reader
    assert readers["detail"] == (
        "tidak ada pembaca dengan nama berisi 'ACR1252' / no reader whose name contains "
        f"'ACR1252'; pcscd: {READER}; {SECOND_READER}"
    )
    assert "card.reader" in readers["fix"]
