"""Screens built the first time they are asked for, so the first one is painted sooner.

The window knows every screen it may show, but only the attract screen is
needed for the first frame: the others (and the modules that define them) cost
time a citizen waits through before anything is on the screen. A
:class:`LazyScreens` maps each key (a phase, an overlay) to a screen that is
built, and handed to ``added`` (the window's stack), the first time the key is
looked up. :meth:`LazyScreens.build_rest` builds what is left, one screen per
turn of the event loop, once the kiosk is up, so the first tap does not pay
for its screen either.
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
            QApplication.sendEvent(screen, QResizeEvent(screen.size(), QSize(-1, -1)))

    return add
