"""Suite-wide settings: Qt renders offscreen, one QApplication (pytest-qt's)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def demo_central() -> Iterator[str]:
    """A real central server with the demo data, on 127.0.0.1, for the session."""
    from central.process import start_central

    with start_central(seed_demo=True) as running:
        yield running.url
