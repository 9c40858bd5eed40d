"""Long texts from the catalog wrap and scroll, never cut, in the "A+" mode in both
orientations: a service tile's name, the service detail's name and requirements
(the body scrolls above its buttons), a choice's tiles and the rows of its list; a
tile's word wider than its tile is broken inside, shown whole over its lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from central.settings import DEMO_CATALOG_PATH
from kiosk.session.events import (
    Confirmed,
    FormOpened,
    FormSubmitted,
    NotifyAnswered,
    ServiceSelected,
)
from kiosk.session.machine import Phase
from kiosk.speech import Utterance
from kiosk.wiring.store import open_store
from testkit.clocks import ManualClock
from testkit.kiosk_window import (
    button_with,
    click,
    offline_config,
    running_kiosk,
    wait_for_catalog,
    wait_phase,
)
from testkit.layout_checks import SIZES, laid_out_lines, layout_problems
from ui.screens.choice import ChoiceField
from ui.screens.services import ServicesScreen
from ui.screens.ticket import TicketScreen
from ui.screens.wrapping import WrappingButton
from ui.theme import min_touch_px
from ui.window import KioskWindow

LONG = "Surat keterangan pindah datang antar kabupaten kota dalam satu provinsi untuk keluarga"
#: A service named by one word of 60 letters, no place to break a line in it (as a
#: doctor's name written without spaces, an e-mail address, a code): wider than a
#: landscape column at "A+".
WORD = "PengesahanAktaKelahiranKematianPerkawinanPerceraianPengakuan"
assert len(WORD) == 60
#: And one of 200 letters: eight lines at "A+" in a landscape half of the ticket.
LONGEST = ("Pertanggungjawaban" * 12)[:200]


def _text(words: str) -> dict[str, str]:
    return {"id": words, "en": words}


def long_catalog() -> dict[str, Any]:
    """The demo catalog and one service whose every text is long."""
    catalog: dict[str, Any] = json.loads(Path(DEMO_CATALOG_PATH).read_text(encoding="utf-8"))
    catalog["services"].append(
        {
            "id": "long-texts",
            "office_id": "pku-mpp",
            "category": "kependudukan",
            "name": _text(f"{LONG} {LONG}"),
            "description": _text(LONG),
            "counter": "3",
            "ticket_prefix": "B",
            "assurance": "unverified",
            "requirements": [_text(f"{LONG} {i}") for i in range(8)],
            "form": [
                {
                    "name": "few",
                    "label": _text("Pilihan pendek"),
                    "type": "choice",
                    "choices": [LONG, f"{LONG} kedua"],
                },
                {  # three long words: side by side only where each stays whole
                    "name": "words",
                    "label": _text("Bidang"),
                    "type": "choice",
                    "choices": ["Kependudukan", "Kesejahteraan", "Ketenagakerjaan"],
                },
                {
                    "name": "many",
                    "label": _text("Pilihan panjang"),
                    "type": "choice",
                    "choices": [f"{LONG} {i}" for i in range(6)],
                },
            ],
        }
    )
    catalog["services"].append(
        {
            "id": "long-word",
            "office_id": "pku-mpp",
            "category": "kependudukan",
            "name": _text(WORD),
            "description": _text(WORD),
            "counter": "3",
            "ticket_prefix": "B",
            "assurance": "unverified",
            "requirements": [],
            # its caption one word too, beside the field, on the form and the summary
            "form": [
                {
                    "name": "full_name",
                    "label": _text(WORD),
                    "type": "text",
                    "prefill": "card.full_name",
                }
            ],
        }
    )
    catalog["services"].append(
        {**catalog["services"][-1], "id": "longest-word", "name": _text(LONGEST)}
    )
    return catalog


@pytest.fixture(params=sorted(SIZES))
def kiosk(request: pytest.FixtureRequest, tmp_path: Path, qtbot: QtBot) -> Iterator[KioskWindow]:
    config = offline_config(tmp_path)
    store = open_store(config)
    catalog = long_catalog()
    store.save_catalog(catalog, '"long"', catalog["version"])
    store.close()
    width, height = SIZES[str(request.param)]
    with running_kiosk(qtbot, config, width=width, height=height, clock=ManualClock()) as window:
        wait_for_catalog(qtbot, window.controller)
        yield window


def test_long_texts_wrap_and_scroll_in_the_larger_text_mode(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    touch_px = min_touch_px(kiosk.controller.config.kiosk.screen_dpi)
    size = (kiosk.width(), kiosk.height())
    attract = kiosk.attract
    assert attract.larger_text is not None
    click(qtbot, attract.larger_text)
    click(qtbot, button_with(kiosk, "Budi Santoso"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    assert layout_problems(kiosk, touch_px) == [], "services"
    kiosk.controller.dispatch(ServiceSelected("long-texts"))
    assert layout_problems(kiosk, touch_px) == [], "service detail"
    detail = kiosk.screens[Phase.SERVICE_CHOSEN]
    assert detail.scroll_area.isVisible()  # type: ignore[attr-defined]
    assert detail.scroll_area.accessibleName().startswith("Surat keterangan")  # type: ignore[attr-defined]
    kiosk.controller.dispatch(FormOpened())
    wait_phase(qtbot, kiosk, Phase.FORM)
    assert layout_problems(kiosk, touch_px) == [], "form with long choices as tiles"
    form = kiosk.screens[Phase.FORM]
    words = form.editors["words"]  # type: ignore[attr-defined]
    assert isinstance(words, ChoiceField)
    # Each word whole on its tile, the tiles side by side only where each has the room
    # (in portrait at "A+", three were 101 to 286 px wide, each word broken), of one width.
    assert [tile.text_label.shown() for tile in words.tiles] == list(words.choices)
    widths = [tile.width() for tile in words.tiles]
    assert max(widths) - min(widths) <= 1, widths
    if kiosk.width() > kiosk.height():
        assert words.columns == 3  # where they fit, side by side
    many = form.editors["many"]  # type: ignore[attr-defined]
    assert isinstance(many, ChoiceField) and many.opener is not None
    click(qtbot, many.opener)
    assert form.choice_list.isVisible()  # type: ignore[attr-defined]
    assert layout_problems(kiosk, touch_px) == [], "a long choice's full-screen list"
    assert (kiosk.width(), kiosk.height()) == size


def _lines(text: QLabel) -> list[tuple[str, float]]:
    """The lines ``text`` shows, as a word-wrapping QLabel lays them out at its width:
    each line's characters and how wide they are painted."""
    painted = QLabel.text(text)  # what QLabel paints (a WrappingText's breaks in)
    return laid_out_lines(painted, text.font(), text.contentsRect().width())


def test_a_word_wider_than_its_tile_is_shown_whole_over_lines(tmp_path: Path, qtbot: QtBot) -> None:
    """Landscape at "A+": the one-word service's tile stays in its column (the grid's two
    columns of one width, the window its size) and breaks its word inside, so every
    letter is painted within the tile; its name, said aloud, is the word as it is."""
    config = offline_config(tmp_path)
    store = open_store(config)
    catalog = long_catalog()
    store.save_catalog(catalog, '"long"', catalog["version"])
    store.close()
    width, height = SIZES["landscape"]
    with running_kiosk(qtbot, config, width=width, height=height, clock=ManualClock()) as kiosk:
        wait_for_catalog(qtbot, kiosk.controller)
        said: list[Utterance] = []
        kiosk.speech.voice.listeners.append(said.append)
        kiosk.speech.voice.route(None)  # no loudspeaker here: what would be said is heard
        assert kiosk.attract.larger_text is not None and kiosk.attract.speech is not None
        click(qtbot, kiosk.attract.speech)
        click(qtbot, kiosk.attract.larger_text)
        click(qtbot, button_with(kiosk, "Budi Santoso"))
        wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
        screen = kiosk.screens[Phase.IDENTIFIED]
        assert isinstance(screen, ServicesScreen)
        tile = button_with(kiosk, WORD)
        assert isinstance(tile, WrappingButton)
        touch_px = min_touch_px(kiosk.controller.config.kiosk.screen_dpi)
        assert layout_problems(kiosk, touch_px) == []
        assert (kiosk.width(), kiosk.height()) == (width, height)

        text = tile.text_label
        room = text.contentsRect().width()
        assert QFontMetricsF(text.font()).horizontalAdvance(WORD) > 1.5 * room  # a real test
        screen.scroll_area.ensureWidgetVisible(tile)  # scrolled to, up or down: not sideways
        QApplication.processEvents()
        assert kiosk.rect().contains(QRect(tile.mapTo(kiosk, QPoint(0, 0)), tile.size()))
        viewport = screen.scroll_area.viewport()
        assert viewport.rect().contains(QRect(tile.mapTo(viewport, QPoint(0, 0)), tile.size()))
        lines = _lines(text)
        assert len(lines) >= 2
        assert all(painted <= room + 1 for _, painted in lines), (room, lines)
        assert "".join(shown for shown, _ in lines).replace("\u200b", "") == WORD
        assert text.height() >= text.heightForWidth(text.width())  # every line in the tile

        grid = screen.grid
        assert grid.columnCount() == 2
        widths = {
            grid.cellRect(row, column).width()
            for row in range(grid.rowCount())
            for column in (0, 1)
        }
        assert max(widths) - min(widths) <= 1, widths
        assert tile.width() <= max(widths)

        assert tile.text() == WORD and tile.accessibleName() == WORD
        assert text.accessibleName() == WORD
        said.clear()
        click(qtbot, tile)  # touched with the voice on, it is said: the word, no breaks in it
        assert said and said[0].text == WORD


def test_a_name_of_one_long_word_leaves_its_detail_summary_and_ticket_on_the_screen(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    """Its detail, its summary and its ticket at "A+" in both orientations: the name's
    word breaks inside the screen's width instead of widening the screen's body past
    it, where the scroll area (up and down only) would cut every line of it on the
    right, or the window past the screen."""
    touch_px = min_touch_px(kiosk.controller.config.kiosk.screen_dpi)
    size = (kiosk.width(), kiosk.height())
    assert kiosk.attract.larger_text is not None
    click(qtbot, kiosk.attract.larger_text)
    click(qtbot, button_with(kiosk, "Budi Santoso"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    kiosk.controller.dispatch(ServiceSelected("long-word"))
    assert layout_problems(kiosk, touch_px) == [], "service detail"
    detail = kiosk.screens[Phase.SERVICE_CHOSEN]
    name = detail.name  # type: ignore[attr-defined]
    assert name.text() == WORD and name.accessibleName() == WORD
    assert "".join(line for line, _ in _lines(name)).replace("\u200b", "") == WORD
    kiosk.controller.dispatch(FormOpened())
    wait_phase(qtbot, kiosk, Phase.FORM)
    # (its caption's word was the form's minimum width: wider than the scroll area)
    assert layout_problems(kiosk, touch_px) == [], "form, a caption of one long word"
    assert (kiosk.width(), kiosk.height()) == size
    kiosk.controller.dispatch(FormSubmitted({}))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    assert layout_problems(kiosk, touch_px) == [], "summary"
    assert (kiosk.width(), kiosk.height()) == size
    kiosk.controller.dispatch(Confirmed())
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    kiosk.controller.dispatch(NotifyAnswered(kiosk.controller.session().session, False))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    assert layout_problems(kiosk, touch_px) == [], "ticket"
    assert (kiosk.width(), kiosk.height()) == size  # the ticket's name grew it past the screen


def test_a_ticket_for_a_name_of_200_letters_keeps_its_number_and_lines_on_the_screen(
    kiosk: KioskWindow, qtbot: QtBot
) -> None:
    """The ticket screen has no scroll area: at "A+" the name breaks over its lines and
    takes what room the screen has, scrolling in its own box where that is short (in
    landscape it was squeezed to 353 of its 392 px, its last line cut); the number, the
    counter and "take your ticket" keep their lines on the screen."""
    touch_px = min_touch_px(kiosk.controller.config.kiosk.screen_dpi)
    size = (kiosk.width(), kiosk.height())
    assert kiosk.attract.larger_text is not None
    click(qtbot, kiosk.attract.larger_text)
    click(qtbot, button_with(kiosk, "Budi Santoso"))
    wait_phase(qtbot, kiosk, Phase.IDENTIFIED)
    kiosk.controller.dispatch(ServiceSelected("longest-word"))
    kiosk.controller.dispatch(FormOpened())
    wait_phase(qtbot, kiosk, Phase.FORM)
    kiosk.controller.dispatch(FormSubmitted({}))
    wait_phase(qtbot, kiosk, Phase.CONFIRMING)
    kiosk.controller.dispatch(Confirmed())
    wait_phase(qtbot, kiosk, Phase.CONSENT)
    kiosk.controller.dispatch(NotifyAnswered(kiosk.controller.session().session, False))
    wait_phase(qtbot, kiosk, Phase.TICKET_ISSUED)
    assert layout_problems(kiosk, touch_px) == []
    assert (kiosk.width(), kiosk.height()) == size
    screen = kiosk.screens[Phase.TICKET_ISSUED]
    assert isinstance(screen, TicketScreen)
    window = kiosk.rect()
    for line in (screen.number, screen.counter, screen.paper):  # whole, on the screen
        assert line.isVisible() and window.contains(
            QRect(line.mapTo(kiosk, QPoint(0, 0)), line.size())
        ), line.text()
    assert screen.number.height() >= screen.number.heightForWidth(screen.number.width())
    assert screen.paper.height() >= screen.paper.heightForWidth(screen.paper.width())
    counter = screen.counter.label
    assert screen.counter.height() >= counter.fontMetrics().lineSpacing()  # a line at least
    name = screen.service.label
    assert name.text() == LONGEST and name.height() >= name.heightForWidth(name.width())
    assert "".join(line for line, _ in _lines(name)).replace("\u200b", "") == LONGEST
    assert screen.service.accessibleName() == LONGEST
