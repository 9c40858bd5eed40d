"""Greeting with the service grid, and the service detail."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from contract.assurance import ASSURANCE_ORDER, Assurance
from contract.catalog import Service, Text
from contract.wire import ServiceQueue
from kiosk.client.info import QueueState
from kiosk.session.events import Back, Cancel, ComplaintOpened, FormOpened, ServiceSelected
from kiosk.session.machine import SessionState
from ui.icons import category_icon
from ui.problems import problem_notice, shown_problem
from ui.screens.booking_words import booking_values
from ui.screens.common import Screen, View, button, label, plain_label, set_button_text
from ui.screens.message import NoticeBlock
from ui.screens.wrapping import WrappingButton, wrapping_button, wrapping_text

#: Side of a tile's category icon, in pixels: fills the tile's height beside its text.
TILE_ICON_PX = 64
#: Room between the icon and the tile's text.
TILE_ICON_GAP = 20
#: A tile grows with the screen up to this many touch targets high (few services, portrait).
TILE_MAX_TOUCH = 4
#: The steps a citizen goes through: choose (grid and detail), fill in, confirm.
STEPS = 3
#: Catalog categories whose purpose the kiosk serves itself, with the entry that serves it:
#: a document's status is shown at once (the "Status berkas" tile), a complaint is
#: written on the complaint screen. A catalog service in one of these categories would
#: be a second door to the same thing, so the grid leaves it out (docs/screens.md).
BUILT_IN_CATEGORIES = frozenset({"informasi", "pengaduan"})


def step_text(view: View, n: int) -> str:
    """ "Langkah 2 dari 3": where the citizen is in the flow."""
    return view.t("step", n=n, total=STEPS)


def shown_services(view: View) -> list[Service]:
    """The office's catalog services the grid shows: none that a built-in entry serves."""
    if view.catalog is None:
        return []
    services = view.catalog.services_for(view.office_id)
    return [s for s in services if s.category not in BUILT_IN_CATEGORIES]


def greeting(state: SessionState, view: View) -> str:
    citizen = state.identity.citizen if state.identity else None
    if citizen is None:
        return view.t("welcome")
    return view.t(f"welcome_named_{citizen.sex.value}", name=citizen.full_name)


class ServicesScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.progress = label(name="progress")
        # the card's name, written without spaces on some cards: breaks inside its line
        self.greeting = wrapping_text("title")
        self.prompt = label(name="subtitle")
        self.notice = NoticeBlock()
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setSpacing(16)
        self.scroll_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.grid_host)
        self.scroll_area = scroll
        self.cancel = button("", lambda: self._view.dispatch(Cancel()))
        #: The kiosk's own entries, shown as tiles under their own heading: the
        #: complaint screen, and whatever the overlays add (:meth:`add_own_tile`).
        self.complaint = own_tile(lambda: self._view.dispatch(ComplaintOpened()), "pengaduan")
        self.own_tiles: list[tuple[WrappingButton, str, str]] = [
            (self.complaint, "complaint", "complaint_tile_hint")
        ]
        self.own_heading = plain_label(name="subtitle")
        self.box.addWidget(self.progress)
        self.box.addWidget(self.greeting)
        self.box.addWidget(self.prompt)
        self.box.addWidget(self.notice)
        self.box.addWidget(scroll, 1)
        #: The bottom row, at thumb height (the overlays add "Informasi" to it).
        self.bottom = self.button_row(self.cancel)
        self._columns = 1
        self._state: SessionState | None = None
        self._shown: tuple[str | None, str, int] | None = None
        #: The services' tiles, as built; and what their words were made for.
        self._tiles: list[tuple[Service, WrappingButton]] = []
        self._words: tuple[Assurance | None, QueueState | None] | None = None

    def add_own_tile(self, tile: WrappingButton, text_key: str, hint_key: str) -> None:
        """Show ``tile`` (made by :func:`own_tile`) among the kiosk's own entries, first."""
        self.own_tiles.insert(0, (tile, text_key, hint_key))
        self._shown = None

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Two columns when the screen lies on its side: tiles stay wide enough to read.
        columns = 2 if self.width() > self.height() else 1
        if columns != self._columns:
            self._columns = columns
            if self._state is not None:
                self.render_state(self._state, self._view)

    def render_state(self, state: SessionState, view: View) -> None:
        self._view, self._state = view, state
        self.progress.setText(step_text(view, 1))
        self.greeting.setText(greeting(state, view))
        self.prompt.setText(view.t("choose_service"))
        self.scroll_area.setAccessibleName(view.t("choose_service"))
        problem = shown_problem(state.problem, state.tap_waiting)
        self.notice.show_notice(
            problem_notice(problem) if problem else None,
            view,
            **booking_values(state, view),  # a booking's time and day, when it speaks of one
        )
        set_button_text(self.cancel, view.t("cancel"))
        self.own_heading.setText(view.t("own_entries"))
        for tile, text_key, hint_key in self.own_tiles:
            set_button_text(tile, f"{view.t(text_key)}\n{view.t(hint_key)}")
        # The tiles are built once per catalog, language and layout; a new citizen or
        # a new queue answer only changes their words (what the citizen's card may
        # use, the queue): a greeting paints without building the grid again.
        key = (view.catalog.version if view.catalog else None, view.lang, self._columns)
        if key != self._shown:
            self._build_tiles(view)
            self._shown = key
        assurance = state.identity.assurance if state.identity else None
        words = (assurance, view.queue)
        if words != self._words:
            for service, tile in self._tiles:
                self._word_tile(tile, service, assurance, view)
            self._words = words

    def _build_tiles(self, view: View) -> None:
        own = {tile for tile, _, _ in self.own_tiles} | {self.own_heading}
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget not in own:  # own tiles are only re-placed
                widget.setParent(None)  # out of the window at once, not at the next event loop
                widget.deleteLater()
        for r in range(self.grid.rowCount()):
            self.grid.setRowStretch(r, 0)
        columns = self._columns
        # Columns of one width, whatever their texts: the columns to come too (from one
        # column to two, the second is not in the grid yet, and kept no stretch).
        for c in range(max(columns, self.grid.columnCount())):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
        self._tiles = []
        self._words = None
        row = 0
        if view.catalog is None:
            self.grid.addWidget(label(view.t("no_catalog")), row, 0, 1, columns)
            row += 1
        else:
            services = shown_services(view)
            for category, name in view.catalog.categories.items():
                in_category = [s for s in services if s.category == category]
                if not in_category:
                    continue
                heading = wrapping_text("subtitle", centred=False)  # the catalog's words
                heading.setText(name(view.lang))
                row = self._section(
                    heading,
                    [self._tile(s) for s in in_category],
                    row,
                )
        self._section(self.own_heading, [tile for tile, _, _ in self.own_tiles], row)

    def _section(self, heading: QWidget, tiles: list[WrappingButton], row: int) -> int:
        """Put ``heading`` across the grid, then ``tiles`` row by row; the next free row."""
        columns = self._columns
        self.grid.addWidget(heading, row, 0, 1, columns)
        row += 1
        for i, tile in enumerate(tiles):
            # Tiles share the height left: few services make tall tiles (up to a cap).
            tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            tile.set_height_cap(TILE_MAX_TOUCH * self._view.touch_px)
            self.grid.addWidget(tile, row + i // columns, i % columns)
            self.grid.setRowStretch(row + i // columns, 1)
        for widget in (heading, *tiles):  # shown now, not at the next turn of the event loop
            widget.show()
        return row + (len(tiles) + columns - 1) // columns

    def _tile(self, service: Service) -> WrappingButton:
        """A service's tile, its words still to come (:meth:`_word_tile`)."""
        tile = wrapping_button("", partial(self._select, service.id), "tile")
        tile.setIconSize(QSize(TILE_ICON_PX + TILE_ICON_GAP, TILE_ICON_PX))
        tile.setProperty("service_id", service.id)
        tile.setProperty("blocked", None)
        self._tiles.append((service, tile))
        return tile

    def _word_tile(
        self, tile: WrappingButton, service: Service, assurance: Assurance | None, view: View
    ) -> None:
        """The tile's words for this citizen's card and the queue, its look if it is barred."""
        text = service.name(view.lang)
        blocked = bool(
            assurance is not None
            and ASSURANCE_ORDER[assurance] < ASSURANCE_ORDER[service.assurance]
        )
        if blocked:  # said on the tile itself: a touchscreen has no tooltips
            need = (
                "needs_clone_proof"
                if service.assurance is Assurance.CLONE_PROOF
                else "needs_signed"
            )
            text = f"{text}\n{view.t(need)}"
        elif (line := tile_queue_text(service, view)) is not None:
            text = f"{text}\n{line}"
        if tile.text() != text:
            set_button_text(tile, text)
        if tile.property("blocked") is not blocked:
            tile.setIcon(
                category_icon(service.category, TILE_ICON_PX, gap=TILE_ICON_GAP, muted=blocked)
            )
            tile.mark("blocked", blocked)

    def _select(self, service_id: str) -> None:
        self._view.dispatch(ServiceSelected(service_id))

    def clear(self) -> None:
        # The tiles say only services and queues (what her card may use is said again
        # for the next citizen before it is shown): they stay built.
        self.greeting.setText("")
        self.notice.clear()  # her booking, cancelled or used, with its time
        self._state = None  # her identity goes with the session


def own_tile(on_click: Callable[[], None], icon: str) -> WrappingButton:
    """A tile for one of the kiosk's own entries: the services' look, its own icon."""
    tile = wrapping_button("", on_click, "tile")
    tile.setIcon(category_icon(icon, TILE_ICON_PX, gap=TILE_ICON_GAP))
    tile.setIconSize(QSize(TILE_ICON_PX + TILE_ICON_GAP, TILE_ICON_PX))
    tile.setProperty("own_entry", icon)
    return tile


class ServiceDetailScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.progress = label(name="progress")
        # The catalog's and the centre's words, each as wide as the screen: a word wider
        # than it (an e-mail address, a code) breaks inside rather than widen the body
        # past the screen, where the scroll area (up and down only) would cut it all.
        self.name = wrapping_text("title")
        self.description = wrapping_text("subtitle")
        self.counter = wrapping_text()
        self.queue = wrapping_text("queue")
        self.hours = wrapping_text("hours")
        self.requirements_title = label(name="subtitle")
        self.requirements = wrapping_text()
        self.back = button("", lambda: self._view.dispatch(Back()))
        self.next = button("", lambda: self._view.dispatch(FormOpened()), "primary")
        # A long name or list of requirements scrolls; the buttons stay below it.
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(12)
        for w in (
            self.name,
            self.description,
            self.counter,
            self.queue,
            self.hours,
            self.requirements_title,
            self.requirements,
        ):
            column.addWidget(w)
        column.addStretch(1)
        self.scroll_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.box.addWidget(self.progress)
        self.box.addWidget(scroll, 1)
        self.button_row(self.back, self.next)

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        service = state.service
        if service is None:
            return
        lang = view.lang
        # Still choosing: the detail is the second look at step 1, not a step of its own.
        self.progress.setText(step_text(view, 1))
        self.name.setText(service.name(lang))
        self.scroll_area.setAccessibleName(service.name(lang))  # named after its service
        self.description.setText(service.description(lang))
        self.counter.setText(f"{view.t('counter')}: {service.counter}" if service.counter else "")
        self.requirements_title.setText(view.t("requirements"))
        reqs = [f"• {r(lang)}" for r in service.requirements]
        self.requirements.setText("\n".join(reqs) or view.t("no_requirements"))
        self.queue.setText(queue_text(service, view))
        hours = service.hours or _office_hours(service, view)
        self.hours.setText(f"{view.t('opening_hours')}: {hours(lang)}" if hours else "")
        self.hours.setVisible(hours is not None)
        set_button_text(self.back, view.t("back"))
        # Tapped before the city record came: it is taken once it does; meanwhile the
        # button says so (and is not tapped twice).
        set_button_text(self.next, view.t("record_loading" if state.tap_waiting else "register"))
        self.next.setEnabled(not state.tap_waiting)

    def clear(self) -> None:
        # Which service she looked at (a poli, a permit) is hers: gone with the session,
        # as the confirm and ticket screens forget the service they named.
        for widget in (
            self.name,
            self.description,
            self.counter,
            self.queue,
            self.hours,
            self.requirements,
        ):
            widget.setText("")
        self.scroll_area.setAccessibleName("")


def tile_queue_text(service: Service, view: View) -> str | None:
    """Now serving and people waiting, in words; None when the centre has not said."""
    found = _service_queue(service, view)
    return queue_words(found, view) if found is not None else None


def queue_words(found: ServiceQueue, view: View) -> str:
    """ "Belum ada antrean", or who is served and how many wait: never a bare dash or 0."""
    serving = (found.now_serving or "").strip()
    waiting = max(found.waiting, 0)  # the parser refuses less; words never say "-3"
    if serving and waiting:
        return view.t("queue_serving_waiting", serving=serving, waiting=waiting)
    if serving:
        return view.t("queue_serving_only", serving=serving)
    if waiting:
        return view.t("queue_waiting_only", waiting=waiting)
    return view.t("queue_nobody")


def queue_text(service: Service, view: View) -> str:
    """The queue in words and, when people wait, the estimated wait; or that it is unknown."""
    found = _service_queue(service, view)
    if found is None:
        return view.t("queue_unknown")
    words = queue_words(found, view)
    if found.waiting <= 0 or found.estimated_wait_minutes < 0:
        return words
    return f"{words}\n{view.t('ticket_wait', minutes=found.estimated_wait_minutes)}"


def _service_queue(service: Service, view: View) -> ServiceQueue | None:
    """The service's queue in the centre's last answer; None when unknown."""
    if view.queue is None:
        return None
    return next((q for q in view.queue.services if q.service_id == service.id), None)


def _office_hours(service: Service, view: View) -> Text | None:
    if view.catalog is None:
        return None
    try:
        return view.catalog.office(service.office_id).hours
    except KeyError:
        return None
