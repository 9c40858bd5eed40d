"""A kiosk's files as `kiosk doctor` finds them on a healthy machine: a configuration,
a data folder 0700 with its store and key, a token from a real centre, a root without
dangerous drivers and the compiled translations. Tests break one part at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from central.process import RunningCentral, start_central
from central.settings import DEMO_ENROLMENT_CODE
from kiosk.client.bearer import save_token
from kiosk.client.client import CentralClient
from kiosk.config import load_config
from kiosk.wiring.store import open_store

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DoctorKiosk:
    config: Path
    data: Path
    #: Stands for ``/``: an empty /proc/modules, no pcsc-lite drivers.
    root: Path
    kiosk_id: str
    token: str

    def doctor(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``kiosk doctor --config … --root …`` as a child process (``env``: added to
        its environment, e.g. another ``PYTHONIOENCODING``)."""
        return subprocess.run(
            [
                *(sys.executable, "-m", "kiosk.cli.main", "doctor"),
                *("--config", str(self.config), "--root", str(self.root), *args),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8", **(env or {})},
        )

    def doctor_json(self) -> tuple[int, dict[str, Any]]:
        done = self.doctor("--json")
        return done.returncode, json.loads(done.stdout)


def kiosk_files(
    tmp_path: Path, central_url: str, *, printer: str | None = None, card: str = ""
) -> DoctorKiosk:
    """A healthy kiosk in ``tmp_path`` enrolled with the centre at ``central_url``.

    ``printer`` and ``card`` are the TOML keys of those sections; the printer by
    default PDF files in ``tmp_path/tickets``.
    """
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    tickets = tmp_path / "tickets"
    tickets.mkdir()
    config = tmp_path / "kiosk.toml"
    if printer is None:
        printer = f'output_dir = "{tickets}"'
    config.write_text(
        f'[kiosk]\ndata_dir = "{data}"\n'
        f"[printer]\n{printer}\n"
        f"[card]\n{card}\n"
        f'[central]\nurl = "{central_url}"\ntimeout_s = 3.0\n',
        encoding="utf-8",
    )
    loaded = load_config(config)
    store = open_store(loaded)
    store.ensure_open()
    store.close()
    with CentralClient(central_url) as client:
        enrolment = client.enrol(DEMO_ENROLMENT_CODE, name="doctor test")
    save_token(loaded.central_token_path, enrolment.token)
    root = tmp_path / "root"
    (root / "proc").mkdir(parents=True)
    (root / "proc" / "modules").write_text("ext4 1003520 1 - Live 0x0000000000000000\n")
    return DoctorKiosk(config, data, root, enrolment.kiosk_id, enrolment.token)


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["name"]: check for check in report["checks"]}


def failing(report: dict[str, Any]) -> list[str]:
    return [check["name"] for check in report["checks"] if not check["ok"]]


#: What the doctor says of :func:`kiosk_files`' demo parts by default: the simulated
#: card reads no citizen's card (``readers`` fails), the PDF printer gives no paper
#: (``printer`` warns).
DEMO_CARD = "card.backend = simulated"
DEMO_PRINTER = "pdf_file: "


def faults(report: dict[str, Any]) -> list[str]:
    """The failing checks besides the demo parts' two findings, which are asserted
    here (exactly as said) rather than left out unseen."""
    found = []
    for check in report["checks"]:
        if check["ok"]:
            continue
        demo_card = check["name"] == "readers" and check["detail"].startswith(DEMO_CARD)
        demo_printer = check["name"] == "printer" and check["detail"].startswith(DEMO_PRINTER)
        if demo_card:
            assert check["severity"] == "fail", check
        elif demo_printer:
            assert check["severity"] == "warn" and "no paper" in check["detail"], check
        else:
            found.append(check["name"])
    return found


def doctor_centre() -> Iterator[RunningCentral]:
    """A real centre with the demo data for a fixture to yield, stopped after it."""
    running = start_central(seed_demo=True)
    try:
        yield running
    finally:
        running.stop()
