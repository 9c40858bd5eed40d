"""Running every check of ``kiosk doctor``, each on a thread of its own under a deadline.

A probe that hangs (a pcscd that accepts and never answers, a centre behind a
black hole, a CUPS that stalls) becomes a failed check saying so when the whole
run's deadline passes; the run never waits longer than :data:`RUN_DEADLINE_S`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import load_config
from kiosk.doctor.centre import check_centre
from kiosk.doctor.check import NAMES, RUN_DEADLINE_S, Check, Severity, failed, passed
from kiosk.doctor.devices import check_nfc, check_pcsc, check_printer
from kiosk.doctor.local import (
    check_data_folder,
    check_disk,
    check_drivers,
    check_store,
    check_translations,
)
from kiosk.errors import ConfigError

log = logging.getLogger(__name__)

#: The centre's probe makes two requests, each within this (or central.timeout_s if less).
CENTRE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Places:
    """Where the checks look; a test points them elsewhere."""

    #: The system's root, for /proc/modules and the pcsc-lite drivers.
    root: Path = Path("/")
    #: The compiled translations; None: the installed touchscreen's ``ui/i18n``.
    i18n_dir: Path | None = None
    #: The data folder's disk: below these many free bytes, fail / warn.
    disk_fail_bytes: int | None = None
    disk_warn_bytes: int | None = None


@dataclass
class _Probe:
    names: tuple[str, ...]
    work: Callable[[], tuple[Check, ...]]
    result: tuple[Check, ...] | None = None
    error: str = ""
    done: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        try:
            self.result = self.work()
        except Exception as exc:  # a probe's own defect is one failed check, not a crash
            log.exception("doctor probe %s failed", "/".join(self.names))
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.done.set()


def run_doctor(
    config_path: Path | None,
    *,
    places: Places | None = None,
    now: Callable[[], dt.datetime] | None = None,
    deadline_s: float = RUN_DEADLINE_S,
) -> list[Check]:
    """Every check in :data:`NAMES`' order. ``now`` is the kiosk's clock (UTC)."""
    places = places or Places()
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        first = failed("config", str(exc), _config_fix(exc))
        later = "tidak diperiksa: konfigurasi salah / not checked: bad configuration"
        again = "Perbaiki konfigurasi dahulu / fix the configuration first."
        return [first, *(failed(name, later, again) for name in NAMES[1:])]
    if config.source:
        checks: dict[str, Check] = {"config": passed("config", config.source)}
    else:
        # Every other check then looks at a kiosk nobody configured.
        detail = (
            "tidak ada berkas: nilai bawaan dipakai / no file found: the embedded defaults are used"
        )
        fix = (
            "Sebut berkasnya: kiosk doctor --config /etc/anjungan/kiosk.toml / "
            "name the file: kiosk doctor --config /etc/anjungan/kiosk.toml."
        )
        checks = {"config": failed("config", detail, fix, Severity.WARN)}
    disk = {
        k: v
        for k, v in (
            ("fail_bytes", places.disk_fail_bytes),
            ("warn_bytes", places.disk_warn_bytes),
        )
        if v is not None
    }
    probes = [
        _Probe(("data_folder",), lambda: (check_data_folder(config),)),
        _Probe(("store", "outbox"), lambda: check_store(config, clock())),
        _Probe(("pcscd", "readers"), lambda: check_pcsc(config)),
        _Probe(("nfc",), lambda: (check_nfc(config),)),
        _Probe(("printer",), lambda: (check_printer(config),)),
        _Probe(("centre", "token", "clock"), lambda: check_centre(config, clock, CENTRE_TIMEOUT_S)),
        _Probe(("disk",), lambda: (check_disk(config, **disk),)),
        _Probe(("translations",), lambda: (check_translations(places.i18n_dir),)),
        _Probe(("drivers",), lambda: (check_drivers(places.root),)),
    ]
    for probe in probes:
        threading.Thread(target=probe.run, name=f"doctor-{probe.names[0]}", daemon=True).start()
    end = time.monotonic() + deadline_s
    for probe in probes:
        probe.done.wait(max(0.0, end - time.monotonic()))
        checks.update({c.name: c for c in _results(probe, deadline_s)})
    return [checks[name] for name in NAMES]


def _config_fix(exc: ConfigError) -> str:
    if exc.key == "(file)":  # no key to name: the file itself
        return (
            "Periksa berkasnya: ada, dapat dibaca pengguna kiosk, TOML yang sah dalam UTF-8 / "
            "check the file: it exists, the kiosk's user can read it, it is valid UTF-8 TOML."
        )
    return (
        f"Perbaiki kunci {exc.key} (docs/configuration.md) / "
        f"fix the key {exc.key} (docs/configuration.md)."
    )


def _results(probe: _Probe, deadline_s: float) -> tuple[Check, ...]:
    if probe.result is not None:
        return probe.result
    if probe.error:
        detail = f"pemeriksaan gagal / the check failed: {probe.error}"
        fix = "Lihat log kiosk doctor -v dan laporkan / see `kiosk -v doctor`'s log and report it."
    else:
        detail = f"tidak ada jawaban dalam / no answer within {deadline_s:g} s"
        fix = (
            "Layanan yang diperiksa macet: mulai ulang (systemctl restart) lalu periksa lagi / "
            "the service checked hangs: restart it (systemctl restart), then check again."
        )
    return tuple(failed(name, detail, fix) for name in probe.names)
