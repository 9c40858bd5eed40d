"""Fixtures for the card tests: a real pcscd with a vpcd reader, a reader event log.

The ``pcscd`` fixture starts ``pcscd --foreground --config DIR`` where DIR
holds only one vpcd reader entry on a free port, waits until the reader is
listed, and stops the daemon at teardown (see :mod:`testkit.pcscd`: where
pcscd cannot run, the tests are skipped, or fail under ``CI``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.pcscd import Pcscd, running_pcscd
from testkit.reader_events import EventLog


@pytest.fixture
def pcscd(tmp_path: Path) -> Iterator[Pcscd]:
    """A running pcscd with the vpcd reader :data:`testkit.pcscd.READER` listed."""
    yield from running_pcscd(tmp_path)


@pytest.fixture
def events() -> EventLog:
    return EventLog()
