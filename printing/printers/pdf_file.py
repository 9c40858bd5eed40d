"""The ``pdf_file`` backend: every job becomes a PDF file in a folder.

Used by the demo, by tests and by kiosks that hand documents to something
else (a shared folder, an archive). Files appear whole or not at all: each
job is written to a hidden temporary file in the same folder, flushed to
disk, then renamed into place, and the folder itself is flushed so the
rename survives a power cut. An existing file is never overwritten.

Files are created readable by the kiosk's user only (mode 0600). A document
with personal data (a registration slip: name, NIK, phone, complaint) is
also recorded, with the time it was written, in the folder's hidden
``.personal-data`` list before it is put in place; :meth:`PdfFilePrinter.purge_personal`
deletes each such file once it is older than the retention (24 hours by
default, ``printer.personal_retention_s``), and at once if its recorded time is
ahead of the clock by more than :data:`FUTURE_SLACK` (written while the clock was
wrong: its true age is unknown). It deletes only regular files named as this
backend names its own (:data:`_OWN_NAME`), whatever the list says. Queue tickets
and complaint receipts carry none and stay.

A crash between the temporary file and the rename leaves a hidden
``.<stem>.XXXXXXXX.tmp`` (perhaps a slip). The purge deletes such leftovers
once their modification time is more than :data:`TEMP_GRACE` old or more than
:data:`FUTURE_SLACK` ahead of the clock. Within this object no write is
in flight during a purge (both hold the same lock); the grace spares a write
that another process is making into the same folder.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import re
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from printing.errors import (
    PrinterConfigError,
    PrinterError,
    PrinterUnavailable,
    PrintFailed,
    PrintFault,
)
from printing.printers.printer import Printer, PrinterStatus, PrintReceipt, check_pdf

log = logging.getLogger(__name__)

#: How long a document with personal data is kept by default.
PERSONAL_RETENTION = dt.timedelta(hours=24)
#: A recorded write time further than this ahead of the clock is not believed.
FUTURE_SLACK = dt.timedelta(minutes=5)
#: A temporary file untouched for this long is a crash's leftover, not a write.
TEMP_GRACE = dt.timedelta(minutes=5)
#: The hidden temporary files this backend makes (``tempfile.mkstemp``'s 8 random characters).
_TEMP_NAME = re.compile(r"\.[A-Za-z0-9][A-Za-z0-9._-]*\.[a-z0-9_]{8}\.tmp")
#: The folder's list of personal documents: ``<UTC time written>\t<file name>`` per line.
PERSONAL_LIST = ".personal-data"
#: The names this backend gives its files (:func:`safe_file_stem`, then ``.pdf`` or
#: ``_<copy>.pdf``): the purge deletes nothing else, whatever the list says.
_OWN_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?(?:_[1-9][0-9]{0,4})?\.pdf")

#: Longest file name stem kept from a job name (names are limited to 255 bytes).
MAX_STEM = 100
#: Give up looking for a free name after this many files of the same job name.
MAX_COPIES = 10_000

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
_NOT_WRITABLE = {errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EROFS}


def safe_file_stem(job_name: str) -> str:
    """Turn a job name into a file name stem that is safe in any folder.

    Keeps ASCII letters, digits, ``.``, ``_`` and ``-``; anything else becomes
    ``_``. No leading dot (no hidden files, no ``..``), no path separators, no
    trailing ``.pdf`` (it is added back), never empty.
    """
    stem = job_name.strip()
    if stem.lower().endswith(".pdf"):
        stem = stem[:-4]
    stem = _UNSAFE.sub("_", stem).strip("._-")
    return stem[:MAX_STEM].rstrip("._-") or "job"


class PdfFilePrinter(Printer):
    """Writes each job as ``<job_name>.pdf`` into an existing ``folder``.

    A repeated job name gets a suffix (``A-017_2.pdf``) rather than
    replacing the earlier file. ``clock`` (timezone-aware) times the personal
    documents' writing and their purge. Name choice is serialised within this
    object; two processes writing the same folder are not coordinated.
    """

    backend = "pdf_file"

    def __init__(
        self,
        folder: Path,
        *,
        personal_retention: dt.timedelta = PERSONAL_RETENTION,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        if personal_retention <= dt.timedelta(0):
            raise PrinterConfigError("the retention of personal documents must be positive")
        self.folder = Path(folder)
        self.personal_retention = personal_retention
        self._clock = clock
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PdfFilePrinter({str(self.folder)!r})"

    def status(self) -> PrinterStatus:
        problem = self._folder_problem()
        if problem is not None:
            return PrinterStatus(ready=False, fault=PrintFault.OUTPUT_UNAVAILABLE, detail=problem)
        return PrinterStatus(ready=True, fault=None, detail=f"writing PDF files to {self.folder}")

    def print_pdf(self, pdf: bytes, job_name: str, *, personal: bool = False) -> PrintReceipt:
        check_pdf(pdf)
        stem = safe_file_stem(job_name)
        with self._lock:
            problem = self._folder_problem()
            if problem is not None:
                raise PrinterUnavailable(problem)
            target = self._write_new(pdf, stem, personal)
        return PrintReceipt(backend=self.backend, job_id=str(target))

    def purge_personal(self) -> int:
        """Delete the personal documents written more than the retention ago,
        those whose recorded time is ahead of the clock (beyond :data:`FUTURE_SLACK`),
        and the temporary files a crash left (see the module's docstring).

        Returns how many files went. Entries whose file is already gone are
        dropped from the list. Raises nothing: a purge that fails is logged
        and tried again on the next call.
        """
        now = self._clock()
        cutoff, horizon = now - self.personal_retention, now + FUTURE_SLACK
        with self._lock:
            try:
                removed = self._purge_leftovers(now)
                entries = self._personal_entries()
                if not entries:
                    return self._logged(removed, 0)
                kept, future = [], 0
                for written, name in entries:
                    path = self.folder / name
                    if not _own_file(path):
                        continue  # gone, or not a file this printer wrote
                    if cutoff < written <= horizon:
                        kept.append((written, name))
                        continue
                    future += written > horizon
                    path.unlink(missing_ok=True)
                    removed += 1
                self._write_personal_list(kept)
            except OSError as exc:
                log.warning("personal documents in %s not purged: %s", self.folder, exc)
                return 0
        return self._logged(removed, future)

    def _logged(self, removed: int, future: int) -> int:
        if future:
            log.warning(
                "%d document(s) with personal data in %s were dated ahead of the clock"
                " (written while it was wrong): deleted now",
                future,
                self.folder,
            )
        if removed:
            log.info("deleted %d document(s) with personal data from %s", removed, self.folder)
        return removed

    def _purge_leftovers(self, when: dt.datetime) -> int:
        """Delete the hidden temporary files that no write is still making.

        Judged by their modification time against this printer's clock (the
        system clock, which the file system stamps them with).
        """
        now = when.timestamp()
        grace, slack = TEMP_GRACE.total_seconds(), FUTURE_SLACK.total_seconds()
        removed = 0
        for name in os.listdir(self.folder):
            if not _TEMP_NAME.fullmatch(name):
                continue
            path = self.folder / name
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if now - grace < info.st_mtime <= now + slack:
                continue  # young: perhaps a write in flight in another process
            path.unlink(missing_ok=True)
            removed += 1
        if removed:
            log.warning("deleted %d unfinished temporary file(s) from %s", removed, self.folder)
        return removed

    def _folder_problem(self) -> str | None:
        """Why the folder cannot take files now, or ``None`` if it can.

        A cheap probe: permission bits as the kernel sees them for this user
        (and read-only mounts). ``print_pdf`` remains the final word.
        """
        try:
            mode = os.stat(self.folder).st_mode
        except OSError as exc:
            return f"output folder {self.folder} is not reachable: {exc.strerror or exc}"
        if not stat.S_ISDIR(mode):
            return f"output folder {self.folder} is not a folder"
        if not os.access(self.folder, os.W_OK | os.X_OK):
            return f"output folder {self.folder} is not writable"
        return None

    def _write_new(self, pdf: bytes, stem: str, personal: bool) -> Path:
        try:
            fd, temp_name = tempfile.mkstemp(prefix=f".{stem}.", suffix=".tmp", dir=self.folder)
        except OSError as exc:
            raise self._error(exc) from exc
        temp = Path(temp_name)
        placed = False
        try:
            with open(fd, "wb") as file:
                file.write(pdf)
                file.flush()
                os.fsync(file.fileno())
            target = self._free_path(stem)
            if personal:  # listed before it is in place: never a personal file unlisted
                written = self._clock().astimezone(dt.UTC)
                self._write_personal_list([*self._personal_entries(), (written, target.name)])
            os.replace(temp, target)
            placed = True
            self._sync_folder()
        except OSError as exc:
            raise self._error(exc) from exc
        finally:
            if not placed:
                temp.unlink(missing_ok=True)
        return target

    def _free_path(self, stem: str) -> Path:
        for copy in range(1, MAX_COPIES + 1):
            name = f"{stem}.pdf" if copy == 1 else f"{stem}_{copy}.pdf"
            path = self.folder / name
            if not os.path.lexists(path):
                return path
        raise PrintFailed(f"{MAX_COPIES} files named {stem}*.pdf already in {self.folder}")

    def _personal_entries(self) -> list[tuple[dt.datetime, str]]:
        try:
            text = (self.folder / PERSONAL_LIST).read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        entries = []
        for line in text.splitlines():
            when, _, name = line.partition("\t")
            try:
                written = dt.datetime.fromisoformat(when)
            except ValueError:
                written = dt.datetime.min  # unreadable: purge it now
            if written.tzinfo is None:
                written = written.replace(tzinfo=dt.UTC)
            if _OWN_NAME.fullmatch(name):
                entries.append((written, name))
            elif name:
                # Only a hand-edited or tampered list names anything else (the data
                # folder's store, key or token): never deleted, dropped from the list.
                log.warning(
                    "%s in %s names a file this printer never writes", PERSONAL_LIST, self.folder
                )
        return entries

    def _write_personal_list(self, entries: list[tuple[dt.datetime, str]]) -> None:
        """Replace the list whole (a temporary file, fsync, rename), mode 0600."""
        body = "".join(f"{written.isoformat()}\t{name}\n" for written, name in entries)
        fd, temp_name = tempfile.mkstemp(prefix=f"{PERSONAL_LIST}.", suffix=".tmp", dir=self.folder)
        try:
            with open(fd, "w", encoding="utf-8") as file:
                file.write(body)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp_name, self.folder / PERSONAL_LIST)
        finally:
            Path(temp_name).unlink(missing_ok=True)
        self._sync_folder()

    def _sync_folder(self) -> None:
        """Flush the folder's entry list so the rename is on disk.

        If this fails the file is already complete in place, but the job is
        still reported failed: its durability is not known.
        """
        fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        except OSError as exc:
            # Some file systems cannot fsync a directory; the file itself is synced.
            if exc.errno != errno.EINVAL:
                raise
        finally:
            os.close(fd)

    def _error(self, exc: OSError) -> PrinterError:
        return error_for_os_error(exc, self.folder)


def _own_file(path: Path) -> bool:
    """True if ``path`` is a regular file (not a link, a folder or a device)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def error_for_os_error(exc: OSError, folder: Path) -> PrinterError:
    """The printer error for an ``OSError`` met while writing into ``folder``."""
    reason = exc.strerror or str(exc)
    if exc.errno in _DISK_FULL:
        return PrintFailed(f"disk full: no space left in {folder} for the job ({reason})")
    if exc.errno in _NOT_WRITABLE:
        return PrinterUnavailable(f"output folder {folder} is not writable ({reason})")
    return PrintFailed(f"writing into {folder} failed ({reason})")
