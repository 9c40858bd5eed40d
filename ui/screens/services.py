"""Greeting with the service grid, and the service detail."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QPushButton, QScrollArea, QWidget

from contract.assurance import ASSURANCE_ORDER, Assurance
from contract.catalog import Service, Text
from contract.wire import ServiceQueue
from kiosk.client.info import QueueState
from kiosk.session.events import Back, Cancel, ComplaintOpened, FormOpened, ServiceSelected
from kiosk.session.machine import SessionState
from ui.icons import category_icon
from ui.problems import problem_notice
from ui.screens.common import Screen, View, button, label, plain_label, set_button_text
from ui.screens.message import NoticeBlock

#: Side of a tile's category icon, in pixels: fills the tile's height beside its text.
TILE_ICON_PX = 64
#: Room between the icon and the tile's text.
TILE_ICON_GAP = 20


def greeting(state: SessionState, view: View) -> str:
    citizen = state.identity.citizen if state.identity else None
    if citizen is None:
        return view.t("welcome")
    return view.t(f"welcome_named_{citizen.sex.value}", name=citizen.full_name)


class ServicesScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.greeting = label(name="title")
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
        self.cancel = button("", lambda: self._view.dispatch(Cancel()))
        self.complaint = button("", lambda: self._view.dispatch(ComplaintOpened()))
        self.complaint.setObjectName("complaint")
        self.box.addWidget(self.greeting)
        self.box.addWidget(self.prompt)
        self.box.addWidget(self.notice)
        self.box.addWidget(scroll, 1)
        self.button_row(self.cancel, self.complaint)
        self._shown: tuple[str | None, str, int, QueueState | None] | None = None

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        self.greeting.setText(greeting(state, view))
        self.prompt.setText(view.t("choose_service"))
        self.scroll_area.setAccessibleName(view.t("choose_service"))
        self.notice.show_notice(problem_notice(state.problem) if state.problem else None, view)
        set_button_text(self.cancel, view.t("cancel"))
        set_button_text(self.complaint, view.t("complaint"))
        # By value, never by id(): a freed identity's id can come back for the next
        # citizen. The session number stands for its identity (set once per session)
        # and keeps nothing personal alive; the queue figures are plain values.
        key = (
            view.catalog.version if view.catalog else None,
            view.lang,
            state.session,
            view.queue,
        )
        if key != self._shown:
            self._build_tiles(state, view)
            self._shown = key

    def _build_tiles(self, state: SessionState, view: View) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                widget.deleteLater()
        if view.catalog is None:
            self.grid.addWidget(label(view.t("no_catalog")), 0, 0)
            return
        services = view.catalog.services_for(view.office_id)
        row = 0
        for category, name in view.catalog.categories.items():
            in_category = [s for s in services if s.category == category]
            if not in_category:
                continue
            heading = plain_label(name(view.lang), "subtitle")
            self.grid.addWidget(heading, row, 0)
            row += 1
            for service in in_category:
                self.grid.addWidget(self._tile(service, state, view), row, 0)
                row += 1
        self.grid.setRowStretch(row, 1)

    def _tile(self, service: Service, state: SessionState, view: View) -> QPushButton:
        text = service.name(view.lang)
        identity = state.identity
        blocked = bool(
            identity and ASSURANCE_ORDER[identity.assurance] < ASSURANCE_ORDER[service.assurance]
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
        tile = button(text, partial(self._select, service.id), "tile")
        icon = category_icon(service.category, TILE_ICON_PX, gap=TILE_ICON_GAP, muted=blocked)
        tile.setIcon(icon)
        tile.setIconSize(QSize(TILE_ICON_PX + TILE_ICON_GAP, TILE_ICON_PX))
        tile.setProperty("service_id", service.id)
        tile.setProperty("blocked", blocked)
        return tile

    def _select(self, service_id: str) -> None:
        self._view.dispatch(ServiceSelected(service_id))

    def clear(self) -> None:
        self.greeting.setText("")
        self._shown = None


class ServiceDetailScreen(Screen):
    def __init__(self, view: View) -> None:
        super().__init__()
        self._view = view
        self.name = label(name="title")
        self.description = label(name="subtitle")
        self.counter = label()
        self.queue = label(name="queue")
        self.hours = label(name="hours")
        self.requirements_title = label(name="subtitle")
        self.requirements = label()
        self.back = button("", lambda: self._view.dispatch(Back()))
        self.next = button("", lambda: self._view.dispatch(FormOpened()), "primary")
        for w in (
            self.name,
            self.description,
            self.counter,
            self.queue,
            self.hours,
            self.requirements_title,
            self.requirements,
        ):
            self.box.addWidget(w)
        self.box.addStretch(1)
        self.button_row(self.back, self.next)

    def render_state(self, state: SessionState, view: View) -> None:
        self._view = view
        service = state.service
        if service is None:
            return
        lang = view.lang
        self.name.setText(service.name(lang))
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
        set_button_text(self.next, view.t("register"))


def tile_queue_text(service: Service, view: View) -> str | None:
    """Now serving and people waiting, for the tile; None when the centre has not said."""
    found = _service_queue(service, view)
    if found is None:
        return None
    serving = found.now_serving or view.t("not_known")
    return view.t("tile_queue", serving=serving, waiting=found.waiting)


def queue_text(service: Service, view: View) -> str:
    """Now serving and the estimated wait, from the centre's last answer; "—" when unknown."""
    unknown = view.t("not_known")
    found = _service_queue(service, view)
    serving = (found.now_serving or unknown) if found else unknown
    wait = (
        view.t("wait_minutes", minutes=found.estimated_wait_minutes, waiting=found.waiting)
        if found
        else unknown
    )
    return f"{view.t('now_serving')}: {serving}\n{view.t('estimated_wait')}: {wait}"


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
