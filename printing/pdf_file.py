"""The ``pdf_file`` backend: every job becomes a PDF file in a folder.

Used by the demo, by tests and by kiosks that hand documents to something
else (a shared folder, an archive). Files appear whole or not at all: each
job is written to a hidden temporary file in the same folder, flushed to
disk, then renamed into place, and the folder itself is flushed so the
rename survives a power cut. An existing file is never overwritten.

Files are created readable by the kiosk's user only (mode 0600): later
documents, unlike queue tickets, carry personal data.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import threading
from pathlib import Path

from printing.errors import PrinterError, PrinterUnavailable, PrintFailed, PrintFault
from printing.printer import Printer, PrinterStatus, PrintReceipt, check_pdf

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
    replacing the earlier file. Name choice is serialised within this
    object; two processes writing the same folder are not coordinated.
    """

    backend = "pdf_file"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PdfFilePrinter({str(self.folder)!r})"

    def status(self) -> PrinterStatus:
        problem = self._folder_problem()
        if problem is not None:
            return PrinterStatus(ready=False, fault=PrintFault.OUTPUT_UNAVAILABLE, detail=problem)
        return PrinterStatus(ready=True, fault=None, detail=f"writing PDF files to {self.folder}")

    def print_pdf(self, pdf: bytes, job_name: str) -> PrintReceipt:
        check_pdf(pdf)
        stem = safe_file_stem(job_name)
        with self._lock:
            problem = self._folder_problem()
            if problem is not None:
                raise PrinterUnavailable(problem)
            target = self._write_new(pdf, stem)
        return PrintReceipt(backend=self.backend, job_id=str(target))

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

    def _write_new(self, pdf: bytes, stem: str) -> Path:
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


def error_for_os_error(exc: OSError, folder: Path) -> PrinterError:
    """The printer error for an ``OSError`` met while writing into ``folder``."""
    reason = exc.strerror or str(exc)
    if exc.errno in _DISK_FULL:
        return PrintFailed(f"disk full: no space left in {folder} for the job ({reason})")
    if exc.errno in _NOT_WRITABLE:
        return PrinterUnavailable(f"output folder {folder} is not writable ({reason})")
    return PrintFailed(f"writing into {folder} failed ({reason})")
