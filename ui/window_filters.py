"""The kiosk's input filters on its windows' own ``QWindow``, not on the application.

The platform hands every touch, click and key to a top-level window's
``QWindow`` first; the ``QWindow`` passes it on to the widget under the finger
or with the focus. A filter on the ``QWindow`` therefore sees all the input an
application-wide filter sees, but not the show, hide, paint, layout and polish
events of every widget: installed on the application, a filter written in
Python was called for each of them, thousands of calls on every change of
screen.

:class:`WindowFilters` installs its filters, in the order they were added (the
one added last is asked first, as on the application), on the ``QWindow`` of
the kiosk's window and of every other top-level window the kiosk shows: a
combo box's list, a menu, a dialog. A new one is found when it is shown
(it takes the focus) or when the kiosk's window is shown again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QApplication, QWidget

#: The dynamic property that marks a ``QWindow`` whose filters are in place.
_FILTERED = "anjungan_filtered"


class WindowFilters(QObject):
    """The input filters of ``root`` and of every top-level window shown from it."""

    def __init__(self, root: QWidget) -> None:
        super().__init__(root)
        self._root = root
        self._filters: list[QObject] = []
        self._watching = False

    def add(self, event_filter: QObject) -> None:
        """Ask ``event_filter`` about the input of every window of ``root``, before the
        filters added earlier."""
        if event_filter in self._filters:
            return
        windows = self.windows()  # those new among them get the filters added before
        self._filters.append(event_filter)
        for window in windows:
            window.installEventFilter(event_filter)
        if not self._watching:
            self._watching = True
            app = QGuiApplication.instance()
            if isinstance(app, QGuiApplication):
                app.focusWindowChanged.connect(self._focus_window_changed)

    def remove(self, event_filter: QObject) -> None:
        if event_filter not in self._filters:
            return
        self._filters.remove(event_filter)
        for window in self.windows():
            window.removeEventFilter(event_filter)

    def stop(self) -> None:
        """No more windows adopted (the kiosk's window is closing)."""
        if self._watching:
            self._watching = False
            app = QGuiApplication.instance()
            if isinstance(app, QGuiApplication):
                app.focusWindowChanged.disconnect(self._focus_window_changed)

    def windows(self) -> list[QWindow]:
        """The ``QWindow`` of ``root`` and of each top-level widget shown from it, once
        created, with the filters installed on each one new among them."""
        found: list[QWindow] = []
        for widget in QApplication.topLevelWidgets():
            window = widget.windowHandle()
            if window is None or not self._from_root(widget):
                continue
            if not window.property(_FILTERED):
                window.setProperty(_FILTERED, True)
                for event_filter in self._filters:  # the last added is asked first
                    window.installEventFilter(event_filter)
            found.append(window)
        return found

    def adopt(self) -> None:
        """Put the filters on any window of ``root`` not yet filtered."""
        self.windows()

    def _focus_window_changed(self, _window: QWindow | None) -> None:
        self.adopt()  # a popup, a menu, a dialog: it takes the focus when it is shown

    def _from_root(self, widget: QWidget | None) -> bool:
        while widget is not None:
            if widget is self._root:
                return True
            widget = widget.parentWidget()
        return False
