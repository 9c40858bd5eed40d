"""Screens built the first time they are asked for, so the first one is painted sooner.

The window knows every screen it may show, but only the attract screen is
needed for the first frame: the others (and the modules that define them) cost
time a citizen waits through before anything is on the screen. A
:class:`LazyScreens` maps each key (a phase, an overlay) to a screen that is
built, and handed to ``added`` (the window's stack), the first time the key is
looked up. :meth:`LazyScreens.build_rest` builds what is left, one screen per
turn of the event loop, once the kiosk is up, so the first tap does not pay
for its screen either.

:class:`ScreenStack` is where they are shown: a stack of screens whose layout
holds the shown one alone, so that no layout pass asks a hidden screen anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import TypeVar

from PySide6.QtCore import QObject, QSize, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QApplication, QStackedWidget, QWidget

log = logging.getLogger(__name__)
K = TypeVar("K", bound=Hashable)
S = TypeVar("S", bound=QWidget)


class LazyScreens(Mapping[K, S]):
    """Each key's screen, built on first lookup; several keys may share one screen.

    Iterating gives every key; ``values()`` and ``items()`` build every screen.
    The window's own loops use :meth:`built`, which builds nothing.
    """

    def __init__(self, added: Callable[[S], object]) -> None:
        self._added = added
        self._builders: dict[K, Callable[[], S]] = {}
        #: The keys that share one builder: built once, for all of them.
        self._shared: dict[K, tuple[K, ...]] = {}
        self._screens: dict[K, S] = {}
        self._hooks: dict[K, list[Callable[[S], None]]] = {}

    def put(self, build: Callable[[], S], *keys: K) -> None:
        """``build`` makes the screen of ``keys`` (one key, or several sharing it)."""
        if not keys:
            raise ValueError("a screen needs a key")
        for key in keys:
            if key in self._builders:
                raise ValueError(f"{key!r} has a screen already")
            self._builders[key] = build
            self._shared[key] = keys

    def when_built(self, key: K, hook: Callable[[S], None]) -> None:
        """Call ``hook`` with ``key``'s screen once it is built (at once if it is)."""
        if key in self._screens:
            hook(self._screens[key])
        else:
            self._hooks.setdefault(key, []).append(hook)

    def is_built(self, key: K) -> bool:
        return key in self._screens

    def built(self) -> list[S]:
        """The screens built so far, each once, in the order they were built."""
        return list(dict.fromkeys(self._screens.values()))

    def __getitem__(self, key: K) -> S:
        screen = self._screens.get(key)
        if screen is not None:
            return screen
        build = self._builders[key]  # KeyError for a key with no screen, as a dict
        screen = build()
        for shared in self._shared[key]:
            self._screens[shared] = screen
        self._added(screen)
        for shared in self._shared[key]:
            for hook in self._hooks.pop(shared, []):
                hook(screen)
        return screen

    def __iter__(self) -> Iterator[K]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def build_rest(self, parent: QObject) -> None:
        """Build the screens not built yet, one per turn of ``parent``'s event loop.

        A tap waiting in the queue is handled between two screens; a screen the
        tap needs first is built by its lookup.
        """
        left = [key for key in self._builders if key not in self._screens]

        def next_one() -> None:
            while left and left[0] in self._screens:
                left.pop(0)
            if not left:
                return
            key = left.pop(0)
            try:
                self[key]
            except Exception:
                # Logged where staff look, and the rest still built; the key is tried
                # again (and its failure logged again) when a session needs it.
                log.exception("the screen of %r could not be built", key)
            QTimer.singleShot(0, parent, next_one)

        QTimer.singleShot(0, parent, next_one)


class ScreenStack(QStackedWidget):
    """The window's screens, one shown at a time, and only the shown one laid out.

    Qt's ``QStackedLayout`` sizes itself for all of its pages, shown or not: every
    layout pass (and each change of screen posts several, up to the window) asks
    every page for its size hint, its minimum size and its height for a width, and a
    screen made in Python answers in Python, some 3,500 times a walk from the tap to
    the ticket, each answer waiting for the interpreter while another thread holds it.
    Here the stack's layout holds the shown screen alone; every other screen is the
    stack's child, hidden and in no layout, so nothing asks it anything (Qt sizes a
    hidden page only once it is shown, in either case). Showing a screen puts it in
    the layout, lets Qt change the page (the old one hidden, the new one shown, the
    focus moved, ``currentChanged``), and takes the old one out: the layout passes
    within the change itself ask the screen it replaces too, from Qt's own caches in
    C++ (a screen answers as any widget, no method of its own in Python); every pass
    after it, posted up to the window, asks the shown one alone.

    It is a ``QStackedWidget`` to every caller: ``addWidget`` adds a screen (the first
    one is shown), ``setCurrentWidget`` shows one, ``count``, ``indexOf`` and
    ``widget`` count every screen held, in the order added. ``currentChanged`` is
    emitted once per change of screen, with the layout's index (of no use here).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Every screen held, shown or not, in the order added.
        self._screens: list[QWidget] = []

    def addWidget(self, w: QWidget, /) -> int:
        held = self.indexOf(w)
        if held >= 0:
            return held
        self._screens.append(w)
        # A screen deleted (deleteLater, its parent's end) leaves the stack, as it leaves
        # a QStackedWidget: never a dead wrapper counted or shown.
        key = id(w)
        w.destroyed.connect(lambda _=None: self._forget(key))
        if super().count() == 0:
            super().addWidget(w)  # the first screen is shown, as a QStackedWidget's is
        else:
            w.setParent(self)
            w.hide()  # explicitly: a hidden child is shown with its parent otherwise
        return len(self._screens) - 1

    def setCurrentWidget(self, w: QWidget, /) -> None:
        shown = self.currentWidget()
        if w is shown:
            return
        if self.indexOf(w) < 0:
            log.warning("a screen not on the stack cannot be shown: %s", type(w).__name__)
            return
        super().addWidget(w)  # the first one is shown; else hidden, behind the shown one
        if shown is not None:
            super().setCurrentWidget(w)  # Qt's own change: hide, show, focus, signal
            super().removeWidget(shown)

    def removeWidget(self, w: QWidget, /) -> None:
        held = self.indexOf(w)
        if held < 0:
            return
        if w is self.currentWidget() and len(self._screens) > 1:
            # The one after it is shown, as a QStackedWidget shows (else the one before).
            self.setCurrentWidget(
                self._screens[held + 1 if held + 1 < len(self._screens) else held - 1]
            )
        del self._screens[held]
        if super().indexOf(w) >= 0:
            super().removeWidget(w)
        else:
            w.hide()

    def _forget(self, key: int) -> None:
        self._screens = [s for s in self._screens if id(s) != key]

    def count(self, /) -> int:
        return len(self._screens)

    def indexOf(self, arg__1: QWidget, /) -> int:
        return next((i for i, s in enumerate(self._screens) if s is arg__1), -1)

    def widget(self, arg__1: int, /) -> QWidget | None:
        return self._screens[arg__1] if 0 <= arg__1 < len(self._screens) else None

    def currentIndex(self, /) -> int:
        shown = self.currentWidget()
        return -1 if shown is None else self.indexOf(shown)

    def setCurrentIndex(self, index: int, /) -> None:
        screen = self.widget(index)
        if screen is not None:
            self.setCurrentWidget(screen)

    def insertWidget(self, index: int, w: QWidget, /) -> int:
        held = self.addWidget(w)
        if held == len(self._screens) - 1 and 0 <= index < held:
            self._screens.insert(index, self._screens.pop())
            return index
        return held


def onto(stack: QStackedWidget) -> Callable[[QWidget], None]:
    """What puts a screen built later onto ``stack`` as if it had been there from the start.

    Shown, a window sends every child, hidden or not, the resize it is waiting for; a
    screen added once the window is up would hear of its size only when shown, and a
    screen that lays itself out by the window's shape (portrait or landscape, as the
    ticket) would until then ask the window for room it does not have. It hears now.
    """

    def add(screen: QWidget) -> None:
        stack.addWidget(screen)
        if stack.isVisible():
            # The stack's size, not the default a widget is made with (640 × 480: a
            # landscape screen, whose arrangement a portrait window was then asked for).
            screen.resize(stack.contentsRect().size())
            QApplication.sendEvent(screen, QResizeEvent(screen.size(), QSize(-1, -1)))

    return add
