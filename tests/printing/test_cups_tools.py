"""What lp and lpstat print (CUPS 2.4, C locale), and what the backend reads from it."""

from __future__ import annotations

import pytest

from printing.errors import PrintFault
from printing.printers.cups import media_for
from printing.printers.cups_tools import (
    QueueState,
    parse_default,
    parse_jobs,
    parse_queue,
    parse_request_id,
    split_reason,
)

IDLE = """scheduler is running
printer Kiosk is idle.  enabled since Sun Nov 22 23:04:46 2026
\tForm mounted:
\tContent types: any
\tAlerts: none
\tInterface: /etc/cups/ppd/Kiosk.ppd
Kiosk accepting requests since Sun Nov 22 23:04:46 2026
"""
DISABLED = """scheduler is running
printer Kiosk disabled since Sun Nov 22 23:04:56 2026 -
\tpaper out test
\tForm mounted:
\tAlerts: paused
Kiosk accepting requests since Sun Nov 22 23:04:56 2026
"""
PAPER_OUT = """scheduler is running
printer Kiosk disabled since Sun Nov 22 23:19:25 2026 -
\tinjected fault media-empty-error
\tForm mounted:
\tAlerts: media-empty-error paused
Kiosk accepting requests since Sun Nov 22 23:19:25 2026
"""
PRINTING_LOW = """scheduler is running
printer Kiosk now printing Kiosk-7.  enabled since Sun Nov 22 23:19:25 2026
\tForm mounted:
\tAlerts: media-low-warning
Kiosk accepting requests since Sun Nov 22 23:19:25 2026
"""
REJECTING = """scheduler is running
printer Kiosk is idle.  enabled since Sun Nov 22 23:04:56 2026
\tForm mounted:
\tAlerts: none
Kiosk not accepting requests since Sun Nov 22 23:04:56 2026 -
\tkiosk closed
"""


def test_an_idle_queue_is_ready() -> None:
    state = parse_queue("Kiosk", IDLE, "")

    assert state == QueueState("Kiosk", True, True, True, True, False, (), "")
    assert state.fault() is None


def test_a_disabled_queue_is_offline_with_its_reason() -> None:
    state = parse_queue("Kiosk", DISABLED, "")

    assert (state.enabled, state.reasons, state.message) == (False, ("paused",), "paper out test")
    assert state.fault() == (
        PrintFault.OFFLINE,
        "queue disabled (paused) [paused] (paper out test)",
    )


def test_paper_out_wins_over_paused() -> None:
    fault = parse_queue("Kiosk", PAPER_OUT, "").fault()

    assert fault is not None and fault[0] is PrintFault.OUT_OF_PAPER
    assert "paper roll empty [media-empty-error]" in fault[1]


def test_a_warning_is_not_a_fault() -> None:
    state = parse_queue("Kiosk", PRINTING_LOW, "")

    assert state.printing and state.reasons == ("media-low-warning",)
    assert state.fault() is None


def test_a_queue_not_accepting_jobs_is_offline() -> None:
    fault = parse_queue("Kiosk", REJECTING, "").fault()

    assert fault == (PrintFault.OFFLINE, "queue Kiosk is not accepting jobs")


@pytest.mark.parametrize(
    ("out", "err", "detail"),
    [
        ("scheduler is not running\n", "", "CUPS scheduler is not running"),
        ("scheduler is running\n", 'lpstat: Invalid destination name in list "Nope".',
         "no CUPS queue named 'Kiosk'"),
    ],
)  # fmt: skip
def test_no_scheduler_or_no_queue_is_unavailable(out: str, err: str, detail: str) -> None:
    assert parse_queue("Kiosk", out, err).fault() == (PrintFault.OUTPUT_UNAVAILABLE, detail)


@pytest.mark.parametrize(
    ("reason", "fault"),
    [("cover-open", PrintFault.OUT_OF_PAPER), ("media-needed-error", PrintFault.OUT_OF_PAPER),
     ("media-jam-error", PrintFault.OUT_OF_PAPER), ("offline-report", PrintFault.OFFLINE),
     ("shutdown", PrintFault.OFFLINE), ("media-empty-report", None),
     ("connecting-to-device", None), ("toner-low-warning", None)],
)  # fmt: skip
def test_each_printer_state_reason_means_its_fault(reason: str, fault: PrintFault | None) -> None:
    state = QueueState("Kiosk", True, True, True, True, reasons=(reason,))

    found = state.fault()

    assert (found[0] if found else None) is fault


def test_reason_suffixes() -> None:
    assert split_reason("media-empty-error") == ("media-empty", "error")
    assert split_reason("media-low-warning") == ("media-low", "warning")
    assert split_reason("offline-report") == ("offline", "report")
    assert split_reason("paused") == ("paused", "error")


def test_job_ids_and_the_default_destination() -> None:
    assert parse_request_id("request id is Kiosk-17 (1 file(s))\n") == "Kiosk-17"
    assert parse_request_id("request id is Loket-3-A-5 (0 file(s))\n") == "Loket-3-A-5"
    assert parse_request_id("") is None
    listing = (
        "Kiosk-1                 root             44032   Sun Nov 22 23:04:46 2026\n"
        "Kiosk-12                root             44032   Sun Nov 22 23:04:56 2026\n"
        "\tqueued for Kiosk\n"
    )
    assert parse_jobs(listing) == {"Kiosk-1", "Kiosk-12"}
    assert parse_default("system default destination: Kiosk\n") == "Kiosk"
    assert parse_default("no system default destination\n") is None


def test_media_follows_the_page() -> None:
    roll = b"%PDF-1.4\n/MediaBox [ 0 0 226.7717 311.811 ]"
    a4 = b"%PDF-1.4\n/MediaBox [0 0 595.2756 841.8898]"

    assert media_for(roll) == "Custom.80.0x110.0mm"
    assert media_for(a4) == "A4"
    assert media_for(b"%PDF-1.4\n") is None
