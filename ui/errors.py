"""Every error the touchscreen raises, in one place.

* :class:`TranslationsMissing` — a language's compiled translations are not there.

What goes wrong with a card, the paper, the store or the centre comes from
their packages' errors modules (:mod:`cardio.errors`, :mod:`printing.errors`,
:mod:`offline_store.errors`, :mod:`kiosk.errors`); the screens show it.
"""

from __future__ import annotations


class TranslationsMissing(RuntimeError):
    """A language's compiled ``.qm`` file is not there (``make translations`` makes it)."""
