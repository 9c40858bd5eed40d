"""Public information (queue, beds, doctors on duty) and the citizen's application status.

The status screen also lists staff's answers to the citizen's complaints, and
shows each note in the screen's language only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from contract.wire import ServiceQueue
from kiosk.client.info import APPLICATION_STATES, DoctorOnDuty
from kiosk.errors import ApplicationsProblem
from kiosk.lookups.information import ApplicationsAnswer, Information
from kiosk.session.machine import SessionState
from ui.problems import NOTICES
from ui.screens.common import (
    Screen,
    View,
    button,
    find_service,
    label,
    service_name,
    set_button_text,
)
from ui.screens.dates import day_words, time_words
from ui.screens.message import NoticeBlock
from ui.screens.services import BUILT_IN_CATEGORIES, queue_words
from ui.screens.wrapping import wrapping_text


def updated_text(value: str, view: View) -> str | None:
    """ "Diperbarui 5 Desember 2026 pukul 18.34", in the kiosk's time zone; None if unreadable."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return view.t(
        "info_updated",
        date=day_words(moment.date(), view.lang),
        time=time_words(moment, view.lang),
    )


def clock_words(hhmm: str, lang: str) -> str:
    """A time of day as people there write it: "07.30" in Indonesian, "07:30" in English."""
    return hhmm.replace(":", ".") if lang == "id" else hhmm


def queue_line(service: ServiceQueue, view: View) -> str:
    """The service's name, then its queue in words as on its tile, and the wait if any."""
    words = queue_words(service, view)
    if service.waiting and service.estimated_wait_minutes:
        words = view.t("queue_with_wait", queue=words, minutes=service.estimated_wait_minutes)
    return f"{service_name(view.catalog, service.service_id, view.lang)}\n{words}"


def doctor_text(doctor: DoctorOnDuty, view: View) -> str:
    """Who, what, where and when, in words: "dr. Andi, Dokter Umum" / "Di ruang …, pukul …"."""
    who = view.t("doctor_row", name=doctor.name, specialty=doctor.specialty)
    who = who if doctor.specialty else doctor.name
    start, until = clock_words(doctor.start, view.lang), clock_words(doctor.until, view.lang)
    if doctor.room and start and until:
        where = view.t("doctor_room_hours", room=doctor.room, start=start, until=until)
    elif doctor.room:
        where = view.t("doctor_room", room=doctor.room)
    elif start and until:
        where = view.t("doctor_hours", start=start, until=until)
    else:
        return who
    return f"{who}\n{where}"


def shown_queues(info_services: tuple[ServiceQueue, ...], view: View) -> list[ServiceQueue]:
    """The queues of the services the grid shows: none that a built-in entry serves."""
    shown = []
    for service in info_services:
        found = find_service(view.catalog, service.service_id)
        if found is None or found.category not in BUILT_IN_CATEGORIES:
            shown.append(service)
    return shown


def _row(text: str, name: str = "infoRow") -> QLabel:
    """A row of the list: a doctor's name or a room's without spaces breaks inside."""
    row = wrapping_text(name, centred=False)
    row.setText(text)
    return row


class _ListScreen(Screen):
    """A title, a notice and a scrolling list of rows, with a back button."""

    def __init__(self, on_back: Callable[[], None]) -> None:
        super().__init__()
        self.title = label(name="title")
        self.notice = NoticeBlock()
        self.host = QWidget()
        self.rows = QVBoxLayout(self.host)
        self.rows.setSpacing(12)
        # Rows at the top by a stretch below them, not by the layout's alignment: an
        # aligned layout is as high as its hint, and a wrapping row's hint is for a line
        # wider than the screen's, so a long row (a doctor's name) would be cut.
        self.rows.addStretch(1)
        self.list_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.host)
        self.back = button("", on_back, "primary")
        self.box.addWidget(self.title)
        self.box.addWidget(self.notice)
        self.box.addWidget(scroll, 1)
        self.button_row(self.back)
        self.loading = True

    def warn(self, problem: str, view: View) -> None:
        """Why the list cannot be shown (:data:`ui.problems.NOTICES`); "" clears it."""
        self.notice.show_notice(NOTICES[problem] if problem else None, view)

    def render_state(self, state: SessionState, view: View) -> None:
        self.list_area.setAccessibleName(view.t("scroll_list"))

    def clear(self) -> None:
        while self.rows.count() > 1:  # the rows, not the stretch below them
            item = self.rows.takeAt(0)
            if item is not None and (widget := item.widget()) is not None:
                if isinstance(widget, QLabel):
                    widget.setText("")  # personal: gone now, not at the next event loop
                widget.setParent(None)
                widget.deleteLater()
        self.notice.clear()
        self.loading = True

    def add(self, text: str, name: str = "infoRow") -> None:
        self.rows.insertWidget(self.rows.count() - 1, _row(text, name))


class InformationScreen(_ListScreen):
    """Now serving per service; beds by ward and doctors on duty where the office has them."""

    def __init__(self, on_back: Callable[[], None]) -> None:
        super().__init__(on_back)
        self.info: Information | None = None

    def render_state(self, state: SessionState, view: View) -> None:
        super().render_state(state, view)
        self.title.setText(view.t("information_title"))
        set_button_text(self.back, view.t("back"))

    def show_information(self, info: Information | None, view: View) -> None:
        super().clear()
        self.info = info
        if info is None:
            self.add(view.t("loading"))
            return
        self.loading = False
        if not info.reachable:
            self.warn("cannot_check", view)
            return
        self.warn("" if info.queue is not None else "cannot_check", view)
        if info.queue is not None:
            self.add(view.t("queue_title"), "subtitle")
            queues = shown_queues(info.queue.services, view)
            for service in queues:
                self.add(queue_line(service, view))
            if not queues:
                self.add(view.t("queue_empty"))
        health = info.health
        if health is not None and not health.empty:
            if health.wards:
                self.add(view.t("beds_title"), "subtitle")
                for ward in health.wards:
                    self.add(
                        view.t(
                            "beds_row", ward=ward.name, free=ward.beds_free, total=ward.beds_total
                        )
                    )
            self.add(view.t("doctors_title"), "subtitle")
            for doctor in health.doctors:
                self.add(doctor_text(doctor, view))
            if not health.doctors:
                self.add(view.t("doctors_none"))
            updated = updated_text(health.updated_at, view) if health.updated_at else None
            if updated:
                self.add(updated)

    def clear(self) -> None:
        super().clear()
        self.info = None


class ApplicationsScreen(_ListScreen):
    """The citizen's applications and whether each is ready (personal: wiped with the session)."""

    def render_state(self, state: SessionState, view: View) -> None:
        super().render_state(state, view)
        self.title.setText(view.t("status_title"))
        set_button_text(self.back, view.t("back"))

    def show_answer(self, answer: ApplicationsAnswer | None, view: View) -> None:
        super().clear()
        if answer is None:
            self.add(view.t("loading"))
            return
        self.loading = False
        if answer.problem is ApplicationsProblem.UNVERIFIED:
            self.warn("status_unverified", view)
            return
        if answer.problem:
            self.warn("cannot_check", view)
            return
        if not answer.applications:
            self.add(view.t("status_none"))
        for application in answer.applications:
            state = application.state if application.state in APPLICATION_STATES else "unknown"
            # "Izin Usaha Mikro: siap diambil", staff's note, then the number to show at the desk.
            lines = [
                view.t(
                    "status_row",
                    title=application.title_in(view.lang),
                    state=view.t(f"state_{state}"),
                )
            ]
            note = application.note_in(view.lang)
            if note:
                lines.append(note)
            lines.append(view.t("status_reference", reference=application.reference))
            text = "\n".join(lines)
            self.add(text, "readyRow" if application.ready else "infoRow")
        if answer.complaints:
            self.add(view.t("complaints_answered_title"), "subtitle")
        for complaint in answer.complaints:
            self.add(
                view.t(
                    "complaint_answer_row",
                    reference=complaint.reference,
                    date=complaint.answered_on(),
                    answer=complaint.answer,
                )
            )
