"""The sample documents and the pictures of every layout kept in docs/screenshots/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image

from printing.samples import main, printer_test_ticket, write_screenshots
from testkit.printouts import decode_png, need_tool

#: Pixels across each picture: rolls at 203 dpi, A4 at 100 dpi.
WIDTHS = {"ticket-80mm": 640, "ticket-58mm": 464, "ticket-a4": 827, "slip-80mm": 640}


def test_every_layout_becomes_a_picture(tmp_path: Path) -> None:
    need_tool("pdftoppm", "poppler-utils")

    written = write_screenshots(tmp_path)

    assert sorted(p.name for p in written) == sorted(f"{name}.png" for name in WIDTHS)
    for path in written:
        with Image.open(path) as image:
            assert abs(image.width - WIDTHS[path.stem]) <= 1, path.name
    assert decode_png(tmp_path / "ticket-80mm.png")[0].startswith("http://127.0.0.1:8470/t/")


def test_the_script_prints_what_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    need_tool("pdftoppm", "poppler-utils")

    assert main(["--out", str(tmp_path)]) == 0
    assert str(tmp_path / "slip-80mm.png") in capsys.readouterr().out


def test_a_test_ticket_is_never_a_place_in_the_queue() -> None:
    now = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)

    ticket = printer_test_ticket("Kantor", "en", "https://pusat.example", now)

    assert (ticket.number, ticket.service_name, ticket.counter) == ("TEST", "Printer test", "")
