"""The checks on this machine's files: the store and its outbox, the disk, the data
folder, the compiled translations and the drivers a kiosk must not have."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import importlib.util
import os
import shutil
import stat
from pathlib import Path

from cardio.readers.probe import dangerous_drivers
from kiosk.config import Config, KioskSection
from kiosk.doctor.check import Check, Severity, failed, passed
from offline_store import OutboxStats, StoreError, StoreKeyError
from offline_store.inspection import StoreInspection, inspect_store

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
#: The sections of a ``.qm`` (tag byte, then a 32-bit big-endian length), as Qt's
#: QTranslator reads them: language, hashes, messages, numerus rules, contexts,
#: dependencies. Qt refuses a file whose section runs past its end.
QM_TAGS = {
    0xA7: "language",
    0x42: "hashes",
    0x69: "messages",
    0x88: "numerus",
    0x2F: "contexts",
    0x96: "dependencies",
}
#: No translation of the kiosk's screens comes near this; a bigger file is not ours.
QM_MAX_BYTES = 16 * 1024 * 1024

AS_KIOSK_USER = (
    "Jalankan sebagai pengguna kiosk / run it as the kiosk's user: "
    "sudo -u anjungan kiosk doctor --config /etc/anjungan/kiosk.toml."
)


def check_store(config: Config, now: dt.datetime) -> tuple[Check, Check]:
    """The store opens with its key, and its outbox's depth and age; read-only: what the
    kiosk would make or change at its start is said, never done here."""
    path = config.store_path
    try:
        made = path.exists()
    except OSError as exc:  # a folder this user may not enter
        detail = f"{path}: {exc.strerror}"
        return failed("store", detail, _path_fix(exc)), failed("outbox", detail, _path_fix(exc))
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
        detail = f"{config.data_dir}: milik / owned by uid {owner}, not {os.geteuid()}"
        return failed("store", detail, AS_KIOSK_USER), failed("outbox", detail, AS_KIOSK_USER)
    try:
        # Read-only: never a key, a schema, a mode or a migration made here (the
        # kiosk may be running beside it, an older one than this doctor).
        found = inspect_store(path, config.store_key_path, now)
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
    return _store(path, found), _outbox_of(found)


def _store(path: Path, found: StoreInspection) -> Check:
    later = []
    if found.key_to_make:
        later.append("kunci belum ada / no key yet")
    if found.pending_migrations:
        versions = ", ".join(str(v) for v in found.pending_migrations)
        later.append(f"skema perlu migrasi / schema to migrate: {versions}")
    if later:
        made = " (dibuat kiosk saat mulai, tidak di sini / made by the kiosk at its start)"
        detail = f"{path}: " + "; ".join(later) + made
        fix = (
            "Mulai ulang kiosk agar menyiapkannya (systemctl restart anjungan-kiosk) / "
            "restart the kiosk so it prepares it (systemctl restart anjungan-kiosk)."
        )
        return failed("store", detail, fix, Severity.WARN)
    if found.loose_modes:
        files = ", ".join(found.loose_modes)
        detail = f"bukan 0600 / not 0600: {files}"
        fix = (
            "Hanya kiosk yang boleh membacanya: chmod 0600 berkas yang disebut (kiosk juga "
            "melakukannya saat mulai) / only the kiosk may read them: chmod 0600 the files "
            "named (the kiosk also does at its start)."
        )
        return failed("store", detail, fix, Severity.WARN)
    return passed("store", f"{path}: terbuka dengan kuncinya / opens with its key")


def _outbox_of(found: StoreInspection) -> Check:
    if found.outbox is None:
        return failed(
            "outbox",
            "tidak diperiksa: skema belum dimigrasi / not checked: the schema is not migrated",
            "Mulai ulang kiosk / restart the kiosk.",
            Severity.WARN,
        )
    if found.unreadable_payloads:
        detail = (
            f"{found.unreadable_payloads} item tak dapat dibuka dengan kuncinya / "
            "items whose payload does not decrypt with the key"
        )
        fix = (
            "Kembalikan store.key yang asli dari salinannya; item ini tak akan terkirim / "
            "put the original store.key back from its copy: these items cannot be sent."
        )
        return failed("outbox", detail, fix)
    return _outbox(found.outbox)


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
        return failed("data_folder", f"{folder}: {exc.strerror}", _path_fix(exc))
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
                problem = qm_problem(qm.read(QM_MAX_BYTES + 1))
        except OSError as exc:
            problem = exc.strerror or str(exc)
        if problem:
            bad.append(f"{path}: {problem}")
    if bad:
        return failed("translations", "; ".join(bad), fix)
    return passed("translations", f"{', '.join(languages)} di / in {folder}")


def qm_problem(data: bytes) -> str:
    """Why Qt would not load ``data`` as a ``.qm`` file; "" when its structure is whole.

    Checked without Qt (only ui/ may load it): the magic, then every section's
    header and length within the file, as QTranslator walks them, and the
    hashes and messages a translation cannot do without."""
    if len(data) > QM_MAX_BYTES:
        return f"lebih dari / larger than {QM_MAX_BYTES // 1024**2} MiB"
    if not data.startswith(QM_MAGIC):
        return "bukan .qm / not a .qm file"
    seen: dict[str, int] = {}
    at = len(QM_MAGIC)
    while at < len(data):
        if len(data) - at < 5:
            return f"terpotong / truncated at byte {at}"
        tag, length = data[at], int.from_bytes(data[at + 1 : at + 5], "big")
        if tag not in QM_TAGS:
            return f"bagian tak dikenal / unknown section 0x{tag:02x} at byte {at}"
        if length > len(data) - at - 5:
            return f"terpotong / truncated: the {QM_TAGS[tag]} section runs past the end"
        seen[QM_TAGS[tag]] = length
        at += 5 + length
    if not seen.get("messages") or not seen.get("hashes") or seen["hashes"] % 8:
        return "tanpa terjemahan / holds no translations"
    return ""


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


def _path_fix(exc: OSError) -> str:
    """The fix for a data folder that cannot be looked at, by why."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return AS_KIOSK_USER
    return (
        "Setel kiosk.data_dir ke sebuah folder (bagian jalurnya kini bukan folder) / "
        "set kiosk.data_dir to a folder (a part of its path is not one)."
        if exc.errno == errno.ENOTDIR
        else "Periksa kiosk.data_dir dan disknya / check kiosk.data_dir and its disk."
    )


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
