"""The window's stack of screens lays out the shown screen alone.

Qt's own stack asks every page, shown or not, for its size on every layout pass;
the kiosk's (:class:`ui.lazy_screens.ScreenStack`) never asks a hidden screen
anything, and to its callers it is still a ``QStackedWidget``: the same screens,
the same one shown, the same sizes, the focus moved the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QStackedWidget, QWidget
from pytestqt.qtbot import QtBot

from ui.lazy_screens import ScreenStack, onto


class Asked(QWidget):
    """A screen of wrapping text that counts the layouts' questions, shown or hidden."""

    def __init__(self, text: str, *, field: bool = False) -> None:
        super().__init__()
        from PySide6.QtWidgets import QVBoxLayout

        box = QVBoxLayout(self)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        box.addWidget(self.text)
        self.field = QLineEdit() if field else None
        if self.field is not None:
            box.addWidget(self.field)
        self.asked = 0
        self.asked_hidden = 0

    def _count(self) -> None:
        self.asked += 1
        if self.isHidden():
            self.asked_hidden += 1

    def sizeHint(self) -> QSize:
        self._count()
        return super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        self._count()
        return super().minimumSizeHint()

    def heightForWidth(self, width: int) -> int:
        self._count()
        return super().heightForWidth(width)


def laid_out(stack: QStackedWidget) -> list[QWidget | None]:
    """The widgets in the stack's layout (Qt's: every page; the kiosk's: the shown one)."""
    layout = stack.layout()
    assert layout is not None
    items = (layout.itemAt(i) for i in range(layout.count()))
    return [item.widget() if item is not None else None for item in items]


def _shown(qtbot: QtBot, stack: QStackedWidget, *screens: QWidget) -> None:
    for screen in screens:
        stack.addWidget(screen)
    qtbot.addWidget(stack)
    stack.resize(600, 800)
    stack.show()
    qtbot.waitExposed(stack)


def test_a_hidden_screen_is_never_asked_its_size_while_another_is_shown(qtbot: QtBot) -> None:
    stack = ScreenStack()
    screens = first, second, third, fourth = [Asked(f"layar {i} " * 60) for i in range(4)]
    _shown(qtbot, stack, *screens)
    for screen, left, width in ((second, first, 500), (first, second, 700), (second, first, 640)):
        for s in screens:
            s.asked = s.asked_hidden = 0
        stack.setCurrentWidget(screen)
        # Within Qt's change of page: the screen shown and the one it replaces, no other.
        assert [s.asked > 0 for s in screens] == [s in (screen, left) for s in screens]
        for s in screens:
            s.asked = s.asked_hidden = 0
        screen.text.setText(screen.text.text() + " lagi")  # the shown one changes
        stack.resize(width, 800)
        qtbot.wait(1)  # the layout requests the change, the text and the resize posted
        assert screen.asked > 0 and screen.asked_hidden == 0  # laid out as ever
        assert [s.asked for s in screens if s is not screen] == [0, 0, 0]
    assert third.asked == fourth.asked == 0  # never shown, never asked
    stack.setCurrentWidget(third)
    qtbot.wait(1)
    assert third.asked > 0 and third.asked_hidden == 0
    assert third.geometry() == stack.contentsRect()  # the whole stack, as Qt's stack gives it
    assert laid_out(stack) == [third]
    assert [s.isVisible() for s in screens] == [False, False, True, False]


def test_a_screen_held_by_qt_s_own_stack_is_asked_while_hidden(qtbot: QtBot) -> None:
    """What the test above rules out, as Qt's ``QStackedWidget`` does it."""
    stack = QStackedWidget()
    first, second, third = (Asked(f"layar {i} " * 60) for i in range(3))
    _shown(qtbot, stack, first, second, third)
    stack.setCurrentWidget(second)
    qtbot.wait(1)
    first.asked_hidden = third.asked_hidden = 0
    second.text.setText(second.text.text() + " lagi")
    stack.resize(500, 800)
    qtbot.wait(1)
    assert first.asked_hidden > 0 and third.asked_hidden > 0


def _same_calls(qtbot: QtBot, act: Callable[[QStackedWidget, list[QWidget]], None]) -> None:
    """``act`` on Qt's stack and on the kiosk's: the same answers to every question."""
    answers = []
    for stack in (QStackedWidget(), ScreenStack()):
        screens: list[QWidget] = [Asked(f"layar {i}") for i in range(4)]
        changes: list[int] = []
        stack.currentChanged.connect(lambda _index, changes=changes: changes.append(1))
        _shown(qtbot, stack, *screens)
        act(stack, screens)
        answers.append(
            (
                stack.count(),
                [stack.indexOf(s) for s in screens],
                [screens.index(w) if w in screens else None for w in map(stack.widget, range(5))],
                stack.currentIndex(),
                next((i for i, s in enumerate(screens) if s is stack.currentWidget()), None),
                [s.isVisible() for s in screens],
                len(changes),
            )
        )
    assert answers[1] == answers[0]


def test_it_answers_as_a_qstackedwidget_to_its_callers(qtbot: QtBot) -> None:
    def show_by_widget_and_index(stack: QStackedWidget, screens: list[QWidget]) -> None:
        stack.setCurrentWidget(screens[2])
        stack.setCurrentWidget(screens[2])  # no change: no signal
        stack.setCurrentIndex(1)

    def remove_the_shown_one(stack: QStackedWidget, screens: list[QWidget]) -> None:
        stack.setCurrentWidget(screens[1])
        stack.removeWidget(screens[1])

    def remove_a_hidden_one_and_insert(stack: QStackedWidget, screens: list[QWidget]) -> None:
        stack.setCurrentWidget(screens[3])
        stack.removeWidget(screens[0])
        stack.insertWidget(1, screens[0])

    for act in (show_by_widget_and_index, remove_the_shown_one, remove_a_hidden_one_and_insert):
        _same_calls(qtbot, act)


def test_the_focus_moves_onto_the_screen_shown_as_in_qt_s_own_stack(qtbot: QtBot) -> None:
    focused = []
    for stack in (QStackedWidget(), ScreenStack()):
        first, second = Asked("satu", field=True), Asked("dua", field=True)
        _shown(qtbot, stack, first, second)
        stack.activateWindow()
        assert first.field is not None and second.field is not None
        first.field.setFocus()
        qtbot.waitUntil(first.field.hasFocus)
        stack.setCurrentWidget(second)
        focused.append(
            (
                first.field.hasFocus(),
                second.field.hasFocus(),
                second.isAncestorOf(stack.focusWidget()),
            )
        )
    assert focused[1] == focused[0] == (False, True, True)


def test_a_screen_deleted_leaves_the_stack_as_it_leaves_qt_s_own(qtbot: QtBot) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    for stack in (QStackedWidget(), ScreenStack()):
        qtbot.addWidget(stack)
        first, doomed, last = QWidget(), QWidget(), QWidget()
        for page in (first, doomed, last):
            stack.addWidget(page)
        doomed.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert stack.count() == 2, type(stack).__name__
        stack.setCurrentIndex(1)
        assert stack.currentWidget() is last, type(stack).__name__
        assert [stack.widget(i) for i in range(stack.count())] == [first, last]


class Oriented(QWidget):
    """Records the sizes its resize events bring, as a screen that arranges itself by its
    orientation (the complaint's categories beside or above its keyboard) does."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[QSize] = []

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.sizes.append(event.size())
        super().resizeEvent(event)


def test_a_screen_built_once_the_window_is_up_hears_the_windows_size_not_a_default(
    qtbot: QtBot,
) -> None:
    """A screen made later has a widget's default size (640 × 480, wider than high): told
    that size, a screen that arranges itself by its orientation laid itself out for a
    landscape screen and asked the portrait window for that width, which it kept."""
    stack = ScreenStack()
    qtbot.addWidget(stack)
    stack.resize(1080, 1920)
    stack.addWidget(QWidget())
    stack.show()
    qtbot.waitExposed(stack)
    screen = Oriented()
    onto(stack)(screen)
    assert screen.sizes == [stack.contentsRect().size()]
    stack.setCurrentWidget(screen)
    assert all(size.height() > size.width() for size in screen.sizes)
