"""The checks on this machine's files: the store and its outbox, the disk, the data
folder, the compiled translations and the drivers a kiosk must not have."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import os
import shutil
import stat
from pathlib import Path

from cardio.readers.probe import dangerous_drivers
from kiosk.config import Config, KioskSection
from kiosk.doctor.check import Check, Severity, failed, passed
from kiosk.wiring.store import open_store
from offline_store import OutboxStats, StoreError, StoreKeyError

#: Below this much free space on the data folder's disk the store may fail a write.
DISK_FAIL_BYTES = 100 * 1024 * 1024
#: Below this, the operator should act before it fails.
DISK_WARN_BYTES = 1024 * 1024 * 1024
#: Tickets still unsent after this long have not reached the counters: staff cannot call them.
OUTBOX_FAIL_AGE_S = 30 * 60.0
#: After this long unsent, someone should look (the centre or the network is away).
OUTBOX_WARN_AGE_S = 5 * 60.0
#: A compiled Qt translation (``.qm``) starts with these bytes.
QM_MAGIC = bytes.fromhex("3cb86418caef9c95cd211cbf60a1bddd")

AS_KIOSK_USER = (
    "Jalankan sebagai pengguna kiosk: sudo -u anjungan kiosk doctor / "
    "run it as the kiosk's user: sudo -u anjungan kiosk doctor."
)


def check_store(config: Config, now: dt.datetime) -> tuple[Check, Check]:
    """The store opens with its key (never created here), and its outbox's depth and age."""
    path = config.store_path
    try:
        made = path.exists()
    except OSError as exc:  # a folder this user may not enter
        detail = f"{path}: {exc.strerror}"
        return failed("store", detail, AS_KIOSK_USER), failed("outbox", detail, AS_KIOSK_USER)
    if not made:
        note = (
            "belum dibuat: kiosk membuatnya saat mulai pertama / "
            "not made yet: the kiosk makes it on its first start"
        )
        fix = (
            "Jalankan kiosk sekali (systemctl start anjungan-kiosk) / "
            "start the kiosk once (systemctl start anjungan-kiosk)."
        )
        return (
            failed("store", f"{path}: {note}", fix, Severity.WARN),
            failed("outbox", "tidak diperiksa / not checked: no store yet", fix, Severity.WARN),
        )
    owner = _owner(config.data_dir)
    if owner is not None and owner != os.geteuid():
        # Opening would leave files of this user beside the kiosk's database.
        detail = f"{config.data_dir}: milik / owned by uid {owner}, not {os.geteuid()}"
        return failed("store", detail, AS_KIOSK_USER), failed("outbox", detail, AS_KIOSK_USER)
    try:
        store = open_store(config)
        try:
            store.ensure_open()
            stats = store.outbox_stats(now)
        finally:
            store.close()
    except StoreKeyError as exc:
        fix = (
            "Kembalikan store.key yang asli (mode 0600) dari salinannya "
            '(docs/architecture.md, "Recovering the store key") / put the original '
            "store.key back (mode 0600) from its copy."
        )
        return failed("store", str(exc), fix), _not_checked("outbox")
    except StoreError as exc:
        fix = (
            "Perbaiki atau pindahkan berkas yang disebut, lalu mulai ulang kiosk / "
            "repair or move aside the file named, then restart the kiosk."
        )
        return failed("store", str(exc), fix), _not_checked("outbox")
    return passed("store", f"{path}: terbuka dengan kuncinya / opens with its key"), _outbox(stats)


def _outbox(stats: OutboxStats) -> Check:
    depth, age, dead = stats.depth, stats.oldest_unsent_age_s, stats.dead
    detail = f"{depth} belum terkirim / unsent, {dead} gagal / dead" + (
        f", tertua / oldest {age:.0f} s" if age is not None else ""
    )
    fix = (
        "Periksa pemeriksaan centre dan token di atas; tiket terkirim sendiri begitu pusat "
        "terjangkau / see the centre and token checks: tickets go out by themselves once "
        "the centre is reached."
    )
    if age is not None and age > OUTBOX_FAIL_AGE_S:
        return failed("outbox", detail, fix)
    if age is not None and age > OUTBOX_WARN_AGE_S:
        return failed("outbox", detail, fix, Severity.WARN)
    if dead:
        fix = (
            "Lihat `kiosk sync status`, lalu `kiosk sync retry-dead KEY` setelah masalahnya "
            "diperbaiki / see `kiosk sync status`, then retry each once its fault is fixed."
        )
        return failed("outbox", detail, fix, Severity.WARN)
    return passed("outbox", detail)


def _not_checked(name: str) -> Check:
    return failed(
        name,
        "tidak diperiksa: penyimpanan tidak terbuka / not checked: the store does not open",
        "Perbaiki pemeriksaan store dahulu / fix the store check first.",
    )


def check_disk(
    config: Config, *, fail_bytes: int = DISK_FAIL_BYTES, warn_bytes: int = DISK_WARN_BYTES
) -> Check:
    folder = _existing(config.data_dir)
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        return failed("disk", f"{folder}: {exc.strerror}", "Periksa disk / check the disk.")
    detail = f"{free / 1024**2:.0f} MiB kosong di / free on {folder}"
    fix = (
        "Kosongkan ruang di disk itu (journalctl --vacuum-size=100M, berkas lama) / "
        "free space on that disk (journalctl --vacuum-size=100M, old files)."
    )
    if free < fail_bytes:
        return failed("disk", detail, fix)
    if free < warn_bytes:
        return failed("disk", detail, fix, Severity.WARN)
    return passed("disk", detail)


def check_data_folder(config: Config) -> Check:
    folder = config.data_dir
    make = f"Buat dengan / make it with: install -d -m 0700 -o anjungan -g anjungan {folder}."
    try:
        info = folder.stat()
    except FileNotFoundError:
        return failed("data_folder", f"{folder}: tidak ada / missing", make, Severity.WARN)
    except OSError as exc:
        return failed("data_folder", f"{folder}: {exc.strerror}", AS_KIOSK_USER)
    if not stat.S_ISDIR(info.st_mode):
        return failed("data_folder", f"{folder}: bukan folder / not a folder", make)
    mode = stat.S_IMODE(info.st_mode)
    detail = f"{folder}: mode {mode:04o}, uid {info.st_uid}"
    if info.st_uid != os.geteuid():
        return failed("data_folder", detail, AS_KIOSK_USER)
    if not os.access(folder, os.W_OK | os.X_OK):
        fix = f"Beri izin tulis / make it writable: chmod 0700 {folder}."
        return failed("data_folder", f"{detail}: tidak dapat ditulis / not writable", fix)
    if mode != 0o700:
        fix = (
            f"Hanya kiosk yang boleh membacanya / only the kiosk may read it: chmod 0700 {folder}."
        )
        return failed("data_folder", f"{detail}: bukan / not 0700", fix, Severity.WARN)
    return passed("data_folder", detail)


def check_translations(i18n_dir: Path | None = None) -> Check:
    """The compiled ``.qm`` of each language the screens speak besides Bahasa Indonesia."""
    folder = i18n_dir if i18n_dir is not None else _ui_i18n()
    fix = (
        "Pasang ulang paket anjungan-kiosk (atau `make translations` di checkout) / "
        "reinstall the anjungan-kiosk package (or `make translations` in a checkout)."
    )
    if folder is None:
        return failed(
            "translations", "antarmuka tidak terpasang / the touchscreen is not installed", fix
        )
    languages = [lang for lang in _languages() if lang != "id"]
    bad = []
    for lang in languages:
        path = folder / f"anjungan_{lang}.qm"
        try:
            with path.open("rb") as qm:
                if qm.read(len(QM_MAGIC)) != QM_MAGIC:
                    bad.append(f"{path}: bukan .qm / not a .qm file")
        except OSError as exc:
            bad.append(f"{path}: {exc.strerror}")
    if bad:
        return failed("translations", "; ".join(bad), fix)
    return passed("translations", f"{', '.join(languages)} di / in {folder}")


def check_drivers(root: Path = Path("/")) -> Check:
    found = dangerous_drivers(root)
    if found:
        fix = (
            "Hapus vsmartcard-vpcd (apt purge vsmartcard-vpcd) dan pasang "
            "/etc/modprobe.d/anjungan-nfc-blacklist.conf, lalu reboot / purge vsmartcard-vpcd "
            "and install the NFC blacklist, then reboot."
        )
        return failed("drivers", "; ".join(found), fix)
    return passed("drivers", "tidak ada / none found")


def _ui_i18n() -> Path | None:
    # Found, not imported: importing ui would load Qt.
    spec = importlib.util.find_spec("ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "i18n"


def _languages() -> tuple[str, ...]:
    field = next(f for f in dataclasses.fields(KioskSection) if f.name == "language")
    return tuple(field.metadata["choices"])


def _owner(folder: Path) -> int | None:
    try:
        return folder.stat().st_uid
    except OSError:
        return None


def _existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path
