"""``kiosk ticket render`` and ``kiosk ticket test-print`` as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.cupsd import PDF_QUEUE, PrivateCupsd
from testkit.printouts import decode_qr, flowing, page_size_mm, pdf_text

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli.main", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        env={**os.environ, "ANJUNGAN_CONFIG": "", **(env or {})},
    )


def write_config(path: Path, printer: str) -> Path:
    path.write_text(f'[central]\nurl = "https://antrean.example.go.id"\n[printer]\n{printer}')
    return path


@pytest.mark.parametrize(("paper", "width"), [("80mm", 80.0), ("58mm", 58.0), ("a4", 210.0)])
def test_render_writes_the_layout_asked_for(tmp_path: Path, paper: str, width: float) -> None:
    out = tmp_path / "ticket.pdf"
    config = write_config(tmp_path / "kiosk.toml", "")

    result = kiosk(
        *("ticket", "render", "--number", "B-042", "--service", "Cetak Ulang KTP-el"),
        *("--paper", paper, "--lang", "en", "--config", str(config), "--out", str(out)),
    )

    assert result.returncode == 0, result.stderr
    pdf = out.read_bytes()
    text = flowing(pdf_text(pdf))
    assert "B-042" in text and "Cetak Ulang KTP-el" in text and "Queue number" in text
    assert page_size_mm(pdf)[0] == pytest.approx(width, abs=0.2)
    if paper != "a4":
        [url] = decode_qr(pdf, tmp_path)
        assert url.startswith("https://antrean.example.go.id/t/")


def test_render_a_reprinted_slip(tmp_path: Path) -> None:
    out = tmp_path / "slip.pdf"

    result = kiosk("ticket", "render", "--number", "A-017", "--service", "Poli Umum", "--slip",
                   "--reprint", "--out", str(out))  # fmt: skip

    assert result.returncode == 0, result.stderr
    text = flowing(pdf_text(out.read_bytes()))
    assert "BUKTI PENDAFTARAN" in text and "CETAK ULANG" in text and "A-017" in text


def test_test_print_on_a_pdf_folder_reports_ready(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    config = write_config(tmp_path / "kiosk.toml", f'output_dir = "{folder}"\n')

    result = kiosk("ticket", "test-print", "--config", str(config), "--json")

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["printed"] is True and report["before"]["ready"] is True
    [page] = folder.glob("*.pdf")
    assert "TEST" in pdf_text(page.read_bytes())


def test_test_print_on_cups_reports_the_state_and_a_fault(
    tmp_path: Path, cupsd: PrivateCupsd
) -> None:
    printer = f'backend = "cups"\nqueue = "{PDF_QUEUE}"\ncups_server = "{cupsd.server}"\n'
    config = write_config(tmp_path / "kiosk.toml", printer)

    ready = kiosk("ticket", "test-print", "--config", str(config))
    cupsd.tool("cupsdisable", "-r", "no paper", PDF_QUEUE)
    refused = kiosk("ticket", "test-print", "--config", str(config), "--json")

    assert ready.returncode == 0, ready.stderr
    assert "before:  ready — queue AnjunganPDF: idle, accepting" in ready.stdout
    assert "test ticket: printed" in ready.stdout and "after:   ready" in ready.stdout
    assert len(cupsd.wait_for_outputs(1)) == 1
    assert refused.returncode == 1
    report = json.loads(refused.stdout)
    assert report["printed"] is False and report["fault"] == "offline"
    assert report["before"] == {"ready": False, "fault": "offline", "detail": report["detail"]}
    assert "no paper" in report["detail"]


def test_a_bad_printer_setting_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = write_config(tmp_path / "kiosk.toml", 'backend = "escpos"\nescpos_device = "lp0"\n')

    result = kiosk("ticket", "test-print", "--config", str(config))

    assert result.returncode == 2
    assert "printer.escpos_device" in result.stderr and "Traceback" not in result.stderr
