"""How a central server instance is configured.

One frozen object, built by the command line (or a test) and handed to
:func:`central.app.create_app` and :func:`central.server.serve`. Later
settings (database URL, enrolment keys) are added here, not read from the
environment deep inside the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: What the server prints to stdout, followed by its URL, once it accepts
#: connections (:mod:`central.process` reads it; kept here, away from the
#: web stack, so starting a server does not import FastAPI).
LISTENING_PREFIX = "central listening on "

#: The demo catalog shipped inside the package (served with ``--seed-demo``).
DEMO_CATALOG_PATH = Path(__file__).resolve().parent / "demo_data" / "catalog.json"


@dataclass(frozen=True)
class CentralSettings:
    host: str = "127.0.0.1"
    #: 0 lets the OS pick a free port; the server prints the one it got.
    port: int = 8470
    #: The catalog to publish; ``None`` means the demo catalog if ``seed_demo``.
    catalog_path: Path | None = None
    seed_demo: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, not {self.port}")
        if not self.host:
            raise ValueError("host must not be empty")

    def resolved_catalog_path(self) -> Path | None:
        """The catalog file to load, or ``None`` when none was configured."""
        if self.catalog_path is not None:
            return self.catalog_path
        if self.seed_demo:
            return DEMO_CATALOG_PATH
        return None
